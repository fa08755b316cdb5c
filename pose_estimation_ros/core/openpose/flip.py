"""Flip averaging: map a mirrored image's heatmaps and PAFs back onto the original, and average.

The network also runs on the input flipped left to right; its outputs are
flipped back along x, with each left keypoint's heatmap swapped with its
right twin's, each limb's PAF taken from its mirror limb's channels (right
elbow to wrist from left elbow to wrist), and the PAF's x component negated
(a vector pointing right in the mirror points left in the image). The whole
padded input is flipped, so input column ``x`` becomes ``W - 1 - x`` and
heatmap cell ``c`` becomes ``W / 8 - 1 - c`` exactly (input widths are
multiples of the stride).
"""

from __future__ import annotations

import numpy as np

from pose_estimation_ros.core.openpose.constants import LIMB_PAF_CHANNELS, LIMBS, NUM_HEATMAPS
from pose_estimation_ros.core.skeletons import OPENPOSE18, mirror_order


def mirror_keypoints() -> np.ndarray:
    """Return, per heatmap channel, the channel of its mirror twin (background: itself)."""
    twins = mirror_order(OPENPOSE18)
    return np.array(twins + list(range(len(twins), NUM_HEATMAPS)), dtype=np.intp)


def mirror_paf_channels(keypoint_twins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(source channel, sign)`` per PAF channel: where its mirror image lies."""
    sources, signs = np.zeros(2 * len(LIMBS), np.intp), np.ones(2 * len(LIMBS), np.float32)
    for (a, b), (x, y) in zip(LIMBS, LIMB_PAF_CHANNELS):
        twin_x, twin_y = LIMB_PAF_CHANNELS[LIMBS.index((keypoint_twins[a], keypoint_twins[b]))]
        sources[[x, y]] = twin_x, twin_y
        signs[x] = -1.0
    return sources, signs


HEATMAP_TWINS = mirror_keypoints()
PAF_SOURCES, PAF_SIGNS = mirror_paf_channels(HEATMAP_TWINS)


def unflip(heatmaps: np.ndarray, pafs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map outputs of the mirrored input ``(C, H, W)`` back onto the original input."""
    return (
        heatmaps[HEATMAP_TWINS, :, ::-1],
        pafs[PAF_SOURCES, :, ::-1] * PAF_SIGNS[:, None, None],
    )


def average_flipped(
    outputs: tuple[np.ndarray, np.ndarray], flipped: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Average the outputs of the input and (mapped back) of its mirror image."""
    heatmaps, pafs = unflip(*flipped)
    return (
        np.ascontiguousarray((outputs[0] + heatmaps) * 0.5),
        np.ascontiguousarray((outputs[1] + pafs) * 0.5),
    )
