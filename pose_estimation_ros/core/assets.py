"""Asset registry and resolver: model weights and sample media, found by name.

Assets are never part of the package. ``resolve("movenet_lightning_int8")``
looks for the asset's files, in order, in

1. every directory of the ``POSE_ESTIMATION_ROS_ASSET_PATH`` search path
   (``os.pathsep``-separated; tests and CI point it at ``../shared/assets``),
2. the user cache directory (``~/.cache/pose_estimation_ros`` on Linux),

each laid out like the upstream mirror (``models/movenet/<file>``). A file found there is
checked against its registered sha256. When files are still missing and downloads are allowed,
``pooch`` downloads each official file into the cache and moves it into place only once its
sha256 matches. Only files with a registered sha256 are ever downloaded: the others (no
checksum could be verified for them yet) must be placed by hand. Otherwise the error names
the asset, every place looked at and how to supply it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import pooch

ASSET_PATH_ENV = "POSE_ESTIMATION_ROS_ASSET_PATH"
CACHE_DIR_ENV = "POSE_ESTIMATION_ROS_CACHE_DIR"
OFFLINE_ENV = "POSE_ESTIMATION_ROS_OFFLINE"
_TIMEOUT_S = 30


class AssetError(RuntimeError):
    """An asset is unknown, missing, or does not match its checksum."""


@dataclass(frozen=True)
class AssetFile:
    """One file of an asset: its path under a search directory, its official URL, its sha256.

    ``sha256`` is None only for files whose checksum could not be verified: those are never
    downloaded, only found where the user put them.
    """

    relative_path: str
    url: str
    sha256: str | None = None

    @property
    def downloadable(self) -> bool:
        """Whether ``resolve`` may download this file (only with a known checksum)."""
        return self.sha256 is not None


@dataclass(frozen=True)
class Asset:
    """A named asset; its first file is the one callers open (e.g. an IR's .xml)."""

    name: str
    description: str
    files: tuple[AssetFile, ...]


_TFHUB_LITE = "https://storage.googleapis.com/tfhub-lite-models/google/lite-model/movenet"
_OMZ = (
    "https://storage.openvinotoolkit.org/repositories/open_model_zoo/2021.2/models_bin/3/"
    "human-pose-estimation-0001/FP16-INT8/human-pose-estimation-0001"
)
_HPE_DIR = "models/openpose/human-pose-estimation-0001/FP16-INT8"
_TF_POSE = "https://github.com/ildoonet/tf-pose-estimation/raw/master/models/graph"


def _one_file(name: str, description: str, path: str, url: str, sha256: str | None) -> Asset:
    return Asset(name, description, (AssetFile(path, url, sha256),))


def _movenet(
    name: str, file_name: str, url_tail: str, description: str, sha256: str | None = None
) -> Asset:
    path, url = f"models/movenet/{file_name}", f"{_TFHUB_LITE}/{url_tail}"
    return _one_file(name, description, path, url, sha256)


def _tf_pose(name: str, graph: str, description: str, sha256: str | None = None) -> Asset:
    path = f"models/openpose/tf-pose-{graph}/graph_opt.pb"
    return _one_file(name, description, path, f"{_TF_POSE}/{graph}/graph_opt.pb", sha256)


# sha256 values: those of ../shared/assets (MANIFEST.md), checked by test/unit/test_assets.py.
REGISTRY: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        _movenet(
            "movenet_lightning_int8",
            "lite-model_movenet_singlepose_lightning_tflite_int8_4.tflite",
            "singlepose/lightning/tflite/int8/4.tflite",
            "MoveNet SinglePose Lightning v4, int8 TFLite (192x192 input)",
            "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105",
        ),
        _movenet(
            "movenet_lightning_fp16",
            "lite-model_movenet_singlepose_lightning_tflite_float16_4.tflite",
            "singlepose/lightning/tflite/float16/4.tflite",
            "MoveNet SinglePose Lightning v4, float16 TFLite (192x192 input)",
        ),
        _movenet(
            "movenet_thunder_int8",
            "lite-model_movenet_singlepose_thunder_tflite_int8_4.tflite",
            "singlepose/thunder/tflite/int8/4.tflite",
            "MoveNet SinglePose Thunder v4, int8 TFLite (256x256 input)",
        ),
        _movenet(
            "movenet_thunder_fp16",
            "lite-model_movenet_singlepose_thunder_tflite_float16_4.tflite",
            "singlepose/thunder/tflite/float16/4.tflite",
            "MoveNet SinglePose Thunder v4, float16 TFLite (256x256 input)",
        ),
        _movenet(
            "movenet_multipose_fp16",
            "lite-model_movenet_multipose_lightning_tflite_float16_1.tflite",
            "multipose/lightning/tflite/float16/1.tflite",
            "MoveNet MultiPose Lightning v1, float16 TFLite (up to 6 people)",
        ),
        Asset(
            "openpose_hpe0001",
            "Open Model Zoo human-pose-estimation-0001, OpenVINO IR, FP16-INT8",
            (
                AssetFile(
                    f"{_HPE_DIR}/human-pose-estimation-0001.xml",
                    f"{_OMZ}.xml",
                    "c3a47de94906e6b3256eb16af7274141b2fc9f6c7889a02d96ef430b9bc321d3",
                ),
                AssetFile(
                    f"{_HPE_DIR}/human-pose-estimation-0001.bin",
                    f"{_OMZ}.bin",
                    "fc7e9dde0f4a34876cfbbd266388a59526a8c8c1bc9394ce4827b7a007d20f82",
                ),
            ),
        ),
        _tf_pose(
            "openpose_tfpose_mobilenet_v2_small",
            "mobilenet_v2_small",
            "tf-pose-estimation OpenPose on MobileNet-v2 (small), frozen TF graph",
            "428a9d6e7bfc0319e1ce4de8c0191a9111cd281bea6ae2b496fd42c92d574160",
        ),
        _tf_pose(
            "openpose_tfpose_mobilenet_thin",
            "mobilenet_thin",
            "tf-pose-estimation OpenPose on MobileNet (thin), frozen TF graph",
        ),
        _one_file(
            "openpose_tfpose_cmu",
            "tf-pose-estimation OpenPose on VGG (CMU's original), frozen TF graph, about 200 MB; "
            "the official link is a Mediafire page: download graph_opt.pb from it by hand",
            "models/openpose/tf-pose-cmu/graph_opt.pb",
            "http://www.mediafire.com/file/qlzzr20mpocnpa3/graph_opt.pb",
            None,
        ),
        _one_file(
            "vtest_video",
            "OpenCV sample: 768x576, 10 fps, pedestrians",
            "media/opencv/vtest.avi",
            "https://raw.githubusercontent.com/opencv/opencv/4.x/samples/data/vtest.avi",
            "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
        ),
        _one_file(
            "pose_1_video",
            "tfjs-models test video: 576x576, 30 fps, one person dancing",
            "media/tfjs/pose_1.mp4",
            "https://raw.githubusercontent.com/tensorflow/tfjs-models/master/"
            "pose-detection/test_data/pose_1.mp4",
            "a581dd3c6495c4257a8f7756c6c59b445e8949eec0bc2637ba5283bfa7d71930",
        ),
    )
}


