"""config/params.yaml's pose_node block names only declared parameters, at their defaults."""

from pathlib import Path

import yaml

from pose_estimation_ros.nodes.parameters import coerce
from pose_estimation_ros.nodes.pose_node import PARAMS

PARAMS_YAML = Path(__file__).resolve().parents[2] / "config" / "params.yaml"


def test_params_yaml_matches_the_declared_defaults():
    block = yaml.safe_load(PARAMS_YAML.read_text())["pose_node"]["ros__parameters"]
    specs = {spec.name: spec for spec in PARAMS}
    assert set(block) == set(specs)
    for name, value in block.items():
        assert coerce(specs[name], value) == specs[name].default, name


def test_every_parameter_is_described():
    assert all(spec.description for spec in PARAMS)
