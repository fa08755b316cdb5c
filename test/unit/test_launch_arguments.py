"""Each launch argument that sets a node parameter sets it only when given.

Launch and ``make run`` pass every argument, its default when not given: a
default that set the parameter would silently replace the params file's value,
so each defaults to empty, which sets nothing. Its description names the
parameter's default and every value it accepts, or the user is left guessing.
"""

import re

import pytest

from pose_estimation_ros import graph
from pose_estimation_ros.core.param_spec import ParamSpec
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
def test_not_given_it_sets_nothing_and_its_description_names_the_parameters_default(argument):
    spec = _spec(argument)
    assert argument.default == ""
    assert argument.parameter not in graph.parameter_overrides(argument.node, graph.defaults())
    if spec.default != "":  # record_mcap's empty path is "no recording", said in its own words
        assert argument.description.endswith(graph.params_file_default(graph.default_text(spec)))


@pytest.mark.parametrize("argument", NODE_ARGUMENTS, ids=lambda a: a.name)
def test_the_description_names_every_accepted_value(argument):
    missing = [
        choice
        for choice in _spec(argument).choices
        if not re.search(rf"(?<![\w.-]){re.escape(choice)}(?![\w.-])", argument.description)
    ]
    assert not missing, f"{argument.name}'s description leaves out {missing}"
