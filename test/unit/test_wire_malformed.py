"""Malformed datagrams give a clear WireFormatError, never another error or a huge allocation."""

import random
import tracemalloc

import numpy as np
import pytest
from wire_samples import HEADER, malformed_datagrams, random_frame

from pose_estimation_ros.core.wire import WireFormatError, WirePart, decode_datagram, encode_frame

FUZZ_INPUTS = 5000
FUZZ_PEAK_BYTES = 8 << 20  # far below what any forged length in the inputs would ask for


@pytest.mark.parametrize("case, datagram, words", malformed_datagrams(), ids=lambda v: str(v)[:24])
def test_malformed_datagram_is_refused_with_a_clear_error(case, datagram, words):
    with pytest.raises(WireFormatError, match=words.replace("(", r"\(").replace(".", r"\.")):
        decode_datagram(datagram)


def mutate(rng: random.Random, datagram: bytes) -> bytes:
    """One random corruption: flip bytes, cut, splice in bytes, or overwrite a length/type byte."""
    data = bytearray(datagram)
    kind = rng.randrange(5)
    if kind == 0:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        at = rng.randrange(len(data))
        data[at:at] = rng.randbytes(rng.randint(1, 16))
    elif kind == 3:
        at = rng.randrange(len(data))
        data[at:at + 5] = bytes([rng.choice([0xC5, 0xC6, 0xDB, 0xDD, 0xDF])]) + b"\xff" * 4
    else:
        data = bytearray(rng.randbytes(rng.randint(1, 2000)))
    return bytes(data)


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
