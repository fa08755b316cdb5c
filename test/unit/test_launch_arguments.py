"""Each launch argument that sets a node parameter starts the node at that parameter's default.

Launch and ``make run`` pass every argument, its default when not given: a
default in ``graph.py`` other than the node's would silently replace it, and a
description that leaves out an accepted value leaves the user guessing.
"""

import re

import pytest

from pose_estimation_ros import graph
from pose_estimation_ros.core.param_spec import ParamSpec, coerce
from pose_estimation_ros.tools.params import node_specs

NODE_ARGUMENTS = [argument for argument in graph.ARGUMENTS if argument.node]


def _spec(argument: graph.LaunchArgument) -> ParamSpec:
    """Return the spec of the parameter ``argument`` sets, as its node declares it."""
    specs = {spec.name: spec for spec in node_specs(argument.node)}
    assert argument.parameter in specs, f"{argument.node} declares no {argument.parameter!r}"
    return specs[argument.parameter]


def test_the_arguments_that_set_parameters_are_found():
    assert {a.name for a in NODE_ARGUMENTS} >= {
        "source", "model", "backend", "host", "port", "mode", "record_mcap"
    }


@pytest.mark.parametrize("argument", NODE_ARGUMENTS, ids=lambda a: a.name)
def test_the_default_is_the_parameters_own(argument):
    spec = _spec(argument)
    value = graph.parse_value(argument.default)
    assert value == spec.default and type(value) is type(spec.default)
    assert coerce(spec, value) == spec.default


@pytest.mark.parametrize("argument", NODE_ARGUMENTS, ids=lambda a: a.name)
def test_the_description_names_every_accepted_value(argument):
    missing = [
        choice
        for choice in _spec(argument).choices
        if not re.search(rf"(?<![\w.-]){re.escape(choice)}(?![\w.-])", argument.description)
    ]
    assert not missing, f"{argument.name}'s description leaves out {missing}"
