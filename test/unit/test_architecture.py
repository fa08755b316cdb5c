"""The import rules of docs/architecture.md, checked on every module's parsed imports."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "pose_estimation_ros"
SOURCE = Path(__file__).resolve().parents[2] / PACKAGE

# Layer of each part of the package (first component under pose_estimation_ros/).
LAYERS = {
    "core": "core",
    "graph": "graph",
    "params_file": "graph",
    "fetch_assets": "clients",
    "udp_receiver": "clients",
    "nodes": "nodes",
    "runner": "runner",
    "bench": "dev",
    "evaluation": "dev",
    "tools": "dev",
    "msg": "msg",  # generated messages: ROS
}
# What each layer may import from the package (docs/architecture.md's table).
ALLOWED = {
    "core": {"core"},
    "graph": {"core", "graph"},
    "clients": {"core"},
    "nodes": {"core", "nodes", "msg"},
    "runner": {"core", "graph", "nodes", "runner", "msg"},
    "dev": {"core", "graph", "nodes", "runner", "dev", "msg"},
}
NO_ROS = {"core", "graph", "clients"}
ROS_TOP_LEVEL = {
    "rclpy", "launch", "launch_ros", "ament_index_python", "rcl_interfaces", "rosidl_runtime_py",
    "builtin_interfaces", "message_filters", "cv_bridge", "tf2_ros", "rosbag2_py",
}
ROS_SUFFIXES = ("_msgs", "_srvs", "_interfaces")
# The one ROS import core has, inside the function that resolves package:// URLs.
CORE_ROS_EXCEPTIONS = {("core/capture/calibration.py", "ament_index_python")}


@dataclass(frozen=True)
class Import:
    """One imported module, where it is imported, and whether at module level."""

    path: str  # relative to pose_estimation_ros/, e.g. "core/assets.py"
    module: str
    top_level: bool


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = SOURCE) -> list[Import]:
    tree = ast.parse(path.read_text(), str(path))
    here = _module_name(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    top_level = {id(node) for node in tree.body}
    relative = str(path.relative_to(root))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            # ``from pkg import name`` may import the submodule pkg.name.
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [Import(relative, name, id(node) in top_level) for name in names]
    return found


MODULES = sorted(SOURCE.rglob("*.py"))
ALL_IMPORTS = [i for path in MODULES for i in _imports(path)]


def _layer_of_path(path: str) -> str | None:
    return LAYERS.get(Path(path).parts[0].removesuffix(".py"))


def _layer_of_module(module: str) -> str | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if parts[0] == PACKAGE and len(parts) > 1 else None


def _is_ros(module: str) -> bool:
    top = module.split(".")[0]
    return top in ROS_TOP_LEVEL or top.endswith(ROS_SUFFIXES) or _layer_of_module(module) == "msg"


def _excepted(i: Import) -> bool:
    return (i.path, i.module.split(".")[0]) in CORE_ROS_EXCEPTIONS


def test_every_module_belongs_to_a_layer():
    paths = {str(path.relative_to(SOURCE)) for path in MODULES}
    unplaced = {path for path in paths if _layer_of_path(path) is None}
    assert unplaced <= {"__init__.py"}, f"add these to LAYERS and docs/architecture.md: {unplaced}"
    assert len(paths) > 50  # the walk found the package


def test_layers_import_only_the_layers_below_them():
    wrong = sorted(
        f"{i.path} imports {i.module} ({_layer_of_module(i.module)})"
        for i in ALL_IMPORTS
        if (target := _layer_of_module(i.module)) is not None
        and target not in ALLOWED.get(_layer_of_path(i.path) or "", set())
    )
    assert not wrong, "\n".join(wrong)


def test_core_graph_and_clients_import_no_ros():
    wrong = sorted(
        f"{i.path} imports {i.module}"
        for i in ALL_IMPORTS
        if _layer_of_path(i.path) in NO_ROS
        and _is_ros(i.module)
        and not _excepted(i)
    )
    assert not wrong, "\n".join(wrong)


def test_the_core_ros_exception_stays_inside_its_function():
    found = [i for i in ALL_IMPORTS if _excepted(i)]
    assert found, "the exception is gone: remove it from CORE_ROS_EXCEPTIONS and the doc"
    assert not [i for i in found if i.top_level]


def _family_packages() -> set[str]:
    """Read core/families.py's estimator module names: ``pose_estimation_ros.core.X.estimator``."""
    tree = ast.parse((SOURCE / "core" / "families.py").read_text())
    prefix = f"{PACKAGE}.core."
    return {
        node.value.removeprefix(prefix).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(prefix)
    }


def test_model_families_are_reached_through_the_registry():
    families = _family_packages()
    assert {"movenet", "openpose"} <= families
    wrong = []
    for i in ALL_IMPORTS:
        parts = i.module.split(".")
        if parts[:2] != [PACKAGE, "core"] or len(parts) < 3 or parts[2] not in families:
            continue
        inside = Path(i.path).parts[:2]
        if inside[0] == "core" and inside[1] == parts[2]:
            continue  # a family's own modules
        if inside[0] == "core" and inside[1] in families:
            wrong.append(f"{i.path} imports another family: {i.module}")
        elif inside[0] == "core" and i.path != "core/families.py":
            wrong.append(f"{i.path} imports {i.module}: go through core.estimator")
        elif _layer_of_path(i.path) not in ("core", "dev"):
            wrong.append(f"{i.path} imports {i.module}: go through core.estimator")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from pose_estimation_ros import graph", "pose_estimation_ros.graph"),
        ("import rclpy.qos", "rclpy.qos"),
        ("from ...nodes import markers", "pose_estimation_ros.nodes.markers"),
        ("from .sources import open_source", "pose_estimation_ros.core.capture.sources"),
        ("from .. import assets", "pose_estimation_ros.core.assets"),
    ],
)
def test_import_parsing_resolves_absolute_and_relative_imports(tmp_path, source, module):
    """Parse ``source`` as if it were a module of core/capture."""
    fake = tmp_path / PACKAGE / "core" / "capture" / "probe.py"
    fake.parent.mkdir(parents=True)
    fake.write_text(f"def read():\n    {source}\n")
    found = _imports(fake, tmp_path / PACKAGE)
    assert module in {i.module for i in found}
    assert {i.path for i in found} == {"core/capture/probe.py"}
    assert not any(i.top_level for i in found)


def test_the_camera_imports_no_message_of_this_package():
    """A generic driver, paced by any header-first topic (docs/camera.md), not by PoseArray."""
    camera = {"nodes/camera_node.py", "nodes/image_publisher.py", "nodes/pace_topic.py"}
    wrong = sorted(
        f"{i.path} imports {i.module}"
        for i in ALL_IMPORTS
        if i.path in camera and _layer_of_module(i.module) == "msg"
    )
    assert not wrong, "\n".join(wrong)