def search_dirs() -> list[Path]:
    """Return the directories searched for assets, in order: the env search path, the cache."""
    from_env = [Path(p) for p in os.environ.get(ASSET_PATH_ENV, "").split(os.pathsep) if p]
    return [*from_env, cache_dir()]


def cache_dir() -> Path:
    """Return where downloaded assets are kept (``POSE_ESTIMATION_ROS_CACHE_DIR`` overrides)."""
    return Path(
        os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("pose_estimation_ros")
    )


def get_asset(name: str) -> Asset:
    """Return the registry entry for ``name``; ``AssetError`` listing the known names otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise AssetError(
            f"unknown asset {name!r}; known assets: {', '.join(sorted(REGISTRY))}"
        ) from None


def resolve(name: str, allow_download: bool | None = None) -> Path:
    """Return the path of the asset's main file: on the search path, in the cache, or downloaded.

    ``allow_download`` defaults to true unless ``POSE_ESTIMATION_ROS_OFFLINE`` is set.
    """
    asset = get_asset(name)
    for directory in search_dirs():
        if all((directory / f.relative_path).is_file() for f in asset.files):
            for f in asset.files:
                _verify(directory / f.relative_path, f, asset.name)
            return directory / asset.files[0].relative_path
    if allow_download is None:
        allow_download = not os.environ.get(OFFLINE_ENV)
    if not allow_download:
        why = f"downloads are off ({OFFLINE_ENV} is set, or the caller asked for no download)"
        raise AssetError(_missing(asset, why))
    by_hand = [f.relative_path for f in asset.files if not f.downloadable]
    if by_hand:
        why = f"no checksum is registered for {', '.join(by_hand)}, so it is never downloaded"
        raise AssetError(_missing(asset, why))
    for f in asset.files:
        _download(f, asset.name)
    return cache_dir() / asset.files[0].relative_path


def _verify(path: Path, file: AssetFile, name: str) -> None:
    if file.sha256 is not None and (actual := pooch.file_hash(str(path))) != file.sha256:
        raise AssetError(_mismatch(path, file, name, actual))


def _mismatch(path: Path, file: AssetFile, name: str, actual: str) -> str:
    return (
        f"{path} (asset {name!r}) has sha256 {actual}, expected {file.sha256}: it is corrupt, "
        f"truncated or not the official file. Delete it and run `fetch_assets {name}`, "
        f"or put the official file from {file.url} in its place."
    )


def _download(file: AssetFile, name: str) -> None:
    """Download one file into the cache with pooch; it lands there only once its sha256 matches."""
    destination = cache_dir() / file.relative_path
    http = pooch.HTTPDownloader(progressbar=True, timeout=_TIMEOUT_S)
    actual: list[str] = []

    def download_and_hash(url: str, output_file: str, pup: object) -> None:
        http(url, output_file, pup)
        actual.append(pooch.file_hash(output_file))

    try:
        pooch.retrieve(
            file.url,
            known_hash=f"sha256:{file.sha256}",
            fname=destination.name,
            path=destination.parent,
            downloader=download_and_hash,
        )
    except ValueError as error:  # pooch's hash mismatch: it has deleted the download
        raise AssetError(
            f"download of {file.url} (asset {name!r}, {file.relative_path}) rejected: "
            f"sha256 {actual[-1] if actual else 'unknown'}, expected {file.sha256}; "
            f"nothing was kept. Retry later; if it persists the upstream file changed: "
            f"place a verified copy in a directory on {ASSET_PATH_ENV} and report it."
        ) from error
    except OSError as error:  # requests' errors are OSErrors: refused, timeout, HTTP status
        raise AssetError(_missing(get_asset(name), f"download failed: {error}")) from error


def _missing(asset: Asset, why: str) -> str:
    looked = "\n".join(f"  {d / f.relative_path}" for d in search_dirs() for f in asset.files)
    urls = "\n".join(f"  {f.url}" for f in asset.files)
    return (
        f"asset {asset.name!r} ({asset.description}) not found; {why}.\n"
        f"Looked for:\n{looked}\n"
        f"Supply it by downloading\n{urls}\n"
        f"into a directory on {ASSET_PATH_ENV} (same relative layout) or into {cache_dir()}, "
        f"or pass an explicit model_path."
    )
