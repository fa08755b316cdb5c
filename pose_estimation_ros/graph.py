"""The node graph, defined once for ``launch/pose.launch.py`` and for the ``run`` command.

A node is an executable of this package started as its own process; its
parameters come from the params file (one block per node, keyed by node
name) and from the launch arguments mapped onto it below. Both the launch
file and ``pose_estimation_ros.runner`` build their processes from these
tables, so the two cannot drift apart: both start the node instances that
``instances`` expands the arguments into (one camera per entry of ``sources``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pose_estimation_ros.core import hri_bodies, topics
from pose_estimation_ros.core.estimator import DEFAULT_MODEL, MODELS, option_specs
from pose_estimation_ros.core.options import field_specs
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.core.topic_selection import TYPE_SEPARATOR, WILDCARD
from pose_estimation_ros.core.udp_sender import Destination
from pose_estimation_ros.params_file import ParamsFileError, check_params_file

PACKAGE = "pose_estimation_ros"
CAMERA = "camera_node"
POSE = "pose_node"
BRIDGE = "udp_bridge_node"
RECORDER = "mcap_recorder_node"
MAX_SOURCES = 16  # cameras one pose node serves; more is a typo or a job for several graphs
CAMERA_FRAME_ID = "{camera}_camera_optical_frame"  # each camera's optical frame (REP 103/105)
# What launch's IfCondition accepts as a boolean, in any case; the graph refuses anything else.
SWITCH_VALUES = {"true": True, "1": True, "false": False, "0": False}


# The type of each topic the graph records (record_mcap): its publisher's message type.
RECORDED_TYPES = {
    topics.IMAGE: "sensor_msgs/msg/Image",
    topics.CAMERA_INFO: "sensor_msgs/msg/CameraInfo",
    topics.POSES: "pose_estimation_ros/msg/PoseArray",
    topics.DETECTIONS: "vision_msgs/msg/Detection2DArray",
    topics.DIAGNOSTICS: "diagnostic_msgs/msg/DiagnosticArray",
    hri_bodies.TRACKED_TOPIC: "hri_msgs/msg/IdsList",
}


class ArgumentError(ValueError):
    """A launch argument the graph cannot start with; the message says which and what to do."""


@dataclass(frozen=True)
class NodeSpec:
    """One node of the graph: node name = executable = params-file key."""

    name: str
    # A launch argument that switches the node on: a boolean (``switch``), or a text one that
    # does when it is not empty (``record_mcap``: the path to record to).
    enabled_by: str | None = None
    remappings: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, object], ...] = ()  # set by the graph, over the params file
    lifecycle: bool = False  # a lifecycle node (it activates itself: its autostart parameter)

    @property
    def executable(self) -> str:
        """Executable in ``lib/pose_estimation_ros`` that runs this node."""
        return self.name


@dataclass(frozen=True)
class LaunchArgument:
    """A launch argument; when ``node`` is set and it is given, it overrides that ``parameter``.

    Launch passes every argument, its default when not given, so one that sets
    a parameter defaults to empty, which sets nothing: the node reads that
    parameter from the params file as it reads every other. Its description
    names the parameter's default (``params_file_default``) and every value the
    parameter accepts; ``test/unit/test_launch_arguments.py`` checks both.
    """

    name: str
    default: str
    description: str
    node: str | None = None
    parameter: str | None = None
    switch: bool = False  # a boolean: true/false/1/0 in any case, nothing else


def default_text(spec: ParamSpec) -> str:
    """Write a parameter's default as launch-argument text, which ``parse_value`` reads back."""
    return str(spec.default)


def params_file_default(spec_default: str) -> str:
    """End a description: empty means the params file's value, ``spec_default`` as installed."""
    return f"; empty: the params file's ({spec_default} in the installed one)"


def one_of(choices: Sequence[str]) -> str:
    """List accepted values for a description: ``a, b or c``."""
    return " or ".join(filter(None, [", ".join(choices[:-1]), choices[-1]]))


# Specs of the parameters the arguments below set, from the core (nodes cannot be imported here).
BACKEND = next(spec for spec in option_specs() if spec.name == "backend")
DESTINATION = {spec.name: spec for spec in field_specs(Destination)}
CAMERA_SOURCE_DEFAULT = "0"  # the camera node's own (a node); test_launch_arguments checks it


