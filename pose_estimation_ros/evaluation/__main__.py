"""Entry point: ``python -m pose_estimation_ros.evaluation`` (see ``docs/evaluation.md``)."""

import sys

from pose_estimation_ros.evaluation.cli import main

sys.exit(main())
