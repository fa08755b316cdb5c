"""One Euro and low-pass filters on arrays, with scripted timestamps."""

import numpy as np
import pytest

from pose_estimation_ros.core.filters.low_pass import LowPassFilter
from pose_estimation_ros.core.filters.one_euro import OneEuroFilter


def test_low_pass_passes_first_value_then_blends():
    f = LowPassFilter(0.25)
    np.testing.assert_allclose(f.apply(np.array([4.0, 8.0])), [4.0, 8.0])
    np.testing.assert_allclose(f.apply(np.array([8.0, 0.0])), [5.0, 6.0])
    f.reset()
    np.testing.assert_allclose(f.apply(np.array([1.0, 1.0])), [1.0, 1.0])


def test_low_pass_rejects_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        LowPassFilter(0.0)


def _step_response(one_euro: OneEuroFilter, frames: int = 10) -> list[float]:
    one_euro.apply(np.array([0.0]), 0.0)
    return [float(one_euro.apply(np.array([1.0]), (i + 1) / 30)[0]) for i in range(frames)]


def test_constant_signal_is_unchanged():
    one_euro = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    for i in range(5):
        np.testing.assert_allclose(one_euro.apply(np.full((17, 2), 3.5), i / 30), 3.5)


def test_step_is_smoothed_then_reached():
    response = _step_response(OneEuroFilter(min_cutoff=1.0, beta=0.0, frequency=30), 60)
    assert 0.0 < response[0] < 0.5  # jitter-sized jumps are damped
    assert all(b >= a for a, b in zip(response, response[1:]))
    assert response[-1] > 0.99


def test_higher_beta_follows_fast_motion_sooner():
    slow = _step_response(OneEuroFilter(min_cutoff=1.0, beta=0.0))
    fast = _step_response(OneEuroFilter(min_cutoff=1.0, beta=10.0))
    assert fast[0] > slow[0]


def test_each_element_is_filtered_independently():
    one_euro = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    one_euro.apply(np.array([0.0, 5.0]), 0.0)
    out = one_euro.apply(np.array([1.0, 5.0]), 1 / 30)
    assert out[1] == pytest.approx(5.0) and 0.0 < out[0] < 1.0


def test_repeated_timestamp_passes_value_through_and_reset_forgets():
    one_euro = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    one_euro.apply(np.array([0.0]), 1.0)
    assert one_euro.apply(np.array([9.0]), 1.0)[0] == 9.0
    one_euro.reset()
    assert one_euro.apply(np.array([4.0]), 0.5)[0] == 4.0


def test_rejects_bad_parameters():
    with pytest.raises(ValueError, match="min_cutoff"):
        OneEuroFilter(min_cutoff=0.0)
    with pytest.raises(ValueError, match="beta"):
        OneEuroFilter(beta=-1.0)
