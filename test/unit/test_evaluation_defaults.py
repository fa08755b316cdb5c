"""``make eval`` on 20 COCO photos: pose_node's defaults beat the state-free single pass.

Behaviour, not figures: with scene cuts detected, each photo is read fresh (whole,
then the crop around the person, straight and mirrored), which scores well above
one plain pass per photo and above the same pipeline with the cut detector off.
"""

from pathlib import Path

import pytest

from pose_estimation_ros.evaluation.cli import main

COCO_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "coco_dev"
STATE_FREE = ["smart_crop=false", "tracking=false", "smoothing=false"]


def ap(capsys, *params: str) -> float:
    args = ["--images", str(COCO_DEV / "images"), "--limit", "20"]
    args += ["--annotations", str(COCO_DEV / "single_dev.json"), "--model", "movenet_lightning"]
    assert main(args + [f"--param={p}" for p in params]) == 0
    name, value = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert name == "AP"
    return float(value)


@pytest.mark.slow
def test_defaults_beat_the_state_free_pass_and_the_leaky_pipeline(capsys):
    defaults = ap(capsys)
    assert defaults > ap(capsys, *STATE_FREE)
    assert defaults > ap(capsys, "scene_cut=false")
