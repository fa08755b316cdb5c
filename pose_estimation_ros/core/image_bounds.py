"""The largest and smallest images the pose node processes, checked before any pixel is read.

An image's memory, and the work of resizing and converting it, grow with its
size; the networks' inputs are bounded whatever the aspect (MoveNet crops to a
square, OpenPose caps its input width: ``core.openpose.sizing``), but the
image itself must be bounded too. Each bound is one cause of
``ImageEncodingError``, so a node names each problem once: ``empty`` (no
pixel), ``too_wide``, ``too_tall`` and ``too_many_pixels``. Any aspect within
these is accepted: a 4096x1 image is a valid, if useless, frame.
"""

from __future__ import annotations

from pose_estimation_ros.core.image_encoding import ImageEncodingError

MIN_IMAGE_SIDE = 1  # px: anything with a pixel is processed
MAX_IMAGE_SIDE = 4096  # px, width or height: DCI 4K's width
MAX_IMAGE_PIXELS = 4096 * 2160  # DCI 4K (8.8 MP): 3840x2160 UHD and 2160x4096 portrait fit
_WHAT_TO_DO = "; lower the camera's resolution or resize the images before the pose node"


def check_image_size(width: int, height: int, subject: str = "") -> None:
    """Raise ``ImageEncodingError`` when a ``width`` x ``height`` image is out of bounds.

    ``subject`` (the encoding or format) tells problems of the same cause apart.
    """
    size = f"{width}x{height}"
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        raise ImageEncodingError("empty", f"empty image ({size})", subject)
    if width > MAX_IMAGE_SIDE:
        raise ImageEncodingError(
            "too_wide", f"image {size} is wider than {MAX_IMAGE_SIDE} px{_WHAT_TO_DO}", subject
        )
    if height > MAX_IMAGE_SIDE:
        raise ImageEncodingError(
            "too_tall", f"image {size} is taller than {MAX_IMAGE_SIDE} px{_WHAT_TO_DO}", subject
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageEncodingError(
            "too_many_pixels",
            f"image {size} has {width * height} pixels, more than {MAX_IMAGE_PIXELS} "
            f"(4096x2160){_WHAT_TO_DO}",
            subject,
        )
