"""Capture core on real media: sources, order, looping, skipping, pacing, encodings, calibration.

Pacer and Backoff run on scripted clocks (their job is arithmetic on time);
everything else decodes the real files in ../shared/assets.
"""

import itertools
import shutil
import threading
import time

import cv2
import numpy as np
import pytest
from damaged_media import cut_file, truncated_mp4

from pose_estimation_ros.core.assets import resolve
from pose_estimation_ros.core.capture import DamagedVideo, SourceError, capture_frames, open_source
from pose_estimation_ros.core.capture.sources import check_complete
from pose_estimation_ros.core.capture.calibration import CalibrationError, load_calibration
from pose_estimation_ros.core.capture.encoding import ImageBuffer, encode_into
from pose_estimation_ros.core.capture.timing import Backoff, Pacer

STILLS = ["opencv/messi5.jpg", "tf_examples/image1.png", "tfjs/pose.jpg"]


class ListLog:
    """Collect log lines (the node passes its rclpy logger instead)."""

    def __init__(self):  # noqa: D107
        self.lines = []

    def info(self, message):
        self.lines.append(("info", message))

    def warning(self, message):
        self.lines.append(("warning", message))


def frames_of(source, count=None, **options):
    """Images and stamps from ``capture_frames`` at full speed, at most ``count``."""
    stream = capture_frames(
        source, time.monotonic_ns, threading.Event(), ListLog(), **{"fps": 0, **options}
    )
    return list(itertools.islice(stream, count))


def decode_all(path):
    capture = cv2.VideoCapture(str(path))
    images = []
    while (image := capture.read()[1]) is not None:
        images.append(image)
    return images


@pytest.fixture
def folder(tmp_path, asset_dir):
    """Three real images of distinct sizes, a corrupt .jpg between them, and a text file."""
    for index, name in enumerate(STILLS):
        shutil.copy(asset_dir / "media" / name, tmp_path / f"{index * 2}_{name.split('/')[1]}")
    (tmp_path / "1_corrupt.jpg").write_bytes(b"\xff\xd8 this is not a JPEG")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def still_shapes(asset_dir):
    return [cv2.imread(str(asset_dir / "media" / name)).shape for name in STILLS]


def test_video_file_every_frame_in_order_then_end():
    path = resolve("pose_1_video")
    expected = decode_all(path)
    source = open_source(str(path), ListLog())
    assert source.native_fps == pytest.approx(30.0) and not source.live
    frames = frames_of(source)
    assert len(frames) == len(expected) == 120
    for frame, image in zip(frames, expected):
        np.testing.assert_array_equal(frame.image, image)
    stamps = [frame.stamp_ns for frame in frames]
    assert all(b > a for a, b in zip(stamps, stamps[1:]))


def test_video_file_loops_back_to_its_first_frame():
    path = resolve("pose_1_video")
    frames = frames_of(open_source(str(path), ListLog()), count=125, loop=True)
    assert len(frames) == 125
    np.testing.assert_array_equal(frames[120].image, frames[0].image)
    np.testing.assert_array_equal(frames[124].image, frames[4].image)


def test_vtest_size_and_declared_rate():
    source = open_source(str(resolve("vtest_video")), ListLog())
    assert source.native_fps == pytest.approx(10.0)
    assert source.read().shape == (576, 768, 3)


def test_folder_in_name_order_skipping_unreadable_files_with_one_warning(folder, asset_dir):
    log = ListLog()
    source = open_source(str(folder), log)
    once = [
        f.image.shape for f in capture_frames(source, time.monotonic_ns, threading.Event(), log, 0)
    ]
    assert once == still_shapes(asset_dir)
    source.rewind()
    looped = frames_of(source, count=7, loop=True)
    assert [f.image.shape for f in looped] == (still_shapes(asset_dir) * 3)[:7]
    warnings = [line for level, line in log.lines if level == "warning"]
    assert len(warnings) == 1 and "1_corrupt.jpg" in warnings[0]


def test_glob_takes_only_matching_files(folder, asset_dir):
    frames = frames_of(open_source(str(folder / "*.png"), ListLog()))
    assert [f.image.shape for f in frames] == [still_shapes(asset_dir)[1]]


