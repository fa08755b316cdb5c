"""The node graph, defined once for ``launch/pose.launch.py`` and for the ``run`` command.

A node is an executable of this package started as its own process; its
parameters come from the params file (one block per node, keyed by node
name) and from the launch arguments mapped onto it below. Both the launch
file and ``pose_estimation_ros.run`` build their processes from these
tables, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from pose_estimation_ros.params_file import ParamsFileError, check_params_file

PACKAGE = "pose_estimation_ros"
# What launch's IfCondition accepts as a boolean, in any case; the graph refuses anything else.
SWITCH_VALUES = {"true": True, "1": True, "false": False, "0": False}


class ArgumentError(ValueError):
    """A launch argument the graph cannot start with; the message says which and what to do."""


@dataclass(frozen=True)
class NodeSpec:
    """One node of the graph: node name = executable = params-file key."""

    name: str
    enabled_by: str | None = None  # a boolean launch argument that switches the node on
    remappings: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, object], ...] = ()  # set by the graph, over the params file
    lifecycle: bool = False  # a lifecycle node (it activates itself: its autostart parameter)

    @property
    def executable(self) -> str:
        """Executable in ``lib/pose_estimation_ros`` that runs this node."""
        return self.name


@dataclass(frozen=True)
class LaunchArgument:
    """A launch argument; when ``node`` is set, it overrides that node's ``parameter``."""

    name: str
    default: str
    description: str
    node: str | None = None
    parameter: str | None = None
    switch: bool = False  # a boolean: true/false/1/0 in any case, nothing else


NODES: tuple[NodeSpec, ...] = (
    # The first frame waits for the pose node, whose subscription opens once its model ran
    # once: a video is not half played, nor its first frames lost, while the model loads.
    NodeSpec("camera_node", parameters=(("wait_for_readers", 1),)),
    NodeSpec("pose_node", lifecycle=True),
    NodeSpec("udp_bridge_node", enabled_by="use_bridge"),
)

ARGUMENTS: tuple[LaunchArgument, ...] = (
    LaunchArgument(
        "source",
        "0",
        "Video source: device index (0), video file, stream URL, image folder/glob or image",
        "camera_node",
        "source",
    ),
    LaunchArgument(
        "model",
        "movenet_lightning",
        "Pose model: movenet_lightning, movenet_thunder, movenet_multipose, openpose_hpe0001, "
        "openpose_tfpose_mobilenet_v2_small",
        "pose_node",
        "model",
    ),
    LaunchArgument(
        "backend",
        "openvino",
        "Inference runtime: openvino, litert or tensorflow",
        "pose_node",
        "backend",
    ),
    LaunchArgument(
        "host",
        "127.0.0.1",
        "UDP bridge destination host: unicast, or a broadcast address (255.255.255.255, "
        "127.255.255.255, a subnet's) with mode:=broadcast",
        "udp_bridge_node",
        "host",
    ),
    LaunchArgument("port", "4900", "UDP bridge destination port", "udp_bridge_node", "port"),
    LaunchArgument(
        "mode",
        "unicast",
        "UDP bridge mode: unicast (to host), broadcast (host is a broadcast address) or "
        "multicast (to the params file's multicast_group)",
        "udp_bridge_node",
        "mode",
    ),
    LaunchArgument(
        "use_bridge", "true", "Start the UDP bridge node (true/false or 1/0)", switch=True
    ),
    LaunchArgument(
        "rviz", "false", "Start RViz with rviz/pose.rviz (true/false or 1/0)", switch=True
    ),
    LaunchArgument("namespace", "", "Namespace for every node and topic of the graph"),
    LaunchArgument(
        "params_file",
        "",
        "Parameters YAML, one block per node (default: the installed config/params.yaml)",
    ),
)


def parse_value(text: str) -> object:
    """Read a launch-argument string the way ``ros2 run --ros-args -p`` does (YAML scalar)."""
    value = yaml.safe_load(text) if text != "" else ""
    return "" if value is None else value


def parameter_overrides(node: str, arguments: Mapping[str, str]) -> dict[str, object]:
    """Parameters the graph and the launch arguments set on ``node``, typed like ``-p``."""
    spec = next(spec for spec in NODES if spec.name == node)
    return dict(spec.parameters) | {
        arg.parameter: parse_value(arguments[arg.name])
        for arg in ARGUMENTS
        if arg.node == node and arg.parameter and arg.name in arguments
    }


def parse_switch(name: str, text: str) -> bool:
    """Read boolean launch argument ``name`` as IfCondition does; ``ArgumentError`` otherwise."""
    value = SWITCH_VALUES.get(str(text).strip().lower())
    if value is None:
        raise ArgumentError(f"{name}:={text} is not a boolean: use true or false (or 1 or 0)")
    return value


def switch_value(name: str, arguments: Mapping[str, str]) -> bool:
    """Boolean launch argument ``name`` (its default when ``arguments`` lacks it)."""
    default = next(a.default for a in ARGUMENTS if a.name == name)
    return parse_switch(name, arguments.get(name, default))


def is_enabled(spec: NodeSpec, arguments: Mapping[str, str]) -> bool:
    """Whether ``spec`` runs, given the launch arguments (its switch defaults to the table's)."""
    return spec.enabled_by is None or switch_value(spec.enabled_by, arguments)


def check_arguments(arguments: Mapping[str, str]) -> None:
    """Refuse, before anything starts, arguments the graph cannot run with (``ArgumentError``).

    Every boolean argument must be one (``parse_switch``), and a params file
    given must be one the nodes can read (``params_file.check_params_file``):
    they would otherwise start on built-in defaults, or each print a traceback.
    """
    for arg in ARGUMENTS:
        if arg.switch:
            switch_value(arg.name, arguments)
    path = arguments.get("params_file") or ""
    if path:
        try:
            check_params_file(path)
        except ParamsFileError as error:
            raise ArgumentError(str(error)) from None


def defaults() -> dict[str, str]:
    """Every launch argument with its default value."""
    return {arg.name: arg.default for arg in ARGUMENTS}
