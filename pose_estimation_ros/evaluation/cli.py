"""``python -m pose_estimation_ros.evaluation``: run, write COCO results, print COCO's figures."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pose_estimation_ros.bench.machine import describe
from pose_estimation_ros.core.assets import AssetError
from pose_estimation_ros.core.capture.sources import IMAGE_FPS
from pose_estimation_ros.core.estimator import create_estimator
from pose_estimation_ros.core.runtimes import BackendNotInstalled, bound_onednn_caches
from pose_estimation_ros.evaluation.baselines import baseline_names, build_baseline
from pose_estimation_ros.evaluation.coco_score import CocoScore, load_ground_truth, score_keypoints
from pose_estimation_ros.evaluation.dataset import EvalImage, annotated_images, folder_images
from pose_estimation_ros.evaluation.node_params import estimator_options, resolve_parameters
from pose_estimation_ros.evaluation.run_images import RunResult, run_on_images

PIPELINE = "pipeline"


@dataclass
class Evaluated:
    """One run and, with annotations, its COCO score."""

    run: RunResult
    score: CocoScore | None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m pose_estimation_ros.evaluation",
        description="Run the pose pipeline as pose_node does on every image of a COCO-format "
        "set (or a folder), write COCO keypoint results, print COCO OKS AP and AR.",
    )
    parser.add_argument("--images", type=Path, required=True, help="folder of the images")
    parser.add_argument(
        "--annotations", type=Path, help="COCO keypoint annotations (JSON); none: results only"
    )
    parser.add_argument("--model", help="pose model (default: pose_node's model parameter)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a pose_node parameter, e.g. smoothing=false (repeatable)",
    )
    parser.add_argument("--params-file", help="YAML with a pose_node: ros__parameters block")
    parser.add_argument("--output", type=Path, help="write the pipeline's COCO results here")
    parser.add_argument(
        "--baselines",
        action="store_true",
        help="also score plain MoveNet SinglePose: one full-frame pass and the TF Hub "
        "tutorial's two-pass crop; for openpose_hpe0001, Open Model Zoo's model wrapper "
        "and OpenPoseDecoder",
    )
    parser.add_argument(
        "--fps",
        type=float,
        default=IMAGE_FPS,
        help=f"images a second, for timestamps (default {IMAGE_FPS:g}, camera_node's pace "
        "for a folder)",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N images (0: all)")
    args = parser.parse_args(argv)
    if args.fps <= 0:
        parser.error("--fps must be > 0")
    return args


def select_images(args: argparse.Namespace) -> list[EvalImage]:
    """Return the images in evaluation order, cut to ``--limit``."""
    if args.annotations:
        images = annotated_images(args.annotations, args.images)
    else:
        images = folder_images(args.images)
    return images[: args.limit] if args.limit > 0 else images


def evaluate(args: argparse.Namespace) -> list[Evaluated]:
    """Run the pipeline (then the baselines, if asked) and score each run."""
    values = resolve_parameters(args.params_file, args.param, args.model)
    options = estimator_options(values)
    images = select_images(args)
    ground_truth = load_ground_truth(args.annotations) if args.annotations else None
    estimators = [(PIPELINE, lambda: create_estimator(values["model"], **options))]
    if args.baselines:
        estimators += [
            (name, lambda name=name: build_baseline(name, values["model"], options))
            for name in baseline_names(values["model"])
        ]
    evaluated = []
    for name, build in estimators:
        run = run_on_images(name, build(), images, args.fps)
        score = None
        if ground_truth is not None:
            score = score_keypoints(ground_truth, run.results, [i.image_id for i in images])
        evaluated.append(Evaluated(run, score))
    return evaluated


def write_results(output: Path, evaluated: list[Evaluated]) -> list[Path]:
    """Write each run's results: the pipeline's to ``output``, a baseline's beside it."""
    written = []
    output.parent.mkdir(parents=True, exist_ok=True)
    for item in evaluated:
        name = item.run.name
        path = output if name == PIPELINE else output.with_suffix(f".{name}{output.suffix}")
        path.write_text(json.dumps(item.run.results))
        written.append(path)
    return written


def report_lines(evaluated: list[Evaluated]) -> list[str]:
    """Human-readable lines per run, ending with ``AP <value>`` of the pipeline when scored."""
    lines = []
    for item in evaluated:
        run = item.run
        per_image_ms = run.estimate_seconds / max(run.images, 1) * 1e3
        line = (
            f"{run.name:<11} {run.model:<18} images {run.images}  {run.seconds:.1f} s  "
            f"({per_image_ms:.1f} ms/image estimate)  people {len(run.results)}"
        )
        if item.score is not None:
            s = item.score.stats
            line += (
                f"  AP {s['AP']:.3f}  AP50 {s['AP50']:.3f}  AP75 {s['AP75']:.3f}  "
                f"AR {s['AR']:.3f}"
            )
        lines.append(line)
    pipeline = evaluated[0]
    if pipeline.score is not None:
        lines.append(f"AP {pipeline.score.ap:.4f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate, write results if asked, print the figures; exit status 0, or 1 with why."""
    args = parse_args(argv)
    bound_onednn_caches()  # before OpenVINO compiles: bounded memory over many image sizes
    machine = describe()
    print(f"machine: {machine['cpus']} CPUs, {machine['cpu_model']}", flush=True)
    try:
        evaluated = evaluate(args)
    except (AssetError, BackendNotInstalled, OSError, ValueError) as error:
        print(f"eval: {error}", file=sys.stderr)  # a missing model or file, a bad parameter
        return 1
    if args.output:
        for path in write_results(args.output, evaluated):
            print(f"results: {path}")
    if evaluated[0].score is not None:
        print(f"COCOeval keypoints ({evaluated[0].run.name}):")
        print(evaluated[0].score.summary.rstrip())
    for line in report_lines(evaluated):
        print(line)
    return 0
