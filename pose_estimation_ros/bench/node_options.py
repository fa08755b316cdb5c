"""The options the graph's pose node builds its estimator with, for the benchmarks' own loops.

Read as ``pose_node`` reads them (``evaluation.node_params``): its parameter
defaults, then the installed ``config/params.yaml`` the graph runs with; the
benchmark's overrides (backend, threads) last. The model file is then chosen
by ``create_estimator`` itself, never named here.
"""

from __future__ import annotations

from typing import Any

from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.pose_pipeline import PosePipeline
from pose_estimation_ros.evaluation.node_params import estimator_options, resolve_parameters
from pose_estimation_ros.runner.commands import default_params_file


def node_options(model: str, **overrides: Any) -> dict[str, Any]:
    """``create_estimator`` options of the graph's pose node for ``model``, then ``overrides``."""
    values = resolve_parameters(str(default_params_file()), [], model)
    return {**estimator_options(values), **overrides}


def node_estimator(model: str, **overrides: Any) -> PosePipeline:
    """Build and warm up ``model`` as the graph's pose node does (``on_configure``)."""
    estimator = create_estimator(model, **node_options(model, **overrides))
    estimator.warm_up()
    return estimator
