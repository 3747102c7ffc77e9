"""What the bag functions return and raise: reports with every problem, and the bag exceptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from heritage_ld.errors import HeritageLDError, InvalidError
from heritage_ld.problems import Problem

__all__ = ["BagInvalid", "BagReport", "BagWriteError", "BagWriteRefused", "ValidationReport"]


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validating one bag: ``problems`` holds every error and warning, each a
    :class:`heritage_ld.problems.Problem` whose params carry ``path`` and, for a checksum, ``expected``
    and ``found``."""

    path: Path
    mode: str
    problems: tuple[Problem, ...] = ()
    files: int = 0
    bytes: int = 0

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def valid(self) -> bool:
        return not self.errors

    def ensure_valid(self) -> ValidationReport:
        """Return ``self``, or raise :class:`BagInvalid` carrying every problem."""
        if not self.valid:
            raise BagInvalid(self.path, self.problems)
        return self


@dataclass(frozen=True, slots=True)
class BagReport:
    """What :func:`heritage_ld.bags.write_bag` wrote: payload files and bytes, the algorithms, and whether
    the payload was copied or left as it was (a metadata-only update)."""

    path: Path
    files: int
    bytes: int
    algorithms: tuple[str, ...]
    payload_written: bool = True
    tag_files: tuple[str, ...] = field(default=())
    #: What is worth telling without failing: payload files whose format is unknown (B030), names with '%' (B032).
    problems: tuple[Problem, ...] = field(default=())
    #: Where a bag written with ``stage=True`` waits for :func:`~heritage_ld.bags.writer.commit_staged`.
    staged: Path | None = None


class BagInvalid(InvalidError):
    """A bag is not valid; :attr:`problems` lists every problem (exit code 1)."""

    def __init__(self, path: Path | str, problems: Iterable[Problem]) -> None:
        self.path = Path(path)
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = sum(1 for p in self.problems if p.is_error)
        super().__init__(f"{self.path}: not a valid bag ({errors} problem(s))")

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class BagWriteError(HeritageLDError):
    """A bag could not be written (a source changed during the copy, the disk is full …); nothing was left
    at the target and the sources are untouched (exit code 2)."""

    exit_code = 2


class BagWriteRefused(BagWriteError):
    """An existing bag was not written to: a link or special file on the way (``B014``), or a tag file that
    cannot be updated safely (``B015``). :attr:`problems` says which; nothing outside the bag was touched
    (exit code 2)."""

    def __init__(self, path: Path | str, problems: Iterable[Problem]) -> None:
        self.path = Path(path)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(f"{self.path}: " + "; ".join(p.render(hints=False) for p in self.problems))

    def __reduce__(self) -> tuple[type[BagWriteRefused], tuple[Path, tuple[Problem, ...]]]:
        return (type(self), (self.path, self.problems))
