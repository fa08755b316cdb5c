"""FrameLedger: answered, replaced and lost frames from scripted stamps and receipt times."""

import pytest

from pose_estimation_ros.core.frame_ledger import (
    SETTLE_S,
    TOLERANCE_S,
    FrameLedger,
    LedgerCounts,
    loss_problem,
)

INTERVAL_S = 1 / 30  # a 30 fps camera


def _stamp(i: int) -> int:
    return 1_000_000_000 + i * 33_000_000


def _arrival(i: int) -> float:
    return 100.0 + i * INTERVAL_S


def _run(answers: dict[int, float], frames: int = 30, ledger: FrameLedger | None = None):
    """Feed ``frames`` frames at 30 fps; ``answers`` maps frame index to its pose's receipt."""
    ledger = ledger or FrameLedger()
    events = [(_arrival(i), 0, i) for i in range(frames)]
    events += [(received, 1, i) for i, received in answers.items()]
    for received, kind, i in sorted(events):
        (ledger.pose if kind else ledger.frame)(_stamp(i), received)
    return ledger


def _final(ledger: FrameLedger, end_s: float = _arrival(30) + 10.0) -> LedgerCounts:
    ledger.end(end_s)
    return ledger.counts(end_s + 1.0)


def test_every_frame_answered_quickly():
    counts = _final(_run({i: _arrival(i) + 0.010 for i in range(30)}))
    assert (counts.frames, counts.poses, counts.answered) == (30, 30, 30)
    assert (counts.replaced, counts.lost, counts.in_flight) == (0, 0, 0)
    assert loss_problem(counts) is None


def test_a_busy_node_replaces_frames_and_never_counts_a_loss():
    """Each inference takes 80 ms; a frame waiting when the node finishes is taken next."""
    answers, free_s, waiting = {}, 0.0, None
    for i in range(30):
        while waiting is not None and free_s <= _arrival(i):
            answers[waiting] = free_s = max(free_s, _arrival(waiting)) + 0.080
            waiting = None
        if _arrival(i) >= free_s:
            free_s = _arrival(i) + 0.080
            answers[i] = free_s
        else:
            waiting = i  # replaces the frame waiting before it
    counts = _final(_run(answers))
    assert counts.answered == len(answers) < 30
    assert counts.replaced == 30 - len(answers)
    assert counts.lost == 0
    assert loss_problem(counts) is None


def test_frames_that_reach_an_idle_node_and_are_never_answered_are_lost():
    """Every other frame gone in transport: the node (10 ms a frame) was idle for each."""
    counts = _final(_run({i: _arrival(i) + 0.010 for i in range(0, 30, 2)}))
    assert (counts.answered, counts.replaced, counts.lost) == (15, 0, 15)
    assert "15 of 30 frames (50%) lost" in loss_problem(counts)


def test_an_idle_node_within_the_tolerance_is_not_a_loss():
    """The previous answer came just inside the tolerance before the frame: maybe still busy."""
    answers = {i: _arrival(i) + 0.010 for i in range(30) if i != 10}
    answers[9] = _arrival(10) - TOLERANCE_S / 2
    counts = _final(_run(answers))
    assert (counts.replaced, counts.lost) == (1, 0)


def test_a_frame_followed_within_the_tolerance_by_a_newer_one_may_have_been_overwritten():
    ledger = FrameLedger()
    ledger.frame(_stamp(0), 100.0)
    ledger.pose(_stamp(0), 100.01)
    ledger.frame(_stamp(1), 100.1)  # the node is idle, but frame 2 comes right after it
    ledger.frame(_stamp(2), 100.1 + TOLERANCE_S / 2)
    ledger.pose(_stamp(2), 100.13)
    ledger.frame(_stamp(3), 100.3)  # idle, and nothing came after it for longer: lost
    ledger.frame(_stamp(4), 100.4)
    ledger.pose(_stamp(4), 100.41)
    counts = _final(ledger, 110.0)
    assert (counts.answered, counts.replaced, counts.lost) == (3, 1, 1)


def test_frames_skipped_by_the_pose_nodes_max_rate_are_replaced():
    """max_rate 10 Hz: one frame in three answered, the others skipped by design."""
    answers = {i: _arrival(i) + 0.010 for i in range(0, 30, 3)}
    assert _final(_run(answers)).lost == 20
    counts = _final(_run(answers, ledger=FrameLedger(min_interval_s=0.1)))
    assert (counts.answered, counts.replaced, counts.lost) == (10, 20, 0)


