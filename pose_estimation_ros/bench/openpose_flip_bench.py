"""What flip averaging costs OpenPose: time per image with and without it, interleaved.

``python -m pose_estimation_ros.bench.openpose_flip_bench --images DIR [--limit N] [--frames N]``
runs two hpe-0001 pipelines with ``pose_node``'s defaults, one with
``flip_average`` off, on the same photos (each photo a scene cut, so a fresh
frame: the mirror image is run too) and then on the first frames of
vtest.avi (a video: only its first frame is fresh), alternating which goes
first, and prints the median and p95 ``estimate`` time of each, and their ratio.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pose_estimation_ros.bench.omz_decoder_bench import video_frames
from pose_estimation_ros.bench.stats import ratio, summary_ms
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.runtimes import bound_onednn_caches
from pose_estimation_ros.core.stage_times import StageTimes
from pose_estimation_ros.evaluation.dataset import folder_images
from pose_estimation_ros.evaluation.run_images import read_bgr

FPS = 10.0


def compare(images: Iterator[np.ndarray]) -> dict[str, list[float]]:
    """Milliseconds of ``estimate`` per image, flip averaging on and off, alternating the order."""
    pipelines = {
        "flip": create_estimator("openpose_hpe0001"),
        "single": create_estimator("openpose_hpe0001", flip_average=False),
    }
    times = StageTimes()
    for index, image in enumerate(images):
        if index == 0:
            for pipeline in pipelines.values():
                pipeline.warm_up(image.shape[1], image.shape[0])
        order = list(pipelines) if index % 2 == 0 else list(pipelines)[::-1]
        for name in order:
            with times.span(name):
                pipelines[name].estimate(image, index / FPS)
    return {name: times.ms[name] for name in pipelines}


def report(title: str, times_ms: dict[str, list[float]]) -> None:
    """Print median and p95 milliseconds per pipeline and the flip / single ratio."""
    print(f"{title}: {len(times_ms['flip'])} images")
    figures = {}
    for name, values in times_ms.items():
        summary = figures[name] = summary_ms(values)
        print(f"  {name:<6} median {summary['p50']:7.1f} ms  p95 {summary['p95']:7.1f} ms")
    flip, single = figures["flip"], figures["single"]
    print(
        f"  flip / single  median {ratio(flip['p50'], single['p50']):.2f}  "
        f"p95 {ratio(flip['p95'], single['p95']):.2f}"
    )


def main() -> None:
    """Run the comparison on photos, then on video, and print the figures."""
    bound_onednn_caches()  # before OpenVINO compiles: bounded memory over many image sizes
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, required=True, help="a folder of photos")
    parser.add_argument("--limit", type=int, default=100, help="photos at most")
    parser.add_argument("--frames", type=int, default=100, help="vtest.avi frames")
    args = parser.parse_args()
    photos = (read_bgr(image.path) for image in folder_images(args.images)[: args.limit])
    report(f"photos of {args.images}", compare(photos))
    report("vtest.avi", compare(video_frames(resolve("vtest_video"), args.frames)))


if __name__ == "__main__":
    main()
