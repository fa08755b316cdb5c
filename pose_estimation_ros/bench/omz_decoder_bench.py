"""Our OpenPose decoder against Open Model Zoo's ``OpenPoseDecoder`` on the same network outputs.

``python -m pose_estimation_ros.bench.omz_decoder_bench [--frames N] [--images DIR --limit N]``
runs hpe-0001 (f32, one pass) on the first N frames of vtest.avi (768x576,
pedestrians) and, with ``--images``, on a folder of photos, and times on the
very same heatmaps and PAFs, interleaved (the order alternates per frame):

- ours: ``OpenPoseEstimator.decode`` (peaks, PAF grouping, mapping to source pixels),
- OMZ: the wrapper's ``postprocess`` steps: ``heatmap_nms`` on the heatmaps
  and their 3x3 max-pool, ``OpenPoseDecoder`` (openvino-model-api 0.2.5.4),
  and the scaling to source pixels. The max-pool runs inside the network in
  OMZ's wrapper, so it is computed beforehand and not timed.

Prints, for the video and the photos apart, median and p95 milliseconds per
frame, the ratio ours / OMZ, and people per frame for each.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pose_estimation_ros.bench.stats import ratio, summary_ms
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.openpose.constants import NUM_KEYPOINTS, STRIDE
from pose_estimation_ros.core.openpose.estimator import OpenPoseEstimator, build
from pose_estimation_ros.core.runtimes import bound_onednn_caches
from pose_estimation_ros.core.stage_times import StageTimes
from pose_estimation_ros.evaluation.dataset import folder_images
from pose_estimation_ros.evaluation.omz_import import import_model_api
from pose_estimation_ros.evaluation.omz_openpose import DEMO_CONFIDENCE_THRESHOLD
from pose_estimation_ros.evaluation.run_images import read_bgr

NMS_KERNEL = np.ones((3, 3), np.uint8)  # the wrapper's max-pool for upsample_ratio 1: 3x3


def video_frames(video: Path, count: int) -> Iterator[np.ndarray]:
    """Yield the first ``count`` frames of ``video``."""
    capture = cv2.VideoCapture(str(video))
    for _ in range(count):
        ok, frame = capture.read()
        if not ok:
            break
        yield frame
    capture.release()


class OmzPostprocess:
    """The OMZ wrapper's ``postprocess`` on heatmaps and PAFs given as arrays."""

    def __init__(self) -> None:
        """Import OMZ's decoder, configured as the demo configures it."""
        self._module = import_model_api("models.open_pose")
        self._decoder = self._module.OpenPoseDecoder(
            NUM_KEYPOINTS, score_threshold=DEMO_CONFIDENCE_THRESHOLD
        )

    def __call__(
        self, heatmaps: np.ndarray, pooled: np.ndarray, pafs: np.ndarray, scale: np.ndarray
    ) -> Any:
        """Decode one frame: people ``(N, 17, 3)`` in source pixels, and their scores."""
        nms = self._module.OpenPose.heatmap_nms(heatmaps[None], pooled[None])
        poses, scores = self._decoder(heatmaps[None], nms, pafs[None])
        poses[:, :, :2] *= scale * STRIDE
        return poses, scores


DECODERS = ("ours", "OMZ")


def decode_both(
    estimator: OpenPoseEstimator,
    omz: OmzPostprocess,
    frame: np.ndarray,
    ours_first: bool,
    times: StageTimes,
) -> tuple[int, int]:
    """Run the network once; time both decoders on its outputs into ``times``; people each."""
    tensor, geometry = estimator.preprocess(frame)
    heatmaps, pafs = estimator.infer(tensor)
    pooled = np.stack([cv2.dilate(channel, NMS_KERNEL) for channel in heatmaps])
    scale = np.array(
        [frame.shape[1] / geometry.scaled_width, frame.shape[0] / geometry.scaled_height],
        np.float32,
    )
    height, width = frame.shape[:2]
    found: dict[str, int] = {}
    for name in DECODERS if ours_first else DECODERS[::-1]:
        with times.span(name):
            if name == "ours":
                found[name] = len(estimator.decode((heatmaps, pafs), geometry, width, height))
            else:
                found[name] = len(omz(heatmaps, pooled, pafs, scale)[1])
    return found["ours"], found["OMZ"]


def figures(times_ms: list[float]) -> tuple[float, float]:
    """Median and p95 of ``times_ms``."""
    summary = summary_ms(times_ms)
    return summary["p50"], summary["p95"]


def report(
    title: str, estimator: OpenPoseEstimator, omz: OmzPostprocess, images: Iterable[np.ndarray]
) -> None:
    """Time both decoders on every image's outputs; print their figures and ratio."""
    times = StageTimes()
    rows = [
        decode_both(estimator, omz, image, i % 2 == 0, times) for i, image in enumerate(images)
    ]
    ours_n, omz_n = (list(column) for column in zip(*rows))
    ours_ms, omz_ms = (times.ms[name] for name in DECODERS)
    print(f"{title}: {len(rows)} frames, hpe-0001 f32")
    for name, elapsed_ms, people in (("ours", ours_ms, ours_n), ("OMZ", omz_ms, omz_n)):
        median, p95 = figures(elapsed_ms)
        print(
            f"  {name:<5} decoder  median {median:6.2f} ms  p95 {p95:6.2f} ms  "
            f"people/frame {np.mean(people):.2f}"
        )
    (ours_median, ours_p95), (omz_median, omz_p95) = figures(ours_ms), figures(omz_ms)
    print(
        f"  ours / OMZ  median {ratio(ours_median, omz_median):.2f}  "
        f"p95 {ratio(ours_p95, omz_p95):.2f}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    bound_onednn_caches()  # before OpenVINO compiles: bounded memory over many image sizes
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200, help="vtest.avi frames")
    parser.add_argument("--images", type=Path, help="also a folder of photos")
    parser.add_argument("--limit", type=int, default=100, help="photos at most")
    args = parser.parse_args()
    estimator = build("openpose_hpe0001", {"flip_average": False})  # one pass, as on video
    omz = OmzPostprocess()
    report("vtest.avi", estimator, omz, video_frames(resolve("vtest_video"), args.frames))
    if args.images:
        photos = (read_bgr(image.path) for image in folder_images(args.images)[: args.limit])
        report(f"photos of {args.images}", estimator, omz, photos)


if __name__ == "__main__":
    main()
