"""Time pose_node's per-frame stages on real video, per backend, and print the figures.

``python -m pose_estimation_ros.bench.pose_bench [--backends ...] [--frames N]``

Each frame goes through the pose node's own ``PoseFrameHandler`` (the code
``pose_node`` runs on every image it takes) with a ``StageTimes`` recorder:
read (the serialized ``sensor_msgs/Image`` in place, to a BGR array), the
estimator's stages (``PosePipeline.estimate``: scene cut, preprocess,
inference, postprocess) and publishing (the ``PoseArray`` serialized and
published). Markers and the annotated image are built only while someone
subscribes to them; as in the graph, nobody does here. The estimator is built
with the graph's pose node options (``bench.node_options``) and the backend
and threads given here. For each backend: the mean per-stage split on
vtest.avi frames resized to 640x480, then frames/s of the whole handler on
vtest.avi at its own 768x576.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import rclpy
from rclpy.node import Node
from rclpy.serialization import serialize_message
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray

from pose_estimation_ros.bench.node_options import node_estimator
from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.pose_pipeline import PosePipeline
from pose_estimation_ros.core.stage_times import StageTimes
from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.image_transports import TRANSPORTS
from pose_estimation_ros.nodes.pose_diagnostics import PoseStats, ProblemNotices
from pose_estimation_ros.nodes.pose_frame_handler import (
    FRAME_STAGES,
    PoseFrameHandler,
    PoseOutputs,
)
from pose_estimation_ros.nodes.pose_node import POSES_QOS
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.nodes.transport import use_large_frame_transports

WHOLE_FRAME = "whole frame"  # the handler's whole call, timed around it
SCORE_THRESHOLD = next(spec.default for spec in PARAMS if spec.name == "score_threshold")


def read_frames(
    count: int, size: tuple[int, int] | None, video: Path | None = None
) -> list[np.ndarray]:
    """``count`` frames of ``video`` (vtest.avi), looped as the camera loops it, resized."""
    capture = cv2.VideoCapture(str(video or resolve("vtest_video")))
    frames: list[np.ndarray] = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            if not frames:
                raise RuntimeError(f"{video or 'vtest.avi'} gave no frame")
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        frames.append(frame if size is None else cv2.resize(frame, size))
    capture.release()
    return frames


def serialized_images(frames: list[np.ndarray]) -> list[bytes]:
    """Each frame as the bytes of a ``sensor_msgs/Image``, stamped 0.1 s apart."""
    messages = []
    for index, frame in enumerate(frames):
        header = Header(frame_id="camera_optical_frame")
        header.stamp.sec, header.stamp.nanosec = divmod(index * 100_000_000, 1_000_000_000)
        messages.append(serialize_message(bgr_to_image_msg(frame, header)))
    return messages


def time_handler(estimator: PosePipeline, messages: list[bytes], node: Node) -> StageTimes:
    """Run pose_node's frame handler on every message; its stages and ``WHOLE_FRAME`` times.

    ``RuntimeError`` when a frame was rejected or its inference failed: its
    figures would be missing.
    """
    outputs = PoseOutputs(
        node.create_publisher(PoseArray, "poses", POSES_QOS),
        node.create_publisher(MarkerArray, "pose_markers", 10),
    )
    times, stats, read = StageTimes(), PoseStats(), TRANSPORTS["raw"].read
    handler = PoseFrameHandler(
        estimator, read, outputs, stats, ProblemNotices(), node.get_logger(), times
    )
    try:
        for serialized in messages:
            with times.span(WHOLE_FRAME):
                handler.handle(serialized, SCORE_THRESHOLD)
    finally:
        node.destroy_publisher(outputs.poses)
        node.destroy_publisher(outputs.markers)
    if stats.totals.processed != len(messages):
        totals = stats.totals
        raise RuntimeError(
            f"{len(messages)} frames, {totals.processed} processed, {totals.rejected} rejected, "
            f"{totals.failed} failed ({stats.last_rejection})"
        )
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
    count = args.frames + args.warmup
    split_messages = serialized_images(read_frames(count, (640, 480)))
    native_messages = serialized_images(read_frames(count, None))
    use_large_frame_transports("pose_bench")
    rclpy.init()
    node = rclpy.create_node("pose_bench")
    try:
        print(f"{args.model}, ms per 640x480 frame (mean over {args.frames} frames)")
        print(f"{'backend':12s}" + "".join(f"{s:>13s}" for s in FRAME_STAGES) + "  fps 768x576")
        for backend in args.backends:
            estimator = node_estimator(args.model, backend=backend, threads=args.threads)
            split = time_handler(estimator, split_messages, node).ms
            native = time_handler(estimator, native_messages, node).ms
            means = [np.mean(split[s][args.warmup:]) for s in FRAME_STAGES]
            fps = 1e3 / float(np.mean(native[WHOLE_FRAME][args.warmup:]))
            print(f"{backend:12s}" + "".join(f"{m:13.3f}" for m in means) + f"{fps:13.1f}")
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
