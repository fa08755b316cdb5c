"""Time pose_node's per-frame stages on real video, per backend, and print the figures.

``python -m pose_estimation_ros.bench.pose_bench [--backends ...] [--frames N]``

For each backend, the mean per-frame split on vtest.avi frames resized to
640x480: receiving (reading the serialized ``sensor_msgs/Image`` in place
after rclpy's copy of its bytes, as pose_node does), conversion (to a BGR
array), pre-processing, inference, post-processing, publishing (the
``PoseArray`` serialized and published, as pose_node does) and markers (built
and published only while someone subscribes); then frames/s of that whole
pipeline, markers included, on vtest.avi at its own 768x576. Smart crop,
tracking and smoothing on.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable

import cv2
import numpy as np
import rclpy
from rclpy.serialization import serialize_message
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.types import PoseFrame
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.conversions import bgr_to_image_msg, image_msg_to_bgr
from pose_estimation_ros.nodes.image_cdr import read_image
from pose_estimation_ros.nodes.markers import people_markers
from pose_estimation_ros.nodes.pose_array_cdr import serialize_pose_array
from pose_estimation_ros.nodes.transport import use_large_frame_transports

STAGES = (
    "receive",
    "conversion",
    "preprocess",
    "inference",
    "postprocess",
    "publishing",
    "markers",
)


def read_frames(count: int, size: tuple[int, int] | None) -> list[np.ndarray]:
    """First ``count`` frames of vtest.avi, resized to ``size`` (width, height) if given."""
    capture = cv2.VideoCapture(str(resolve("vtest_video")))
    frames = []
    while len(frames) < count and (frame := capture.read())[0]:
        frames.append(frame[1] if size is None else cv2.resize(frame[1], size))
    capture.release()
    return frames


def run_pipeline(
    model: str, backend: str, frames: list[np.ndarray], node, threads: int
) -> dict[str, list[float]]:
    """Push every frame through pose_node's stages; milliseconds per stage per frame."""
    estimator = create_estimator(model, backend=backend, threads=threads)
    poses_pub = node.create_publisher(PoseArray, "poses", 10)
    markers_pub = node.create_publisher(MarkerArray, "pose_markers", 10)
    messages = []
    for index, frame in enumerate(frames):
        header = Header(frame_id="camera")
        header.stamp.sec, header.stamp.nanosec = divmod(index * 100_000_000, 1_000_000_000)
        messages.append(serialize_message(bgr_to_image_msg(frame, header)))
    times: dict[str, list[float]] = defaultdict(list)

    def timed(stage: str, step: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = step()
        times[stage].append((time.perf_counter() - started) * 1e3)
        return result

    for index, raw in enumerate(messages):
        # pose_node subscribes raw: rclpy copies the serialized bytes, read_image reads them.
        msg = timed("receive", lambda: read_image(bytes(raw)))
        image = timed("conversion", lambda: image_msg_to_bgr(msg))
        height, width = image.shape[:2]
        inputs, context = timed("preprocess", lambda: estimator.preprocess(image))
        outputs = timed("inference", lambda: estimator.infer(inputs))
        people = timed(
            "postprocess",
            lambda: estimator.postprocess(outputs, context, width, height, index / 10.0),
        )

        frame = PoseFrame(estimator.model, estimator.layout, width, height, people)
        timed("publishing", lambda: poses_pub.publish(serialize_pose_array(frame, msg.header)))
        timed(
            "markers",
            lambda: markers_pub.publish(people_markers(people, estimator.layout, msg.header, 0.3)),
        )
    node.destroy_publisher(poses_pub)
    node.destroy_publisher(markers_pub)
    return times


def main(argv: list[str] | None = None) -> None:
    """Print the per-stage split and frames/s for each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="movenet_lightning")
    parser.add_argument("--backends", nargs="+", default=["openvino", "litert"])
    parser.add_argument("--frames", type=int, default=200, help="frames per backend")
    parser.add_argument("--threads", type=int, default=0, help="inference threads (0: auto)")
    parser.add_argument("--warmup", type=int, default=10, help="frames left out of the figures")
    args = parser.parse_args(argv)
    frames_640 = read_frames(args.frames + args.warmup, (640, 480))
    frames_native = read_frames(args.frames + args.warmup, None)
    use_large_frame_transports("pose_bench")
    rclpy.init()
    node = rclpy.create_node("pose_bench")
    try:
        header = f"{'backend':12s}" + "".join(f"{s:>13s}" for s in STAGES)
        print(f"{args.model}, ms per 640x480 frame (mean over {args.frames} frames)")
        print(header + f"{'outside inference*':>20s}{'fps 768x576':>13s}")
        for backend in args.backends:
            split = run_pipeline(args.model, backend, frames_640, node, args.threads)
            native = run_pipeline(args.model, backend, frames_native, node, args.threads)
            means = {s: float(np.mean(split[s][slice(args.warmup, None)])) for s in STAGES}
            per_frame = sum(np.array(native[s][slice(args.warmup, None)]) for s in STAGES)
            fps = 1000.0 / float(np.mean(per_frame))
            outside = sum(v for s, v in means.items() if s not in ("inference", "markers"))
            row = f"{backend:12s}" + "".join(f"{means[s]:13.3f}" for s in STAGES)
            print(row + f"{outside:20.3f}{fps:13.1f}")
        print(
            "* receive + conversion + preprocess + postprocess + publishing "
            "(markers are built only when subscribed)"
        )
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
