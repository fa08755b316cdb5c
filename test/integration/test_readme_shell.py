"""The README's shell commands work exactly as written, from the repository root it leaves you in.

The source tree's ``pose_estimation_ros/`` comes first on ``sys.path`` for
``python -c`` and ``python -m`` run from the root; the generated ``msg``
lies only in ``install/``. Run in a plain shell (no ``PYTHONSAFEPATH``).
"""

import os
import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _readme_shell_block() -> list[str]:
    """Return the commands of the README block under 'For a shell with everything on the path'."""
    readme = (REPO_ROOT / "README.md").read_text()
    block = re.search(r"everything on the path:\n\n```bash\n(.*?)```", readme, re.DOTALL)
    assert block, "README: the shell block moved"
    return block.group(1).splitlines()


def _in_shell(*commands: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    return subprocess.run(
        ["bash", "-c", "set -e\n" + "\n".join(commands)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_message_check_works_from_the_repository_root():
    activate, check = _readme_shell_block()[:2]
    assert activate == ". .venv/bin/activate && . install/setup.bash"
    assert check == 'python -c "from pose_estimation_ros.msg import PoseArray"'
    result = _in_shell(activate, check)
    assert result.returncode == 0, result.stderr


def test_python_m_runner_works_from_the_repository_root():
    activate = _readme_shell_block()[0]
    result = _in_shell(activate, "python -m pose_estimation_ros.runner --help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: run"), result.stdout
