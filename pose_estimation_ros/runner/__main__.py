"""Entry point: ``python -m pose_estimation_ros.runner``, as ``make run`` (``runner.cli``)."""

import sys

from pose_estimation_ros.runner.cli import main

sys.exit(main())
