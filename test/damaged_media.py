"""Damaged copies of the shared media, made in a test's tmp_path (never stored in the repo)."""

from __future__ import annotations

from pathlib import Path


def cut_file(source: Path, target: Path, fraction: float) -> Path:
    """Copy the first ``fraction`` of ``source``'s bytes: a copy or download cut short."""
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def _boxes(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Return the top-level MP4 boxes: type -> (offset, size) (32-bit sizes only)."""
    boxes, offset = {}, 0
    while offset + 8 <= len(data):
        header = data[offset:][:8]
        size = int.from_bytes(header[:4], "big")
        if size < 8:
            raise ValueError(f"unsupported box size {size} at {offset}")
        boxes[header[4:]] = (offset, size)
        offset += size
    return boxes


def truncated_mp4(source: Path, target: Path, fraction: float) -> Path:
    """Copy an MP4 with its frame data cut after ``fraction``, its index (``moov``) kept.

    A fast-start MP4 (index first) cut short looks like this: it opens, declares
    all its frames, and ends early. ``source`` has its ``mdat`` before ``moov``.
    """
    data = source.read_bytes()
    boxes = _boxes(data)
    mdat_at, mdat_size = boxes[b"mdat"]
    moov_at, moov_size = boxes[b"moov"]
    kept = 8 + int((mdat_size - 8) * fraction)
    mdat = kept.to_bytes(4, "big") + data[mdat_at:][4:kept]
    target.write_bytes(data[:mdat_at] + mdat + data[moov_at:][:moov_size])
    return target
