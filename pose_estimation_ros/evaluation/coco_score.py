"""Score COCO keypoint results with stock pycocotools (OKS, COCO's sigmas): AP, AP50, AP75, AR."""

from __future__ import annotations

import contextlib
import copy
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

# COCOeval.stats for keypoints, in its order.
STAT_NAMES = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")


@dataclass(frozen=True)
class CocoScore:
    """COCOeval's ten keypoint figures, and its printed summary."""

    stats: dict[str, float]
    summary: str

    @property
    def ap(self) -> float:
        """OKS AP averaged over thresholds 0.50:0.95 (COCO's headline figure)."""
        return self.stats["AP"]


def load_ground_truth(annotations: Path) -> COCO:
    """Read a COCO annotation file without pycocotools' progress prints."""
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(annotations))


def _detections(ground_truth: COCO, results: list[dict[str, Any]]) -> COCO:
    """Results as a COCO object; an empty one when nobody was found (loadRes refuses [])."""
    if results:
        return ground_truth.loadRes(copy.deepcopy(results))  # loadRes adds keys in place
    empty = COCO()
    empty.dataset = {
        "images": ground_truth.dataset["images"],
        "categories": ground_truth.dataset["categories"],
        "annotations": [],
    }
    empty.createIndex()
    return empty


def score_keypoints(
    ground_truth: COCO, results: list[dict[str, Any]], image_ids: Sequence[int] | None = None
) -> CocoScore:
    """Run ``COCOeval(gt, dt, "keypoints")`` over ``image_ids`` (default: every image)."""
    with contextlib.redirect_stdout(io.StringIO()):
        detections = _detections(ground_truth, results)
        evaluation = COCOeval(ground_truth, detections, "keypoints")
        if image_ids is not None:
            evaluation.params.imgIds = sorted(image_ids)
        evaluation.evaluate()
        evaluation.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        evaluation.summarize()
    stats = {name: float(value) for name, value in zip(STAT_NAMES, evaluation.stats)}
    return CocoScore(stats, printed.getvalue())
