"""What the benchmark ran on, and how busy the machine was with other work meanwhile."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


def describe() -> dict[str, Any]:
    """Describe the CPUs this process may use, their model and the load average now."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
            model = next(names, model)
    except OSError:
        pass
    return {
        "cpus": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


@dataclass(frozen=True)
class CpuSnapshot:
    """Machine-wide busy and total CPU seconds (/proc/stat), and this run's own CPU seconds."""

    busy_s: float
    total_s: float
    own_s: float


def snapshot() -> CpuSnapshot:
    """Read the counters now (own time counts this process and its finished children)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    return CpuSnapshot((total - idle) / ticks, total / ticks, own)


def busy_share(start: CpuSnapshot, end: CpuSnapshot) -> dict[str, float]:
    """Percent of all CPUs busy between two snapshots: in all, and with work not of this run."""
    total = end.total_s - start.total_s
    if total <= 0:
        return {"machine_busy_percent": 0.0, "others_busy_percent": 0.0}
    busy = 100.0 * (end.busy_s - start.busy_s) / total
    own = 100.0 * (end.own_s - start.own_s) / total
    return {"machine_busy_percent": busy, "others_busy_percent": max(busy - own, 0.0)}
