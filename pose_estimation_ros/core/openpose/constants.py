"""Tensor layouts of the OpenPose COCO networks: heatmap channels, limbs and their PAF channels.

Both the Open Model Zoo human-pose-estimation-0001 and the tf-pose-estimation
graphs are trained on COCO with OpenPose's 18 keypoints (COCO's 17 plus the
neck) in the order of ``skeletons.OPENPOSE18``, plus one background heatmap,
and 19 limbs, each with a two-channel (x, y) part affinity field.
"""

from __future__ import annotations

from pose_estimation_ros.core.skeletons import OPENPOSE18

STRIDE = 8  # input pixels per heatmap / PAF cell
NUM_KEYPOINTS = OPENPOSE18.num_keypoints
NUM_HEATMAPS = NUM_KEYPOINTS + 1  # the last one is the background
NUM_PAF_CHANNELS = 38

# Limbs as (parent keypoint, child keypoint). The first ``NUM_TREE_LIMBS`` are
# the OPENPOSE18 skeleton edges, in breadth-first order from the neck: every
# keypoint but the neck is the child of exactly one of them, and its parent
# limb comes before the limbs it is the parent of. The last two (shoulder to
# ear) are redundant links that only fill in an ear the tree missed.
LIMBS: tuple[tuple[int, int], ...] = OPENPOSE18.edges + ((2, 16), (5, 17))
NUM_TREE_LIMBS = len(OPENPOSE18.edges)

# The (x, y) PAF channels of each limb above, as the networks were trained.
LIMB_PAF_CHANNELS: tuple[tuple[int, int], ...] = (
    (12, 13),
    (20, 21),
    (14, 15),
    (16, 17),
    (22, 23),
    (24, 25),
    (0, 1),
    (2, 3),
    (4, 5),
    (6, 7),
    (8, 9),
    (10, 11),
    (28, 29),
    (30, 31),
    (34, 35),
    (32, 33),
    (36, 37),
    (18, 19),
    (26, 27),
)
