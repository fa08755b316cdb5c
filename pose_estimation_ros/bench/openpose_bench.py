"""OpenPose benchmark: decoder time per frame next to inference, against a Python-loop baseline.

``python -m pose_estimation_ros.bench.openpose_bench [--model M] [--frames N]``
runs the estimator on the first N frames of vtest.avi (768x576, pedestrians)
and, on the very same network outputs, times

- inference: input sizing plus the OpenVINO run (f32),
- decoder: the vectorised ``core/openpose`` peaks + PAF grouping + mapping,
- baseline: ``openpose_baseline``, the same algorithm as plain Python loops,

checks that the decoder and the baseline find the same people, and prints
median and p95 milliseconds, the decoder's speed-up, people per frame and
frames/s end to end (read + inference + decoding, one thread of control).
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from pose_estimation_ros.bench.openpose_baseline import baseline_find_peaks, baseline_group_people
from pose_estimation_ros.bench.stats import ratio, summary_ms
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.openpose.constants import NUM_KEYPOINTS
from pose_estimation_ros.core.openpose.paf_grouping import group_people
from pose_estimation_ros.core.openpose.peaks import find_peaks
from pose_estimation_ros.core.openpose.sizing import fit_input
from pose_estimation_ros.core.runtimes import bound_onednn_caches
from pose_estimation_ros.core.stage_times import StageTimes


def ours(heatmaps: np.ndarray, pafs: np.ndarray, threshold: float, params) -> np.ndarray:
    """Decode one frame's outputs with the package's decoder; keypoints in cells."""
    return group_people(find_peaks(heatmaps[:NUM_KEYPOINTS], threshold), pafs, params)[0]


def baseline(heatmaps: np.ndarray, pafs: np.ndarray, threshold: float, params) -> np.ndarray:
    """Decode one frame's outputs with the Python-loop baseline; keypoints in cells."""
    peaks = baseline_find_peaks(heatmaps[:NUM_KEYPOINTS], threshold)
    return baseline_group_people(peaks, pafs, params)[0]


def run_network(estimator, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Size the input and run the network: ``(heatmaps, pafs)``."""
    return estimator.infer(estimator.preprocess(frame)[0])


def percentiles(times_ms: list[float]) -> str:
    """Median and p95 of ``times_ms``."""
    summary = summary_ms(times_ms)
    return f"median {summary['p50']:7.2f} ms   p95 {summary['p95']:7.2f} ms"


def main() -> None:
    """Run the benchmark and print its figures."""
    bound_onednn_caches()  # before OpenVINO compiles: bounded memory over many image sizes
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="openpose_hpe0001")
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="OpenVINO threads (0: auto)")
    parser.add_argument(
        "--input-height", type=int, default=0, help="network input rows (0: the model's own)"
    )
    args = parser.parse_args()

    pipeline = create_estimator(args.model, threads=args.threads, input_height=args.input_height)
    estimator = pipeline.estimator  # the OpenPose stages, without tracking and smoothing
    options = estimator.options
    capture = cv2.VideoCapture(str(resolve("vtest_video")))
    ok, frame = capture.read()
    if not ok:
        raise SystemExit("no frame could be read from vtest.avi")
    pipeline.estimate(frame, 0.0)  # compiles the network for the video's size: not timed
    geometry = fit_input(frame.shape[0], frame.shape[1], estimator.input_height)
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
    times, people, mismatches = StageTimes(), [], 0
    while len(people) < args.frames:
        with times.span("read"):
            ok, frame = capture.read()
        if not ok:
            break
        with times.span("inference"):
            heatmaps, pafs = run_network(estimator, frame)
        with times.span("decoder"):
            found = estimator.decode(
                (heatmaps, pafs), geometry, geometry.source_width, geometry.source_height
            )
        people.append(len(found))
        fast = ours(heatmaps, pafs, options.peak_threshold, options.grouping)
        with times.span("baseline"):
            slow = baseline(heatmaps, pafs, options.peak_threshold, options.grouping)
        mismatches += fast.shape != slow.shape or not np.allclose(fast, slow, atol=1e-4)
    capture.release()
    frames = len(people)
    reading = times.ms["read"][:frames]  # without the read that found the end
    inference, decoder, loops = times.ms["inference"], times.ms["decoder"], times.ms["baseline"]
    end_to_end = frames / (1e-3 * (sum(reading) + sum(inference) + sum(decoder)))
    speedup = ratio(summary_ms(loops)["p50"], summary_ms(decoder)["p50"])
    print(
        f"{args.model} on vtest.avi, {frames} frames of "
        f"{geometry.source_width}x{geometry.source_height}, "
        f"network input {geometry.input_width}x{geometry.input_height}, f32"
    )
    print(f"  inference (resize + OpenVINO)   {percentiles(inference)}")
    print(f"  decoder (vectorised, ours)      {percentiles(decoder)}")
    print(f"  baseline decoder (Python loops) {percentiles(loops)}")
    print(
        f"  decoder speed-up over baseline  {speedup:.1f}x (median), "
        f"outputs differing on {mismatches} of {frames} frames"
    )
    print(f"  people per frame                mean {np.mean(people):.2f}, max {max(people)}")
    print(f"  end to end (read + infer + decode) {end_to_end:.1f} frames/s")


if __name__ == "__main__":
    main()
