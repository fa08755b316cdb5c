"""Launch the pose estimation graph: camera, pose and UDP bridge nodes, and optionally RViz.

Nodes, their parameters and which launch argument sets which parameter come
from ``pose_estimation_ros.graph``, the same definition ``make run`` uses.

    ros2 launch pose_estimation_ros pose.launch.py source:=0 model:=movenet_thunder
    ros2 launch pose_estimation_ros pose.launch.py --show-args
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from pose_estimation_ros import graph


def _launch_setup(context):
    """Create one Node action per graph node, with the params file and argument overrides."""
    arguments = {a.name: LaunchConfiguration(a.name).perform(context) for a in graph.ARGUMENTS}
    share = get_package_share_directory(graph.PACKAGE)
    params_file = arguments["params_file"] or os.path.join(share, "config", "params.yaml")
    actions = [
        Node(
            package=graph.PACKAGE,
            executable=spec.executable,
            name=spec.name,
            namespace=arguments["namespace"],
            parameters=[params_file, graph.parameter_overrides(spec.name, arguments)],
            remappings=list(spec.remappings),
            output="screen",
            emulate_tty=True,
        )
        for spec in graph.NODES
        if graph.is_enabled(spec, arguments)
    ]
    actions.append(
        Node(
            package="rviz2",
            executable="rviz2",
            name="rviz2",
            namespace=arguments["namespace"],
            arguments=["-d", os.path.join(share, "rviz", "pose.rviz")],
            condition=IfCondition(LaunchConfiguration("rviz")),
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
