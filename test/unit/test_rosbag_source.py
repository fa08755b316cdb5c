"""Recordings as a camera source: real pose_1.mp4 frames in MCAP and sqlite3 bags written here.

The oracle is what was written (rosbags' own Writer, ``test/recordings.py``): every
frame in recorded order, pixel for pixel, with its recorded header stamp or the
caller's clock; the schedule (recorded log-time gaps over the replay rate) is
checked on a scripted clock, never on wall time.
"""

import itertools
import threading
import time

import cv2
import numpy as np
import pytest
from recordings import (
    JPEG,
    RECEIVE_DELAYS_NS,
    TYPESTORE,
    RecordedImage,
    STAMP_PERIOD_NS,
    storage_file,
    track,
    video_frames,
    write_recording,
)
from rosbags.rosbag2 import StoragePlugin, Writer
from test_capture import ListLog, ScriptedClock

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.capture import SourceError, capture_frames, open_source
from pose_estimation_ros.core.capture.rosbag_source import ReplayOptions
from pose_estimation_ros.core.capture.timing import RecordedTiming, ReplayPacer
from pose_estimation_ros.core.compressed import decode_to_bgr, encode_jpeg

COUNT = 12


@pytest.fixture(scope="module")
def frames():
    return video_frames(resolve("pose_1_video"), COUNT)


@pytest.fixture
def recorded(frames):
    return track(frames)


@pytest.fixture
def recording(tmp_path, recorded):
    return write_recording(tmp_path / "run", {"/camera/image_raw": ("bgr8", recorded)})


def replay(target, clock=None, log=None, loop=False, count=None, **options):
    """Open ``target`` with ``options``; capture ``count`` frames at full speed (``fps`` 0).

    Without ``clock`` every stamp must be a recorded one: reading the clock fails the test.
    """
    source = open_source(str(target), log or ListLog(), replay=ReplayOptions(**options))
    never = clock or (lambda: pytest.fail("a recorded stamp was expected, the clock was read"))
    stream = capture_frames(source, never, threading.Event(), ListLog(), fps=0, loop=loop)
    return list(itertools.islice(stream, count))


@pytest.mark.parametrize("storage", [StoragePlugin.MCAP, StoragePlugin.SQLITE3])
@pytest.mark.parametrize("given", ["folder", "storage file"])
def test_every_frame_in_recorded_order_with_its_recorded_stamp(tmp_path, recorded, storage, given):
    folder = write_recording(tmp_path / "run", {"/image_raw": ("bgr8", recorded)}, storage)
    log = ListLog()
    frames = replay(folder if given == "folder" else storage_file(folder), log=log)
    assert [frame.stamp_ns for frame in frames] == [r.stamp_ns for r in recorded]
    for frame, expected in zip(frames, recorded):
        np.testing.assert_array_equal(frame.image, expected.image)
    (line,) = log.lines
    assert line[0] == "info" and f"topic /image_raw: {COUNT} sensor_msgs/msg/Image messages" in (
        line[1]
    )
    assert "recorded in frame 'recorded_camera_optical_frame'" in line[1]


def test_restamp_stamps_each_frame_by_the_clock_right_after_its_read(recording, recorded):
    clock = itertools.count(1000, 7)
    frames = replay(recording, clock=lambda: next(clock), restamp=True)
    assert [frame.stamp_ns for frame in frames] == list(range(1000, 1000 + 7 * COUNT, 7))
    np.testing.assert_array_equal(frames[-1].image, recorded[-1].image)


