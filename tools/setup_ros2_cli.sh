#!/usr/bin/env bash
# Install the ROS 2 launch system and `ros2` command line into the venv (idempotent), from the
# upstream wheels in ../shared/ros2/wheels, so tests run `ros2 launch` as a user does. A machine
# with ROS 2 installed has them already; where ../shared/ros2 is missing, nothing is installed
# and the tests that need them skip (or fail, with CI set). Prints the message packages to
# build with the package's own (composition_interfaces: launch_ros imports it; hri_msgs and
# vision_msgs: the REP-155 and Detection2DArray outputs, which a ROS install gets by rosdep).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
shared=../shared/ros2
[ -d "$shared/wheels" ] || exit 0
stamp="$VENV/.installed-ros2-cli"
wanted=$( (ls "$shared"/wheels/*.whl; cat requirements/ros2cli.txt) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing the ros2 command line from $shared/wheels" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/ros2cli.txt
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    "$shared"/wheels/*.whl
  echo "$wanted" > "$stamp"
fi
for package in composition_interfaces hri_msgs vision_msgs; do
  echo "$shared/src/$package"
done
