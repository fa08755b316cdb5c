"""The pixel size a PNG or JPEG declares in its header, read before anything is decoded.

A few hundred bytes of JPEG can declare a 65500x65500 image, which OpenCV
would allocate (12 GB) before finding the data short; reading the declared
size first lets the caller refuse it (``core.image_bounds``) at no cost.
"""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_START = b"\xff\xd8"
# Start-of-frame markers (baseline, progressive, lossless, arithmetic): all but DHT, JPG, DAC.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE_MARKERS = frozenset(range(0xD0, 0xD9)) | {0x01}  # RSTn, SOI, EOI, TEM
_START_OF_SCAN = 0xDA


def declared_size(data: bytes | bytearray | memoryview) -> tuple[int, int] | None:
    """Return ``(width, height)`` a PNG or JPEG declares; ``None`` for other or broken bytes."""
    data = bytes(data[:65536]) if len(data) > 65536 else bytes(data)
    if data.startswith(PNG_SIGNATURE):
        return _png_size(data)
    if data.startswith(JPEG_START):
        return _jpeg_size(data)
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    """IHDR is the first chunk: length, b'IHDR', width, height (big-endian)."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the segments to the first start-of-frame: precision, height, width."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _STANDALONE_MARKERS:
            position += 2
            continue
        if marker == _START_OF_SCAN:
            return None  # scan data before any frame header
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        position += 2 + length
    return None
