"""image_raw/compressed end to end over real DDS: camera_node JPEGs in, pose_node PoseArrays out.

The installed camera_node plays pose_1.mp4 and the installed pose_node runs
MoveNet Lightning with ``image_transport: compressed``, so every frame it sees
crossed DDS as a JPEG (what a link too slow for raw frames carries). Bad
compressed images come from a publisher in the test process.
"""

import cv2
import numpy as np
import pytest
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage
from test_pose_node import (
    CLIP_FRAMES,
    FRAME_ID,
    PERSON_SCORE,
    Recorder,
    check_headers,
    pose_node_run,
    run_pose_1,
)

COMPRESSED_TOPIC = "image_raw/compressed"
RELIABLE = QoSProfile(depth=500, reliability=ReliabilityPolicy.RELIABLE)

pytestmark = pytest.mark.slow


def stamp(msg) -> tuple[int, int]:
    return msg.header.stamp.sec, msg.header.stamp.nanosec


def test_camera_jpegs_to_movenet_poses_over_dds(ros_context, asset_dir):
    recorder = Recorder(ros_context)  # image_raw (for the stamps), poses, /diagnostics
    jpegs: list[CompressedImage] = []
    recorder.node.create_subscription(CompressedImage, COMPRESSED_TOPIC, jpegs.append, RELIABLE)
    # 15 fps, so none waits; wait_for_readers: the recorder's two and pose_node's.
    run = run_pose_1(
        ros_context,
        asset_dir,
        ["model:=movenet_lightning", "image_reliability:=reliable", "image_transport:=compressed"],
        "fps:=15.0",
        "wait_for_readers:=3",
        recorder=recorder,
        topic=COMPRESSED_TOPIC,
        also=lambda: len(jpegs) == CLIP_FRAMES,
    )
    assert run.camera_code == 0, run.camera_log
    node_log = run.node_log

    # The camera's JPEGs: image_transport's format, the raw image's header, a tenth of its size.
    assert [stamp(j) for j in jpegs] == [stamp(i) for i in recorder.images]
    for jpeg, image in zip(jpegs, recorder.images):
        assert jpeg.format == "bgr8; jpeg compressed bgr8"
        assert jpeg.header.frame_id == image.header.frame_id == FRAME_ID
        assert 0 < len(jpeg.data) < len(image.data) / 10
    decoded = cv2.imdecode(np.frombuffer(jpegs[0].data, np.uint8), cv2.IMREAD_COLOR)
    raw = np.frombuffer(recorder.images[0].data, np.uint8).reshape(decoded.shape)
    assert cv2.PSNR(decoded, raw) > 30.0

    # pose_node took the JPEGs and answered them like raw frames.
    counts = recorder.counters()
    assert counts["rejected_frames_total"] == 0, node_log
    assert counts["processed_frames_total"] == counts["received_frames_total"] > 0, counts
    assert counts["processed_frames_total"] == len(recorder.poses), node_log
    check_headers(recorder.poses, recorder.images)  # each header is a camera frame's, copied
    with_person = sum(any(p.score >= PERSON_SCORE for p in m.poses) for m in recorder.poses)
    assert with_person >= 0.95 * len(recorder.poses), f"a person in {with_person} PoseArrays"
    assert all((m.image_width, m.image_height) == (576, 576) for m in recorder.poses)


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


BAD = {  # cause -> (format, data)
    "empty": ("bgr8; jpeg compressed bgr8", b""),
    "undecodable": ("bgr8; jpeg compressed bgr8", b"\xff\xd8 not a JPEG"),
    "unsupported_pixels": ("bgra8; png compressed bgra8", _png(np.zeros((8, 8, 4), np.uint8))),
    "unsupported_format": ("16UC1; compressedDepth png", _png(np.zeros((8, 8), np.uint16))),
}


def test_bad_compressed_images_are_rejected_once_per_cause_then_a_good_one_passes(
    ros_context, asset_dir
):
    recorder = Recorder(ros_context)
    publisher = recorder.node.create_publisher(CompressedImage, COMPRESSED_TOPIC, RELIABLE)
    sent = 0

    def send(format_: str, data: bytes) -> None:
        nonlocal sent
        msg = CompressedImage(format=format_, data=data)
        msg.header.frame_id, msg.header.stamp.sec = FRAME_ID, 1000 + sent
        publisher.publish(msg)
        sent += 1
        recorder.spin_until(  # one at a time, so none replaces another in the history
            lambda: recorder.counters().get("received_frames_total", 0) == sent,
            [run.node],
            f"image {sent} received",
        )

    parameters = ["image_reliability:=reliable", "diagnostics_period_s:=0.2"]
    with pose_node_run(
        ros_context, "image_transport:=compressed", *parameters, recorder=recorder
    ) as run:
        run.wait_subscribed(COMPRESSED_TOPIC)
        recorder.spin_until(
            lambda: publisher.get_subscription_count() > 0, [run.node], "a subscription"
        )
        for format_, data in BAD.values():
            send(format_, data)
            send(format_, data)
        image = cv2.imread(str(asset_dir / "media/tf_examples/image1.png"))
        ok, jpeg = cv2.imencode(".jpg", image)
        send("jpeg", jpeg.tobytes())
        recorder.spin_until(
            lambda: recorder.poses and recorder.counters().get("processed_frames_total"),
            [run.node],
            "a PoseArray, counted",
        )
    node_log = run.node_log
    counts = recorder.counters()
    assert counts["rejected_frames_total"] == 2 * len(BAD), counts
    assert counts["processed_frames_total"] == 1 and counts["dropped_frames_total"] == 0, counts
    assert len(recorder.poses) == 1 and stamp(recorder.poses[0]) == (1000 + 2 * len(BAD), 0)
    assert (recorder.poses[0].image_width, recorder.poses[0].image_height) == (384, 640)
    warnings = [line for line in node_log.splitlines() if "dropping image" in line]
    assert len(warnings) == len(BAD), node_log  # once per cause
