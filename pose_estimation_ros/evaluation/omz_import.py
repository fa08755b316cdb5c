"""Import Open Model Zoo's OpenPose model wrapper from ``openvino-model-api`` 0.2.5.4 (PyPI).

That release is the last to ship ``model_api/models/open_pose.py`` (the
wrapper ``OpenPose`` and its ``OpenPoseDecoder``); it is installed with
``--no-deps`` (``requirements/omz-nodeps.txt``) and imported, never copied.
It imports ``openvino.runtime``, which OpenVINO 2026 no longer has: the names
it takes from there live at OpenVINO's top level since 2023.1, so the old
module paths are registered as aliases of the new ones before the import.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from types import ModuleType

from pose_estimation_ros.core.runtimes import BackendNotInstalled

# Old path -> the module that holds the same names in OpenVINO 2024 and later.
RUNTIME_ALIASES = {
    "openvino.runtime": "openvino",
    "openvino.runtime.opset8": "openvino.opset8",
    "openvino.runtime.opset10": "openvino.opset10",
    "openvino.runtime.utils": "openvino.utils",
    "openvino.runtime.utils.decorators": "openvino.utils.decorators",
}
INSTALL_HINT = (
    "Open Model Zoo's OpenPose needs openvino-model-api 0.2.5.4 and scipy: pip install -r "
    "requirements/eval.txt, then --no-deps -r requirements/omz-nodeps.txt (make setup does)"
)


def alias_openvino_runtime() -> None:
    """Register each missing ``openvino.runtime`` module path as its modern module."""
    for old, new in RUNTIME_ALIASES.items():
        try:
            importlib.import_module(old)
        except ImportError:
            sys.modules[old] = importlib.import_module(new)


def import_model_api(module: str) -> ModuleType:
    """Return ``model_api.<module>``; ``BackendNotInstalled`` when it is missing."""
    alias_openvino_runtime()
    try:
        with warnings.catch_warnings():
            # open_pose.py imports numpy.core.umath.clip, deprecated in numpy 2 (still there).
            warnings.filterwarnings("ignore", "numpy.core", DeprecationWarning)
            return importlib.import_module(f"model_api.{module}")
    except ImportError as error:
        raise BackendNotInstalled(f"{INSTALL_HINT} ({error})") from error
