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
    "FormatError",
    "HeritageLDError",
    "InvalidError",
    "PublishError",
    "PublishVerificationError",
    "UsageError",
]


class HeritageLDError(Exception):
    """Root of every exception heritage-ld raises on purpose."""

    exit_code: int = 2


class UsageError(HeritageLDError):
    """A request that cannot be carried out as asked (a missing path, an existing target, bad options)."""

    exit_code = 2


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
