"""Which frames a graph run lost (``bench.frame_account``): windows, rules, boundaries.

Stamps are small integers standing for capture stamps; no DDS, no timing.
"""

from pose_estimation_ros.bench.frame_account import (
    AT_30_FPS,
    EVERY_FRAME,
    EVERY_POSE,
    account,
    hopeless,
    window_of,
)


def stamps(published, posed=None, delivered=None):
    posed = published if posed is None else posed
    return {
        "published": list(published),
        "posed": list(posed),
        "delivered": list(posed if delivered is None else delivered),
    }


def test_a_run_that_delivered_every_frame_is_ok():
    tally = account(EVERY_FRAME, stamps(range(1, 401)), warmup=100, complete=True)
    assert tally.ok and tally.window == 300 and tally.lost == 0
    assert tally.report().startswith("ok: 300 of 300 frames after warm-up")


def test_the_starved_run_of_issue_11_is_reported_lost_not_measured():
    """73 of 300 frames out after warm-up, then the run timed out."""
    delivered = list(range(101, 174))
    tally = account(
        AT_30_FPS,
        stamps(range(1, 401), posed=delivered),
        warmup=100,
        complete=False,
        stop="timed out after 180 s",
    )
    assert not tally.ok and tally.lost == 227 and tally.window == 300
    assert tally.report() == (
        "LOST 227 of 300 frames after warm-up (3 allowed; published 400, posed 73, "
        "delivered 73); stopped: timed out after 180 s"
    )
    assert tally.as_dict()["lost"] == 227 and tally.as_dict()["ok"] is False


def test_paced_camera_allows_no_loss_at_all():
    delivered = [s for s in range(1, 1601) if s != 900]
    tally = account(EVERY_FRAME, stamps(range(1, 1601), delivered=delivered), 100, True)
    assert tally.lost == 1 and tally.allowed == 0 and not tally.ok
    assert tally.report().startswith("LOST 1 of 1500 frames after warm-up (0 allowed;")


def test_30_fps_boundary_99_percent_passes_one_more_loss_fails():
    published = range(1, 401)  # 300 after warm-up, the last one delivered
    three = {150, 200, 250}
    delivered = [s for s in published if s not in three]
    tally = account(AT_30_FPS, stamps(published, delivered=delivered), 100, True)
    assert (tally.window, tally.lost, tally.allowed, tally.ok) == (300, 3, 3, True)  # 99.0 %
    delivered.remove(300)
    tally = account(AT_30_FPS, stamps(published, delivered=delivered), 100, True)
    assert (tally.lost, tally.allowed, tally.ok) == (4, 3, False)  # 98.7 %


def test_frames_still_on_their_way_at_the_stop_are_not_lost_when_the_run_completed():
    published = range(1, 403)  # 401 and 402 published after the last frame came out
    tally = account(EVERY_FRAME, stamps(published, delivered=range(1, 401)), 100, True)
    assert tally.ok and tally.window == 300
    cut_short = account(EVERY_FRAME, stamps(published, delivered=range(1, 401)), 100, False, "x")
    assert not cut_short.ok and cut_short.lost == 2  # a run that did not finish keeps its tail


def test_warm_up_losses_are_not_counted():
    delivered = range(5, 401)  # the first four frames out before the bridge matched
    assert account(EVERY_FRAME, stamps(range(1, 401), delivered=delivered), 100, True).ok


def test_unpaced_camera_is_judged_on_the_poses_not_on_the_frames_skipped():
    posed = range(1, 4001, 4)  # the pose node answered one frame in four, by design
    ok = account(EVERY_POSE, stamps(range(1, 4001), posed=posed), 100, True)
    assert ok.ok and ok.window == 900 and ok.counts["published"] == 4000
    delivered = [*posed[:-50], posed[-1]]  # 49 poses lost between the pose node and the bridge
    lost = account(EVERY_POSE, stamps(range(1, 4001), posed=posed, delivered=delivered), 100, True)
    assert lost.lost == 49 and not lost.ok


def test_a_delivered_frame_the_watcher_missed_publishing_still_counts():
    assert window_of([1, 2, 4], [3, 4], warmup=0, complete=True) == [1, 2, 3, 4]


def test_an_empty_run_is_never_ok():
    tally = account(EVERY_FRAME, stamps([], delivered=[]), 0, True)
    assert tally.window == 0 and not tally.ok
    assert tally.report().startswith("NOTHING CAME THROUGH: no frame was seen after warm-up")


def test_a_run_is_stopped_as_soon_as_its_losses_exceed_the_rule():
    published = range(1, 201)
    three = [s for s in published if s not in (150, 160, 170)]
    assert not hopeless(AT_30_FPS, stamps(published, delivered=three), 100, target=300)
    four = [s for s in three if s != 180]
    assert hopeless(AT_30_FPS, stamps(published, delivered=four), 100, target=300)
    one = [s for s in published if s != 150]
    assert hopeless(EVERY_FRAME, stamps(published, delivered=one), 100, target=1500)
    # frames published after the last one delivered may still come: not yet lost
    assert not hopeless(EVERY_FRAME, stamps(published, delivered=range(1, 190)), 100, 1500)
