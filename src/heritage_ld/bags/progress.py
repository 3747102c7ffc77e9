"""What the bag writer and validator report progress to: anything with ``start``, ``advance`` and ``finish``.

The bag layer knows nothing of the pipeline or the command line; ``heritage_ld.pipeline.Progress`` and the
command line's progress bars fit this protocol.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressSink"]


class ProgressSink(Protocol):
    """Anything with ``start/advance/finish`` (``heritage_ld.pipeline.Progress`` fits)."""

    def start(self, task: str, total: int) -> None: ...

    def advance(self, task: str, amount: int = 1) -> None: ...

    def finish(self, task: str) -> None: ...
