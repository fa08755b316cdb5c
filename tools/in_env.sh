#!/usr/bin/env bash
# Run a command in the set-up environment: the venv, the colcon install space,
# and the asset search path (../shared/assets when it exists and none is set).
set -eo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# shellcheck disable=SC1091
source "$VENV/bin/activate"
# shellcheck disable=SC1091
source install/setup.bash
if [ -z "${POSE_ESTIMATION_ROS_ASSET_PATH:-}" ] && [ -d ../shared/assets ]; then
  POSE_ESTIMATION_ROS_ASSET_PATH=$(cd ../shared/assets && pwd)
  export POSE_ESTIMATION_ROS_ASSET_PATH
fi
# Never let the source tree shadow the installed package (python -m from the repo root).
export PYTHONSAFEPATH=1
exec "$@"
