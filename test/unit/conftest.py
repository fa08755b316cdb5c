"""Unit-test fixtures: the optional TensorFlow stack."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def tensorflow():
    """Give the ``tensorflow`` module; skip without it, except in CI (where it must be present)."""
    try:
        import tensorflow as tf
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("TensorFlow is missing in CI: install requirements/tensorflow.txt")
        pytest.skip("TensorFlow not installed (optional: see requirements/tensorflow.txt)")
    return tf
