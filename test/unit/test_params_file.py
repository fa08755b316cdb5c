"""``check_params_file``: a bad ``--params-file`` is refused before any node starts."""

import pytest

from pose_estimation_ros.params_file import ParamsFileError, check_params_file
from pose_estimation_ros.runner.commands import default_params_file


def test_the_installed_params_file_and_namespaced_blocks_pass(tmp_path):
    check_params_file(str(default_params_file()))
    params = tmp_path / "params.yaml"
    params.write_text(
        "cam1:\n  pose_node:\n    ros__parameters:\n      model: movenet_thunder\n"
        "/**:\n  ros__parameters: {}\n"
    )
    check_params_file(str(params))


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read params file {path}: No such file or directory"),
        ("pose_node: [a\n", "params file {path} is not valid YAML at line 2, column 1: "),
        ("", "params file {path} must map node names to ros__parameters blocks, not hold nothing"),
        ("- a\n", "must map node names to ros__parameters blocks, not hold a list"),
        ("pose_node:\n  model: x\n", "params file {path}: '/pose_node/model' must hold"),
        ("pose_node:\n  ros__parameters: 3\n", "'/pose_node': ros__parameters must be a mapping"),
    ],
)
def test_a_bad_params_file_says_which_and_why(tmp_path, content, message):
    path = tmp_path / "params.yaml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ParamsFileError) as error:
        check_params_file(str(path))
    assert message.format(path=path) in str(error.value)
