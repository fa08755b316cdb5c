"""OpenPose: bottom-up multi-person pose estimation from heatmaps and part affinity fields."""
