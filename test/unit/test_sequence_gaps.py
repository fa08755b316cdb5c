"""Frames a reader never took: from its publishers' sequence numbers, split by the middleware."""

from pose_estimation_ros.core.sequence_gaps import MissedSplit, ReaderGaps, SequenceGaps


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


def test_two_publishers_on_one_topic_are_counted_apart():
    # Two 10 fps cameras, numbered from 900 and from 1, interleaved; every frame taken.
    gaps, ms = ReaderGaps(), 1_000_000
    for k in range(20):
        now = k * 100 * ms
        assert gaps.missed(900 + k, now, publisher=b"a") == 0
        assert gaps.missed(1 + k, now + 50 * ms, publisher=b"b") == 0
    assert gaps.publishers == 2
    assert gaps.missed(922, 2200 * ms, publisher=b"a") == 2  # a's 920 and 921 never taken
    assert gaps.missed(21, 2250 * ms, publisher=b"b") == 0


def test_publishers_are_followed_up_to_a_cap_the_longest_unheard_forgotten_first():
    gaps, ms = ReaderGaps(max_publishers=3), 1_000_000
    for k, name in enumerate("abcd"):
        gaps.missed(10, k * ms, publisher=name)
    assert gaps.publishers == 3
    assert gaps.missed(15, 5 * ms, publisher="a") == 0  # forgotten: starts anew
    assert gaps.missed(15, 6 * ms, publisher="d") == 4  # still followed


def test_a_publisher_unheard_for_a_while_is_forgotten():
    gaps, s = ReaderGaps(forget_after_s=10.0), 1_000_000_000
    gaps.missed(1, 0, publisher="old")
    gaps.missed(1, 0, publisher="new")
    gaps.missed(2, 9 * s, publisher="new")
    assert gaps.publishers == 2
    gaps.missed(3, 11 * s, publisher="new")
    assert gaps.publishers == 1
    assert gaps.missed(50, 12 * s, publisher="old") == 0  # rejoined: not counted


def test_frames_never_taken_that_the_middleware_did_not_lose_were_replaced():
    # The reader stalled: 7 frames reached its queue and were replaced there; none lost.
    split = MissedSplit()
    split.missed(7)
    assert split.split() == (7, 0)
    assert split.split() == (0, 0)  # what was split is not given again


def test_frames_the_middleware_lost_are_lost_the_rest_replaced():
    split = MissedSplit()
    split.missed(5)
    split.lost(3)  # reported with the frame after them, before the next split
    assert split.split() == (2, 3)
    split.missed(4)
    assert split.split() == (4, 0)


def test_a_loss_reported_before_its_gap_lowers_nothing_already_split():
    split = MissedSplit()
    split.missed(2)
    assert split.split() == (2, 0)
    split.lost(3)  # the frame that shows this gap is not taken yet
    assert split.split() == (0, 3)  # the 2 replaced stay replaced
    split.missed(3)  # now it is
    assert split.split() == (0, 0)
    split.missed(1)
    assert split.split() == (1, 0)


def test_losses_before_the_first_frame_taken_show_in_no_gap():
    # 60 frames lost before the first one reached the reader, then 216 lost and 10 replaced.
    split = MissedSplit()
    split.lost(60)
    assert split.split() == (0, 60)
    split.missed(226)
    split.lost(216)
    replaced, lost = split.split()
    assert lost == 216 and replaced == 0  # the 10 replaced are hidden behind the first 60
