"""The evaluation reads pose_node's parameters as the node does."""

import pytest

from pose_estimation_ros.core.estimator import option_names
from pose_estimation_ros.evaluation.node_params import (
    estimator_options,
    parse_assignment,
    resolve_parameters,
)
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.params_file import ParamsFileError


def test_defaults_are_the_node_tables():
    values = resolve_parameters(None, [], None)
    assert values == {spec.name: spec.default for spec in PARAMS}


def test_assignments_are_read_as_yaml_and_checked_by_the_node_rules():
    assert parse_assignment("smoothing=false") == ("smoothing", False)
    assert parse_assignment("track_max_age_s=2") == ("track_max_age_s", 2.0)
    with pytest.raises(ValueError, match="no parameter"):
        parse_assignment("no_such=1")
    with pytest.raises(ValueError, match="must be one of"):
        parse_assignment("tracker_type=nearest")
    with pytest.raises(ValueError, match="key=value"):
        parse_assignment("smoothing")


def test_file_then_assignments_then_model(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(
        "camera_node:\n  ros__parameters:\n    fps: 5.0\n"
        "pose_node:\n  ros__parameters:\n    model: movenet_thunder\n"
        "    smoothing: false\n    tracking: false\n"
    )
    values = resolve_parameters(str(path), ["tracking=true"], None)
    assert (values["model"], values["smoothing"], values["tracking"]) == (
        "movenet_thunder",
        False,
        True,
    )
    assert resolve_parameters(str(path), [], "openpose_hpe0001")["model"] == "openpose_hpe0001"
    (tmp_path / "other.yaml").write_text("camera_node:\n  ros__parameters:\n    fps: 5.0\n")
    with pytest.raises(ParamsFileError, match="no pose_node"):
        resolve_parameters(str(tmp_path / "other.yaml"), [], None)


def test_estimator_options_are_those_the_model_takes():
    values = resolve_parameters(None, ["smart_crop=false"], "movenet_lightning")
    options = estimator_options(values)
    assert set(options) == set(option_names("movenet_lightning"))
    assert options["smart_crop"] is False and "score_threshold" not in options
