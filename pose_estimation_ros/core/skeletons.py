"""Keypoint layouts: keypoint names and skeleton edges, as data.

The tables here are the single source of truth; ``msg/PoseArray.msg`` repeats
them as string constants for consumers in other languages, and a test keeps
the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """A fixed keypoint order and the skeleton edges between keypoints."""

    name: str
    keypoint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]

    @property
    def num_keypoints(self) -> int:
        """Number of keypoints every person of this layout carries."""
        return len(self.keypoint_names)

    def index(self, keypoint_name: str) -> int:
        """Position of a keypoint in this layout's arrays."""
        return self.keypoint_names.index(keypoint_name)


COCO17 = Layout(
    name="coco17",
    keypoint_names=(
        "nose",
        "left_eye",
        "right_eye",
        "left_ear",
        "right_ear",
        "left_shoulder",
        "right_shoulder",
        "left_elbow",
        "right_elbow",
        "left_wrist",
        "right_wrist",
        "left_hip",
        "right_hip",
        "left_knee",
        "right_knee",
        "left_ankle",
        "right_ankle",
    ),
    edges=(
        (0, 1),
        (0, 2),
        (1, 3),
        (2, 4),
        (5, 6),
        (5, 7),
        (7, 9),
        (6, 8),
        (8, 10),
        (5, 11),
        (6, 12),
        (11, 12),
        (11, 13),
        (13, 15),
        (12, 14),
        (14, 16),
    ),
)

OPENPOSE18 = Layout(
    name="openpose18",
    keypoint_names=(
        "nose",
        "neck",
        "right_shoulder",
        "right_elbow",
        "right_wrist",
        "left_shoulder",
        "left_elbow",
        "left_wrist",
        "right_hip",
        "right_knee",
        "right_ankle",
        "left_hip",
        "left_knee",
        "left_ankle",
        "right_eye",
        "left_eye",
        "right_ear",
        "left_ear",
    ),
    edges=(
        (1, 2),
        (1, 5),
        (2, 3),
        (3, 4),
        (5, 6),
        (6, 7),
        (1, 8),
        (8, 9),
        (9, 10),
        (1, 11),
        (11, 12),
        (12, 13),
        (1, 0),
        (0, 14),
        (14, 16),
        (0, 15),
        (15, 17),
    ),
)

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (COCO17, OPENPOSE18)}


def get_layout(name: str) -> Layout:
    """Return the layout called ``name``; raise ``ValueError`` naming the known ones."""
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(
            f"unknown keypoint layout {name!r}; known layouts: {', '.join(sorted(LAYOUTS))}"
        ) from None


_LEFT_PREFIX, _RIGHT_PREFIX = "left_", "right_"


def mirror_order(layout: Layout) -> list[int]:
    """Return, for each keypoint, the index of its mirror twin (itself when it has no side)."""
    names = layout.keypoint_names

    def twin(name: str) -> str:
        if name.startswith(_LEFT_PREFIX):
            return _RIGHT_PREFIX + name[len(_LEFT_PREFIX):]
        if name.startswith(_RIGHT_PREFIX):
            return _LEFT_PREFIX + name[len(_RIGHT_PREFIX):]
        return name

    return [names.index(twin(name)) for name in names]
