"""Launch the pose estimation graph: camera, pose and UDP bridge nodes, and optionally RViz.

Nodes, their parameters and which launch argument sets which parameter come
from ``pose_estimation_ros.graph``, the same definition ``make run`` uses.

    ros2 launch pose_estimation_ros pose.launch.py source:=0 model:=movenet_thunder
    ros2 launch pose_estimation_ros pose.launch.py sources:=[front.mp4,/dev/video2]
    ros2 launch pose_estimation_ros pose.launch.py --show-args

Arguments are checked before any node starts (a boolean that is not one, a
params file that does not exist, RViz asked for but not installed): one error
line, exit code 1, nothing started. The graph then runs as one, like ``make
run``: when a node exits with an error (a model, source, host or port it cannot
use, a truncated video) or is stopped by a signal from another process (SIGTERM:
exit code 143) the launch stops every node and exits 1; when a node ends
cleanly (the camera at the end of a video file) the launch stops every node and
exits 0. A SIGINT from another process to the camera ends its run as the end of
its source would (a stop by SIGINT is a clean exit 0, as launch's own Ctrl-C).
With several cameras (``sources:=``) a camera's end, clean or not, stops only
that camera: the graph ends when its last camera has ended, with exit code 1
if any of them failed (each failure is logged as it happens, naming the
camera); the pose node or the bridge ending still stops everything at once.
Closing RViz leaves the graph running.
"""

import os

from ament_index_python.packages import PackageNotFoundError, get_package_prefix
from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription, logging
from launch.actions import DeclareLaunchArgument, OpaqueFunction, RegisterEventHandler, Shutdown
from launch.event_handlers import OnProcessExit
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node

from pose_estimation_ros import graph
from pose_estimation_ros.nodes.shutdown import signal_name

_LOGGER = logging.get_logger("launch")


class NodeFailed(RuntimeError):
    """A node of the graph exited with an error; raised to stop the launch with exit code 1."""


def _check_rviz(arguments):
    """Refuse ``rviz:=true`` where RViz is not installed, before anything starts."""
    if not graph.switch_value("rviz", arguments):
        return
    try:
        get_package_prefix("rviz2")
    except PackageNotFoundError:
        distro = os.environ.get("ROS_DISTRO") or "<distro>"
        raise graph.ArgumentError(
            f"rviz2 is not installed: install ros-{distro}-rviz2 or leave rviz:=false"
        ) from None


def _ending(event):
    """Name the node that exited, and say how when it failed (``None``: a clean end)."""
    name = event.action.node_name.lstrip("/")
    if event.returncode == 0:
        return name, None
    sent = signal_name(event.returncode)
    if sent:
        return name, f"{name} was stopped by {sent} from another process"
    return name, f"{name} exited with code {event.returncode} (its error is above)"


class _ExitPolicy:
    """End the launch when a node exits, or, for a camera, when the last camera has exited."""

    def __init__(self, cameras):
        """Remember the camera node actions still running."""
        self._cameras = set(cameras)
        self._failed = []  # each camera that failed before the last one ended

    def on_exit(self, event, context):
        """Stop the launch (exit code 1 when a node failed), or let the other cameras go on."""
        if context.is_shutdown:
            return None  # Ctrl-C or another node's end: already stopping
        name, failure = _ending(event)
        if event.action in self._cameras:
            self._cameras.discard(event.action)
            if self._cameras:
                others = f"{len(self._cameras)} other camera(s) go on"
                if failure:
                    self._failed.append(failure)
                    _LOGGER.error(f"{failure}; {others}")
                else:
                    _LOGGER.info(f"{name} ended (the end of its source); {others}")
                return None
        if failure:
            # launch makes its exit code non-zero only for an exception; it logs this message.
            raise NodeFailed(f"{failure}: stopped the whole graph")
        if self._failed:
            raise NodeFailed(f"{name} ended, the last camera; earlier {'; '.join(self._failed)}")
        return [Shutdown(reason=f"{name} ended (a camera at the end of its source)")]


def _launch_setup(context):
    """Check the arguments, then create one node action per graph node, with exit handlers."""
    arguments = {a.name: LaunchConfiguration(a.name).perform(context) for a in graph.ARGUMENTS}
    graph.check_arguments(arguments)
    _check_rviz(arguments)
    share = get_package_share_directory(graph.PACKAGE)
    params_file = arguments["params_file"] or os.path.join(share, "config", "params.yaml")
    instances = graph.instances(arguments)
    nodes = [
        (LifecycleNode if instance.spec.lifecycle else Node)(
            package=graph.PACKAGE,
            executable=instance.spec.executable,
            name=instance.spec.name,
            namespace=instance.full_namespace(arguments),
            parameters=[params_file, dict(instance.parameters)],
            remappings=list(instance.spec.remappings),
            output="screen",
            emulate_tty=True,
        )
        for instance in instances
    ]
    policy = _ExitPolicy(
        node for node, instance in zip(nodes, instances) if instance.is_camera
    )
    actions = [
        RegisterEventHandler(OnProcessExit(target_action=node, on_exit=policy.on_exit))
        for node in nodes
    ]
    actions += nodes
    if graph.switch_value("rviz", arguments):
        actions.append(
            Node(
                package="rviz2",
                executable="rviz2",
                name="rviz2",
                namespace=arguments["namespace"],
                arguments=["-d", os.path.join(share, "rviz", "pose.rviz")],
            )
        )
    return actions


def generate_launch_description():
    """Declare every argument of the graph (with its description) and set up the nodes."""
    return LaunchDescription(
        [
            DeclareLaunchArgument(arg.name, default_value=arg.default, description=arg.description)
            for arg in graph.ARGUMENTS
        ]
        + [OpaqueFunction(function=_launch_setup)]
    )
