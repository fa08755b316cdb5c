"""The camera loads no message of this package: a changed ``PoseArray`` cannot stop it."""

import json
import subprocess
import sys

PACKAGE = "pose_estimation_ros"
PROBE = f"""
import json, sys
import {PACKAGE}.nodes.camera_node
print(json.dumps(sorted(sys.modules)))
"""


def test_the_camera_loads_no_message_of_this_package():
    """A generic driver, paced by any header-first topic (docs/camera.md), not by ``PoseArray``."""
    # A fresh interpreter, in this one's environment: what importing the camera loads, alone.
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert f"{PACKAGE}.nodes.pace_topic" in loaded  # the pacing code is there, reading stamps
    ours = [name for name in loaded if name.startswith(f"{PACKAGE}.msg")]
    nodes = [name for name in loaded if name.startswith(f"{PACKAGE}.nodes.")]
    assert not ours, f"the camera loads {ours}, with {nodes}"
