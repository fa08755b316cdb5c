"""The newest-frame-only mailbox between the image callback and the inference thread."""

import threading

from pose_estimation_ros.core.latest_slot import LatestSlot


def test_newer_items_replace_untaken_ones_and_are_counted():
    slot = LatestSlot()
    assert slot.put(1) is False
    assert slot.put(2) is True
    assert slot.put(3) is True
    assert slot.take(0.0) == 3
    assert slot.take(0.0) is None  # nothing queued behind it
    assert slot.dropped == 2


def test_take_waits_for_a_put_from_another_thread():
    slot = LatestSlot()
    putter = threading.Timer(0.05, slot.put, args=("frame",))
    putter.start()
    assert slot.take(30.0) == "frame"
    putter.join()


def test_close_wakes_a_waiting_take():
    slot = LatestSlot()
    result = []
    taker = threading.Thread(target=lambda: result.append(slot.take(None)))
    taker.start()
    slot.close()
    taker.join(30.0)
    assert not taker.is_alive() and result == [None]
