"""The graph definition, the launch file that reads it, and the runner's command lines agree.

The launch file's setup is run here with launch's own classes (its node actions,
their command lines and exit handlers), without starting anything;
test/integration/test_launch.py runs it with ``ros2 launch``. The installed
executables and the parameters each node declares are checked for real.
"""

import importlib
import importlib.util
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from launch import LaunchContext
from launch.actions import OpaqueFunction, RegisterEventHandler, Shutdown
from launch.events.process import ProcessExited
from launch.utilities import perform_substitutions
from launch_ros.actions import LifecycleNode, Node

from pose_estimation_ros import graph
from pose_estimation_ros.nodes.parameters import coerce
from pose_estimation_ros.params_file import node_parameters
from pose_estimation_ros.runner.commands import (
    default_params_file,
    executable_path,
    graph_commands,
)

LAUNCH_FILE = Path(__file__).resolve().parents[2] / "launch" / "pose.launch.py"


def _load_launch_file():
    spec = importlib.util.spec_from_file_location("pose_launch", LAUNCH_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LAUNCH = _load_launch_file()


@dataclass
class Launched:
    """What the launch file's setup returned for some arguments, and its launch context."""

    context: LaunchContext
    nodes: list[Node]
    handlers: list[RegisterEventHandler]


@pytest.fixture
def launched(tmp_path, monkeypatch):
    """Run the launch file's setup as ``ros2 launch`` would, for the arguments given."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # launch_ros's parameter files

    def setup(**arguments: str) -> Launched:
        description = LAUNCH.generate_launch_description()
        context = LaunchContext()
        for declared in description.get_launch_arguments():
            value = perform_substitutions(context, declared.default_value)
            context.launch_configurations[declared.name] = value
        context.launch_configurations.update(arguments)
        (opaque,) = [e for e in description.entities if isinstance(e, OpaqueFunction)]
        actions = opaque.execute(context)
        nodes = [action for action in actions if isinstance(action, Node)]
        handlers = [action for action in actions if isinstance(action, RegisterEventHandler)]
        assert len(nodes) + len(handlers) == len(actions), actions
        return Launched(context, nodes, handlers)

    return setup


def _command(context: LaunchContext, node: Node) -> list[str]:
    """Return the argv ``ros2 launch`` runs for ``node``, the name and namespace rules as set."""
    node._perform_substitutions(context)  # what Node.execute does first
    name, namespace = node.node_name.rsplit("/", 1)[1], node.expanded_node_namespace
    context.extend_locals(
        {"ros_specific_arguments": {"name": f"__node:={name}", "ns": f"__ns:={namespace}"}}
    )
    return [perform_substitutions(context, part) for part in node.cmd]


def _started(command: list[str]) -> dict[str, object]:
    """Read a node's argv: executable, rules, params files, then every parameter set over them."""
    files = [command[i + 1] for i, item in enumerate(command) if item == "--params-file"]
    rules = [command[i + 1] for i, item in enumerate(command) if item == "-r"]
    overrides = {}
    for path in files[1:]:  # launch_ros writes a node's parameter dicts to files of their own
        # ... with yaml.dump: a list parameter is a !!python/tuple there (rcl reads it as a list)
        (block,) = yaml.load(Path(path).read_text(), Loader=yaml.FullLoader).values()
        for name, value in block["ros__parameters"].items():
            overrides[name] = list(value) if isinstance(value, tuple) else value
    for i, item in enumerate(command):
        if item == "-p":
            name, value = command[i + 1].split(":=", 1)
            overrides[name] = yaml.safe_load(value)
    remappings = [rule for rule in rules if not rule.startswith("__")]
    namespaces = [rule.removeprefix("__ns:=") for rule in rules if rule.startswith("__ns:=")]
    return {
        "executable": command[0],
        "name": [rule for rule in rules if rule.startswith("__node:=")],
        "namespace": namespaces or ["/"],
        "params_file": files[0],
        "overrides": overrides,
        "remappings": remappings,
    }


def test_launch_file_declares_every_graph_argument_with_its_default_and_description():
    declared = LAUNCH.generate_launch_description().get_launch_arguments()
    context = LaunchContext()
    assert [
        (a.name, perform_substitutions(context, a.default_value), a.description)
        for a in declared
    ] == [(a.name, a.default, a.description) for a in graph.ARGUMENTS]


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"use_bridge": "false", "namespace": "robot1", "source": "/data/clip.mp4"},
        {"model": "openpose_hpe0001", "host": "127.255.255.255", "mode": "broadcast"},
        {"sources": "[/data/a.mp4, 0, '/data/frames, 2']", "namespace": "robot1"},
        {"sources": "[/data/a.mp4, 0]", "hri": "true", "detections": "1"},
        {"record_mcap": "/nonexistent/run", "use_bridge": "false"},
        {"sources": "[/data/a.mp4, 0]", "hri": "true", "record_mcap": "/nonexistent/run"},
    ],
)
def test_launch_starts_what_the_runner_starts(launched, arguments):
    """Same nodes, kinds, executables, namespace, params file and overrides, for any arguments."""
    run = launched(**arguments)
    commands = graph_commands(arguments)
    assert len(run.nodes) == len(commands)
    specs = {spec.name: spec for spec in graph.NODES}
    for node, (label, command) in zip(run.nodes, commands.items()):
        spec = specs[node.node_executable]
        assert label.rpartition("/")[2] == spec.name
        assert isinstance(node, LifecycleNode) == spec.lifecycle, spec.name
        assert node.node_package == graph.PACKAGE
        started = _started(_command(run.context, node))
        assert started == _started(command), label
        assert started["name"] == [f"__node:={spec.name}"]


