"""Plain little-endian CDR (XCDR1), as rmw_fastrtps and rmw_cyclonedds serialize ROS messages.

Just what the codecs here need: 4-byte fields, single bytes, byte blocks and
strings, each aligned from the end of the 4-byte encapsulation header as CDR
requires. Serialized bytes start with that header; ``CDR_LITTLE_ENDIAN`` is
its first two bytes.
"""

from __future__ import annotations

import struct

CDR_LITTLE_ENDIAN = b"\x00\x01"  # RTPS encapsulation id of plain little-endian CDR
ENCAPSULATION = CDR_LITTLE_ENDIAN + b"\x00\x00"  # id, then options (none)
_BODY_START = len(ENCAPSULATION)
_UINT32 = struct.Struct("<I")


class CdrReader:
    """Reads fields in order from serialized bytes (encapsulation header included)."""

    def __init__(self, serialized: bytes) -> None:
        """Start at the first field, after the encapsulation header."""
        self.body = memoryview(serialized)[_BODY_START:]
        self.offset = 0

    def unpack(self, layout: struct.Struct) -> tuple:
        """Unpack ``layout`` (4-byte fields) at the next 4-byte boundary."""
        self.offset = (self.offset + 3) & ~3
        values = layout.unpack_from(self.body, self.offset)
        self.offset += layout.size
        return values

    def string(self) -> str:
        """Read a string: its length (terminating NUL included), then its bytes."""
        (length,) = self.unpack(_UINT32)
        end = self.offset + length
        if length == 0 or end > len(self.body):
            raise ValueError(f"string of {length} B at offset {self.offset}")
        last = end - 1  # the NUL
        text = bytes(self.body[self.offset:last]).decode()
        self.offset = end
        return text

    def octet(self) -> int:
        """Read one byte, right here."""
        value = self.body[self.offset]
        self.offset += 1
        return value

    def take(self, size: int) -> memoryview:
        """Return the next ``size`` bytes as a view; ``ValueError`` when fewer are left."""
        end = self.offset + size
        view = self.body[self.offset:end]
        if len(view) != size:
            raise ValueError(f"{size} B announced, {len(view)} B left")
        self.offset += size
        return view


class CdrWriter:
    """Builds serialized bytes field by field; ``bytes()`` gives them, header included."""

    def __init__(self) -> None:
        """Start with the encapsulation header only."""
        self._parts: list[bytes] = [ENCAPSULATION]
        self._offset = 0

    def pack(self, layout: struct.Struct, *values: object) -> None:
        """Pack ``values`` as ``layout`` (4-byte fields) at the next 4-byte boundary."""
        padding = -self._offset % 4
        if padding:
            self.raw(bytes(padding))
        self.raw(layout.pack(*values))

    def string(self, text: str) -> None:
        """Write a string: its length (terminating NUL included), then its bytes."""
        encoded = text.encode() + b"\x00"
        self.pack(_UINT32, len(encoded))
        self.raw(encoded)

    def raw(self, data: bytes) -> None:
        """Append ``data`` as it is (already aligned by the caller)."""
        self._parts.append(data)
        self._offset += len(data)

    def __bytes__(self) -> bytes:
        """Return the serialized message."""
        return b"".join(self._parts)
