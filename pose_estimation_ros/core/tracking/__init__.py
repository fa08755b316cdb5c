"""Track people across frames: a base tracker and its OKS and box-IoU similarity variants."""
