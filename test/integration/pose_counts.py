"""The pose node's own account of its images, read from its ``/diagnostics`` values.

Every image the camera published after the pose node's first is, in the node's
totals (``nodes.pose_diagnostics``), taken (``received``), replaced by a newer
one before the node took it (``dropped``, by design: how many depends on the
machine's load) or lost on the way (``lost``: the middleware says it never
reached the node). Tests that
play a camera unpaced assert on these, not on how many frames a loaded machine
kept up with.
"""

from __future__ import annotations

from pose_estimation_ros import graph
from pose_estimation_ros.nodes import pose_diagnostics as keys
from pose_estimation_ros.nodes.node_status import status_name
from pose_estimation_ros.nodes.pose_diagnostics import ROLE

TOTALS = {  # short name: the /diagnostics key of that total
    "received": keys.RECEIVED_TOTAL,
    "dropped": keys.DROPPED_TOTAL,
    "lost": keys.LOST_TOTAL,
    "rejected": keys.REJECTED_TOTAL,
    "failed": keys.FAILED_TOTAL,
    "processed": keys.PROCESSED_TOTAL,
}
STATUS_NAME = status_name(f"/{graph.POSE}", ROLE)  # the graph's pose node, no namespace


def totals_of(values: dict[str, str]) -> dict[str, int]:
    """Return the ``TOTALS`` in a pose node status's values (``key: value``)."""
    return {name: int(values[key]) for name, key in TOTALS.items()}


def settled(totals: list[dict[str, int]]) -> bool:
    """Tell whether the node has no image left: its last two totals equal, none in the works."""
    if len(totals) < 2 or totals[-1] != totals[-2]:
        return False
    last = totals[-1]
    return last["processed"] + last["failed"] == last["received"]


def published_bounds(frames: list[tuple[int, int]], answered: list[int]) -> tuple[int, int]:
    """Bounds on the frames published from the first ``answered`` stamp to the last.

    ``frames``: ``(stamp, publication sequence number)`` of each camera_info received
    (one per frame, numbered from 1), so that a camera_info missed in between cannot hide
    a frame. At least: from the first answered frame whose camera_info arrived to the last
    answered one (an observer's reader may match the camera's writer after its first
    frames). At most: every frame the camera published. The pose node counts its images
    from the first it took (answered) to the last it took (answered too: the newest image
    is always taken).
    """
    first, last = min(answered), max(answered)
    sequences = dict(frames)
    window = [sequence for stamp, sequence in sequences.items() if first <= stamp <= last]
    # The last frame's camera_info goes after its image: a camera stopped between the two
    # sent the image alone.
    unsent_info = last not in sequences
    at_least = max(window) - min(window) + 1 + unsent_info if window else 0
    return at_least, max(sequences.values()) + unsent_info


def check_every_frame_arrived(
    totals: dict[str, int], published: tuple[int, int], answered: int, why: str
) -> None:
    """Assert that every frame published reached the node and each it took was answered.

    ``published``: bounds on the frames published from the first the node took (answered)
    to the last it took (``published_bounds``); ``answered``: the frames whose PoseArray
    arrived.
    """
    at_least, at_most = published
    assert (totals["lost"], totals["rejected"], totals["failed"]) == (0, 0, 0), why
    assert at_least <= totals["received"] + totals["dropped"] <= at_most, why
    assert totals["processed"] == totals["received"] == answered, why
