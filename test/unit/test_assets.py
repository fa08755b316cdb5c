"""The asset resolver: search path, checksum check, clear error when missing offline."""

import hashlib
from pathlib import Path

import pytest

from pose_estimation_ros.core import assets
from pose_estimation_ros.core.assets import AssetError, AssetFile


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


def _fake_asset(tmp_path: Path, monkeypatch, content: bytes, sha256: str) -> None:
    """Register a one-file asset whose file lies in tmp_path (the registry entry is the fake)."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny.bin").write_bytes(content)
    entry = assets.Asset(
        "tiny",
        "a tiny test asset",
        (AssetFile("models/tiny.bin", "http://127.0.0.1:9/tiny.bin", sha256),),
    )
    monkeypatch.setitem(assets.REGISTRY, "tiny", entry)
    monkeypatch.setenv(assets.ASSET_PATH_ENV, str(tmp_path))


def test_checksum_match_is_accepted(tmp_path, monkeypatch):
    _fake_asset(tmp_path, monkeypatch, b"weights", hashlib.sha256(b"weights").hexdigest())
    assert assets.resolve("tiny", allow_download=False) == tmp_path / "models" / "tiny.bin"


def test_checksum_mismatch_is_rejected(tmp_path, monkeypatch):
    _fake_asset(tmp_path, monkeypatch, b"tampered", hashlib.sha256(b"weights").hexdigest())
    with pytest.raises(AssetError, match="sha256 .* expected"):
        assets.resolve("tiny", allow_download=False)


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


def test_failed_download_is_a_clear_error_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """Port 9 on loopback refuses connections: the download fails like an offline machine."""
    _fake_asset(tmp_path, monkeypatch, b"x", hashlib.sha256(b"weights").hexdigest())
    (tmp_path / "models" / "tiny.bin").unlink()
    monkeypatch.setenv(assets.CACHE_DIR_ENV, str(tmp_path / "cache"))
    with pytest.raises(AssetError, match="download failed"):
        assets.resolve("tiny", allow_download=True)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


def test_unknown_asset_lists_known_names():
    with pytest.raises(AssetError, match="known assets: .*movenet_lightning_int8"):
        assets.get_asset("movenet_huge")
