"""Progress reporting, decoupled from any terminal library: the CLI passes a rich-backed reporter."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NullProgress", "Progress"]


class Progress(Protocol):
    """Receives progress of long work: a named task with a known total, advanced as units complete."""

    def start(self, task: str, total: int) -> None: ...

    def advance(self, task: str, amount: int = 1) -> None: ...

    def finish(self, task: str) -> None: ...


class NullProgress:
    """Reports nothing (library use, pipes, tests)."""

    def start(self, task: str, total: int) -> None:
        return None

    def advance(self, task: str, amount: int = 1) -> None:
        return None

    def finish(self, task: str) -> None:
        return None
