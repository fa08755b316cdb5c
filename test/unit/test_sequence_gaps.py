"""Frames a reader never saw, counted from its publisher's sequence numbers."""

from pose_estimation_ros.core.sequence_gaps import ReaderGaps, SequenceGaps, lost_while_idle


def test_gaps_between_consecutive_numbers_are_counted():
    gaps = SequenceGaps()
    assert [gaps.missed(n) for n in (5, 6, 9, 10, 20)] == [0, 0, 2, 0, 9]


def test_first_unknown_and_restarted_sequences_count_nothing():
    gaps = SequenceGaps()
    assert gaps.missed(None) == 0
    assert gaps.missed(40) == 0  # joined late: what came before is not ours to count
    assert gaps.missed(None) == 0
    assert gaps.missed(3) == 0  # the publisher restarted
    assert gaps.missed(5) == 1


def test_frames_missed_while_busy_are_replaced_not_lost():
    # 30 fps; the reader spent 100 ms on a frame and took the next one 5 ms after finishing.
    assert lost_while_idle(missed=2, stamp_gap_s=0.1, idle_s=0.005) == 0
    # It waited a whole interval more: still no loss (the margin for a late executor).
    assert lost_while_idle(missed=2, stamp_gap_s=0.1, idle_s=0.066) == 0


def test_frames_missed_while_idle_are_lost():
    # Idle for 10 intervals and 9 frames missed: all but the last interval's margin were lost.
    assert lost_while_idle(missed=9, stamp_gap_s=10 / 30, idle_s=10 / 30) == 8
    assert lost_while_idle(missed=3, stamp_gap_s=4 / 30, idle_s=100.0) == 3


def test_unusable_stamps_count_no_loss():
    assert lost_while_idle(missed=5, stamp_gap_s=0.0, idle_s=10.0) == 0
    assert lost_while_idle(missed=5, stamp_gap_s=-1.0, idle_s=10.0) == 0


def test_reader_gaps_splits_missed_frames_with_middleware_times():
    gaps, ms = ReaderGaps(), 1_000_000
    assert gaps.missed(1, 0, 2 * ms) == (0, 0)
    gaps.idle(120 * ms)  # busy for 118 ms: frames 2..4 replaced meanwhile
    assert gaps.missed(5, 133 * ms, 135 * ms) == (3, 0)
    gaps.idle(140 * ms)  # idle from 140 ms on; frames 6..9 (167..267 ms) never came
    assert gaps.missed(10, 333 * ms, 335 * ms) == (1, 3)
    assert gaps.missed(None, None, 400 * ms) == (0, 0)  # a middleware without numbers


def test_two_publishers_on_one_topic_are_counted_apart():
    # Two 10 fps cameras, numbered from 900 and from 1, interleaved; every frame taken.
    gaps, ms = ReaderGaps(), 1_000_000
    for k in range(20):
        now = k * 100 * ms
        assert gaps.missed(900 + k, now, now + ms, publisher=b"a") == (0, 0)
        assert gaps.missed(1 + k, now + 50 * ms, now + 51 * ms, publisher=b"b") == (0, 0)
        gaps.idle(now + 60 * ms)
    assert gaps.publishers == 2
    # a's 920 and 921 went missing while the reader was idle (one within the margin).
    assert gaps.missed(922, 2200 * ms, 2201 * ms, publisher=b"a") == (1, 1)


def test_publishers_are_followed_up_to_a_cap_the_longest_unheard_forgotten_first():
    gaps, ms = ReaderGaps(max_publishers=3), 1_000_000
    for k, name in enumerate("abcd"):
        gaps.missed(10, k * ms, k * ms, publisher=name)
    assert gaps.publishers == 3
    assert gaps.missed(15, 5 * ms, 5 * ms, publisher="a") == (0, 0)  # forgotten: starts anew
    assert gaps.missed(15, 6 * ms, 6 * ms, publisher="d") == (4, 0)  # still followed


def test_a_publisher_unheard_for_a_while_is_forgotten():
    gaps, s = ReaderGaps(forget_after_s=10.0), 1_000_000_000
    gaps.missed(1, 0, 0, publisher="old")
    gaps.missed(1, 0, 0, publisher="new")
    gaps.missed(2, 9 * s, 9 * s, publisher="new")
    assert gaps.publishers == 2
    gaps.missed(3, 11 * s, 11 * s, publisher="new")
    assert gaps.publishers == 1
    assert gaps.missed(50, 12 * s, 12 * s, publisher="old") == (0, 0)  # rejoined: not counted
