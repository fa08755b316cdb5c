"""Which frames a graph run lost: decided from counted messages, never from a node's report.

Every frame the camera publishes comes with one ``camera_info`` (same capture
stamp); every frame the pose node answers gives one ``PoseArray`` on ``poses``
and one frame of datagrams out of the bridge, both with that stamp. A run
records the stamps it saw of each; ``account`` says which frames of a window
that had to come out did not.

The window: the frames the run had to deliver (``expected``: published by the
camera, or for the unpaced camera the ones the pose node answered), less the
first ``warmup`` of them (start-up), and, when the run reached its frame
count, less the ones published after the last delivered frame (still on their
way when the run was stopped). A run that did not reach its frame count (a
timeout, a stall, a node that exited, too many losses) keeps its whole window:
everything published after warm-up and not delivered is lost.

A run passes when it reached its frame count and delivered at least
``percent`` % of its window (``LossRule``): 100 where the design drops nothing
(camera paced by the pose node), 99 at 30 fps, where a late frame may be
skipped for a newer one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LossRule:
    """What a run must deliver: ``percent`` % of its ``expected`` frames after warm-up."""

    expected: str  # which stamps had to come out: "published" (camera_info) or "posed" (poses)
    percent: int  # 100: every frame; 99: one in a hundred may be missing

    def allowed(self, window: int) -> int:
        """Frames that may be missing from a window of ``window`` frames (integer, exact)."""
        return window * (100 - self.percent) // 100

    def describe(self) -> str:
        """Say the rule in words, for the report."""
        what = "camera frames" if self.expected == "published" else "poses"
        return f"{'every one' if self.percent == 100 else f'>= {self.percent}%'} of the {what}"


EVERY_FRAME = LossRule("published", 100)  # camera paced by the pose node: nothing dropped
EVERY_POSE = LossRule("posed", 100)  # unpaced camera: the pose node skips, the bridge may not
AT_30_FPS = LossRule("published", 99)  # camera at its own pace: a late frame may be skipped


@dataclass(frozen=True)
class FrameAccount:
    """Frames a run had to deliver after warm-up (``window``), how many came out, the verdict."""

    window: int
    delivered: int
    allowed: int
    complete: bool  # the run reached its frame count
    stop: str  # why the run ended ("" when it reached its frame count)
    counts: dict[str, int]  # messages seen in all: published, posed, delivered

    @property
    def lost(self) -> int:
        """Frames of the window that never came out."""
        return self.window - self.delivered

    @property
    def ok(self) -> bool:
        """Whether the run's figures may be reported."""
        return self.complete and self.window > 0 and self.lost <= self.allowed

    def report(self) -> str:
        """One line: ``ok`` or what was lost and why the run ended."""
        seen = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        if self.ok:
            return f"ok: {self.delivered} of {self.window} frames after warm-up ({seen})"
        ended = f"; stopped: {self.stop}" if self.stop else ""
        if not self.window:
            return f"NOTHING CAME THROUGH: no frame was seen after warm-up ({seen}){ended}"
        return (
            f"LOST {self.lost} of {self.window} frames after warm-up "
            f"({self.allowed} allowed; {seen}){ended}"
        )

    def as_dict(self) -> dict[str, object]:
        """Return the account for the JSON results."""
        return {
            "ok": self.ok,
            "window": self.window,
            "delivered": self.delivered,
            "lost": self.lost,
            "allowed": self.allowed,
            "complete": self.complete,
            "stop": self.stop,
            "counts": dict(self.counts),
            "report": self.report(),
        }


def window_of(
    expected: Iterable[int], delivered: Collection[int], warmup: int, complete: bool
) -> list[int]:
    """Stamps that had to come out: ``expected`` after warm-up, up to the last delivered if done.

    ``delivered`` stamps count as expected too (a watcher may miss a ``camera_info``).
    """
    stamps = sorted(set(expected) | set(delivered))[warmup:]
    if complete and delivered:
        last = max(delivered)
        stamps = [s for s in stamps if s <= last]
    return stamps


def account(
    rule: LossRule,
    stamps: dict[str, Collection[int]],
    warmup: int,
    complete: bool,
    stop: str = "",
    delivered_key: str = "delivered",
) -> FrameAccount:
    """Account for one run from the stamps it saw: ``published``, ``posed``, ``delivered``.

    ``delivered_key`` names the stamps that are the run's output (the bridge's
    datagrams; an image reader's frames for an image probe).
    """
    delivered = set(stamps[delivered_key])
    window = window_of(stamps[rule.expected], delivered, warmup, complete)
    came = sum(1 for s in window if s in delivered)
    return FrameAccount(
        window=len(window),
        delivered=came,
        allowed=rule.allowed(len(window)),
        complete=complete,
        stop=stop,
        counts={name: len(values) for name, values in stamps.items()},
    )


def hopeless(rule: LossRule, stamps: dict[str, Collection[int]], warmup: int, target: int) -> bool:
    """Whether a run still going has already lost more than its rule allows at its end.

    Counts only frames published before the last one delivered (the rest may
    still come); ``target`` is the window the run will have at least when done.
    """
    so_far = account(rule, stamps, warmup, complete=True)
    return so_far.lost > rule.allowed(max(target, so_far.window) + so_far.lost)
