"""The camera's cap on frames published ahead of their answers (results with their stamp)."""

import threading
import time

import pytest

from pose_estimation_ros.core.capture.in_flight import InFlightWindow


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at an arbitrary time."""
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_limit_zero_never_waits():
    window = InFlightWindow(0)
    for stamp in range(10):
        window.sent(stamp)
    assert not window.full() and window.wait_for_room()


def test_an_answer_settles_its_frame_and_every_earlier_one():
    window = InFlightWindow(2)
    window.sent(10)
    assert not window.full()
    window.sent(20)
    assert window.full()
    window.answered(10)
    assert not window.full()
    window.sent(30)
    window.answered(30)  # the consumer skipped 20
    window.sent(40)
    assert not window.full()


def test_wait_for_room_returns_when_an_answer_arrives_from_another_thread():
    window = InFlightWindow(1, timeout_s=30.0)
    window.sent(1)
    threading.Timer(0.05, window.answered, args=(1,)).start()
    started = time.monotonic()
    assert window.wait_for_room()
    assert 0.04 <= time.monotonic() - started < 5.0


def test_frames_unanswered_for_the_timeout_are_given_up():
    clock = FakeClock()
    window = InFlightWindow(1, timeout_s=1.0, monotonic=clock)
    window.sent(1)
    assert window.full()
    clock.now_s += 1.0
    assert not window.full() and window.given_up == 1


def test_close_wakes_a_waiting_publisher():
    window = InFlightWindow(1, timeout_s=30.0)
    window.sent(1)
    threading.Timer(0.05, window.close).start()
    assert window.wait_for_room() is False


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match=r"need limit >= 0 and timeout_s > 0, got -1, "):
        InFlightWindow(-1)
    with pytest.raises(ValueError, match=r"need limit >= 0 and timeout_s > 0, got 1, 0\.0$"):
        InFlightWindow(1, timeout_s=0.0)
