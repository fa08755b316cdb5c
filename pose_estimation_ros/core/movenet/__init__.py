"""MoveNet SinglePose (Lightning, Thunder) and MultiPose Lightning: crop, decode, estimator."""
