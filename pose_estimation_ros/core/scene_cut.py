"""Scene cuts: tell when a frame is unrelated to the one before, so no state carries over.

Three signals, any of which is a cut: the frame size changed; the stamp went
backwards or jumped by more than ``max_gap_s``; or the content changed. The
content test compares 32 x 32 grey thumbnails (sampled, area-averaged,
shifted to zero mean and scaled to unit spread, so a change of exposure alone
is not a cut) by their mean absolute difference. Consecutive video frames
differ by a few hundredths (0.014 at most on a dance video at 30 fps, 0.14
between frames a second apart of a street scene); two unrelated photos by
about 1 (0.6 at least between consecutive COCO photos; two uncorrelated
thumbnails differ by 2 / sqrt(pi) ~ 1.13 on average).
"""

from __future__ import annotations

import cv2
import numpy as np

THUMBNAIL_SIDE = 32  # px
_SAMPLE_FACTOR = 4
# Added to the thumbnail's standard deviation: a flat (dark, blank) frame is not amplified.
_SPREAD_FLOOR = 8.0
DEFAULT_THRESHOLD = 0.35
DEFAULT_MAX_GAP_S = 1.0


def thumbnail(image_bgr: np.ndarray) -> np.ndarray:
    """Return the frame as a normalised ``THUMBNAIL_SIDE`` square of grey levels (float32)."""
    # Bilinear sampling to 4x the side first (cheap whatever the frame size), then averaging.
    side = _SAMPLE_FACTOR * THUMBNAIL_SIDE
    sampled = cv2.resize(image_bgr, (side, side), interpolation=cv2.INTER_LINEAR)
    small = cv2.resize(sampled, (THUMBNAIL_SIDE, THUMBNAIL_SIDE), interpolation=cv2.INTER_AREA)
    grey = (cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small).astype(
        np.float32
    )
    return (grey - grey.mean()) / (grey.std() + _SPREAD_FLOOR)


def thumbnail_difference(first: np.ndarray, second: np.ndarray) -> float:
    """Mean absolute difference of two ``thumbnail``s: ~0 same scene, ~1 unrelated."""
    return float(np.abs(first - second).mean())


class SceneCutDetector:
    """Compare each frame with the previous one; ``is_cut`` says whether they are unrelated."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, max_gap_s: float = DEFAULT_MAX_GAP_S
    ) -> None:
        """Cut above ``threshold`` thumbnail difference or a stamp gap over ``max_gap_s``."""
        if threshold <= 0:
            raise ValueError(f"scene cut threshold must be > 0, got {threshold}")
        if max_gap_s <= 0:
            raise ValueError(f"scene cut max_gap_s must be > 0, got {max_gap_s}")
        self.threshold = threshold
        self.max_gap_s = max_gap_s
        self._thumbnail: np.ndarray | None = None
        self._shape: tuple[int, ...] = ()
        self._stamp = 0.0

    def is_cut(self, image_bgr: np.ndarray, timestamp_s: float) -> bool:
        """Remember this frame; tell whether it is unrelated to the last (never the first)."""
        small = thumbnail(image_bgr)
        first = self._thumbnail is None
        gap = timestamp_s - self._stamp
        cut = not first and (
            image_bgr.shape != self._shape
            or not 0.0 <= gap <= self.max_gap_s
            or thumbnail_difference(small, self._thumbnail) > self.threshold
        )
        self._thumbnail, self._shape, self._stamp = small, image_bgr.shape, timestamp_s
        return cut

    def reset(self) -> None:
        """Forget the last frame: the next one is a first frame (not reported as a cut)."""
        self._thumbnail = None