def test_launch_refuses_a_bad_argument_before_creating_any_node(launched):
    with pytest.raises(graph.ArgumentError, match="use_bridge:=maybe is not a boolean"):
        launched(use_bridge="maybe")


def _exit_of(node: Node, returncode: int) -> ProcessExited:
    return ProcessExited(
        returncode=returncode, action=node, name=node.node_executable, cmd=[], cwd=None, env=None,
        pid=1,
    )


def test_any_node_exiting_ends_the_launch_with_a_failure_or_a_shutdown(launched):
    run = launched(use_bridge="true")
    assert len(run.handlers) == len(run.nodes) == 3
    for node in run.nodes:
        _command(run.context, node)  # sets the node's name, as it starts
        for code, outcome in [(0, "shutdown"), (1, "exited with code 1"), (-15, "SIGTERM")]:
            event = _exit_of(node, code)
            (handler,) = [h.event_handler for h in run.handlers if h.event_handler.matches(event)]
            if code == 0:
                (action,) = handler.handle(event, run.context)
                assert isinstance(action, Shutdown), node.node_name
            else:
                with pytest.raises(LAUNCH.NodeFailed, match=outcome):
                    handler.handle(event, run.context)


def test_only_the_pose_node_is_a_lifecycle_node():
    assert [spec.name for spec in graph.NODES if spec.lifecycle] == ["pose_node"]


@pytest.mark.parametrize(
    "text, value", [("true", True), ("True", True), ("1", True), ("FALSE", False), ("0", False)]
)
def test_switches_read_what_ifcondition_reads(text, value):
    assert graph.parse_switch("use_bridge", text) is value
    spec = next(spec for spec in graph.NODES if spec.enabled_by == "use_bridge")
    assert graph.is_enabled(spec, {"use_bridge": text}) is value


@pytest.mark.parametrize("text", ["maybe", "yes", "", "2"])
def test_anything_else_is_refused_for_every_switch(text):
    for arg in (a for a in graph.ARGUMENTS if a.switch):
        with pytest.raises(graph.ArgumentError) as error:
            graph.check_arguments({**graph.defaults(), arg.name: text})
        assert str(error.value) == (
            f"{arg.name}:={text} is not a boolean: use true or false (or 1 or 0)"
        )


def test_switches_are_the_boolean_arguments():
    assert {a.name for a in graph.ARGUMENTS if a.switch} >= {
        "use_bridge", "rviz", "hri", "detections"
    }
    enablers = {spec.enabled_by for spec in graph.NODES} - {None}
    # record_mcap, a path, is the one text argument that enables a node: when not empty.
    assert enablers - {a.name for a in graph.ARGUMENTS if a.switch} == {"record_mcap"}


NO_BAG = "/nonexistent/run"  # a record_mcap path that does not exist


