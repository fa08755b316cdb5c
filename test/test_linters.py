"""The checks a ROS 2 reviewer runs: flake8 with pep257 docstrings, and package.xml validity."""

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from catkin_pkg.package import parse_package

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON_DIRS = ["pose_estimation_ros", "test", "tools", "launch", "scripts"]


def test_flake8_and_pep257():
    targets = [str(REPO_ROOT / d) for d in PYTHON_DIRS if (REPO_ROOT / d).exists()]
    result = subprocess.run(
        [sys.executable, "-m", "flake8", *targets], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"flake8 found problems:\n{result.stdout}{result.stderr}"


def test_package_xml_is_valid_format_3():
    ElementTree.parse(REPO_ROOT / "package.xml")  # well-formed XML
    package = parse_package(str(REPO_ROOT), warnings := [])
    package.validate()
    assert package.package_format == 3
    assert package.name == "pose_estimation_ros"
    assert not warnings, warnings
