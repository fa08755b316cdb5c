"""``pose_node``'s parameters: the node's own, then every core option, declared from its spec.

The model options (every family's and the pipeline's) come from the core
(``core.estimator.option_specs``), so a new model family changes nothing
here; only what the node itself does (QoS, transport, rate, diagnostics,
lifecycle) is described in this file. Each model takes the parameters named
like its options (``core.estimator.option_names``).
"""

from __future__ import annotations

from pose_estimation_ros.core.estimator import DEFAULT_MODEL, MODELS, option_specs
from pose_estimation_ros.core.param_spec import ParamSpec
from pose_estimation_ros.nodes.image_transports import TRANSPORTS
from pose_estimation_ros.nodes.node_status import DIAGNOSTICS_PARAMS

# The default model is the registry's first (core.families): the node names no model.
MODEL = ParamSpec(
    "model", DEFAULT_MODEL, "pose model", choices=tuple(sorted(MODELS)), read_only=True
)
NODE_PARAMS = (
    ParamSpec(
        "cameras",
        (),
        "cameras served by this one node and model, each a namespace (e.g. [front, rear]): "
        "reads <camera>/image_raw, publishes <camera>/poses, pose_markers and image_annotated "
        "beside it; empty: one camera, image_raw and poses in the node's own namespace",
        read_only=True,
    ),
    ParamSpec(
        "score_threshold",
        0.3,
        "keypoint score below which markers and drawings omit a joint (messages keep all)",
        0.0,
        1.0,
    ),
    ParamSpec(
        "max_rate",
        0.0,
        "most inferences per second; 0: as fast as images come",
        0.0,
        1000.0,
        read_only=True,
        unit="Hz",
    ),
    ParamSpec(
        "image_reliability",
        "best_effort",
        "QoS reliability of the image subscription",
        choices=("best_effort", "reliable"),
        read_only=True,
    ),
    ParamSpec(
        "image_queue_depth",
        2,
        "images held while the model runs (subscription depth; with several cameras, images "
        "waiting per camera): 1 always takes the newest frame; 2 also rides out one slow "
        "inference (a busy CPU) without losing a frame, at most one frame behind the camera",
        1,
        100,
        read_only=True,
    ),
    ParamSpec(
        "image_transport",
        "raw",
        "images to subscribe to, as image_transport names them: raw (image_raw, "
        "sensor_msgs/Image) or compressed (image_raw/compressed, JPEG or PNG "
        "sensor_msgs/CompressedImage, for a link too slow for raw frames)",
        choices=tuple(TRANSPORTS),
        read_only=True,
    ),
    ParamSpec(
        "publish_annotated",
        False,
        "publish image_annotated (the image with poses drawn)",
        read_only=True,
    ),
    *DIAGNOSTICS_PARAMS,
    ParamSpec(
        "autostart",
        True,
        "configure and activate at start, without a lifecycle manager",
        read_only=True,
    ),
)
PARAMS = (MODEL, *NODE_PARAMS, *option_specs())
