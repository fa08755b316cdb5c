"""Asset registry and resolver: model weights and sample media, found by name.

Assets are never part of the package. ``resolve("movenet_lightning_int8")``
looks for the asset's files, in order, in

1. every directory of the ``POSE_ESTIMATION_ROS_ASSET_PATH`` search path
   (``os.pathsep``-separated; tests and CI point it at ``../shared/assets``),
2. the user cache directory (``~/.cache/pose_estimation_ros`` on Linux),

each laid out like the upstream mirror (``models/movenet/<file>``). When the
files are still missing and downloads are allowed, the official file is
downloaded into the cache with a progress bar, its sha256 checked, and only
then moved into place. Offline, the error names the asset, every place looked
at and how to supply it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ASSET_PATH_ENV = "POSE_ESTIMATION_ROS_ASSET_PATH"
CACHE_DIR_ENV = "POSE_ESTIMATION_ROS_CACHE_DIR"
OFFLINE_ENV = "POSE_ESTIMATION_ROS_OFFLINE"
_CHUNK_BYTES = 1 << 20


class AssetError(RuntimeError):
    """An asset is unknown, missing, or does not match its checksum."""


@dataclass(frozen=True)
class AssetFile:
    """One file of an asset: where it lies under a search directory and where it comes from."""

    relative_path: str
    url: str
    sha256: str | None = None
    size: int | None = None


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


def _movenet(
    variant: str,
    file_name: str,
    url_tail: str,
    description: str,
    sha256: str | None = None,
    size: int | None = None,
) -> Asset:
    return Asset(
        variant,
        description,
        (AssetFile(f"models/movenet/{file_name}", f"{_TFHUB_LITE}/{url_tail}", sha256, size),),
    )


REGISTRY: dict[str, Asset] = {
    asset.name: asset
    for asset in (
        _movenet(
            "movenet_lightning_int8",
            "lite-model_movenet_singlepose_lightning_tflite_int8_4.tflite",
            "singlepose/lightning/tflite/int8/4.tflite",
            "MoveNet SinglePose Lightning v4, int8 TFLite (192x192 input)",
            "cd7cc22fa946e5d146a7b98d496853e1923e22828d3972d579973f27f91bb105",
            2894840,
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
                    4170036,
                ),
            ),
        ),
        Asset(
            "openpose_tfpose_mobilenet_v2_small",
            "tf-pose-estimation OpenPose on MobileNet-v2 (small), frozen TF graph",
            (
                AssetFile(
                    "models/openpose/tf-pose-mobilenet_v2_small/graph_opt.pb",
                    f"{_TF_POSE}/mobilenet_v2_small/graph_opt.pb",
                    "428a9d6e7bfc0319e1ce4de8c0191a9111cd281bea6ae2b496fd42c92d574160",
                ),
            ),
        ),
        Asset(
            "openpose_tfpose_mobilenet_thin",
            "tf-pose-estimation OpenPose on MobileNet (thin), frozen TF graph",
            (
                AssetFile(
                    "models/openpose/tf-pose-mobilenet_thin/graph_opt.pb",
                    f"{_TF_POSE}/mobilenet_thin/graph_opt.pb",
                ),
            ),
        ),
        Asset(
            "openpose_tfpose_cmu",
            "tf-pose-estimation OpenPose on VGG (CMU's original), frozen TF graph, about 200 MB; "
            "the official link is a Mediafire page: download graph_opt.pb from it by hand",
            (
                AssetFile(
                    "models/openpose/tf-pose-cmu/graph_opt.pb",
                    "http://www.mediafire.com/file/qlzzr20mpocnpa3/graph_opt.pb",
                ),
            ),
        ),
        Asset(
            "vtest_video",
            "OpenCV sample: 768x576, 10 fps, pedestrians",
            (
                AssetFile(
                    "media/opencv/vtest.avi",
                    "https://raw.githubusercontent.com/opencv/opencv/4.x/samples/data/vtest.avi",
                ),
            ),
        ),
        Asset(
            "pose_1_video",
            "tfjs-models test video: 576x576, 30 fps, one person dancing",
            (
                AssetFile(
                    "media/tfjs/pose_1.mp4",
                    "https://raw.githubusercontent.com/tensorflow/tfjs-models/master/"
                    "pose-detection/test_data/pose_1.mp4",
                ),
            ),
        ),
    )
}


def search_dirs() -> list[Path]:
    """Directories searched for assets, in order: the env search path, then the cache."""
    from_env = [Path(p) for p in os.environ.get(ASSET_PATH_ENV, "").split(os.pathsep) if p]
    return [*from_env, cache_dir()]


def cache_dir() -> Path:
    """Where downloaded assets are kept (``POSE_ESTIMATION_ROS_CACHE_DIR`` overrides)."""
    return Path(
        os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("pose_estimation_ros")
    )


def get_asset(name: str) -> Asset:
    """Registry entry for ``name``; ``AssetError`` listing the known names otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise AssetError(
            f"unknown asset {name!r}; known assets: {', '.join(sorted(REGISTRY))}"
        ) from None


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, file: AssetFile) -> None:
    """Raise ``AssetError`` when a file's size or sha256 differ from the registry's."""
    if file.size is not None and path.stat().st_size != file.size:
        raise AssetError(
            f"{path} has {path.stat().st_size} bytes, expected {file.size}: "
            f"the file is truncated or not the official one; delete it and retry"
        )
    if file.sha256 is not None and (actual := sha256_of(path)) != file.sha256:
        raise AssetError(
            f"{path} has sha256 {actual}, expected {file.sha256}: "
            f"the file is corrupt or not the official one; delete it and retry"
        )


