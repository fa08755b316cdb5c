"""Wrap-aware sequence numbers; receivers keep only the newest frames whatever the order."""

import random

import numpy as np
import pytest
from wire_samples import HEADER, random_frame, sample_frame

from pose_estimation_ros.core.rate_limit import RateLimiter
from pose_estimation_ros.core.wire import (
    FrameAssembler,
    LatestFrameFilter,
    PartVerdict,
    WireHeader,
    WirePart,
    decode_datagram,
    encode_frame,
    is_newer,
    next_sequence,
    sequence_gap,
)
from pose_estimation_ros.core.wire.schema import MAX_FRAME_BYTES, MAX_PARTS

LAST = 2**32 - 1


@pytest.mark.parametrize(
    "candidate, reference, newer",
    [
        (1, 0, True),
        (0, 1, False),
        (5, 5, False),
        (0, LAST, True),  # wrapped
        (LAST, 0, False),
        (10, LAST - 10, True),
        (2**31 - 1, 0, True),  # the farthest a newer number can be
        (2**31, 0, False),  # half the range away: not newer (RFC 1982 leaves it undefined)
    ],
)
def test_is_newer_is_wrap_aware(candidate, reference, newer):
    assert is_newer(candidate, reference) is newer


def test_next_sequence_wraps_and_gap_counts_across_the_wrap():
    assert next_sequence(LAST) == 0
    assert sequence_gap(LAST, 0) == 0
    assert sequence_gap(LAST - 1, 2) == 3


def header(sequence: int, stream: int = 9) -> WireHeader:
    return WireHeader(stream, sequence, 0, 0, "camera")


def test_latest_filter_drops_older_keeps_same_and_newer_and_resets_on_new_stream():
    latest = LatestFrameFilter()
    assert latest.accept(header(LAST - 1))
    assert latest.accept(header(LAST - 1))  # another part of the same frame
    assert not latest.accept(header(LAST - 2))
    assert latest.accept(header(1))  # after the wrap
    assert not latest.accept(header(LAST))
    assert latest.accept(header(0, stream=10))  # the sender restarted


def test_shuffled_and_partly_dropped_datagrams_yield_only_newer_frames():
    rng = random.Random(5)
    frames = {}
    datagrams = []
    for sequence in range(LAST - 20, LAST + 20):  # crosses the wrap
        head = header(sequence % 2**32)
        frames[head.sequence] = random_frame(np.random.default_rng(sequence), rng.randint(0, 12))
        datagrams += encode_frame(frames[head.sequence], head, 1200)
    # Local reordering (each datagram moves a few places) and 20 % loss, as on a busy link.
    keyed = [(i + rng.uniform(0, 8), d) for i, d in enumerate(datagrams) if rng.random() > 0.2]
    arrived = [d for _, d in sorted(keyed, key=lambda pair: pair[0])]

    latest, assembler = LatestFrameFilter(), FrameAssembler()
    accepted, complete = [], []
    for datagram in arrived:
        part = decode_datagram(datagram)
        if latest.accept(part.header):
            accepted.append(part.header.sequence)
        if (result := assembler.add(part)) is not None:
            complete.append(result)
    assert len(accepted) < len(arrived), "the shuffle left no stale datagram to drop"
    for earlier, later in zip(accepted, accepted[1:]):
        assert later == earlier or is_newer(later, earlier)
    assert 0 < len(complete) < len(frames)
    for (head, _), (next_head, _) in zip(complete, complete[1:]):
        assert is_newer(next_head.sequence, head.sequence)
    for head, frame in complete:
        want = frames[head.sequence]
        assert len(frame.people) == len(want.people)
        for got, expected in zip(frame.people, want.people):
            np.testing.assert_array_equal(got.keypoints, expected.keypoints)


def test_assembler_emits_a_frame_once_even_when_a_part_is_duplicated():
    datagrams = encode_frame(random_frame(np.random.default_rng(0), 8), HEADER, 1200)
    assembler = FrameAssembler()
    results = [assembler.add(decode_datagram(d)) for d in datagrams + datagrams]
    assert sum(r is not None for r in results) == 1


def test_rate_limiter_on_scripted_timestamps():
    limiter = RateLimiter(10.0)
    times = [0.0, 0.05, 0.1, 0.12, 0.25, 0.3, 0.36]
    assert [limiter.allow(t) for t in times] == [True, False, True, False, True, False, True]
    assert all(RateLimiter(0.0).allow(t) for t in times)
    with pytest.raises(ValueError, match=r"max rate must be >= 0 Hz, got -1\.0"):
        RateLimiter(-1.0)


def forged_part(
    part: int, parts: int, people: int, sequence: int = 9, size: int = 500
) -> WirePart:
    """Build part ``part`` of frame ``sequence``: ``people`` people, said to be ``size`` bytes."""
    frame = sample_frame(people)
    return WirePart(WireHeader(1, sequence, 0, 0, "cam"), part, parts, frame, size)


def test_duplicate_parts_add_no_people_and_are_counted():
    assembler = FrameAssembler()
    for _ in range(1000):
        assert assembler.add(forged_part(0, 3, 2)) is None
    assert assembler.counts == {PartVerdict.ACCEPTED: 1, PartVerdict.DUPLICATE: 999}
    assert assembler.add(forged_part(2, 3, 2)) is None
    header, frame = assembler.add(forged_part(1, 3, 2))
    assert len(frame.people) == 6


def test_a_frame_holds_at_most_the_bounds():
    assembler = FrameAssembler()
    verdicts = [assembler.offer(forged_part(i, MAX_PARTS, 100)) for i in range(MAX_PARTS)]
    assert verdicts[:2] == [PartVerdict.ACCEPTED] * 2
    assert set(verdicts[2:]) == {PartVerdict.TOO_MANY_PEOPLE}  # 300 > 256 people
    assembler = FrameAssembler()
    big = [assembler.offer(forged_part(i, MAX_PARTS, 1, size=60000)) for i in range(MAX_PARTS)]
    held = MAX_FRAME_BYTES // 60000
    assert big == [PartVerdict.ACCEPTED] * held + [PartVerdict.TOO_MANY_BYTES] * (MAX_PARTS - held)


def test_parts_that_disagree_with_their_frame_are_dropped():
    assembler = FrameAssembler()
    assert assembler.offer(forged_part(0, 3, 1)) is PartVerdict.ACCEPTED
    assert assembler.offer(forged_part(1, 4, 1)) is PartVerdict.INCONSISTENT
    other = forged_part(1, 3, 1)
    other.header = WireHeader(1, 9, 5, 0, "cam")
    assert assembler.offer(other) is PartVerdict.INCONSISTENT
    assert assembler.offer(forged_part(0, 3, 1, sequence=8)) is PartVerdict.STALE
    assert assembler.offer(forged_part(0, 1, 1, sequence=10)) is PartVerdict.ACCEPTED
