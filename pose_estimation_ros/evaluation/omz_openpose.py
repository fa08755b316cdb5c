"""Open Model Zoo's OpenPose, as its demo runs it: the model wrapper and ``OpenPoseDecoder``.

The wrapper (``model_api.models.OpenPose``, openvino-model-api 0.2.5.4) is
built as ``human_pose_estimation_demo.py`` builds it: the network's own input
height, the image's aspect ratio, ``confidence_threshold`` 0.1 (the demo's
``--prob_threshold``); it reshapes the network to that aspect (widths
rounded up to 8 px), adds its max-pool NMS output, resizes the image with
``cv2.resize`` (bilinear), pads it on the right, and decodes with
``OpenPoseDecoder``. A wrapper (and its compiled network) is built for each
new input shape, as the demo would be for a new aspect, and only the latest
is kept. ``embedded_processing`` is declared done, so the 0.2.5 wrapper keeps
its own preprocessing instead of adding a resize to the graph (which its
reshape cannot take). The runtime is ours: the same OpenVINO,
``INFERENCE_PRECISION_HINT`` and threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pose_estimation_ros.core.openpose.options import OpenPoseOptions
from pose_estimation_ros.core.skeletons import COCO17
from pose_estimation_ros.core.types import Person, box_around
from pose_estimation_ros.evaluation.omz_import import import_model_api

DEMO_CONFIDENCE_THRESHOLD = 0.1  # human_pose_estimation_demo.py's --prob_threshold default
INPUT_NAME = "data"  # the IR's image input
SIZE_DIVISOR = 8  # the wrapper's default: input widths are multiples of it


class OmzOpenPose:
    """OMZ's wrapper and decoder on one IR, one image at a time, no state."""

    layout = COCO17

    def __init__(self, model: str, model_path: str, options: OpenPoseOptions) -> None:
        """Prepare to run the IR at ``model_path``; a wrapper is built per input shape."""
        import openvino

        self.model = model
        self._open_pose = import_model_api("models.open_pose")
        self._adapters = import_model_api("adapters")
        self._core = openvino.Core()
        self._path = model_path
        self._config: dict[str, object] = {
            "INFERENCE_PRECISION_HINT": options.inference_precision,
            "ENABLE_CPU_PINNING": False,
        }
        if options.threads > 0:
            self._config["INFERENCE_NUM_THREADS"] = options.threads
        self._wrapper: Any = None

    def _fits(self, height: int, width: int) -> bool:
        """Tell whether the current wrapper's input fits this image as the demo's would."""
        resized_width = round(width * self._wrapper.h / height)
        return self._wrapper.w - SIZE_DIVISOR < resized_width <= self._wrapper.w

    def _wrapper_for(self, height: int, width: int) -> Any:
        """Return the wrapper for this image's aspect, building it when the shape is new."""
        if self._wrapper is None or not self._fits(height, width):
            adapter = self._adapters.OpenvinoAdapter(
                self._core, self._path, plugin_config=dict(self._config), max_num_requests=1
            )
            _, _, net_height, net_width = adapter.get_input_layers()[INPUT_NAME].shape
            config = {
                "aspect_ratio": width / height,
                "confidence_threshold": DEMO_CONFIDENCE_THRESHOLD,
                # Keep the wrapper's own preprocessing (OMZ's demo path): without these,
                # ImageModel embeds a resize into the graph, which OpenPose's reshape breaks.
                "embedded_processing": True,
                "orig_height": net_height,
                "orig_width": net_width,
            }
            self._wrapper = None  # free the previous network before compiling the next
            self._wrapper = self._open_pose.OpenPose(adapter, config, preload=True)
        return self._wrapper

    def warm_up(self, width: int, height: int) -> None:
        """Build the wrapper for this size and run it once on a black image."""
        self.estimate(np.zeros((height, width, 3), np.uint8), 0.0)

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> list[Person]:
        """People in source pixels, COCO-17, with the decoder's own score; no state."""
        height, width = image_bgr.shape[:2]
        poses, scores = self._wrapper_for(height, width)(image_bgr)
        people = []
        for keypoints, score in zip(np.asarray(poses, np.float32), scores):
            people.append(Person(keypoints, float(score), box_around(keypoints)))
        return people