def resolve(name: str, allow_download: bool | None = None) -> Path:
    """Path of the asset's main file, found on the search path, in the cache, or downloaded.

    ``allow_download`` defaults to true unless ``POSE_ESTIMATION_ROS_OFFLINE`` is set.
    """
    asset = get_asset(name)
    for directory in search_dirs():
        if all((directory / f.relative_path).is_file() for f in asset.files):
            for f in asset.files:
                verify(directory / f.relative_path, f)
            return directory / asset.files[0].relative_path
    if allow_download is None:
        allow_download = not os.environ.get(OFFLINE_ENV)
    if allow_download:
        try:
            for f in asset.files:
                download(f, cache_dir() / f.relative_path)
            return cache_dir() / asset.files[0].relative_path
        except (urllib.error.URLError, OSError) as error:
            raise AssetError(_missing_message(asset, f"download failed: {error}")) from error
    raise AssetError(_missing_message(asset, f"downloads are off ({OFFLINE_ENV} is set)"))


def _missing_message(asset: Asset, why: str) -> str:
    looked = "\n".join(f"  {d / f.relative_path}" for d in search_dirs() for f in asset.files)
    urls = "\n".join(f"  {f.url}" for f in asset.files)
    return (
        f"asset {asset.name!r} ({asset.description}) not found; {why}.\n"
        f"Looked for:\n{looked}\n"
        f"Supply it by downloading\n{urls}\n"
        f"into a directory on {ASSET_PATH_ENV} (same relative layout) or into {cache_dir()}, "
        f"or pass an explicit model_path."
    )


def download(file: AssetFile, destination: Path) -> None:
    """Download ``file`` to ``destination`` atomically, with a progress bar and checksum check."""
    from tqdm import tqdm

    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=destination.parent, suffix=".part", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(file.url, timeout=30) as response:
                total = int(response.headers.get("Content-Length") or 0) or file.size
                with tqdm(total=total, unit="B", unit_scale=True, desc=destination.name) as bar:
                    for chunk in iter(lambda: response.read(_CHUNK_BYTES), b""):
                        tmp.write(chunk)
                        bar.update(len(chunk))
            tmp.close()
            verify(tmp_path, file)
            os.replace(tmp_path, destination)
        finally:
            tmp_path.unlink(missing_ok=True)
