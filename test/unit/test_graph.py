"""The graph definition, the launch file that reads it, and the runner's command lines agree.

The launch file is checked here by reading it (its syntax tree), so this runs
without launch/launch_ros; test/integration/test_launch.py runs it with
``ros2 launch``. The installed executables and the parameters each node
declares are checked for real.
"""

import ast
import importlib
from pathlib import Path

import pytest
import yaml

from pose_estimation_ros import graph
from pose_estimation_ros.nodes.parameters import coerce
from pose_estimation_ros.runner.commands import (
    default_params_file,
    executable_path,
    graph_commands,
)

LAUNCH_FILE = Path(__file__).resolve().parents[2] / "launch" / "pose.launch.py"


LAUNCH_TREE = ast.parse(LAUNCH_FILE.read_text())


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    """Return the calls of ``name`` (a plain name, or the whole callee as written)."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and name in (getattr(node.func, "id", None), ast.unparse(node.func))
    ]


def _keywords(call: ast.Call) -> dict[str, str]:
    return {kw.arg: ast.unparse(kw.value) for kw in call.keywords}


def test_launch_file_declares_every_graph_argument_with_its_description():
    (declare,) = _calls(LAUNCH_TREE, "DeclareLaunchArgument")
    assert ast.unparse(declare.args[0]) == "arg.name"
    assert _keywords(declare) == {"default_value": "arg.default", "description": "arg.description"}
    comprehension = next(
        n for n in ast.walk(LAUNCH_TREE) if isinstance(n, ast.ListComp) and n.elt is declare
    )
    assert ast.unparse(comprehension.generators[0].iter) == "graph.ARGUMENTS"


def test_launch_file_builds_one_node_per_enabled_graph_node_with_graph_parameters():
    (graph_node,) = _calls(LAUNCH_TREE, "LifecycleNode if spec.lifecycle else Node")
    keywords = _keywords(graph_node)
    assert keywords["package"] == "graph.PACKAGE"
    assert keywords["name"] == "spec.name"
    assert (
        keywords["parameters"] == "[params_file, graph.parameter_overrides(spec.name, arguments)]"
    )
    assert keywords["remappings"] == "list(spec.remappings)"
    comprehension = next(
        n for n in ast.walk(LAUNCH_TREE) if isinstance(n, ast.ListComp) and n.elt is graph_node
    )
    assert ast.unparse(comprehension.generators[0].iter) == "graph.NODES"
    assert [ast.unparse(c) for c in comprehension.generators[0].ifs] == [
        "graph.is_enabled(spec, arguments)"
    ]


def test_launch_file_checks_arguments_and_ends_with_any_graph_node():
    (setup,) = [
        n
        for n in ast.walk(LAUNCH_TREE)
        if isinstance(n, ast.FunctionDef) and n.name == "_launch_setup"
    ]
    first_calls = [ast.unparse(statement.value) for statement in setup.body[2:4]]
    assert first_calls == ["graph.check_arguments(arguments)", "_check_rviz(arguments)"]
    (handler,) = _calls(LAUNCH_TREE, "OnProcessExit")
    assert _keywords(handler) == {"target_action": "node", "on_exit": "_end_launch"}
    comprehension = next(
        n
        for n in ast.walk(LAUNCH_TREE)
        if isinstance(n, ast.ListComp) and handler in ast.walk(n.elt)
    )
    assert ast.unparse(comprehension.generators[0].iter) == "nodes"


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
