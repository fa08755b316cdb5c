"""REP-155 (ROS4HRI) bodies from a pose frame: body ids, 2D skeletons and regions, as plain data.

``hri_node`` publishes what this module computes; nothing here knows ROS.

- **Body id**: ``b<track id>_<run>``, with several cameras ``<camera>_b<track id>_<run>``
  (``cam2_b7_kqzx``): the camera keeps two cameras' track 7 apart, ``run`` (random letters
  drawn once per ``hri_node`` start, ``new_run_tag``) keeps a restarted graph's track 7 from
  taking the id of an earlier person. It starts with a letter and holds only letters,
  digits and ``_`` (REP-155's identifier advice; a valid topic name token). It lives as
  long as the track: the pose node's tracker never gives a track id twice. People without
  a track id (``tracking: false``) have no stable id and are no body.
- **Skeleton**: the 18 points of ``hri_msgs/Skeleton2D`` in its own order
  (``REP155_KEYPOINT_NAMES``, looked up by name in the frame's layout: its eyes and ears
  are not in ``openpose18``'s order), x and y divided by the image's width and height and
  clipped to 0..1, confidence = the keypoint's score. COCO-17 layouts have no neck: it is
  the mid-point of the shoulders, with the lower of their two scores.
- **Region**: the person's box divided by the image size, clipped to 0..1, confidence = the
  person's score.
- **Live bodies** (``LiveBodies``): each camera's bodies are those of its last frame; the
  tracked list is the union over the cameras, and a camera silent for longer than a timeout
  loses its bodies.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pose_estimation_ros.core.skeletons import OPENPOSE18, Layout
from pose_estimation_ros.core.types import UNTRACKED, PoseFrame

TRACKED_TOPIC = "/humans/bodies/tracked"  # hri_msgs/IdsList, REP-155's global namespace
BODIES_NAMESPACE = "/humans/bodies"
SKELETON_SUBTOPIC = "skeleton2d"  # hri_msgs/Skeleton2D
ROI_SUBTOPIC = "roi"  # hri_msgs/NormalizedRegionOfInterest2D

# hri_msgs/Skeleton2D's keypoint order (its constants NOSE = 0 ... RIGHT_EAR = 17), in this
# package's keypoint names: OpenPose's COCO order, but left eye and ear before the right ones
# (openpose18 has them right first). A unit test checks it against the message's constants.
REP155_KEYPOINT_NAMES = (
    *OPENPOSE18.keypoint_names[:14],  # nose, neck, right_shoulder, ..., left_ankle
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
)
NECK = "neck"
SHOULDERS = ("left_shoulder", "right_shoulder")  # the neck of a layout without one
RUN_TAG_LENGTH = 4


@dataclass(frozen=True)
class Body:
    """One tracked person as REP-155 publishes it; coordinates normalised to the image."""

    body_id: str
    skeleton: np.ndarray  # float32 (18, 3): x, y in 0..1, confidence, REP-155 order
    roi: tuple[float, float, float, float, float]  # xmin, ymin, xmax, ymax in 0..1, confidence


def new_run_tag() -> str:
    """Draw the run part of body ids: ``RUN_TAG_LENGTH`` random lowercase letters."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(RUN_TAG_LENGTH))


def camera_tags(cameras: list[str]) -> dict[str, str]:
    """Map each camera namespace to its body-id prefix (``robot/cam1`` -> ``robot_cam1_``).

    The unnamed camera (``""``) has none. ``ValueError`` when two cameras would share
    a prefix (``a/b`` and ``a_b``).
    """
    tags = {camera: "_".join(filter(None, camera.split("/"))) for camera in cameras}
    prefixes = {camera: f"{tag}_" if tag else "" for camera, tag in tags.items()}
    clashing = sorted(c for c in cameras if list(prefixes.values()).count(prefixes[c]) > 1)
    if clashing:
        raise ValueError(
            f"cameras {clashing} give the same body-id prefix {prefixes[clashing[0]]!r}: "
            "name them apart"
        )
    return prefixes


def body_id(prefix: str, track_id: int, run: str) -> str:
    """Return the body id of track ``track_id`` of the camera with ``prefix`` (``camera_tags``)."""
    return f"{prefix}b{track_id}_{run}"


def skeleton_body_topic(body: str) -> str:
    """Return ``/humans/bodies/<body>/skeleton2d``."""
    return f"{BODIES_NAMESPACE}/{body}/{SKELETON_SUBTOPIC}"


