"""Message layouts for the codecs here, derived from the generated message classes.

A codec declares the fields it reads and writes, in message order: whole
fields (``Field``: strings, bytes, nested messages, sequences) by exact type,
and runs of 4-byte numbers (``Run``) by name. ``derive`` matches that against
the class's ``get_fields_and_field_types()`` (the order and types of the
``.msg`` file) when the codec is imported, and builds each run's ``struct``
from the types and order it finds there. So a changed ``.msg`` is either
followed (numbers of a run reordered, or retyped among int32, uint32 and
float32) or stops the import with a ``LayoutError`` naming the message, the
field and the codec to update; never read or written wrong.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Callable, Sequence

from pose_estimation_ros.nodes.raw_cdr.stream import CdrReader, CdrWriter

# The 4-byte CDR numbers by type, as get_fields_and_field_types() names them ("float": float32).
# Aligned alike, a run of them packs as one struct without padding.
STRUCT_CODES = {"int32": "i", "uint32": "I", "float": "f"}
_SEQUENCE_LENGTH = "I"  # uint32 element count, before a sequence's elements


class LayoutError(RuntimeError):
    """A message no longer has the layout its raw codec was written for."""


@dataclass(frozen=True)
class Field:
    """A field read or written whole: name and type, as ``get_fields_and_field_types`` has them."""

    name: str
    type: str


@dataclass(frozen=True)
class Run:
    """Consecutive 4-byte number fields, named in the codec's order (the message's may differ).

    ``sequence``: the sequence field right after them, its length packed with them.
    ``types``: the types the codec can take for these fields.
    """

    names: tuple[str, ...]
    sequence: Field | None = None
    types: frozenset[str] = frozenset(STRUCT_CODES)


class Record:
    """A ``Run`` as the message lays it out; values go in and come out in the codec's order.

    With a ``sequence``, the last value is its length.
    """

    def __init__(self, codes: str, message_order: tuple[int, ...]) -> None:
        """Take the struct codes and the codec's index of each value, both in message order."""
        self._by_byte_order = {order: struct.Struct(order + codes) for order in "<>"}
        self.layout = self._by_byte_order["<"]  # the CDR written and read by ``stream``
        self.message_order = message_order
        self.codec_order = tuple(sorted(range(len(message_order)), key=message_order.__getitem__))
        self._to_message = _picker(message_order)
        self._to_codec = _picker(self.codec_order)

    def write(self, writer: CdrWriter, values: Sequence[Any]) -> None:
        """Write ``values``, given in the codec's order."""
        writer.pack(self.layout, *self._to_message(values))

    def read(self, reader: CdrReader) -> tuple:
        """Read the values, in the codec's order."""
        return self._to_codec(reader.unpack(self.layout))

    def unpack_from(self, data: bytes, offset: int, byte_order: str) -> tuple:
        """Unpack the values at ``offset`` of ``data``, in the codec's order.

        ``byte_order``: ``"<"`` (little-endian) or ``">"`` (big-endian).
        """
        return self._to_codec(self._by_byte_order[byte_order].unpack_from(data, offset))


def derive(
    msg_type: Any, codec: str, *parts: Field | Run, rest: bool = False
) -> tuple[Record, ...]:
    """Check ``parts`` against the fields of ``msg_type``; return a ``Record`` per ``Run``.

    The parts must be the message's fields in order, all of them unless
    ``rest`` (the codec reads the first fields only). ``codec``: the module's
    ``__name__``, named in the ``LayoutError``.
    """
    fields = _Fields(msg_type, codec)
    records = []
    for part in parts:
        if isinstance(part, Run):
            records.append(fields.run(part))
        else:
            fields.expect(part)
    if not rest:
        fields.end()
    return tuple(records)


class _Fields:
    """A message's fields in order, taken one by one; ``LayoutError`` where the codec differs."""

    def __init__(self, msg_type: Any, codec: str) -> None:
        """Start at the first field of ``msg_type``."""
        self._fields = list(msg_type.get_fields_and_field_types().items())
        self._next = 0
        self._message = f"{msg_type.__module__.split('.')[0]}/msg/{msg_type.__name__}"
        self._codec = codec.replace(".", "/") + ".py"

    def expect(self, field: Field) -> None:
        """Take the next field, which must be ``field``."""
        wanted = f"'{field.name}' ({field.type})"
        name, type_ = self._take(wanted)
        if (name, type_) != (field.name, field.type):
            raise self._error(f"field '{name}' ({type_}) where the codec expects {wanted}")

    def run(self, run: Run) -> Record:
        """Take the fields of ``run`` and its sequence: their struct codes, in message order."""
        codes, order = "", []
        wanted, types = f"one of {', '.join(run.names)}", ", ".join(sorted(run.types))
        for _ in run.names:
            name, type_ = self._take(wanted)
            if name not in run.names:
                raise self._error(f"field '{name}' ({type_}) where the codec expects {wanted}")
            if type_ not in run.types:
                raise self._error(f"field '{name}' is {type_}, the codec packs only {types}")
            codes += STRUCT_CODES[type_]
            order.append(run.names.index(name))
        if run.sequence:
            self.expect(run.sequence)
            codes += _SEQUENCE_LENGTH
            order.append(len(run.names))
        return Record(codes, tuple(order))

    def end(self) -> None:
        """Check that no field is left: one the codec does not know would be left out."""
        if self._next < len(self._fields):
            name, type_ = self._fields[self._next]
            raise self._error(f"field '{name}' ({type_}) is not one the codec writes or reads")

    def _take(self, wanted: str) -> tuple[str, str]:
        if self._next == len(self._fields):
            raise self._error(f"no field where the codec expects {wanted}")
        self._next += 1
        return self._fields[self._next - 1]

    def _error(self, problem: str) -> LayoutError:
        return LayoutError(
            f"{self._message} changed: {problem}; update {self._codec} to the new layout"
        )


def _picker(indices: tuple[int, ...]) -> Callable[[Sequence[Any]], tuple]:
    """Return a function that takes the items at ``indices`` of a sequence, as a tuple."""
    if len(indices) == 1:
        (index,) = indices
        return lambda values: (values[index],)
    return itemgetter(*indices)
