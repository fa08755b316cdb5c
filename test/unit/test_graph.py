"""The graph definition, the launch file that reads it, and the runner's command lines agree.

The launch file's setup is run here with launch's own classes (its node actions,
their command lines and exit handlers), without starting anything;
test/integration/test_launch.py runs it with ``ros2 launch``. The installed
executables and the parameters each node declares are checked for real.
"""

import importlib
import importlib.util
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
        (block,) = yaml.safe_load(Path(path).read_text()).values()
        overrides.update(block["ros__parameters"])
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
    ],
)
def test_launch_starts_what_the_runner_starts(launched, arguments):
    """Same nodes, kinds, executables, namespace, params file and overrides, for any arguments."""
    run = launched(**arguments)
    commands = graph_commands(arguments)
    assert [node.node_executable for node in run.nodes] == list(commands)
    specs = {spec.name: spec for spec in graph.NODES}
    for node in run.nodes:
        spec = specs[node.node_executable]
        assert isinstance(node, LifecycleNode) == spec.lifecycle, spec.name
        assert node.node_package == graph.PACKAGE
        started = _started(_command(run.context, node))
        assert started == _started(commands[spec.name]), spec.name
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
    assert {a.name for a in graph.ARGUMENTS if a.switch} == {"use_bridge", "rviz"}
    assert {spec.enabled_by for spec in graph.NODES} - {None} <= {
        a.name for a in graph.ARGUMENTS if a.switch
    }


def test_a_missing_params_file_is_refused(tmp_path):
    missing = tmp_path / "typo.yaml"
    expected = f"^cannot read params file {missing}: No such file or directory$"
    with pytest.raises(graph.ArgumentError, match=expected):
        graph.check_arguments({**graph.defaults(), "params_file": str(missing)})
    graph.check_arguments({**graph.defaults(), "params_file": str(default_params_file())})


def test_mode_argument_sets_the_bridge_mode():
    overrides = graph.parameter_overrides(
        "udp_bridge_node", {**graph.defaults(), "host": "127.255.255.255", "mode": "broadcast"}
    )
    assert overrides["mode"] == "broadcast"
    assert graph.parameter_overrides("udp_bridge_node", graph.defaults())["mode"] == "unicast"


def test_every_argument_has_a_description():
    assert all(arg.description.strip() for arg in graph.ARGUMENTS)


@pytest.mark.parametrize("spec", graph.NODES, ids=lambda s: s.name)
def test_executables_are_installed(spec):
    path = executable_path(spec)
    assert path.is_file(), f"{spec.executable} missing from the install space ({path})"
    assert path.stat().st_mode & 0o111, f"{path} is not executable"


def test_installed_params_file_has_a_block_per_node():
    params = yaml.safe_load(default_params_file().read_text())
    assert set(params) == {spec.name for spec in graph.NODES}
    assert all("ros__parameters" in block for block in params.values())


def test_runner_commands_match_the_launch_mapping():
    commands = graph_commands(
        {"source": "0", "port": "5000", "use_bridge": "false", "namespace": "robot1"}
    )
    assert list(commands) == ["camera_node", "pose_node"]
    camera = commands["camera_node"]
    assert camera[0] == str(executable_path(graph.NODES[0]))
    assert ["-r", "__node:=camera_node", "-r", "__ns:=/robot1"] == camera[2:6]
    overrides = [camera[i + 1] for i, item in enumerate(camera) if item == "-p"]
    assert overrides == ["wait_for_readers:=1", "source:=0"]  # the graph's, then the argument's
    assert "model:=movenet_lightning" in commands["pose_node"]


@pytest.mark.parametrize("spec", graph.NODES, ids=lambda s: s.name)
def test_every_parameter_set_for_a_node_is_declared_and_described(spec):
    """Launch overrides name declared parameters; the params file lists all, at their defaults."""
    specs = {param.name: param for param in _node_module(spec).PARAMS}
    assert set(graph.parameter_overrides(spec.name, graph.defaults())) <= set(specs)
    block = yaml.safe_load(default_params_file().read_text())[spec.name]["ros__parameters"]
    assert set(block) == set(specs)
    for name, value in block.items():
        assert coerce(specs[name], value) == specs[name].default, name
    assert all(param.description for param in specs.values())


def _node_module(spec: graph.NodeSpec):
    return importlib.import_module(f"pose_estimation_ros.nodes.{spec.name}")


def test_rviz_config_is_installed_and_shows_the_graph_topics():
    from ament_index_python.packages import get_package_share_directory

    path = Path(get_package_share_directory(graph.PACKAGE)) / "rviz" / "pose.rviz"
    config = yaml.safe_load(path.read_text())["Visualization Manager"]
    topics = {d["Topic"]["Value"] for d in config["Displays"] if "Topic" in d}
    assert {"image_annotated", "pose_markers"} <= topics
    params = yaml.safe_load(default_params_file().read_text())
    frame_id = params["camera_node"]["ros__parameters"]["frame_id"]
    assert config["Global Options"]["Fixed Frame"] == frame_id
