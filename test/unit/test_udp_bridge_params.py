"""config/params.yaml's udp_bridge_node block names every parameter the node declares, validly."""

from pathlib import Path

import yaml

from pose_estimation_ros.nodes.parameters import coerce
from pose_estimation_ros.nodes.udp_bridge_node import PARAMS

PARAMS_YAML = Path(__file__).resolve().parent.parent.parent / "config" / "params.yaml"


def test_params_yaml_block_matches_the_node_specs():
    block = yaml.safe_load(PARAMS_YAML.read_text())["udp_bridge_node"]["ros__parameters"]
    specs = {spec.name: spec for spec in PARAMS}
    assert set(block) == set(specs)
    for name, value in block.items():
        assert coerce(specs[name], value) == specs[name].default, name
    assert all(spec.description for spec in PARAMS)
