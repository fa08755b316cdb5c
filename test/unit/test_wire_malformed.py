"""Malformed datagrams give a clear WireFormatError, never another error or a huge allocation."""

import random
import tracemalloc

import numpy as np
import pytest
from wire_samples import HEADER, malformed_datagrams, mutate, random_frame

from pose_estimation_ros.core.wire import WireFormatError, WirePart, decode_datagram, encode_frame

FUZZ_INPUTS = 5000
FUZZ_PEAK_BYTES = 8 << 20  # far below what any forged length in the inputs would ask for


@pytest.mark.parametrize("case, datagram, words", malformed_datagrams(), ids=lambda v: str(v)[:24])
def test_malformed_datagram_is_refused_with_a_clear_error(case, datagram, words):
    with pytest.raises(WireFormatError, match=words.replace("(", r"\(").replace(".", r"\.")):
        decode_datagram(datagram)


def test_fuzz_random_and_mutated_datagrams():
    rng = random.Random(1234)
    valid = encode_frame(random_frame(np.random.default_rng(0), 6), HEADER, 1200)
    outcomes = {"decoded": 0, "refused": 0}
    tracemalloc.start()
    try:
        for _ in range(FUZZ_INPUTS):
            try:
                assert isinstance(decode_datagram(mutate(rng, rng.choice(valid))), WirePart)
                outcomes["decoded"] += 1
            except WireFormatError as error:
                assert str(error)
                outcomes["refused"] += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < FUZZ_PEAK_BYTES
    assert outcomes["refused"] > FUZZ_INPUTS // 2
