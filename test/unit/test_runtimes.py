"""A backend whose Python package is missing fails with one error that says what to install."""

import sys

import pytest

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.runtimes import BackendNotInstalled, create_runner

TF_HINT = (
    "pip install -r requirements/tensorflow.txt && "
    "pip install --no-deps -r requirements/tensorflow-nodeps.txt"
)


@pytest.fixture
def without_tensorflow(monkeypatch):
    """Make ``import tensorflow`` (and ``tensorflow_hub``) fail as on a machine without them."""
    for name in ("tensorflow", "tensorflow_hub"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("model_path", ["model.tflite", "saved_model_folder"])
def test_tensorflow_missing_names_what_to_install(without_tensorflow, model_path):
    with pytest.raises(BackendNotInstalled) as error:
        create_runner("tensorflow", model_path)
    assert str(error.value) == (
        "backend 'tensorflow' needs the Python package 'tensorflow', which is not installed: "
        f"{TF_HINT} (or make setup WITH_TENSORFLOW=1)"
    )
    assert error.value.name == "tensorflow"


def test_the_pose_model_on_tensorflow_without_it_says_what_to_install(without_tensorflow):
    # What the pose node logs for backend:=tensorflow ("cannot load model ...: <this>").
    with pytest.raises(BackendNotInstalled, match="requirements/tensorflow.txt"):
        create_estimator("movenet_lightning", backend="tensorflow")


def test_litert_missing_names_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    with pytest.raises(BackendNotInstalled, match=r"pip install -r requirements/runtime\.txt$"):
        create_runner("litert", "model.tflite")
