"""``Supervisor.stop``: SIGINT, then SIGTERM, then the stacks of a stuck process, then SIGKILL."""

import signal
import sys

from processes_util import wait_for

from pose_estimation_ros.runner.supervisor import Supervisor
from pose_estimation_ros.runner.verdict import killed_at_stop

# Stuck as a node stuck in a library would be: both stop signals ignored, its stacks written on
# STACKS_SIGNAL as ``run_node_module`` has them written (here to a file, not the test's stderr).
STUCK = """
import faulthandler, pathlib, signal, sys, time
from pose_estimation_ros.nodes.stop_signals import STACKS_SIGNAL
folder = pathlib.Path(sys.argv[1])
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
stacks = open(folder / "stacks", "w")
faulthandler.register(STACKS_SIGNAL, file=stacks, all_threads=True)
def hang_in_cleanup():
    (folder / "stuck.ready").touch()
    while True:
        time.sleep(0.05)
hang_in_cleanup()
"""
# Ends on SIGINT as a process without a handler does.
STOPS = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_DFL)
(pathlib.Path(sys.argv[1]) / "stops.ready").touch()
time.sleep(60)
"""


def test_a_stuck_process_writes_its_stacks_before_it_is_killed(tmp_path):
    programs = {"stuck": STUCK, "stops": STOPS}
    supervisor = Supervisor(
        {name: [sys.executable, "-c", code, str(tmp_path)] for name, code in programs.items()}
    )
    for name in programs:
        supervisor.start(name)
        ready = tmp_path / f"{name}.ready"
        wait_for(ready.exists, f"{name} to be ready")  # no signal before the handlers are set
    codes = supervisor.stop(grace_s=0.5)
    assert codes == {"stuck": -signal.SIGKILL, "stops": -signal.SIGINT}
    stacks = (tmp_path / "stacks").read_text()
    assert "hang_in_cleanup" in stacks, stacks
    assert killed_at_stop(codes) == [
        "run: warning: stuck ignored SIGINT and SIGTERM and was killed; the stacks of its "
        "threads above show where it hung: report it with this log"
    ]
