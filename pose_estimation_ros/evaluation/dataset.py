"""The images to evaluate, in a fixed order: a COCO annotation file's, or a folder's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pose_estimation_ros.core.capture.sources import IMAGE_SUFFIXES


@dataclass(frozen=True)
class EvalImage:
    """One image: the id its results carry, and its file."""

    image_id: int
    path: Path


def annotated_images(annotations: Path, images_dir: Path) -> list[EvalImage]:
    """List a COCO annotation file's images by ascending id, each file in ``images_dir``."""
    with open(annotations, encoding="utf-8") as stream:
        entries = json.load(stream).get("images", [])
    if not entries:
        raise ValueError(f"{annotations} lists no images")
    images = [EvalImage(int(e["id"]), images_dir / e["file_name"]) for e in entries]
    missing = [str(image.path) for image in images if not image.path.is_file()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} images missing, e.g. {missing[0]}")
    return sorted(images, key=lambda image: image.image_id)


def folder_images(images_dir: Path) -> list[EvalImage]:
    """List every image file in a folder, in name order.

    Ids are the file names' numbers when every name is a distinct number (COCO
    names images ``%012d.jpg``), otherwise positions in name order (0, 1, ...).
    """
    paths = sorted(
        p for p in images_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not paths:
        raise ValueError(f"no image files in {images_dir}")
    stems = [p.stem for p in paths]
    numbered = all(s.isdigit() for s in stems) and len({int(s) for s in stems}) == len(stems)
    return [EvalImage(int(p.stem) if numbered else i, p) for i, p in enumerate(paths)]
