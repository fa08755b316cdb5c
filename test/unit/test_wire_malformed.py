"""The spec's validation table, and fuzzing: a clear WireFormatError, never a huge allocation."""

import random
import tracemalloc

import numpy as np
import pytest
from wire_samples import HEADER, mutate, random_frame, wire_cases

from pose_estimation_ros.core.wire import WireFormatError, WirePart, decode_datagram, encode_frame

FUZZ_INPUTS = 5000
FUZZ_PEAK_BYTES = 8 << 20  # far below what any forged length in the inputs would ask for


@pytest.mark.parametrize("case", wire_cases(), ids=lambda case: case.name)
def test_decoder_follows_the_spec_table(case):
    if case.accept:
        assert isinstance(decode_datagram(case.datagram), WirePart)
        return
    with pytest.raises(WireFormatError) as refused:
        decode_datagram(case.datagram)
    assert case.words.lower() in str(refused.value).lower()
    assert not str(refused.value).endswith(": "), "the error does not say what is wrong"


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
