"""Hold a ROS domain id for one graph on this machine, with a file lock per id.

Two graphs in one ROS domain take each other's frames. Whoever starts a graph
(``make run``, a test) holds ``<id>.lock`` in ``LOCK_DIR`` with ``flock`` for
as long as the graph runs; the kernel releases it when the holder exits, even
when killed. The directory is machine-wide (/tmp) because DDS domains are.
"""

from __future__ import annotations

import fcntl
import os
import random
from collections.abc import Iterable
from pathlib import Path

# Shared by make run, the benchmarks and the tests' ros_domain_id fixture.
LOCK_DIR = Path("/tmp/pose_estimation_ros_domains")
# Ids handed out; 0 (the default) is left to graphs started without a lock.
FREE_DOMAIN_IDS = range(1, 101)


class DomainLock:
    """A held domain id; ``release`` (or exiting the process) frees it."""

    def __init__(self, domain_id: int, fd: int) -> None:
        """Wrap an open, locked lock file."""
        self.domain_id = domain_id
        self._fd: int | None = fd

    def release(self) -> None:
        """Free the id (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def lock_path(domain_id: int, lock_dir: Path = LOCK_DIR) -> Path:
    """Return the lock file of one domain id."""
    return lock_dir / f"{domain_id}.lock"


def try_hold(domain_id: int, lock_dir: Path = LOCK_DIR) -> DomainLock | None:
    """Hold ``domain_id``, or ``None`` when another process holds it (or its file is not ours)."""
    lock_dir.mkdir(exist_ok=True)
    try:
        fd = os.open(lock_path(domain_id, lock_dir), os.O_RDONLY | os.O_CREAT, 0o666)
    except PermissionError:  # another user's lock file: treat the id as taken
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return DomainLock(domain_id, fd)


def hold_free(
    candidates: Iterable[int] = FREE_DOMAIN_IDS, lock_dir: Path = LOCK_DIR
) -> DomainLock | None:
    """Hold a random one of ``candidates`` that nobody holds; ``None`` when all are held."""
    ids = list(candidates)
    random.shuffle(ids)
    for domain_id in ids:
        if (lock := try_hold(domain_id, lock_dir)) is not None:
            return lock
    return None


def holder(domain_id: int, lock_dir: Path = LOCK_DIR) -> int | None:
    """Process id holding ``domain_id`` as /proc/locks tells, ``None`` when unknown or free."""
    try:
        inode = lock_path(domain_id, lock_dir).stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:  # "1: FLOCK  ADVISORY  WRITE 9467 00:1b:1114 0 EOF"
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].endswith(f":{inode}"):
            return int(fields[4])
    return None


def is_ancestor(pid: int) -> bool:
    """Whether ``pid`` is this process's parent, grandparent, ... (read from /proc)."""
    current = os.getppid()
    while current > 1:
        if current == pid:
            return True
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            return False
        current = int(stat.rsplit(")", 1)[1].split()[1])
    return False


def use_free_domain() -> DomainLock | None:
    """Give this process (and its children) a free ``ROS_DOMAIN_ID`` unless one is set.

    The returned lock is held until released or the process exits; ``None``
    when the user chose the id (or none is free, then the default domain is used).
    """
    if os.environ.get("ROS_DOMAIN_ID", "").strip():
        return None
    lock = hold_free()
    if lock is not None:
        os.environ["ROS_DOMAIN_ID"] = str(lock.domain_id)
    return lock