@pytest.mark.parametrize("encoding", ["rgb8", "mono8", "bgra8", "rgba8"])
def test_recorded_encodings_are_read_through_the_encoding_table(tmp_path, recorded, encoding):
    folder = write_recording(tmp_path / "run", {"/image_raw": (encoding, recorded[:3])})
    frames = replay(folder)
    for frame, expected in zip(frames, recorded):
        if encoding == "mono8":  # grey as three equal channels
            grey = cv2.cvtColor(expected.image, cv2.COLOR_BGR2GRAY)
            np.testing.assert_array_equal(frame.image, cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
        else:
            np.testing.assert_array_equal(frame.image, expected.image)
    assert len(frames) == 3


def test_compressed_images_are_decoded(tmp_path, recorded):
    folder = write_recording(tmp_path / "run", {"/image_raw/compressed": (JPEG, recorded[:3])})
    frames = replay(folder)
    for frame, expected in zip(frames, recorded):
        np.testing.assert_array_equal(frame.image, decode_to_bgr(encode_jpeg(expected.image, 95)))
    assert [frame.stamp_ns for frame in frames] == [r.stamp_ns for r in recorded[:3]]


def test_the_schedule_is_the_recorded_log_times_over_the_replay_rate(recording, recorded):
    times = [r.time_ns for r in recorded]
    for rate in (1.0, 2.0, 0.5):
        source = open_source(str(recording), ListLog(), replay=ReplayOptions(replay_rate=rate))
        offsets = []
        while source.recording.next_offset_s is not None:
            offsets.append(source.recording.next_offset_s)
            assert source.read() is not None
        assert source.read() is None
        expected = [(t - times[0]) / 1e9 / rate for t in times]
        assert offsets == pytest.approx(expected, abs=1e-9)
        source.close()
    gaps = np.diff(times)  # the log times', not the stamps' (every 33.3 ms)
    assert set(gaps) == {
        STAMP_PERIOD_NS + RECEIVE_DELAYS_NS[1] - RECEIVE_DELAYS_NS[0],
        STAMP_PERIOD_NS - RECEIVE_DELAYS_NS[1] + RECEIVE_DELAYS_NS[0],
    }


def test_the_replay_pacer_keeps_the_recorded_gaps_and_restarts_after_a_stall():
    clock, timing = ScriptedClock(), RecordedTiming()
    pacer = ReplayPacer(timing, monotonic=lambda: clock.now)
    for offset_s in (0.0, 0.02, 0.06):
        timing.next_offset_s = offset_s
        pacer.wait(clock.sleep)
        clock.now += 0.005  # 5 ms reading each frame
    assert clock.slept == pytest.approx([0.015, 0.035])  # due at 0.02 and 0.06 s
    clock.now += 1.0  # a stall longer than the next gap
    timing.next_offset_s = 0.08
    pacer.wait(clock.sleep)  # no burst: the schedule restarts at this frame
    timing.next_offset_s = 0.10
    pacer.wait(clock.sleep)
    assert clock.slept[2:] == pytest.approx([0.02])
    timing.next_offset_s = None  # the end: a looping recording's next pass starts afresh
    pacer.wait(clock.sleep)
    timing.next_offset_s = 0.0
    pacer.wait(clock.sleep)
    assert len(clock.slept) == 3


def test_fps_zero_ignores_the_recorded_gaps(tmp_path, frames):
    # Three frames recorded 100 s apart: paced, they would take 200 s; unpaced, they come at once.
    spread = [
        RecordedImage(r.image, r.stamp_ns, r.stamp_ns + index * 100 * 10**9)
        for index, r in enumerate(track(frames[:3]))
    ]
    folder = write_recording(tmp_path / "run", {"/image_raw": ("bgr8", spread)})
    start = time.monotonic()
    assert len(replay(folder)) == 3
    assert time.monotonic() - start < 100.0


def test_loop_replays_the_recording_again_with_its_recorded_stamps(recording, recorded):
    frames = replay(recording, loop=True, count=2 * COUNT)
    stamps = [r.stamp_ns for r in recorded]
    assert [frame.stamp_ns for frame in frames] == stamps + stamps
    np.testing.assert_array_equal(frames[COUNT].image, recorded[0].image)


def test_several_image_topics_need_source_topic(tmp_path, recorded):
    tracks = {
        "/front/image_raw": ("bgr8", recorded[:2]),
        "/rear/image_raw": ("rgb8", recorded[2:5]),
    }
    folder = write_recording(tmp_path / "run", tracks)
    with pytest.raises(SourceError) as error:
        open_source(str(folder), ListLog())
    assert str(error.value) == (
        f"recording {folder} holds 2 image topics: /front/image_raw (sensor_msgs/msg/Image, 2 "
        "messages), /rear/image_raw (sensor_msgs/msg/Image, 3 messages); set source_topic to "
        "the one to replay"
    )
    for name in ("/rear/image_raw", "rear/image_raw"):
        frames = replay(folder, source_topic=name)
        assert [frame.stamp_ns for frame in frames] == [r.stamp_ns for r in recorded[2:5]]
    with pytest.raises(SourceError, match="has no image topic 'side' \\(source_topic\\); its "
                       "image topics: /front/image_raw"):
        open_source(str(folder), ListLog(), replay=ReplayOptions(source_topic="side"))


def test_source_topic_is_refused_for_a_source_that_is_no_recording():
    with pytest.raises(SourceError, match="names a topic of a recording, and file .* is none"):
        open_source(str(resolve("pose_1_video")), ListLog(), replay=ReplayOptions("/image_raw"))


def test_a_recording_that_cannot_be_replayed_is_one_clear_error(
    tmp_path, recorded
):
    folder = write_recording(tmp_path / "grey16", {"/depth": ("bgr8", recorded[:1])})
    mcap = storage_file(folder)
    mcap.write_bytes(mcap.read_bytes().replace(b"bgr8", b"16UC"))  # same length, no table entry
    with pytest.raises(SourceError, match=r"topic /depth cannot be replayed: unsupported image "
                       r"encoding '16UC'; supported: bgr8, rgb8"):
        open_source(str(folder), ListLog())
    (folder / "metadata.yaml").unlink()  # as a recorder killed before it closed the recording
    with pytest.raises(SourceError, match=f"folder {folder} holds grey16.mcap but no metadata"):
        open_source(str(folder), ListLog())
    cut = tmp_path / "cut.mcap"
    cut.write_bytes(mcap.read_bytes()[:-100])  # and without the summary at the MCAP's end
    with pytest.raises(SourceError, match=f"cannot read recording {cut}: "):
        open_source(str(cut), ListLog())
    with Writer(tmp_path / "chat", version=Writer.VERSION_LATEST) as writer:
        writer.add_connection("/chatter", "std_msgs/msg/String", typestore=TYPESTORE)
    with pytest.raises(SourceError, match=r"holds no image topic \(sensor_msgs/msg/Image or "
                       r"sensor_msgs/msg/CompressedImage\); its topics: /chatter$"):
        open_source(str(tmp_path / "chat"), ListLog())


def test_an_unreadable_frame_is_skipped_with_one_warning(tmp_path, recorded):
    good, bad = recorded[:2], recorded[2:4]
    blank = [RecordedImage(np.zeros((0, 0, 3), np.uint8), r.stamp_ns, r.time_ns) for r in bad]
    folder = write_recording(tmp_path / "run", {"/image_raw": ("bgr8", [*good, *blank])})
    log = ListLog()
    frames = replay(folder, log=log)
    assert [frame.stamp_ns for frame in frames] == [r.stamp_ns for r in good]
    warnings = [text for level, text in log.lines if level == "warning"]
    assert len(warnings) == 1 and "skipping images that cannot be read: empty image" in (
        warnings[0]
    )
