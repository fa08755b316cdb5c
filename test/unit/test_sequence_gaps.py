"""Frames a reader never saw, counted from its publisher's sequence numbers."""

from pose_estimation_ros.core.sequence_gaps import SequenceGaps


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
