"""Command lines for the graph's nodes: what ``ros2 launch`` would start, as argv lists."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from ament_index_python.packages import get_package_prefix, get_package_share_directory

from pose_estimation_ros import graph
from pose_estimation_ros.params_file import node_parameters


def default_params_file() -> Path:
    """Return the installed ``config/params.yaml``."""
    return Path(get_package_share_directory(graph.PACKAGE)) / "config" / "params.yaml"


def params_file(arguments: Mapping[str, str]) -> str:
    """Return the params file the nodes get: ``--params-file`` or the installed one."""
    return arguments.get("params_file") or str(default_params_file())


def node_parameter(
    arguments: Mapping[str, str],
    node: str,
    name: str,
    extra_parameters: Mapping[str, object] | None = None,
) -> object:
    """Return the value ``node`` starts with for parameter ``name``; ``None`` if nothing sets it.

    Read as the node gets it: ``extra_parameters``, then the launch arguments'
    overrides, then the node's (or the ``/**``) block of the params file.
    """
    overrides = _overrides(node, arguments, extra_parameters)
    if name in overrides:
        return overrides[name]
    return node_parameters(params_file(arguments), node).get(name)


def _overrides(
    node: str, arguments: Mapping[str, str], extra_parameters: Mapping[str, object] | None
) -> dict[str, object]:
    """Parameters set over the params file: the graph's and arguments', then the runner's."""
    return {**graph.parameter_overrides(node, arguments), **(extra_parameters or {})}


def executable_path(spec: graph.NodeSpec) -> Path:
    """Where ``ros2 run pose_estimation_ros <executable>`` finds the node."""
    return Path(get_package_prefix(graph.PACKAGE)) / "lib" / graph.PACKAGE / spec.executable


def _ros_value(value: object) -> str:
    """Format a parameter value for ``-p name:=value`` so it is read back with the same type."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...")


def node_command(
    instance: graph.NodeInstance,
    arguments: Mapping[str, str],
    extra_parameters: Mapping[str, object] | None = None,
) -> list[str]:
    """Argv for one node: its executable with name, namespace, params file and overrides.

    ``extra_parameters`` are set after the graph's overrides (the runner's own
    options, e.g. publishing the annotated image for ``--record``).
    """
    spec = instance.spec
    command = [str(executable_path(spec)), "--ros-args", "-r", f"__node:={spec.name}"]
    if namespace := instance.full_namespace(arguments):
        command += ["-r", f"__ns:=/{namespace}"]
    command += ["--params-file", params_file(arguments)]
    for name, value in {**instance.parameters, **(extra_parameters or {})}.items():
        command += ["-p", f"{name}:={_ros_value(value)}"]
    for source, target in spec.remappings:
        command += ["-r", f"{source}:={target}"]
    return command


def graph_commands(
    arguments: Mapping[str, str],
    extra_parameters: Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, list[str]]:
    """Argv per node instance (``graph.instances``), keyed by its label, cameras first.

    ``extra_parameters`` maps a node name to overrides for every instance of it.
    """
    merged = {**graph.defaults(), **arguments}
    extra = extra_parameters or {}
    return {
        instance.label: node_command(instance, merged, extra.get(instance.spec.name))
        for instance in graph.instances(merged)
    }
