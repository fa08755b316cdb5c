"""Count the messages a reader never saw, from gaps in their publisher's sequence numbers."""

from __future__ import annotations


class SequenceGaps:
    """Numbers missing between consecutive sequence numbers of one publisher."""

    def __init__(self) -> None:
        """Start with no sequence seen."""
        self._last: int | None = None

    def missed(self, sequence: int | None) -> int:
        """Numbers skipped since the previous call.

        0 for the first number, an unknown one (``None``: the middleware does not
        number messages) and a restarted sequence (not above the previous one).
        """
        if sequence is None:
            return 0
        last, self._last = self._last, sequence
        if last is None or sequence <= last:
            return 0
        return sequence - last - 1