def test_frames_before_the_first_answer_are_not_judged():
    """The pose node may have matched the camera before it takes frames (starting up)."""
    counts = _final(_run({i: _arrival(i) + 0.010 for i in range(5, 30)}))
    assert (counts.answered, counts.early, counts.lost) == (25, 5, 0)
    assert loss_problem(counts) is None


def test_no_poses_at_all_is_a_problem_once_frames_had_time_to_be_answered():
    ledger = _run({})
    early = ledger.counts(_arrival(29) + 0.1)
    assert early.in_flight == early.frames - early.early
    counts = _final(ledger)
    assert (counts.frames, counts.poses, counts.early) == (30, 0, 30)
    assert loss_problem(counts) == "30 frames published but no poses came back"


def test_a_run_stopped_before_the_first_answer_is_not_a_problem():
    ledger = FrameLedger()
    ledger.frame(_stamp(0), 100.0)
    counts = _final(ledger, 100.5)
    assert (counts.frames, counts.in_flight, counts.lost) == (1, 1, 0)
    assert loss_problem(counts) is None


def test_the_last_frames_are_in_flight_when_the_run_ends():
    answers = {i: _arrival(i) + 0.010 for i in range(28)}
    counts = _final(_run(answers), _arrival(29) + 0.05)
    assert (counts.answered, counts.in_flight, counts.lost) == (28, 2, 0)


def test_an_answer_that_comes_while_the_graph_stops_still_counts():
    answers = {i: _arrival(i) + 0.010 for i in range(29)}
    ledger = _run(answers)
    ledger.end(_arrival(29) + 0.005)
    ledger.pose(_stamp(29), _arrival(29) + 0.5)
    counts = ledger.counts(_arrival(29) + 30.0)
    assert (counts.answered, counts.in_flight, counts.lost) == (30, 0, 0)


def test_slow_answers_wait_longer_before_a_frame_is_judged():
    """Answers take 3 s (a loaded machine): frames are not judged lost while still due."""
    ledger = FrameLedger()
    ledger.frame(_stamp(0), 100.0)
    ledger.pose(_stamp(0), 103.0)
    ledger.frame(_stamp(1), 104.0)
    assert ledger.counts(104.0 + SETTLE_S + 1.0).lost == 0  # 6 s to answer, not 1 s
    ledger.pose(_stamp(1), 107.0)
    counts = _final(ledger, 120.0)
    assert (counts.answered, counts.lost) == (2, 0)


def test_a_pose_handled_before_its_frame_still_answers_it():
    ledger = FrameLedger()
    ledger.pose(_stamp(0), 100.01)
    ledger.frame(_stamp(0), 100.0)
    counts = _final(ledger, 110.0)
    assert (counts.answered, counts.unseen, counts.lost) == (1, 0, 0)


def test_an_answer_after_the_frame_was_judged_corrects_the_count():
    ledger = FrameLedger(settle_s=0.5)
    ledger.frame(_stamp(0), 100.0)
    ledger.pose(_stamp(0), 100.01)
    ledger.frame(_stamp(1), 100.1)
    assert ledger.counts(101.0).lost == 1
    ledger.pose(_stamp(1), 101.1)
    counts = _final(ledger, 102.0)
    assert (counts.answered, counts.lost) == (2, 0)


def test_frames_published_before_the_observer_listened_are_known_from_their_poses():
    ledger = FrameLedger()
    ledger.pose(_stamp(0), 100.0)
    ledger.pose(_stamp(1), 100.1)
    ledger.frame(_stamp(2), 100.2)  # camera_info seen from here on
    ledger.pose(_stamp(2), 100.21)
    assert ledger.counts(100.5).frames == 1  # the first two frames may still come
    assert ledger.counts(102.0).frames == 3
    counts = _final(ledger, 110.0)
    assert (counts.frames, counts.answered, counts.unseen, counts.lost) == (3, 3, 2, 0)
    assert counts.summary().startswith("3 frames published (2 known only from their poses)")


@pytest.mark.parametrize("lost, failed", [(1, False), (2, True)])
def test_more_than_one_percent_lost_fails(lost, failed):
    counts = LedgerCounts(
        frames=120, poses=120 - lost, answered=120 - lost, replaced=0, lost=lost, early=0,
        in_flight=0, unseen=0,
    )
    assert (loss_problem(counts) is not None) == failed
