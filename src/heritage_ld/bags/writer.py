"""Write a bag (RFC 8493): copy and hash the sources in one pass, in a temporary folder, then rename it in.

Originals are only read. The bag is built in ``.NAME.partial-PID-XXXX`` beside the target, checked, and
renamed into place only when complete, so an interruption (SIGKILL, a full disk) never leaves a bag at the
target; leftovers of a dead process are removed by the next run. Tag files are deterministic: sorted
manifests, a fixed bag-info order, dates from an option or ``SOURCE_DATE_EPOCH``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath

from heritage_ld.bags.describe import CrateSpec
from heritage_ld.bags.durability import EarlySync, fsync_dir, sync_tree, sync_trees
from heritage_ld.bags.fixity import Digests, SourceChanged, check_algorithms, copy_batch
from heritage_ld.bags.info import format_info
from heritage_ld.bags.names import unsafe_reasons
from heritage_ld.bags.pool import map_spans, spans, use_processes, worth_processes
from heritage_ld.bags.premis_xml import PREMIS_FILE
from heritage_ld.bags.progress import ProgressSink
from heritage_ld.bags.report import BagReport, BagWriteError
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.bags.tagfiles import bag_date, check_tag_name, write_atomic
from heritage_ld.bags.tagside import EVENTS_FILE, tag_side
from heritage_ld.bags.tree import UNKNOWN, scan_tree
from heritage_ld.bags.validator import default_jobs
from heritage_ld.errors import UsageError

__all__ = ["CRATE_FILE", "EVENTS_FILE", "PREMIS_FILE", "ProgressSink", "collect_sources", "commit_staged",
           "write_bag"]

Sources = Mapping[str, "Path | str"] | Iterable["Path | str"]


def _walk_source(folder: str, prefix: str, out: dict[str, Path | str]) -> None:
    # Plain strings, not Path objects: on 20,000 files, building a Path per file cost more than listing them.
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            rel = f"{prefix}/{entry.name}"
            if entry.is_symlink():
                raise UsageError(f"{entry.path}: is a symbolic link; bags hold real files "
                                 "(copy the linked files in, or pass them as sources)")
            if entry.is_dir(follow_symlinks=False):
                _walk_source(entry.path, rel, out)
            elif entry.is_file(follow_symlinks=False):
                out[rel] = entry.path
            else:
                raise UsageError(f"{entry.path}: not a regular file; it cannot go in a bag")


def collect_sources(sources: Sources) -> dict[str, Path]:
    """Payload path (``data/...``) -> source file.

    A mapping gives the payload paths (relative to ``data/``) explicitly; otherwise a folder contributes its
    contents and a file its name. Symbolic links and special files are refused with a clear error, never
    skipped silently.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "a.tif").write_bytes(b"x")
    >>> collect_sources({"media/a.tif": d / "a.tif"})
    {'data/media/a.tif': PosixPath('...a.tif')}
    """
    return {rel: Path(src) for rel, (src, _size) in _checked(_gather(sources)).items()}


def _gather(sources: Sources) -> dict[str, Path | str]:
    """Payload path -> source: a file found in a folder as a plain string (the folder's entry said it is a
    regular file), a file named by the caller as a ``Path``."""
    out: dict[str, Path | str] = {}
    if isinstance(sources, Mapping):
        for rel, src in sources.items():
            out["data/" + str(PurePosixPath(rel))] = Path(src)
    else:
        for src in map(Path, sources):
            if src.is_symlink():
                raise UsageError(f"{src}: is a symbolic link; pass the file or folder it points to")
            if src.is_dir():
                _walk_source(str(src), "data", out)
            elif src.is_file():
                key = f"data/{src.name}"
                if key in out:
                    raise UsageError(f"{src}: two sources would both be {key}")
                out[key] = src
            else:
                raise UsageError(f"{src}: no such file or folder")
    return out


def _checked(payload: Mapping[str, Path | str], *, jobs: int = 1) -> dict[str, tuple[Path | str, int]]:
    """Payload path -> (source, size): safe names, regular files only.

    A file named by the caller gets one ``lstat``. A file found in a folder is already known to be a regular
    file from the folder's entry (``d_type``): when there are many of them and a sample of 64 says they are
    small, their sizes are left :data:`UNKNOWN` (the copy learns each from the ``fstat`` it does anyway, and
    refuses a file that is no longer regular then); otherwise they are measured too, so that the largest are
    copied first.
    """
    out: dict[str, tuple[Path | str, int]] = {}
    lstat, is_regular = os.lstat, stat.S_ISREG
    found = [rel for rel, src in payload.items() if isinstance(src, str)]
    unmeasured = _small_files(payload, found, jobs)
    for rel, bad in unsafe_reasons(list(payload)).items():
        raise UsageError(f"{payload[rel]}: cannot be stored as {rel!r} ({bad})")
    for rel, src in payload.items():
        if unmeasured and rel in unmeasured:
            out[rel] = (src, UNKNOWN)
            continue
        try:
            st = lstat(src)
        except OSError:
            st = None
        if st is None or not is_regular(st.st_mode):
            raise UsageError(f"{src}: not a regular file (symbolic links and special files are refused)")
        out[rel] = (src, st.st_size)
    return out


def _small_files(payload: Mapping[str, Path | str], found: list[str], jobs: int) -> set[str]:
    """``found`` when they are many and a sample of them says small (see :func:`.pool.worth_processes`)."""
    if not worth_processes(len(found), 0, jobs):
        return set()
    sample = found[:: max(1, len(found) // 64)]
    try:
        total = sum(os.lstat(payload[rel]).st_size for rel in sample)
    except OSError:
        return set()
    return set(found) if worth_processes(len(found), total * len(found) // len(sample), jobs) else set()


def _temp_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder ``PREFIXxxxxxxxxx`` in ``parent``, with mode 0777 less the umask, as a folder made by
    any other program (``tempfile.mkdtemp`` makes 0700 folders, and the bag is this folder renamed: a web
    server running as another user could not read it)."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{parent}: no free name for a temporary folder {prefix}*")


def _remove_stale(parent: Path, name: str) -> None:
    """Remove ``.NAME.partial-PID-*`` folders left by processes that no longer run."""
    for entry in parent.glob(f".{name}.partial-*"):
        try:
            pid = int(entry.name.rsplit(".partial-", 1)[1].split("-", 1)[0])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
            alive = True
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            shutil.rmtree(entry, ignore_errors=True)


def _copy_payload(payload: dict[str, Path | str], sizes: Mapping[str, int], tmp: Path, algorithms: tuple[str, ...],
                  jobs: int, progress: ProgressSink | None, task: str, durable: bool,
                  early: EarlySync) -> dict[str, Digests]:
    for folder in sorted({rel.rpartition("/")[0] for rel in payload}):
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    if UNKNOWN in sizes.values():
        # Many small files of unknown sizes (see _checked): in the listing's order, about 24 runs a worker.
        order = list(payload)
        processes = worth_processes(len(order), 0, jobs)
        step = max(64, len(order) // (24 * max(1, jobs)))
        runs = [(start, min(start + step, len(order))) for start in range(0, len(order), step)]
    else:
        order = sorted(payload, key=lambda rel: (-sizes[rel], rel))
        ordered = [sizes[rel] for rel in order]
        processes = use_processes(ordered, jobs)
        runs = list(spans(ordered))
    root = str(tmp)
    tasks = [(os.fspath(payload[rel]), f"{root}/{rel}") for rel in order]
    copy = partial(copy_batch, algorithms=algorithms, writeback=durable)
    results: dict[str, Digests] = {}
    # Many small files go to forked worker processes (where forking is safe, see pool.use_processes): per file,
    # the copy is a handful of system calls and a little Python, and two threads hand the GIL to each other
    # around every call; processes never wait for each other (measured on the benchmark's "many small" corpus).
    for (start, stop), done in zip(runs, map_spans(copy, tasks, runs, jobs, processes=processes,
                                                   name="bag-write"), strict=True):
        copied = 0
        for rel, (size, hexes) in zip(order[start:stop], done, strict=True):
            results[rel] = Digests(size, tuple(zip(algorithms, hexes, strict=True)))
            copied += size
        early.wrote(copied)
        if progress is not None:
            progress.advance(task, len(done))
    return results


def write_bag(
    sources: Sources,
    target: Path | str,
    *,
    algorithms: Iterable[str] = ("sha256", "sha512"),
    info: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    tag_files: Mapping[str, bytes] | None = None,
    replace: bool = False,
    jobs: int | None = None,
    progress: ProgressSink | None = None,
    date: datetime | None = None,
    events: bool = True,
    events_base: str | None = None,
    durable: bool = True,
    describe: bool = True,
    crate: CrateSpec | None = None,
    stage: bool = False,
) -> BagReport:
    """Write a new bag at ``target`` holding ``sources`` as payload and ``tag_files`` as tag files.

    Args:
        sources: files and folders (a folder's contents go under ``data/``), or a mapping of payload path
            (relative to ``data/``) to source file.
        target: the bag folder to create.
        algorithms: checksum algorithms (sha256 and sha512 by default; md5, sha1, blake2b … allowed).
        info: extra bag-info.txt entries (Source-Organization, External-Identifier …).
        tag_files: tag files as bytes by bag path (``{"metadata/item.ttl": b"..."}``).
        replace: replace an existing ``target`` instead of refusing.
        jobs: copy threads (default: the CPUs available).
        progress: receives one ``advance`` per payload file.
        date: the bagging date (default: ``SOURCE_DATE_EPOCH``, else now).
        events: write a PREMIS event log (:data:`EVENTS_FILE`).
        events_base: the base IRI of the event log.
        durable: make every file durable (one ``syncfs``, or an ``fsync`` per file where that is missing)
            before the bag is renamed into place.
        describe: identify every payload file's format (PRONOM, :mod:`heritage_ld.bags.identify`) and write
            the RO-Crate :data:`CRATE_FILE` (in the payload) and the PREMIS XML :data:`PREMIS_FILE`.
        crate: what the RO-Crate says of the bag's subject, and formats already identified.
        stage: write the bag completely into its hidden temporary folder beside ``target`` (the report's
            ``staged``) and stop there: :func:`commit_staged` makes many staged bags durable with one sync and
            renames them into place (a build writing thousands of small bags pays one sync, not thousands).

    Raises:
        UsageError: ``target`` exists (without ``replace``), bad sources, names or algorithms.
        BagWriteError: a source changed during the copy, or writing failed (a full disk); nothing is left at
            ``target`` and the sources are unchanged.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "src.txt").write_text("hello")
    >>> write_bag([d / "src.txt"], d / "bag", algorithms=["sha256"]).files  # with data/ro-crate-metadata.json
    2
    """
    target = Path(target)
    pairs = list(info.items()) if isinstance(info, Mapping) else list(info or ())
    try:
        names = check_algorithms(algorithms)
        tags = {check_tag_name(k): v for k, v in (tag_files or {}).items()}
        format_info(pairs)  # a bad label (a colon, a line break) is refused before anything is written
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    checked = _checked(_gather(sources), jobs=jobs or default_jobs())
    if describe and CRATE_FILE in checked:
        raise UsageError(f"{checked[CRATE_FILE][0]}: would be stored as {CRATE_FILE}, where the bag's RO-Crate "
                         "goes; rename it or write the bag without --no-describe")
    payload = {rel: src for rel, (src, _size) in checked.items()}
    sizes = {rel: size for rel, (_src, size) in checked.items()}
    if target.exists() or target.is_symlink():
        if not replace:
            raise UsageError(f"{target}: already exists; choose another target or ask to replace it")
        if not target.is_dir() or target.is_symlink():
            raise UsageError(f"{target}: exists and is not a folder; refusing to replace it")
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, target.name)
    when = bag_date(date)
    tmp = _temp_folder(parent, f".{target.name}.partial-{os.getpid()}-")
    task = f"bag {target.name}"
    early = EarlySync(tmp, enabled=durable and not stage)
    try:
        if progress is not None:  # the RO-Crate is one more payload file: the count matches the summary's
            progress.start(task, len(payload) + describe)
        (tmp / "data").mkdir()
        # Durability comes from one sync_tree before the rename (write-back of large files started early).
        digests = _copy_payload(payload, sizes, tmp, names, jobs or default_jobs(), progress, task, durable, early)
        label = next((v for k, v in pairs if k.lower() == "external-identifier"), target.name)
        if describe:
            early.wait()  # identification forks its workers only from a process that runs no other thread
        side = tag_side(digests, names, pairs, tags, when, label=label, describe=describe, crate=crate,
                        events=events, events_base=events_base, jobs=jobs or default_jobs(), root=tmp)
        problems = side.problems
        if side.crate is not None:
            write_atomic(tmp / CRATE_FILE, side.crate, durable=False)
            if progress is not None:
                progress.advance(task, 1)
        digests, total = side.digests, side.payload_bytes
        early.now()  # the payload's last pages go to disk while the tag files are made and the bag is checked
        for name, data in side.files.items():
            write_atomic(tmp / name, data, durable=False)
        written = tuple(side.files)
        _check_written(tmp, target, digests, written)
        if stage:
            return BagReport(target, len(digests), total, names, True, written, problems, staged=tmp)
        if durable:
            early.wait()
            sync_tree(tmp)
        _move_into_place(tmp, target)
        if durable:
            fsync_dir(parent)
    except SourceChanged as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BagWriteError(f"{exc}; no bag was written, try again when the file is stable") from None
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BagWriteError(f"{target}: cannot write the bag: {exc}; nothing was left at the target") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        early.wait()
        if progress is not None:
            progress.finish(task)
    return BagReport(target, len(digests), total, names, True, written, problems)


def _check_written(tmp: Path, target: Path, digests: Mapping[str, Digests], tag_names: Iterable[str]) -> None:
    """The new bag holds exactly what was written: every payload file, every tag file, nothing else.

    The listing comes from one walk of the folder (what is on disk now), by names only: each file's size is the
    one its copy wrote through its own descriptor (and compared there with the source's), so a ``stat`` per
    file would only say it again. The manifests need not be parsed again either.
    """
    tree = scan_tree(tmp, sizes=False)
    expected = digests.keys()
    problems = [f"{rel}: missing" for rel in sorted(expected - tree.files.keys())]
    problems += [f"{name}: missing" for name in sorted(set(tag_names) - tree.files.keys())]
    unexpected = tree.files.keys() - expected - set(tag_names)
    problems += [f"{rel}: not written by this bag" for rel in sorted(unexpected | tree.links.keys() | tree.specials.keys())]
    if problems:
        raise BagWriteError(f"{target}: the new bag failed its check: " + "; ".join(problems[:10]))


def commit_staged(staged: Iterable[tuple[Path, Path]], *, durable: bool = True) -> None:
    """Make bags staged by :func:`write_bag` (``stage=True``) durable and rename each into place: one ``syncfs``
    for them all (an ``fsync`` per file where that is missing), then the renames, then one ``fsync`` of each
    folder renamed into. A bag still becomes visible only once all of it is on disk.

    ``staged``: (the report's ``staged`` folder, the bag's target) pairs.
    """
    pairs = list(staged)
    if not pairs:
        return
    if durable:
        sync_trees([tmp for tmp, _ in pairs])
    for tmp, target in pairs:
        _move_into_place(tmp, target)
    if durable:
        for parent in sorted({target.parent for _, target in pairs}):
            fsync_dir(parent)


def _move_into_place(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)

