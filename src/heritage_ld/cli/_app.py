"""The typer application, shared options, and the one place where exceptions become exit codes."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from heritage_ld._version import __version__
from heritage_ld.decoding import DEFAULT_MAX_PIXELS
from heritage_ld.errors import CatalogueError, HeritageLDError, PublishError, StorageError
from heritage_ld.pipeline.progress import NullProgress
from heritage_ld.problems import Problem

__all__ = ["JSON_OPTION", "MAX_PIXELS_OPTION", "app", "console", "err_console", "handle_errors", "make_progress",
           "print_json", "print_problems", "progress_reporter"]

app = typer.Typer(
    name="heritage-ld",
    help=(
        "Turn a museum catalogue (collection.toml + items.csv + the original files) into linked data "
        "(Dublin Core and CIDOC-CRM / Linked Art), BagIt preservation packages, IIIF manifests and a "
        "browsable exhibition site.\n\nStart with: heritage-ld check CATALOGUE, then heritage-ld build CATALOGUE -o OUT."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

class _Console(Console):
    """A rich console that never hard-wraps when it does not write to a terminal (a pipe, a file, cron): a
    script reads one line per message. On a terminal it wraps to the terminal's width as usual."""

    @property
    def soft_wrap(self) -> bool:
        return not self.is_terminal

    @soft_wrap.setter
    def soft_wrap(self, value: bool) -> None:
        pass  # decided by where the output goes, when it is written


console = _Console()
err_console = _Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"heritage-ld {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """heritage-ld: linked data, preservation packages and IIIF for museum collections."""


def print_problems(problems: Iterable[Problem], *, within: object = None) -> None:
    """Print problems one per line to stderr (``file:line:col: CODE message``), errors in red on a terminal;
    ``within`` (a bag, when several are checked at once) is put before each location."""
    for p in problems:
        style = "red" if p.is_error else "yellow"
        line = p.render() if within is None else f"{within}/{p.render()}"
        err_console.print(line, style=style, highlight=False, markup=False, soft_wrap=True)


def print_json(document: object) -> None:
    """Print a ``--json`` result on stdout: one JSON document, keys in the order given, UTF-8 as is."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def handle_errors(fn: F) -> F:
    """Map heritage-ld exceptions to exit codes (2 bad input/usage, 1 invalid) with a clear message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CatalogueError as exc:
            print_problems(exc.problems)
            errors = sum(1 for p in exc.problems if p.is_error)
            err_console.print(f"{errors} error(s): nothing was written.", style="bold red", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except PublishError as exc:
            print_problems(exc.problems)
            raise typer.Exit(exc.exit_code) from None
        except HeritageLDError as exc:
            err_console.print(f"error: {exc}", style="bold red", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # the disk is full, a permission, an I/O error: one line naming the file
            error = StorageError.of(exc, "a file")
            err_console.print(f"error: {error}", style="bold red", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted", style="red")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


class RichProgress:
    """A :class:`heritage_ld.pipeline.Progress` drawn with rich bars (only used on a terminal).

    With ``refresh_every`` (seconds) the bars are redrawn by the calls themselves, at most that often, and
    rich starts no refresh thread: the bag commands need that, because worker processes are forked only from
    a process that runs no other thread (:func:`heritage_ld.bags.pool.use_processes`).
    """

    def __init__(self, progress: Progress, refresh_every: float | None = None) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}
        self._refresh_every = refresh_every
        self._drawn = 0.0

    def _redraw(self, force: bool = False) -> None:
        if self._refresh_every is None:
            return
        now = time.monotonic()
        if force or now - self._drawn >= self._refresh_every:
            self._drawn = now
            self._progress.refresh()

    def start(self, task: str, total: int) -> None:
        self._tasks[task] = self._progress.add_task(task, total=total)
        self._redraw(force=True)

    def advance(self, task: str, amount: int = 1) -> None:
        if task in self._tasks:
            self._progress.advance(self._tasks[task], amount)
            self._redraw()

    def finish(self, task: str) -> None:
        if task in self._tasks:
            t = self._tasks[task]
            total = self._progress.tasks[t].total
            self._progress.update(t, completed=total)
            self._redraw(force=True)


@contextmanager
def progress_reporter(quiet: bool = False, *, thread: bool = True) -> Iterator[RichProgress | NullProgress]:
    """Progress bars on stderr when it is a terminal and not ``quiet``; silent otherwise (pipes, CI, cron).

    ``thread=False`` draws the bars from the reporting calls instead of a refresh thread (see
    :class:`RichProgress`).
    """
    if quiet or not sys.stderr.isatty():
        yield NullProgress()
        return
    with make_progress(thread=thread) as progress:
        yield RichProgress(progress, refresh_every=None if thread else 0.1)


def make_progress(*, thread: bool = True) -> Progress:
    """The rich progress display of the command line; ``thread=False``: no refresh thread of its own."""
    return Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        auto_refresh=thread,
    )


JSON_OPTION = typer.Option(False, "--json", help="Print the result as one JSON document on stdout (every "
                           "problem with its code, severity and location); the exit code is the same.")
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bars or summaries; only problems and errors.")
JOBS_OPTION = typer.Option(None, "--jobs", "-j", min=1, help="Parallel workers (default: the number of CPUs).")
MAX_PIXELS_OPTION = typer.Option(
    DEFAULT_MAX_PIXELS, "--max-pixels", min=1,
    help="Refuse images with more pixels than this (a decompression bomb, or a master larger than expected); "
         "give check and build the same value.")
