"""Temporal filters for keypoints: low-pass and One Euro, on arrays of any shape."""
