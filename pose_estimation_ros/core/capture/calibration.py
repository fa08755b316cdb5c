"""Camera calibration files in the ROS format (camera_calibration_parsers YAML)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class CalibrationError(ValueError):
    """A calibration file is missing or malformed."""


@dataclass(frozen=True)
class CameraCalibration:
    """Intrinsics as ``sensor_msgs/CameraInfo`` holds them (row-major matrices)."""

    camera_name: str
    width: int
    height: int
    distortion_model: str
    k: tuple[float, ...]  # 3x3 camera matrix
    d: tuple[float, ...]  # distortion coefficients
    r: tuple[float, ...]  # 3x3 rectification matrix
    p: tuple[float, ...]  # 3x4 projection matrix


_MATRICES = {
    "camera_matrix": 9,
    "distortion_coefficients": None,
    "rectification_matrix": 9,
    "projection_matrix": 12,
}  # YAML key -> number of values (None: any)


def calibration_path(url: str) -> Path:
    """Path named by a camera_info URL: ``file:///...``, ``package://pkg/...`` or a plain path."""
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    if url.startswith("package://"):
        from ament_index_python.packages import get_package_share_directory

        package, _, relative = url.removeprefix("package://").partition("/")
        return Path(get_package_share_directory(package)) / relative
    return Path(url).expanduser()


def load_calibration(url: str) -> CameraCalibration:
    """Read a calibration YAML; ``CalibrationError`` saying what is wrong."""
    path = calibration_path(url)
    try:
        content = yaml.safe_load(path.read_text())
        matrices = {key: _matrix(content, key, count) for key, count in _MATRICES.items()}
        return CameraCalibration(
            camera_name=str(content.get("camera_name", "")),
            width=int(content["image_width"]),
            height=int(content["image_height"]),
            distortion_model=str(content.get("distortion_model", "plumb_bob")),
            k=matrices["camera_matrix"],
            d=matrices["distortion_coefficients"],
            r=matrices["rectification_matrix"],
            p=matrices["projection_matrix"],
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise CalibrationError(f"cannot read camera calibration {url}: {error!r}") from error


def _matrix(content: dict, key: str, count: int | None) -> tuple[float, ...]:
    values = tuple(float(v) for v in content[key]["data"])
    if count is not None and len(values) != count:
        raise ValueError(f"{key} has {len(values)} values, expected {count}")
    return values