def roi_body_topic(body: str) -> str:
    """Return ``/humans/bodies/<body>/roi``."""
    return f"{BODIES_NAMESPACE}/{body}/{ROI_SUBTOPIC}"


@lru_cache(maxsize=None)
def rep155_order(layout: Layout) -> tuple[int, ...]:
    """Index in ``layout`` of each REP-155 keypoint; -1 for a neck taken from the shoulders.

    ``ValueError`` naming the keypoints ``layout`` lacks.
    """
    names = layout.keypoint_names
    derived = {NECK} if all(n in names for n in SHOULDERS) else set()
    missing = [n for n in REP155_KEYPOINT_NAMES if n not in names and n not in derived]
    if missing:
        raise ValueError(f"layout {layout.name} has no {', '.join(missing)}: no REP-155 skeleton")
    return tuple(names.index(n) if n in names else -1 for n in REP155_KEYPOINT_NAMES)


def skeleton(keypoints: np.ndarray, layout: Layout, width: int, height: int) -> np.ndarray:
    """Return the (18, 3) REP-155 skeleton of one person's ``keypoints`` (pixels, ``layout``).

    x and y are divided by ``width`` and ``height`` and clipped to 0..1, scores clipped to
    0..1; a point with a non-finite value is (0, 0) with confidence 0.
    """
    order = rep155_order(layout)
    points = np.asarray(keypoints, np.float32)[[max(i, 0) for i in order]]
    neck = REP155_KEYPOINT_NAMES.index(NECK)
    if order[neck] < 0:
        left, right = (keypoints[layout.index(n)] for n in SHOULDERS)
        points[neck] = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2, min(left[2], right[2]))
    points[:, 0] /= width
    points[:, 1] /= height
    unknown = ~np.isfinite(points).all(axis=1)
    points[unknown] = 0.0
    return np.clip(points, 0.0, 1.0)


def region(
    box: tuple[float, float, float, float], score: float, width: int, height: int
) -> tuple[float, float, float, float, float]:
    """Return a pixel box ``(x_min, y_min, x_max, y_max)`` and a score normalised, in 0..1."""
    x_min, y_min, x_max, y_max = box
    values = (x_min / width, y_min / height, x_max / width, y_max / height, score)
    return tuple(min(max(float(v), 0.0), 1.0) if np.isfinite(v) else 0.0 for v in values)


def bodies(frame: PoseFrame, prefix: str, run: str) -> list[Body]:
    """Return the tracked people of ``frame`` as REP-155 bodies, in the frame's order.

    Untracked people are left out, as is a second person with the same track id.
    ``ValueError`` for a frame without an image size or a layout with no REP-155 skeleton.
    """
    width, height = frame.image_width, frame.image_height
    if width <= 0 or height <= 0:
        raise ValueError(f"PoseArray has image size {width}x{height}: cannot normalise")
    rep155_order(frame.layout)
    result: dict[str, Body] = {}
    for person in frame.people:
        if person.track_id == UNTRACKED:
            continue
        key = body_id(prefix, person.track_id, run)
        if key not in result:
            result[key] = Body(
                key,
                skeleton(person.keypoints, frame.layout, width, height),
                region(person.box, person.score, width, height),
            )
    return list(result.values())


class LiveBodies:
    """The bodies each camera's last frame showed; their union is the tracked list."""

    def __init__(self) -> None:
        """Start with no camera heard."""
        self._cameras: dict[str, tuple[list[str], float]] = {}  # ids, when last heard

    @property
    def tracked(self) -> list[str]:
        """Every live body id: cameras in the order first heard, each in its frame's order."""
        return [body for ids, _ in self._cameras.values() for body in ids]

    def update(self, camera: str, ids: list[str], now_s: float) -> tuple[list[str], list[str]]:
        """Take ``camera``'s bodies of a frame heard at ``now_s``; return (appeared, gone)."""
        before = self._cameras.get(camera, ([], now_s))[0]
        self._cameras[camera] = (list(ids), now_s)
        return [b for b in ids if b not in before], [b for b in before if b not in ids]

    def expire(self, now_s: float, timeout_s: float) -> list[str]:
        """Drop the bodies of cameras not heard for more than ``timeout_s``; return them."""
        gone = []
        for camera, (ids, heard_s) in self._cameras.items():
            if ids and now_s - heard_s > timeout_s:
                gone += ids
                self._cameras[camera] = ([], heard_s)
        return gone
