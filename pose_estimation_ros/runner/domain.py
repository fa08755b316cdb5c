"""A ROS domain of its own for each run, so that two runs never take each other's frames."""

from __future__ import annotations

import os

from pose_estimation_ros.core import domain_lock


class DomainTaken(Exception):
    """This run cannot have a ROS domain of its own; the message says why and what to do."""


def hold_domain() -> domain_lock.DomainLock | None:
    """Hold this run's ROS domain and set ``ROS_DOMAIN_ID`` for the runner and its nodes.

    Without ``ROS_DOMAIN_ID``, a free id. With it, that id, unless another run
    or test holds it; the process that started the runner may hold it for it
    (a test's fixture does). ``None``: held by that process, not by this one.
    """
    chosen = os.environ.get("ROS_DOMAIN_ID", "").strip()
    if not chosen:
        lock = domain_lock.hold_free()
        if lock is None:
            raise DomainTaken(
                f"every ROS domain id from {domain_lock.FREE_DOMAIN_IDS.start} to "
                f"{domain_lock.FREE_DOMAIN_IDS.stop - 1} is held by another run or test on this "
                "machine: set ROS_DOMAIN_ID to choose one"
            )
        os.environ["ROS_DOMAIN_ID"] = str(lock.domain_id)
        print(f"run: ROS_DOMAIN_ID={lock.domain_id} (set ROS_DOMAIN_ID to choose)", flush=True)
        return lock
    try:
        domain_id = int(chosen)
    except ValueError:
        raise DomainTaken(f"ROS_DOMAIN_ID={chosen!r} is not a number") from None
    lock = domain_lock.try_hold(domain_id)
    if lock is None:
        holder = domain_lock.holder(domain_id)
        if holder is None or not domain_lock.is_ancestor(holder):
            raise DomainTaken(
                f"ROS_DOMAIN_ID={domain_id} is held by another run or test on this machine "
                f"(process {holder or 'unknown'}): two graphs in one domain take each other's "
                "frames; unset ROS_DOMAIN_ID to get a free domain, or choose another"
            )
    print(f"run: ROS_DOMAIN_ID={domain_id} (from the environment)", flush=True)
    return lock