NODES: tuple[NodeSpec, ...] = (
    # The first frame waits for the pose node, whose subscription opens once its model ran
    # once: a video is not half played, nor its first frames lost, while the model loads.
    # With max_frames_in_flight > 0 (params file) the camera is paced by the poses.
    NodeSpec(CAMERA, parameters=(("wait_for_readers", 1), ("pace_topic", topics.POSES))),
    NodeSpec(POSE, lifecycle=True),
    NodeSpec(BRIDGE, enabled_by="use_bridge"),
    NodeSpec("hri_node", enabled_by="hri"),
    NodeSpec("detections_node", enabled_by="detections"),
    NodeSpec(RECORDER, enabled_by="record_mcap"),
)

ARGUMENTS: tuple[LaunchArgument, ...] = (
    LaunchArgument(
        "source",
        "",
        "Video source: device index (0), video file, stream URL, image folder/glob, image, or "
        "a rosbag2 recording to replay (.mcap or .db3 file, bag directory)"
        + params_file_default(CAMERA_SOURCE_DEFAULT),
        CAMERA,
        "source",
    ),
    LaunchArgument(
        "sources",
        "",
        "Several cameras: a YAML list of sources ([pose_1.mp4, 0, /data/frames]), one camera "
        "node each in namespace cam1, cam2, ... and one pose node for all; not with source; "
        "empty: source only",
    ),
    LaunchArgument(
        "model",
        "",
        f"Pose model: {one_of(tuple(MODELS))}" + params_file_default(DEFAULT_MODEL),
        POSE,
        "model",
    ),
    LaunchArgument(
        "backend",
        "",
        f"Inference runtime: {one_of(BACKEND.choices)}"
        + params_file_default(default_text(BACKEND)),
        POSE,
        "backend",
    ),
    LaunchArgument(
        "host",
        "",
        "UDP bridge destination host: unicast, or a broadcast address (255.255.255.255, "
        "127.255.255.255, a subnet's) with mode:=broadcast"
        + params_file_default(default_text(DESTINATION["host"])),
        BRIDGE,
        "host",
    ),
    LaunchArgument(
        "port",
        "",
        "UDP bridge destination port" + params_file_default(default_text(DESTINATION["port"])),
        BRIDGE,
        "port",
    ),
    LaunchArgument(
        "mode",
        "",
        "UDP bridge mode: unicast (to host), broadcast (host is a broadcast address) or "
        "multicast (to the params file's multicast_group)"
        + params_file_default(default_text(DESTINATION["mode"])),
        BRIDGE,
        "mode",
    ),
    LaunchArgument(
        "use_bridge", "true", "Start the UDP bridge node (true/false or 1/0)", switch=True
    ),
    LaunchArgument(
        "rviz",
        "false",
        "Start RViz with rviz/pose.rviz (true/false or 1/0); its annotated image needs the "
        "params file's pose_node publish_annotated: true",
        switch=True,
    ),
    LaunchArgument(
        "hri",
        "false",
        "Start the REP-155 (ROS4HRI) node: /humans/bodies/tracked and each body's skeleton2d "
        "and roi (true/false or 1/0)",
        switch=True,
    ),
    LaunchArgument(
        "detections",
        "false",
        "Start the vision_msgs node: detections (Detection2DArray) beside each camera's poses "
        "(true/false or 1/0)",
        switch=True,
    ),
    LaunchArgument(
        "record_mcap",
        "",
        "Record the graph's topics (images, camera_info, poses, /diagnostics, and the REP-155 "
        "and detections topics when on) to this rosbag2 bag: a new directory with "
        "metadata.yaml and <its name>.mcap; empty: no recording",
        RECORDER,
        "path",
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


def given(name: str, arguments: Mapping[str, str]) -> str:
    """Return text argument ``name`` stripped; "" when left out or empty: it sets nothing."""
    return str(arguments.get(name) or "").strip()


def parameter_overrides(node: str, arguments: Mapping[str, str]) -> dict[str, object]:
    """Parameters the graph and the launch arguments set on ``node``, typed like ``-p``.

    An argument left empty (its default) sets nothing: the params file's value stands.
    """
    spec = next(spec for spec in NODES if spec.name == node)
    return dict(spec.parameters) | {
        arg.parameter: parse_value(arguments[arg.name])
        for arg in ARGUMENTS
        if arg.node == node and arg.parameter and given(arg.name, arguments)
    }


@dataclass(frozen=True)
class NodeInstance:
    """One process of the graph: a node spec in a namespace under the graph's, with overrides."""

    spec: NodeSpec
    namespace: str  # relative to the graph's ``namespace`` argument; "" for the graph's own
    parameters: Mapping[str, object]  # set over the params file, like ``parameter_overrides``

    @property
    def label(self) -> str:
        """Name that tells the instance apart in the graph: ``cam2/camera_node``."""
        return f"{self.namespace}/{self.spec.name}" if self.namespace else self.spec.name

    @property
    def is_camera(self) -> bool:
        """Whether this is a camera node (whose end is its source's end)."""
        return self.spec.name == CAMERA

    def full_namespace(self, arguments: Mapping[str, str]) -> str:
        """Namespace the node starts in: the graph's ``namespace`` argument, then its own."""
        return join_namespace(arguments.get("namespace") or "", self.namespace)


def join_namespace(*parts: str) -> str:
    """Join namespaces, any of them empty, into one without a leading slash: ``robot1/cam2``."""
    return "/".join(part.strip("/") for part in parts if part.strip("/"))


def parse_sources(text: str) -> list[str | int]:
    """Read ``sources:=``, a YAML list of sources; empty text (or ``[]``) means none.

    Each entry is what ``source:=`` takes (a device index, path, URL or glob);
    anything else is an ``ArgumentError``: not a list, an empty entry, a
    nested one, or more than ``MAX_SOURCES``.
    """
    usage = "give a YAML list, e.g. sources:=[pose_1.mp4, /data/frames]"
    if not str(text).strip():
        return []
    try:
        sources = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ArgumentError(f"sources:={text} is not YAML: {usage}") from None
    if not isinstance(sources, list):
        raise ArgumentError(f"sources:={text} is not a list: {usage}")
    for entry in sources:
        if isinstance(entry, bool) or not isinstance(entry, (str, int)) or not str(entry).strip():
            raise ArgumentError(
                f"sources:={text}: {entry!r} is not a source (a device index, file, URL or "
                "image folder)"
            )
    if len(sources) > MAX_SOURCES:
        raise ArgumentError(
            f"sources:= has {len(sources)} entries: one pose node serves at most {MAX_SOURCES} "
            "cameras; start several graphs in namespaces of their own"
        )
    return sources


def camera_names(arguments: Mapping[str, str]) -> list[str]:
    """Camera namespaces, ``cam1`` to ``camN`` in ``sources`` order; none for one ``source``."""
    count = len(parse_sources(arguments.get("sources", "")))
    return [f"cam{index}" for index in range(1, count + 1)]


def instances(arguments: Mapping[str, str]) -> list[NodeInstance]:
    """Expand the launch arguments into the processes to start, cameras first.

    Without ``sources``: one instance per enabled node, in the graph's
    namespace, exactly ``parameter_overrides``. With N sources: N camera
    nodes in namespaces ``cam1``..``camN`` (each its source, frame id and
    pace topic ``poses``, relative: its own camera's poses), then the pose
    node and the bridge with ``cameras: [cam1, .., camN]``. The recorder
    (``record_mcap``) gets ``recorded_topics``, and each camera waits for it too.
    """
    merged = defaults() | dict(arguments)
    sources = parse_sources(merged["sources"])
    cameras = camera_names(merged)
    recording = is_enabled(next(s for s in NODES if s.name == RECORDER), merged)
    result = []
    for spec in NODES:
        if not is_enabled(spec, merged):
            continue
        overrides = parameter_overrides(spec.name, merged)
        if spec.name == CAMERA and recording:  # its first frame waits for the recording too
            overrides["wait_for_readers"] += 1
        if spec.name == RECORDER:
            result.append(NodeInstance(spec, "", overrides | recorded_topics(merged)))
        elif not cameras:
            result.append(NodeInstance(spec, "", overrides))
        elif spec.name == CAMERA:
            result += [
                NodeInstance(
                    spec,
                    camera,
                    overrides
                    | {"source": source, "frame_id": CAMERA_FRAME_ID.format(camera=camera)},
                )
                for camera, source in zip(cameras, sources)
            ]
        else:
            result.append(NodeInstance(spec, "", overrides | {"cameras": cameras}))
    return result


def recorded_topics(arguments: Mapping[str, str]) -> dict[str, list[str]]:
    """Return the recorder's ``topics`` and ``topic_patterns``: what the graph publishes.

    Each camera's ``image_raw`` (raw: the frames the pose node read, lossless),
    ``camera_info`` and ``poses``, its ``detections`` with ``detections:=true``;
    ``/diagnostics``; with ``hri:=true`` REP-155's ``/humans/bodies/tracked``,
    and each body's ``skeleton2d`` and ``roi`` as patterns (bodies come and go).
    Each exact topic is ``name:type`` (``RECORDED_TYPES``), so the recorder
    subscribes before its publisher starts. Relative names resolve in the
    graph's namespace, where the recorder runs.
    """
    merged = defaults() | dict(arguments)
    per_camera = [topics.IMAGE, topics.CAMERA_INFO, topics.POSES]
    if switch_value("detections", merged):
        per_camera.append(topics.DETECTIONS)
    names = [
        (topics.in_camera(camera, topic), topic)
        for camera in camera_names(merged) or [""]
        for topic in per_camera
    ]
    names.append((topics.DIAGNOSTICS, topics.DIAGNOSTICS))
    if switch_value("hri", merged):
        names.append((hri_bodies.TRACKED_TOPIC, hri_bodies.TRACKED_TOPIC))
    typed = [f"{name}{TYPE_SEPARATOR}{RECORDED_TYPES[topic]}" for name, topic in names]
    if not switch_value("hri", merged):
        return {"topics": typed}  # no empty list: ROS cannot type one given as -p name:=[]
    patterns = [hri_bodies.skeleton_body_topic(WILDCARD), hri_bodies.roi_body_topic(WILDCARD)]
    return {"topics": typed, "topic_patterns": patterns}


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
    """Whether ``spec`` runs, given the launch arguments (its switch defaults to the table's).

    A text argument (not a ``switch``) enables its node when it is not empty.
    """
    if spec.enabled_by is None:
        return True
    argument = next(a for a in ARGUMENTS if a.name == spec.enabled_by)
    if argument.switch:
        return switch_value(argument.name, arguments)
    return bool(given(argument.name, arguments))  # a text argument's default is empty


def check_arguments(arguments: Mapping[str, str]) -> None:
    """Refuse, before anything starts, arguments the graph cannot run with (``ArgumentError``).

    Every boolean argument must be one (``parse_switch``), ``sources`` a list
    (``parse_sources``) not given with ``source``, and a params file
    given must be one the nodes can read (``params_file.check_params_file``):
    they would otherwise start on built-in defaults, or each print a traceback.
    A ``record_mcap`` path must not exist (the recorder would refuse it).
    """
    for arg in ARGUMENTS:
        if arg.switch:
            switch_value(arg.name, arguments)
    if parse_sources(arguments.get("sources", "")) and given("source", arguments):
        raise ArgumentError(
            f"source:={arguments['source']} and sources:= given: use sources:= alone for several "
            "cameras (add this source to its list), or source:= alone for one"
        )
    path = arguments.get("params_file") or ""
    if path:
        try:
            check_params_file(path)
        except ParamsFileError as error:
            raise ArgumentError(str(error)) from None
    record = given("record_mcap", arguments)
    if record and Path(record).expanduser().exists():
        raise ArgumentError(
            f"record_mcap:={record} exists: a bag is never overwritten; give a new path (the "
            "directory to create) or remove that one"
        )


def defaults() -> dict[str, str]:
    """Every launch argument with its default value."""
    return {arg.name: arg.default for arg in ARGUMENTS}