@pytest.mark.parametrize("path, enabled", [("", False), ("  ", False), (NO_BAG, True)])
def test_the_recorder_starts_when_record_mcap_names_a_path(path, enabled):
    recorder = next(spec for spec in graph.NODES if spec.name == graph.RECORDER)
    assert graph.is_enabled(recorder, {"record_mcap": path}) is enabled
    assert graph.is_enabled(recorder, {}) is False
    labels = [i.label for i in graph.instances({"record_mcap": path})]
    assert (graph.RECORDER in labels) is enabled


def test_the_recorder_gets_every_camera_topic_typed_and_each_camera_waits_for_it():
    (recorder,) = [
        i for i in graph.instances({"record_mcap": NO_BAG}) if i.spec.name == graph.RECORDER
    ]
    assert recorder.parameters == {
        "path": NO_BAG,
        "topics": [
            "image_raw:sensor_msgs/msg/Image",
            "camera_info:sensor_msgs/msg/CameraInfo",
            "poses:pose_estimation_ros/msg/PoseArray",
            "/diagnostics:diagnostic_msgs/msg/DiagnosticArray",
        ],
    }
    several = graph.instances(
        {"sources": TWO, "record_mcap": NO_BAG, "hri": "true", "detections": "true"}
    )
    assert [i.parameters["wait_for_readers"] for i in several if i.is_camera] == [2, 2]
    recorder = several[-1]
    assert recorder.label == graph.RECORDER and recorder.namespace == ""  # the graph's own
    names = [entry.partition(":")[0] for entry in recorder.parameters["topics"]]
    assert names == [
        f"{camera}/{topic}"
        for camera in ("cam1", "cam2")
        for topic in ("image_raw", "camera_info", "poses", "detections")
    ] + ["/diagnostics", "/humans/bodies/tracked"]
    assert recorder.parameters["topic_patterns"] == [
        "/humans/bodies/*/skeleton2d", "/humans/bodies/*/roi"
    ]
    alone = graph.instances({"sources": TWO})
    assert [i.parameters["wait_for_readers"] for i in alone if i.is_camera] == [1, 1]


def test_an_existing_record_mcap_path_is_refused(tmp_path):
    with pytest.raises(graph.ArgumentError, match=f"^record_mcap:={tmp_path} exists: a bag is"):
        graph.check_arguments({**graph.defaults(), "record_mcap": str(tmp_path)})
    graph.check_arguments({**graph.defaults(), "record_mcap": str(tmp_path / "new")})


def test_the_hri_and_detections_nodes_start_only_when_asked_and_read_every_camera():
    assert "hri_node" not in graph_commands({}) and "detections_node" not in graph_commands({})
    one = graph.instances({"hri": "true", "detections": "1"})
    assert [i.label for i in one][-2:] == ["hri_node", "detections_node"]
    assert all(i.parameters == {} for i in one[-2:])  # poses in the graph's own namespace
    several = graph.instances({"sources": TWO, "hri": "True", "detections": "true"})
    for instance in several[-2:]:
        assert instance.parameters == {"cameras": ["cam1", "cam2"]}, instance.label


def test_a_missing_params_file_is_refused(tmp_path):
    missing = tmp_path / "typo.yaml"
    expected = f"^cannot read params file {missing}: No such file or directory$"
    with pytest.raises(graph.ArgumentError, match=expected):
        graph.check_arguments({**graph.defaults(), "params_file": str(missing)})
    graph.check_arguments({**graph.defaults(), "params_file": str(default_params_file())})


def test_mode_argument_sets_the_bridge_mode_and_not_given_leaves_the_params_files():
    overrides = graph.parameter_overrides(
        "udp_bridge_node", {**graph.defaults(), "host": "127.255.255.255", "mode": "broadcast"}
    )
    assert overrides["mode"] == "broadcast"
    assert "mode" not in graph.parameter_overrides("udp_bridge_node", graph.defaults())


def test_every_argument_has_a_description():
    assert all(arg.description.strip() for arg in graph.ARGUMENTS)


@pytest.mark.parametrize("spec", graph.NODES, ids=lambda s: s.name)
def test_executables_are_installed(spec):
    path = executable_path(spec)
    assert path.is_file(), f"{spec.executable} missing from the install space ({path})"
    assert path.stat().st_mode & 0o111, f"{path} is not executable"


