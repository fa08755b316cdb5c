"""Accuracy on still images, scored with COCO's own keypoint metric (``make eval``).

``python -m pose_estimation_ros.evaluation`` runs the pose pipeline exactly as
``pose_node`` builds it (its parameter table's defaults, or given ones) on
every image of a COCO-format set or a folder, writes the people found in
COCO's results format and, with annotations, prints OKS AP and AR from
pycocotools. ``--baselines`` adds two plain MoveNet SinglePose runs (one
full-frame pass; the TF Hub tutorial's two-pass crop) for comparison.
See ``docs/evaluation.md``.
"""
