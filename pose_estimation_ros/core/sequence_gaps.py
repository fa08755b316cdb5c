"""Frames a reader never took, from gaps in sequence numbers, and how many were lost on the way.

Sequence numbers are per publisher: two cameras on one topic number their
frames apart, so gaps are counted per publisher (a bounded number of them).
Which of the frames never taken were lost on the way is the middleware's to
say (``MissedSplit``): a reader's sequence numbers cannot tell a frame that
never reached it from one its queue replaced before it was taken.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

MAX_PUBLISHERS = 16  # publishers followed at once; the longest unheard is forgotten first
FORGET_AFTER_S = 10.0  # a publisher unheard this long is forgotten (it starts anew if it returns)


class SequenceGaps:
    """Numbers missing between consecutive sequence numbers of one publisher."""

    def __init__(self) -> None:
        """Start with no sequence seen."""
        self._last: int | None = None

    def missed(self, sequence: int | None) -> int:
        """Numbers skipped since the previous call.

        0 for the first number, an unknown one (``None``: the middleware does not
        number messages) and a restarted sequence (not above the previous one).
        """
        if sequence is None:
            return 0
        last, self._last = self._last, sequence
        if last is None or sequence <= last:
            return 0
        return sequence - last - 1


@dataclass
class _Publisher:
    """What is known of one publisher: its sequence and when it was last heard."""

    sequence: SequenceGaps = field(default_factory=SequenceGaps)
    heard_ns: int = 0


class ReaderGaps:
    """Frames a reader never took, per publisher.

    Fed with each frame's publisher (any hashable id, such as its GID; ``None``
    when unknown), its publication sequence number and when it was received
    (ns). At most ``max_publishers`` are followed, each until unheard for
    ``forget_after_s``; a publisher forgotten and heard again starts anew, as
    one that joined late (what it sent before is not counted).
    """

    def __init__(
        self, max_publishers: int = MAX_PUBLISHERS, forget_after_s: float = FORGET_AFTER_S
    ) -> None:
        """Start with no frame seen."""
        self._max_publishers = max_publishers
        self._forget_after_ns = round(forget_after_s * 1e9)
        self._publishers: OrderedDict[Hashable, _Publisher] = OrderedDict()  # oldest heard first

    @property
    def publishers(self) -> int:
        """Return how many publishers are followed now."""
        return len(self._publishers)

    def missed(self, sequence: int | None, received_ns: int, publisher: Hashable = None) -> int:
        """Return how many of ``publisher``'s frames came between its previous one and this."""
        return self._heard(publisher, received_ns).sequence.missed(sequence)

    def _heard(self, publisher: Hashable, now_ns: int) -> _Publisher:
        """Return ``publisher``'s state, now the most recently heard; forget stale ones."""
        state = self._publishers.pop(publisher, None) or _Publisher()
        state.heard_ns = now_ns
        oldest_kept = now_ns - self._forget_after_ns
        while self._publishers and (
            len(self._publishers) >= self._max_publishers
            or next(iter(self._publishers.values())).heard_ns < oldest_kept
        ):
            self._publishers.popitem(last=False)
        self._publishers[publisher] = state
        return state


class MissedSplit:
    """Split the frames a reader never took into replaced and lost.

    ``missed`` is fed the frames its sequence gaps show it never took
    (``ReaderGaps``), ``lost`` the middleware's own count of the frames that
    never reached it (DDS's sample-lost status, rclpy's ``message_lost`` event:
    for a best-effort reader, the numbers missing from what arrived). The rest
    of the frames never taken were replaced in the reader's queue by newer ones
    before it took them: while it was busy, or while a busy CPU kept it from
    running (by design for the pose node's newest-frames queue; a loss all the
    same for a recorder). ``split`` returns what was added since its previous call, never
    negative, so totals built from it only grow: a loss the middleware reports
    before the frame that shows its gap is taken lowers nothing already split.
    Frames lost before the first frame taken show in no gap and lower the
    replaced count by as many.
    """

    def __init__(self) -> None:
        """Start with nothing missed."""
        self._missed = self._lost = 0
        self._replaced_given = self._lost_given = 0

    def missed(self, count: int) -> None:
        """Count frames a gap shows the reader never took."""
        self._missed += count

    def lost(self, count: int) -> None:
        """Count frames the middleware says never reached the reader."""
        self._lost += count

    def split(self) -> tuple[int, int]:
        """Return ``(replaced, lost)``: the frames of each kind since the previous call."""
        replaced = max(self._missed - self._lost, self._replaced_given)
        added = (replaced - self._replaced_given, self._lost - self._lost_given)
        self._replaced_given, self._lost_given = replaced, self._lost
        return added