def test_installed_params_file_has_a_block_per_node():
    params = yaml.safe_load(default_params_file().read_text())
    # /**/<node>: read in any namespace (namespace:=, cameras in cam1..camN), as rcl matches
    assert set(params) == {f"/**/{spec.name}" for spec in graph.NODES}
    assert all("ros__parameters" in block for block in params.values())


def _exits_of(launched, codes: dict[str, int], **arguments: str) -> list[object]:
    """Feed node exits, in order, to one launch's exit handlers; return each one's outcome."""
    run = launched(use_bridge="false", **arguments)
    nodes = {}
    for node in run.nodes:
        _command(run.context, node)  # sets the node's name, as it starts
        nodes[node.node_name.lstrip("/")] = node
    outcomes = []
    for name, code in codes.items():
        event = _exit_of(nodes[name], code)
        (handler,) = [h.event_handler for h in run.handlers if h.event_handler.matches(event)]
        try:
            outcomes.append(handler.handle(event, run.context))
        except LAUNCH.NodeFailed as failed:
            outcomes.append(str(failed))
    return outcomes


TWO = "[a.mp4, /data/frames]"


def test_a_camera_ending_lets_the_others_go_on_and_the_last_ends_the_launch(launched):
    first, last = _exits_of(launched, {"cam2/camera_node": 0, "cam1/camera_node": 0}, sources=TWO)
    assert first is None
    (action,) = last
    assert isinstance(action, Shutdown)


def test_a_camera_failing_lets_the_others_go_on_and_fails_the_launch_at_the_end(launched):
    codes = {"cam1/camera_node": 65, "cam2/camera_node": 0}
    first, last = _exits_of(launched, codes, sources=TWO)
    assert first is None  # logged, the other camera goes on
    assert last == (
        "cam2/camera_node ended, the last camera; earlier cam1/camera_node exited with code 65 "
        "(its error is above)"
    )
    codes = {"cam1/camera_node": 0, "cam2/camera_node": -15}
    assert _exits_of(launched, codes, sources=TWO)[1] == (
        "cam2/camera_node was stopped by SIGTERM from another process: stopped the whole graph"
    )


def test_the_pose_node_failing_stops_every_camera(launched):
    (outcome,) = _exits_of(launched, {"pose_node": 1}, sources=TWO)
    assert outcome == "pose_node exited with code 1 (its error is above): stopped the whole graph"


def test_without_sources_the_graph_is_the_one_camera_graph():
    arguments = {**graph.defaults(), "source": "/data/clip.mp4", "namespace": "robot1"}
    instances = graph.instances(arguments)
    enabled = [spec for spec in graph.NODES if graph.is_enabled(spec, arguments)]
    assert [i.spec for i in instances] == enabled
    for instance in instances:
        assert instance.label == instance.spec.name
        assert instance.full_namespace(arguments) == "robot1"
        assert instance.parameters == graph.parameter_overrides(instance.spec.name, arguments)
    assert graph.camera_names(arguments) == [] == graph.camera_names({"sources": "[]"})


def test_each_source_is_a_camera_in_its_namespace_and_one_pose_node_serves_all():
    arguments = {"sources": "[pose_1.mp4, 0, /data/frames]", "namespace": "/robot1/"}
    instances = graph.instances(arguments)
    assert [i.label for i in instances] == [
        "cam1/camera_node", "cam2/camera_node", "cam3/camera_node", "pose_node", "udp_bridge_node"
    ]
    assert [i.full_namespace(arguments) for i in instances[:4]] == [
        "robot1/cam1", "robot1/cam2", "robot1/cam3", "robot1"
    ]
    assert [i.is_camera for i in instances] == [True, True, True, False, False]
    assert instances[1].parameters == {
        "wait_for_readers": 1,
        "pace_topic": "poses",  # relative: its own camera's poses
        "source": 0,  # a device index, as source:=0
        "frame_id": "cam2_camera_optical_frame",
    }
    assert instances[2].parameters["source"] == "/data/frames"
    for pose_or_bridge in instances[3:]:
        assert pose_or_bridge.parameters["cameras"] == ["cam1", "cam2", "cam3"]
    assert "model" not in instances[3].parameters  # the params file's
    assert graph.instances({**arguments, "model": "movenet_thunder"})[3].parameters["model"] == (
        "movenet_thunder"
    )
    without_bridge = graph.instances({**arguments, "use_bridge": "false"})
    assert [i.label for i in without_bridge][-1] == "pose_node"


