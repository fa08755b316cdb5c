"""MoveNet model constants: input sizes, output tensor layouts, and crop defaults.

Values follow tfjs-models ``pose-detection/src/movenet/constants.ts`` and
the MoveNet tutorial, so results are comparable with upstream's.
"""

from __future__ import annotations

from pose_estimation_ros.core.skeletons import COCO17

SINGLEPOSE_INPUT_SIZE = {"movenet_lightning": 192, "movenet_thunder": 256}
MULTIPOSE_MODEL = "movenet_multipose"
MULTIPOSE_LONG_SIDE = 256
MULTIPOSE_SIZE_DIVISOR = 32

NUM_KEYPOINTS = COCO17.num_keypoints
# Per keypoint: (y, x, score), normalised to the model input.
KEYPOINT_Y, KEYPOINT_X, KEYPOINT_SCORE = 0, 1, 2
NUM_KEYPOINT_VALUES = 3
# SinglePose output: [1, 1, 17, 3].
SINGLEPOSE_OUTPUT_SHAPE = (1, 1, NUM_KEYPOINTS, NUM_KEYPOINT_VALUES)
# MultiPose output: [1, 6, 56] = 17 x (y, x, score), then ymin, xmin, ymax, xmax, score.
MULTIPOSE_MAX_PEOPLE = 6
MULTIPOSE_BOX_START = NUM_KEYPOINTS * NUM_KEYPOINT_VALUES
MULTIPOSE_SCORE_INDEX = MULTIPOSE_BOX_START + 4
MULTIPOSE_INSTANCE_SIZE = MULTIPOSE_BOX_START + 5

# Keypoints scored at or below this do not steer the next crop.
MIN_CROP_KEYPOINT_SCORE = 0.2
# How far the crop reaches beyond the torso and the body, relative to their extent.
TORSO_EXPANSION = 1.9
BODY_EXPANSION = 1.2
# Low-pass weight of the newest crop region (tfjs CROP_FILTER_ALPHA).
CROP_FILTER_ALPHA = 0.9
TORSO_KEYPOINTS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
