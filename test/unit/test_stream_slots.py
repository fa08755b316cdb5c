"""StreamSlots and StreamWorkers: newest frame per camera, in turn, a camera's frames in order."""

import threading
import time

import pytest

from pose_estimation_ros.core.stream_slots import StreamSlots
from pose_estimation_ros.core.stream_workers import StreamWorkers


def test_a_newer_frame_replaces_the_waiting_one_and_is_returned_for_counting():
    slots = StreamSlots(["front", "rear"])
    assert slots.offer("front", 1) is None
    assert slots.offer("front", 2) == 1
    assert slots.take(0) == ("front", 2)


def test_a_deeper_slot_keeps_frames_in_order_and_pushes_out_the_oldest():
    slots = StreamSlots(["front", "rear"], depth=2)
    assert slots.offer("front", 1) is None and slots.offer("front", 2) is None
    assert slots.offer("front", 3) == 1  # full: the oldest goes
    assert slots.take(0) == ("front", 2)
    slots.done("front")
    assert slots.take(0) == ("front", 3)
    with pytest.raises(ValueError, match="depth"):
        StreamSlots(["front"], depth=0)


def test_streams_are_served_in_turn_so_a_flooding_camera_cannot_starve_the_others():
    slots = StreamSlots(["a", "b", "c"])
    served = []
    for frame in range(30):
        slots.offer("a", frame)  # floods: a new frame before every take
        if frame % 3 == 0:
            slots.offer("b", frame)
        if frame % 5 == 0:
            slots.offer("c", frame)
        stream, _ = slots.take(0)
        served.append(stream)
        slots.done(stream)
    assert served.count("b") == 10 and served.count("c") == 6
    assert served.count("a") == 14


def test_a_stream_is_not_taken_again_until_its_frame_is_done():
    slots = StreamSlots(["a", "b"])
    slots.offer("a", 1)
    assert slots.take(0) == ("a", 1)
    slots.offer("a", 2)
    assert slots.take(0.01) is None  # a is busy, b has nothing
    slots.offer("b", 3)
    assert slots.take(0) == ("b", 3)
    slots.done("a")
    assert slots.take(0) == ("a", 2)


def test_a_waiting_worker_wakes_for_a_frame_and_on_close():
    slots = StreamSlots(["a"])
    results = []
    worker = threading.Thread(target=lambda: results.append(slots.take(5.0)))
    worker.start()
    slots.offer("a", 7)
    worker.join(5.0)
    assert results == [("a", 7)]
    worker = threading.Thread(target=lambda: results.append(slots.take()))
    worker.start()
    slots.close()
    worker.join(5.0)
    assert not worker.is_alive() and results[-1] is None


@pytest.mark.parametrize("streams", [[], ["a", "a"]])
def test_streams_must_be_distinct_and_present(streams):
    with pytest.raises(ValueError, match="distinct stream names"):
        StreamSlots(streams)


def test_workers_run_two_cameras_at_once_and_each_camera_in_order():
    slots = StreamSlots(["a", "b"])
    both_running = threading.Barrier(2, timeout=5.0)
    handled: list[tuple[str, int]] = []

    def handle(camera, frame):
        if frame == 0:
            both_running.wait()  # both workers inside handle at once, or BrokenBarrierError
        handled.append((camera, frame))

    workers = StreamWorkers(slots, handle, count=2)
    slots.offer("a", 0)
    slots.offer("b", 0)
    deadline = time.monotonic() + 5.0
    while len(handled) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    for frame in (1, 2):
        slots.offer("a", frame)
        while ("a", frame) not in handled and time.monotonic() < deadline:
            time.sleep(0.01)
    workers.stop()
    assert sorted(handled[:2]) == [("a", 0), ("b", 0)]
    assert [f for c, f in handled if c == "a"] == [0, 1, 2]
    assert workers.take_busy_s() > 0.0 and workers.take_busy_s() == 0.0