@pytest.mark.parametrize(
    "sources, error",
    [
        ("pose_1.mp4", "sources:=pose_1.mp4 is not a list: give a YAML list"),
        ("[a.mp4, b.mp4", "is not YAML: give a YAML list"),
        ("[a.mp4, '']", "'' is not a source"),
        ("[a.mp4, ~]", "None is not a source"),
        ("[a.mp4, [b.mp4]]", "['b.mp4'] is not a source"),
        ("[a.mp4, true]", "True is not a source"),
        ("[a.mp4, {b: c}]", "{'b': 'c'} is not a source"),
        (f"[{', '.join(['0'] * 17)}]", "has 17 entries: one pose node serves at most 16"),
    ],
)
def test_bad_sources_are_refused(sources, error):
    with pytest.raises(graph.ArgumentError, match=re.escape(error)):
        graph.check_arguments({**graph.defaults(), "sources": sources})
    with pytest.raises(graph.ArgumentError, match=re.escape(error)):
        graph.instances({"sources": sources})


def test_source_and_sources_together_are_refused():
    with pytest.raises(graph.ArgumentError, match=r"^source:=a.mp4 and sources:= given: use"):
        graph.check_arguments({**graph.defaults(), "source": "a.mp4", "sources": "[b.mp4]"})
    graph.check_arguments({**graph.defaults(), "sources": f"[{', '.join(['0'] * 16)}]"})


def test_runner_commands_match_the_launch_mapping():
    commands = graph_commands(
        {"source": "0", "port": "5000", "use_bridge": "false", "namespace": "robot1"}
    )
    assert list(commands) == ["camera_node", "pose_node"]
    camera = commands["camera_node"]
    assert camera[0] == str(executable_path(graph.NODES[0]))
    assert ["-r", "__node:=camera_node", "-r", "__ns:=/robot1"] == camera[2:6]
    overrides = [camera[i + 1] for i, item in enumerate(camera) if item == "-p"]
    assert overrides == ["wait_for_readers:=1", "pace_topic:=poses", "source:=0"]  # graph, arg
    assert not any(item.startswith("model:=") for item in commands["pose_node"])  # params file's


@pytest.mark.parametrize("spec", graph.NODES, ids=lambda s: s.name)
def test_every_parameter_set_for_a_node_is_declared_and_described(spec):
    """Launch overrides name declared parameters; the params file lists all, at their defaults."""
    specs = {param.name: param for param in _node_module(spec).PARAMS}
    assert set(graph.parameter_overrides(spec.name, graph.defaults())) <= set(specs)
    block = node_parameters(str(default_params_file()), spec.name)
    assert set(block) == set(specs)
    for name, value in block.items():
        assert coerce(specs[name], value) == specs[name].default, name
    assert all(param.description for param in specs.values())


def test_every_parameter_set_for_several_cameras_is_declared():
    """The ``cameras`` contract: pose node and bridge declare it, the camera its frame id."""
    arguments = {"sources": TWO, "hri": "true", "detections": "true", "record_mcap": NO_BAG}
    for instance in graph.instances(arguments):
        declared = {param.name for param in _node_module(instance.spec).PARAMS}
        assert set(instance.parameters) <= declared, instance.label


def _node_module(spec: graph.NodeSpec):
    return importlib.import_module(f"pose_estimation_ros.nodes.{spec.name}")


def test_rviz_config_is_installed_and_shows_the_graph_topics():
    from ament_index_python.packages import get_package_share_directory

    path = Path(get_package_share_directory(graph.PACKAGE)) / "rviz" / "pose.rviz"
    config = yaml.safe_load(path.read_text())["Visualization Manager"]
    topics = {d["Topic"]["Value"] for d in config["Displays"] if "Topic" in d}
    assert {"image_annotated", "pose_markers"} <= topics
    frame_id = node_parameters(str(default_params_file()), "camera_node")["frame_id"]
    assert config["Global Options"]["Fixed Frame"] == frame_id
