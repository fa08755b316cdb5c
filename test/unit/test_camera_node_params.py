"""camera_node's parameter specs and the block in config/params.yaml agree."""

from pathlib import Path

import yaml

from pose_estimation_ros.nodes.camera_node import PARAMS

PARAMS_YAML = Path(__file__).resolve().parents[2] / "config" / "params.yaml"


def test_params_yaml_block_lists_every_parameter_with_its_default():
    block = yaml.safe_load(PARAMS_YAML.read_text())["camera_node"]["ros__parameters"]
    assert block == {spec.name: spec.default for spec in PARAMS}
