"""pose_node's lifecycle: nothing subscribed until activated, poses while active, none after.

Run with a MoveNet and an OpenPose model: the node hands each only the options it takes.

The node runs in the test process (driven through its lifecycle transitions,
as a lifecycle manager would); the image source and the pose sink are other
nodes talking to it over DDS.
"""

import cv2
import numpy as np
import pytest
from processes_util import wait_for
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.parameter import Parameter
from sensor_msgs.msg import Image
from std_msgs.msg import Header

from pose_estimation_ros.msg import PoseArray
from pose_estimation_ros.nodes.image_conversions import bgr_to_image_msg
from pose_estimation_ros.nodes.pose_node import PoseNode

TIMEOUT_S = 60.0


def spin_until(executor, condition, what: str) -> None:
    wait_for(condition, what, TIMEOUT_S, step=lambda: executor.spin_once(timeout_sec=0.05))


@pytest.mark.slow
@pytest.mark.parametrize(
    "model, layout, num_keypoints",
    [("movenet_lightning", "coco17", 17), ("openpose_hpe0001", "openpose18", 18)],
)
def test_configure_activate_deactivate_cleanup(
    ros_context, asset_dir, model, layout, num_keypoints
):
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    overrides = [Parameter("autostart", value=False), Parameter("model", value=model)]
    node = PoseNode(context=ros_context, parameter_overrides=overrides)
    source = rclpy.create_node("image_source", context=ros_context)
    image_pub = source.create_publisher(Image, "image_raw", 10)
    poses = []
    source.create_subscription(PoseArray, "poses", poses.append, 10)
    executor = SingleThreadedExecutor(context=ros_context)
    executor.add_node(node)
    executor.add_node(source)
    header = Header(frame_id="camera")
    header.stamp.sec, header.stamp.nanosec = 42, 7
    image = cv2.imread(str(asset_dir / "media/tf_examples/image1.png"))
    msg = bgr_to_image_msg(image, header)
    try:
        assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
        assert image_pub.get_subscription_count() == 0  # inactive: not subscribed yet
        assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
        spin_until(executor, lambda: image_pub.get_subscription_count() == 1, "subscription")

        def publish_and_spin() -> bool:
            image_pub.publish(msg)
            for _ in range(10):
                executor.spin_once(timeout_sec=0.05)
            return bool(poses)

        spin_until(executor, publish_and_spin, "a PoseArray")
        pose_array = poses[0]
        assert pose_array.header == header
        assert (pose_array.model, pose_array.layout) == (model, layout)
        assert (pose_array.image_width, pose_array.image_height) == (384, 640)
        keypoints = np.array([(k.x, k.y) for k in pose_array.poses[0].keypoints])
        assert keypoints.shape == (num_keypoints, 2)
        assert (keypoints >= 0).all() and (keypoints <= (384, 640)).all()

        assert node.trigger_deactivate() == TransitionCallbackReturn.SUCCESS
        spin_until(executor, lambda: image_pub.get_subscription_count() == 0, "unsubscribing")
        assert node.trigger_cleanup() == TransitionCallbackReturn.SUCCESS
    finally:
        executor.shutdown()
        node.destroy_node()
        source.destroy_node()


@pytest.mark.slow
def test_ctrl_c_while_the_model_loads_is_a_quiet_stop(ros_context, monkeypatch, capfd):
    # Ctrl-C shuts the context down while on_configure loads the model: rclpy cannot
    # complete the transition, which is a stop, not a failure ("Failed to complete
    # transition" and exit code 1 before).
    import rclpy

    from pose_estimation_ros.nodes import pose_node

    def create_and_interrupt(*args, **kwargs):
        estimator = create_estimator(*args, **kwargs)
        warm_up = estimator.warm_up

        def warm_up_then_ctrl_c() -> None:
            warm_up()
            rclpy.shutdown(context=ros_context)

        estimator.warm_up = warm_up_then_ctrl_c
        return estimator

    create_estimator = pose_node.create_estimator
    monkeypatch.setattr(pose_node, "create_estimator", create_and_interrupt)
    node = PoseNode(context=ros_context, parameter_overrides=[Parameter("autostart", value=False)])
    try:
        assert not node.start()
        assert node.interrupted()
    finally:
        node.destroy_node()
    stderr = capfd.readouterr().err
    assert "Failed to complete transition" not in stderr and "cannot load" not in stderr, stderr