def test_folder_without_a_readable_image_fails_instead_of_spinning(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a PNG")
    source = open_source(str(tmp_path), ListLog())
    with pytest.raises(SourceError, match="holds no readable image"):
        frames_of(source, count=3, loop=True)


def test_single_image_repeats_without_loop(asset_dir):
    path = asset_dir / "media" / "tfjs" / "pose.jpg"
    source = open_source(str(path), ListLog())
    assert source.native_fps == 10.0
    frames = frames_of(source, count=3)
    assert len(frames) == 3
    for frame in frames:
        np.testing.assert_array_equal(frame.image, cv2.imread(str(path)))


@pytest.mark.parametrize(
    "source, message",
    [
        ("/no/such/clip.mp4", "'/no/such/clip.mp4' does not exist"),
        ("/no/such/*.png", "no file matches /no/such/\\*.png"),
        (99, "cannot open device 99"),
        ("/dev/video99", "cannot open device /dev/video99"),
        ("  ", "source is empty: give a device index"),
        ("http://127.0.0.1:9/stream.mjpg", "cannot open stream http://127.0.0.1:9/stream.mjpg"),
    ],
)
def test_unopenable_sources_name_themselves(source, message):
    with pytest.raises(SourceError, match=message):
        open_source(source, ListLog())


def test_empty_folder_and_non_video_file(tmp_path):
    with pytest.raises(SourceError, match="holds no image files"):
        open_source(str(tmp_path), ListLog())
    (tmp_path / "clip.avi").write_text("not a video")
    with pytest.raises(SourceError, match="cannot open file .*clip.avi"):
        open_source(str(tmp_path / "clip.avi"), ListLog())


VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm"}


def test_every_shared_video_decodes_its_declared_frame_count_without_an_alarm(asset_dir):
    """The measurement behind the tolerance: declared and decoded counts agree exactly."""
    videos = sorted(p for p in (asset_dir / "media").rglob("*") if p.suffix in VIDEO_SUFFIXES)
    assert len(videos) >= 2, videos
    for path in videos:
        source = open_source(str(path), ListLog())
        assert source.declared_frames > 0, path
        decoded = len(frames_of(source))  # DamagedVideo here would be a false alarm
        assert decoded == source.declared_frames, path


@pytest.mark.parametrize("loop", [False, True])
def test_a_truncated_mp4_is_damaged_on_every_pass(asset_dir, tmp_path, loop):
    path = truncated_mp4(asset_dir / "media/tfjs/pose_1.mp4", tmp_path / "cut.mp4", 0.5)
    source = open_source(str(path), ListLog())
    assert source.declared_frames == 120
    frames = []
    stream = capture_frames(source, time.monotonic_ns, threading.Event(), ListLog(), 0, loop)
    with pytest.raises(DamagedVideo) as raised:
        for frame in stream:
            frames.append(frame)
    assert 0 < raised.value.decoded == len(frames) < 100, "the end, not the start, is cut"
    assert raised.value.declared == 120
    assert f"{path} ended after {len(frames)} of the 120 frames it declares" in str(raised.value)
    assert "truncated" in str(raised.value) and "intact copy" in str(raised.value)


def test_a_truncated_avi_is_damaged_and_a_cut_mp4_does_not_open(asset_dir, tmp_path):
    avi = cut_file(asset_dir / "media/opencv/vtest.avi", tmp_path / "cut.avi", 0.5)
    with pytest.raises(DamagedVideo, match="of the 795 frames it declares"):
        frames_of(open_source(str(avi), ListLog()))
    mp4 = cut_file(asset_dir / "media/tfjs/pose_1.mp4", tmp_path / "cut.mp4", 0.9)  # no index
    with pytest.raises(SourceError, match="cannot open file .*cut.mp4: .* truncated or damaged"):
        open_source(str(mp4), ListLog())


@pytest.mark.parametrize(
    "decoded, declared, damaged",
    [(120, 120, False), (118, 120, False), (117, 120, True), (0, 120, True), (5, 0, False),
     (788, 795, False), (787, 795, True), (121, 120, False)],
)
def test_tolerance_is_one_percent_of_the_declared_count_and_at_least_two(
    decoded, declared, damaged
):
    if damaged:
        with pytest.raises(DamagedVideo):
            check_complete("file x.mp4", decoded, declared)
    else:
        check_complete("file x.mp4", decoded, declared)


class ScriptedClock:
    def __init__(self):  # noqa: D107
        self.now = 100.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_keeps_an_absolute_schedule_and_restarts_after_a_stall():
    clock = ScriptedClock()
    pacer = Pacer(10.0, monotonic=lambda: clock.now)
    pacer.wait(clock.sleep)  # first frame: at once
    clock.now += 0.03  # 30 ms spent reading
    pacer.wait(clock.sleep)
    assert clock.slept == [pytest.approx(0.07)]
    clock.now += 1.0  # a stall of ten periods
    pacer.wait(clock.sleep)  # no burst: the schedule restarts now
    pacer.wait(clock.sleep)
    assert clock.slept[1:] == [pytest.approx(0.1)]


def test_pacer_throttles_a_live_source_and_zero_means_unpaced():
    clock = ScriptedClock()
    pacer = Pacer(10.0, monotonic=lambda: clock.now)
    kept = []
    for index in range(30):  # a device delivering 30 frames/s for one second
        if pacer.due():
            kept.append(index)
        clock.now += 1 / 30
    assert kept == list(range(0, 30, 3))
    unpaced = Pacer(0.0, monotonic=lambda: clock.now)
    unpaced.wait(clock.sleep)
    assert unpaced.due() and len(clock.slept) == 0


def test_backoff_grows_to_its_cap_and_resets():
    backoff = Backoff(initial_s=0.5, maximum_s=5.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_encodings_are_written_into_the_message_buffer(asset_dir):
    image = cv2.imread(str(asset_dir / "media" / "opencv" / "messi5.jpg"))
    buffer = ImageBuffer()
    out = encode_into(image, "bgr8", buffer)
    data = buffer.data
    assert np.shares_memory(out, np.frombuffer(data, np.uint8))
    assert bytes(data) == image.tobytes()
    encode_into(image, "rgb8", buffer)
    assert buffer.data is data, "same size: the buffer is reused"
    assert bytes(data) == np.ascontiguousarray(image[..., ::-1]).tobytes()
    gray = encode_into(image, "mono8", buffer)
    assert gray.shape == image.shape[:2] and buffer.data is not data
    assert bytes(buffer.data) == cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).tobytes()


def test_bgr8_video_frames_are_decoded_straight_into_the_message_buffer():
    path = resolve("vtest_video")
    capture = cv2.VideoCapture(str(path))
    expected = [capture.read()[1] for _ in range(3)]
    buffer = ImageBuffer()
    frames = capture_frames(
        open_source(str(path), ListLog()),
        time.monotonic_ns,
        threading.Event(),
        ListLog(),
        0,
        into=buffer.current,
    )
    encode_into(next(frames).image, "bgr8", buffer)  # the first frame sizes the buffer
    for image in expected[1:]:
        frame = next(frames)
        assert frame.image is buffer.current()
        assert encode_into(frame.image, "bgr8", buffer) is frame.image
        assert bytes(buffer.data) == image.tobytes()


CALIBRATION = """\
image_width: 768
image_height: 576
camera_name: vtest
camera_matrix:
  rows: 3
  cols: 3
  data: [700.0, 0.0, 384.0, 0.0, 700.0, 288.0, 0.0, 0.0, 1.0]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [-0.1, 0.01, 0.0, 0.0, 0.0]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
projection_matrix:
  rows: 3
  cols: 4
  data: [700.0, 0.0, 384.0, 0.0, 0.0, 700.0, 288.0, 0.0, 0.0, 0.0, 1.0, 0.0]
"""


def test_calibration_yaml_in_the_ros_format(tmp_path):
    path = tmp_path / "vtest.yaml"
    path.write_text(CALIBRATION)
    calibration = load_calibration(f"file://{path}")
    assert (calibration.camera_name, calibration.width, calibration.height) == ("vtest", 768, 576)
    assert calibration.k[0] == 700.0 and calibration.k[5] == 288.0 and len(calibration.p) == 12
    assert calibration.d == (-0.1, 0.01, 0.0, 0.0, 0.0)
    path.write_text(CALIBRATION.replace("0.0, 0.0, 1.0, 0.0]", "0.0]"))
    with pytest.raises(CalibrationError, match="projection_matrix has 9 values"):
        load_calibration(str(path))
    with pytest.raises(CalibrationError, match="missing.yaml"):
        load_calibration(str(tmp_path / "missing.yaml"))
