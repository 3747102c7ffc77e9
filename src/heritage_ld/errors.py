"""The exception tree: every failure heritage-ld raises derives from :class:`HeritageLDError`.

Problems in a user's data are values (:class:`heritage_ld.problems.Problem`); an exception carries them
when work cannot go on. The CLI maps each class to an exit code in one place (``heritage_ld.cli``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from heritage_ld.problems import Problem

__all__ = [
    "CatalogueError",
    "ExecutionError",
    "FormatError",
    "HeritageLDError",
    "InvalidError",
    "PublishError",
    "PublishVerificationError",
    "StorageError",
    "UsageError",
]


class HeritageLDError(Exception):
    """Root of every exception heritage-ld raises on purpose."""

    exit_code: int = 2


class UsageError(HeritageLDError):
    """A request that cannot be carried out as asked (a missing path, an existing target, bad options)."""

    exit_code = 2


class StorageError(HeritageLDError):
    """Reading or writing a file failed for a reason of the machine (the disk is full, no permission, an I/O
    error), not of the data: :attr:`path` is the file (or the folder being written), :attr:`errno` the cause.

    >>> str(StorageError("OUT/site/index.html", 28, "No space left on device"))
    'disk full while writing OUT/site/index.html: No space left on device'
    """

    exit_code = 2

    def __init__(self, path: str, errno: int | None, reason: str, *, doing: str = "") -> None:
        import errno as codes

        self.path, self.errno, self.reason = path, errno, reason
        if errno in (codes.ENOSPC, getattr(codes, "EDQUOT", codes.ENOSPC)):
            message = f"disk full while writing {path}: {reason}"
        else:
            message = f"{path}: {reason}"
        super().__init__(message + (f" ({doing})" if doing else ""))

    @classmethod
    def of(cls, exc: OSError, fallback: str, *, doing: str = "") -> StorageError:
        """The error for ``exc``, naming its file, else ``fallback`` (the folder that was being written).

        Libraries that report a full disk in words only (RocksDB, under pyoxigraph) are recognised by them.
        """
        import errno as codes
        import os

        path = exc.filename if exc.filename is not None else fallback
        number, reason = exc.errno, exc.strerror or str(exc)
        if number is None and os.strerror(codes.ENOSPC) in str(exc):
            number, reason = codes.ENOSPC, os.strerror(codes.ENOSPC)
        return cls(str(path), number, reason, doing=doing)


class FormatError(HeritageLDError, ValueError):
    """An unknown format name, media type or extension."""

    exit_code = 2


class CatalogueError(HeritageLDError):
    """The catalogue has problems that stop the work; :attr:`problems` lists every one of them."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem], message: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        super().__init__(message or f"the catalogue has {len(errors)} problem(s)")

    def render(self) -> str:
        """All problems, one per line, as ``file:line:column: CODE message``."""
        return "\n".join(p.render() for p in self.problems)


class InvalidError(HeritageLDError):
    """A checked thing (a bag, a shape, a manifest) is not valid. Exit code 1."""

    exit_code = 1


class PublishError(HeritageLDError):
    """Sending to a remote store failed (no answer, a refusal, a redirect, a stall); :attr:`problems` says how.

    Exit code 2, as for any request that cannot be carried out.
    """

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.render() for p in self.problems))


class PublishVerificationError(PublishError):
    """The remote store accepted the data but does not hold it: a checked thing is invalid. Exit code 1."""

    exit_code = 1


class ExecutionError(HeritageLDError):
    """Work sent to a cluster could not be done: no scheduler, no worker, or a task that kept failing after its
    retries; :attr:`problems` says which (codes ``X…``, naming the task and its items). Exit code 2."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.render() for p in self.problems))
