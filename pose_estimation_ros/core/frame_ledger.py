"""Account for every published frame: answered by a pose, replaced by design, or lost.

Fed with the camera's frames (their stamps and when they were received) and
the pose node's answers (the stamp of the frame each PoseArray is for, and
when it was received), all timed on one clock at one observer. A frame is

- *answered* when a PoseArray with its stamp arrived;
- *replaced* when it was not answered but the pose node could not have taken
  it: it was busy (a PoseArray for an earlier frame was still to come when
  this frame arrived; the pose node keeps only the newest frame while busy),
  it skips frames by design (``min_interval_s``, its ``max_rate``), or a newer
  frame came too soon after it to tell;
- *early* when it came before the first frame the pose node answered: a
  camera that waits for the pose node's reader to match may still publish
  before that reader takes frames (the node starting), so these are not judged;
- *lost* otherwise: the pose node was idle, had time to take it and never
  answered it (it was lost in transport, or the node rejected it);
- *in flight* while it may still be answered (``settle_s`` after its arrival,
  longer when answers are slow), and when the graph was told to stop
  (``end``: the pose node may have been working on it).

The split is conservative: a frame counts as lost only when nothing observed
can explain it otherwise. ``TOLERANCE_S`` is the margin for what the observer
cannot see exactly: two messages' receipt times out of order by scheduling,
and the pose node's executor taking a frame some time after it arrived (a
newer frame arriving within the margin may have replaced it). A node idle for
less than the margin is given the benefit of the doubt, so losses are
undercounted when frames come faster than 1 / ``TOLERANCE_S``, never invented.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

# s: receipt-order jitter and executor wake-up allowed for (see the module docstring).
TOLERANCE_S = 0.02
# s: a frame is judged this long after it arrived, or after twice the slowest answer seen.
SETTLE_S = 1.0
# Lost frames above this fraction of all frames make the run fail.
MAX_LOST_FRACTION = 0.01
# Settled, unanswered stamps kept to correct a late answer.
_SETTLED_KEPT = 10_000


@dataclass(frozen=True)
class LedgerCounts:
    """What became of the frames (``frames`` = answered + replaced + lost + early + in_flight)."""

    frames: int
    poses: int
    answered: int
    replaced: int
    lost: int
    early: int  # before the first answered frame: not judged
    in_flight: int
    unseen: int  # answered frames known only from their poses (the observer joined late)

    def summary(self) -> str:
        """One line: frames, poses and what became of the unanswered frames."""
        unseen = f" ({self.unseen} known only from their poses)" if self.unseen else ""
        return (
            f"{self.frames} frames published{unseen}, {self.poses} poses "
            f"({self.replaced} frames replaced while the pose node was busy, {self.lost} lost, "
            f"{self.early} before its first answer, {self.in_flight} in flight at the end)"
        )


def loss_problem(counts: LedgerCounts) -> str | None:
    """Why a run that produced ``counts`` failed, or ``None`` when it did not."""
    settled = counts.frames - counts.in_flight
    if counts.poses == 0 and settled > 0:
        return f"{counts.frames} frames published but no poses came back"
    if counts.lost > MAX_LOST_FRACTION * counts.frames:
        return (
            f"{counts.lost} of {counts.frames} frames ({counts.lost / counts.frames:.0%}) lost: "
            "the pose node was idle and never answered them"
        )
    return None


@dataclass
class _Frame:
    stamp_ns: int
    received_s: float
    answered: bool = False


class FrameLedger:
    """Frames and poses in, counts out; times in seconds on the observer's clock."""

    def __init__(
        self,
        min_interval_s: float = 0.0,
        tolerance_s: float = TOLERANCE_S,
        settle_s: float = SETTLE_S,
    ) -> None:
        """``min_interval_s``: the pose node answers at most one frame per this many seconds."""
        self._min_interval_s = min_interval_s
        self._tolerance_s = tolerance_s
        self._settle_s = settle_s
        self._pending: deque[_Frame] = deque()  # arrival order, not yet judged
        self._by_stamp: dict[int, _Frame] = {}
        self._early: dict[int, float] = {}  # poses whose frame was not seen yet: stamp -> receipt
        self._recent_poses: deque[tuple[float, int]] = deque()  # (receipt, stamp)
        self._settled: OrderedDict[int, str] = OrderedDict()  # unanswered stamp -> its class
        self._counts = dict(
            frames=0, poses=0, answered=0, replaced=0, lost=0, early=0, unseen=0
        )
        self._slowest_answer_s = 0.0
        self._last_answered_s: float | None = None
        self._first_answer_ns: int | None = None  # the lowest stamp a pose came for
        self._end_s: float | None = None

    def frame(self, stamp_ns: int, received_s: float) -> None:
        """Record a frame published with this stamp (seen at ``received_s``)."""
        self._settle(received_s)
        frame = _Frame(stamp_ns, received_s)
        self._counts["frames"] += 1
        self._pending.append(frame)
        self._by_stamp[stamp_ns] = frame
        if (pose_s := self._early.pop(stamp_ns, None)) is not None:
            self._answer(frame, pose_s)

    def pose(self, stamp_ns: int, received_s: float) -> None:
        """Record a PoseArray for the frame with this stamp, arrived at ``received_s``."""
        self._counts["poses"] += 1
        if self._first_answer_ns is None or stamp_ns < self._first_answer_ns:
            self._first_answer_ns = stamp_ns
        self._recent_poses.append((received_s, stamp_ns))
        frame = self._by_stamp.get(stamp_ns)
        if frame is not None:
            self._answer(frame, received_s)
        elif stamp_ns in self._settled:  # answered after all, later than ever seen before
            self._counts[self._settled.pop(stamp_ns)] -= 1
            self._counts["answered"] += 1
        else:
            self._early[stamp_ns] = received_s
        self._settle(received_s)

    def end(self, end_s: float) -> None:
        """Mark the graph told to stop at ``end_s``: frames unanswered by then are in flight.

        Answers that arrive later (the pose node finishing its frame) still count.
        """
        self._settle(end_s)
        self._end_s = end_s

    def counts(self, now_s: float) -> LedgerCounts:
        """Count what became of the frames by ``now_s`` (after ``end``: by the end)."""
        self._settle(now_s)
        counts = dict(self._counts)
        in_flight = 0
        for frame in self._pending:
            if frame.answered:
                counts["answered"] += 1
            else:
                in_flight += 1
        if self._end_s is not None:  # the frames of these poses will not be seen any more
            for name in ("frames", "answered", "unseen"):
                counts[name] += len(self._early)
        return LedgerCounts(in_flight=in_flight, **counts)

    def _answer(self, frame: _Frame, received_s: float) -> None:
        frame.answered = True
        self._slowest_answer_s = max(self._slowest_answer_s, received_s - frame.received_s)

    def _settle(self, now_s: float) -> None:
        """Judge the frames that can no longer be answered in time."""
        if self._end_s is not None:
            now_s = min(now_s, self._end_s)
        horizon_s = now_s - max(self._settle_s, 2 * self._slowest_answer_s)
        while self._pending and self._pending[0].received_s < horizon_s:
            frame = self._pending.popleft()
            del self._by_stamp[frame.stamp_ns]
            if frame.answered:
                self._counts["answered"] += 1
                self._last_answered_s = frame.received_s
                continue
            verdict = self._judge(frame)
            self._counts[verdict] += 1
            self._settled[frame.stamp_ns] = verdict
            if len(self._settled) > _SETTLED_KEPT:
                self._settled.popitem(last=False)
        oldest_s = self._pending[0].received_s if self._pending else horizon_s
        keep_from_s = min(oldest_s, horizon_s) - self._tolerance_s  # what a judgement reads
        while self._recent_poses and self._recent_poses[0][0] < keep_from_s:
            self._recent_poses.popleft()
        for stamp_ns, pose_s in list(self._early.items()):
            if pose_s < horizon_s:  # its frame was published before the observer listened
                del self._early[stamp_ns]
                for name in ("frames", "answered", "unseen"):
                    self._counts[name] += 1

    def _judge(self, frame: _Frame) -> str:
        """Judge an unanswered frame ``early``, ``replaced`` or ``lost`` (those before: judged)."""
        if self._first_answer_ns is None or frame.stamp_ns < self._first_answer_ns:
            return "early"
        arrived_s, tolerance_s = frame.received_s, self._tolerance_s
        busy = any(
            stamp_ns < frame.stamp_ns and pose_s > arrived_s - tolerance_s
            for pose_s, stamp_ns in self._recent_poses
        )
        rate_limited = (
            self._last_answered_s is not None
            and arrived_s - self._last_answered_s < self._min_interval_s + tolerance_s
        )
        following = self._pending[0] if self._pending else None
        overwritten = following is not None and following.received_s <= arrived_s + tolerance_s
        return "replaced" if busy or rate_limited or overwritten else "lost"
