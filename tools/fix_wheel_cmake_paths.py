"""Point the ROS 2 wheels' exported CMake files at this machine's Python.

The ros-kilted-* wheels are built in a manylinux container whose Python lives
at ``/opt/python/cp311-cp311``; their exported ``*Export.cmake`` files keep
that prefix for the Python and NumPy include directories, so building a
message package against them fails on any other machine. This rewrites those
paths, inside the virtual environment only, to the running interpreter's
include directory and the installed NumPy's. It is idempotent: a second run
finds nothing to change.

CMake refuses to export include directories that lie inside the source tree,
and the venv lives inside this repository (the package's source tree). The
NumPy include directory is therefore named through a symlink in the user
cache, one per venv; ``--print-numpy-include`` prints that path so the build
can pass it as ``Python3_NumPy_INCLUDE_DIR``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import sysconfig
from pathlib import Path

import numpy
import platformdirs

BUILD_PREFIX = "/opt/python/cp311-cp311"


def numpy_include_outside(prefix: Path) -> str:
    """Return NumPy's include directory, reached through a symlink outside the repository."""
    venv_key = hashlib.sha256(str(prefix.resolve()).encode()).hexdigest()[:16]
    link = Path(platformdirs.user_cache_dir("pose_estimation_ros")) / "numpy-include" / venv_key
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or link.readlink() != Path(numpy.get_include()):
        link.unlink(missing_ok=True)
        link.symlink_to(numpy.get_include(), target_is_directory=True)
    return str(link)


def replacements(prefix: Path) -> dict[str, str]:
    """Map the build container's include paths to this machine's."""
    python_include = sysconfig.get_paths()["include"]
    numpy_include = numpy_include_outside(prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return {
        f"{BUILD_PREFIX}/lib/{version}/site-packages/numpy/_core/include": numpy_include,
        f"{BUILD_PREFIX}/lib/{version}/site-packages/numpy/core/include": numpy_include,
        f"{BUILD_PREFIX}/include/{version}": python_include,
    }


def fix_file(path: Path, mapping: dict[str, str]) -> bool:
    """Rewrite one CMake file in place; return whether it changed."""
    text = path.read_text()
    if BUILD_PREFIX not in text:
        return False
    for old, new in mapping.items():
        text = text.replace(old, new)
    path.write_text(text)
    return True


def main() -> int:
    """Fix every exported CMake file under the prefix given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefix", type=Path, help="virtual environment root (the ament prefix)")
    parser.add_argument(
        "--print-numpy-include",
        action="store_true",
        help="only print the NumPy include path to give CMake",
    )
    args = parser.parse_args()
    if args.print_numpy_include:
        print(numpy_include_outside(args.prefix))
        return 0
    mapping = replacements(args.prefix)
    changed = [
        p for p in sorted((args.prefix / "share").glob("*/cmake/*.cmake")) if fix_file(p, mapping)
    ]
    for path in changed:
        print(f"fixed include paths in {path.relative_to(args.prefix)}")
    leftover = [
        p for p in (args.prefix / "share").glob("*/cmake/*.cmake") if BUILD_PREFIX in p.read_text()
    ]
    if leftover:
        print(
            f"unresolved {BUILD_PREFIX} paths remain in: {', '.join(map(str, leftover))}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
