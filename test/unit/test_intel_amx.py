"""``intel_amx``: MoveNet runs off Intel AMX unless asked; a process's first model fixes it.

oneDNN reads its instruction-set limit once per process, so each case runs in a fresh
interpreter. Which kernels ran is read from OpenVINO's runtime model
(``OpenVinoRunner.primitive_types``: ``brgconv_avx512_amx_...`` on AMX). The cases that need
AMX to be there are skipped on a CPU without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pose_estimation_ros.core.runtimes import ONEDNN_ISA_ENV

HAS_AMX = "amx_int8" in Path("/proc/cpuinfo").read_text()
needs_amx = pytest.mark.skipif(not HAS_AMX, reason="this CPU has no Intel AMX")

# Prints whether the int8 layers ran on AMX, and what the environment holds afterwards.
PROBE = """
import logging, os, sys
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.runtimes import ONEDNN_ISA_ENV
logging.basicConfig(level=logging.WARNING, format="%(message)s")
for amx in sys.argv[1:]:
    options = {} if amx == "default" else {"intel_amx": amx == "on"}
    kinds = create_estimator("movenet_lightning", **options).estimator.runner.primitive_types()
    print("amx" if any("amx" in k for k in kinds if k.endswith("I8")) else "no amx")
print("environment:", os.environ.get(ONEDNN_ISA_ENV))
"""


def _probe(*amx: str, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    """Run ``PROBE``; without ``env``, in this environment less any limit set around the test."""
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != ONEDNN_ISA_ENV}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *amx], capture_output=True, text=True, timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), result.stderr


def test_movenet_runs_off_amx_by_default_and_children_inherit_no_limit():
    lines, _ = _probe("default")
    assert lines == ["no amx", "environment: None"]


@needs_amx
def test_intel_amx_on_runs_the_int8_layers_on_amx():
    lines, _ = _probe("on")
    assert lines == ["amx", "environment: None"]


@needs_amx
def test_the_first_model_fixes_the_choice_and_a_later_one_says_so():
    lines, stderr = _probe("on", "off")
    assert lines == ["amx", "amx", "environment: None"]
    assert "intel_amx False changes nothing" in stderr, stderr


@needs_amx
def test_a_limit_the_user_set_wins():
    env = {**os.environ, ONEDNN_ISA_ENV: "DEFAULT"}  # oneDNN's own: every ISA there is
    lines, _ = _probe("off", env=env)
    assert lines == ["amx", "environment: DEFAULT"]
