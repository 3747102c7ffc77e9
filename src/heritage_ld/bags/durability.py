"""Durability of a new bag: one ``syncfs`` before the rename, with write-back of large files started early.

A bag is renamed into place only once everything in it is on disk, so a power cut can never leave a bag
that looks complete but is not. Forcing a file system's dirty pages out costs what the disk costs (about
400 MB/s on the benchmark VM); :func:`start_writeback` hands each large file's pages to the disk as soon as
they are written, so that the disk works while the next files are hashed and the final :func:`sync_tree`
finds little left to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from heritage_ld.atomic import fsync_dir

__all__ = ["EarlySync", "fsync_dir", "start_writeback", "sync_tree", "sync_trees"]

_SYNC_FILE_RANGE_WRITE = 2


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def _load_syncfs() -> Callable[[int], int] | None:
    """Linux ``syncfs(2)`` through libc, or ``None`` where it is not available."""
    libc = _libc()
    fn: Callable[[int], int] | None = getattr(libc, "syncfs", None) if libc is not None else None
    return fn


def _load_sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """Linux ``sync_file_range(2)`` through libc (64-bit offsets), or ``None``."""
    libc = _libc()
    fn = getattr(libc, "sync_file_range", None) if libc is not None else None
    if fn is None:
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int
    typed: Callable[[int, int, int, int], int] = fn
    return typed


_SYNCFS = _load_syncfs()
_SYNC_FILE_RANGE = _load_sync_file_range()


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing ``length`` bytes at ``offset`` of ``fd`` to disk, without waiting.

    A hint: where ``sync_file_range`` is missing (not Linux) nothing happens and :func:`sync_tree` does it all.
    """
    if _SYNC_FILE_RANGE is not None:
        _SYNC_FILE_RANGE(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


def sync_tree(root: Path) -> None:
    """Make everything written under ``root`` durable before the bag is renamed into place.

    One ``syncfs`` of the file system holding ``root`` costs one journal commit, where an ``fdatasync`` per
    file costs one each: on 20,000 small files that is the difference between seconds and a fraction of one
    (measured in ``benchmarks/bags_bench.py``). Elsewhere every file and folder is ``fsync``-ed.
    """
    if _SYNCFS is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def sync_trees(roots: list[Path]) -> None:
    """:func:`sync_tree` for several folders: one ``syncfs`` per file system they are on (elsewhere, an ``fsync``
    of every file and folder of each)."""
    devices: set[int] = set()
    for root in roots:
        if _SYNCFS is not None:
            device = os.stat(root).st_dev
            if device in devices:
                continue
            devices.add(device)
        sync_tree(root)


class EarlySync:
    """``syncfs`` in a background thread while the writer goes on, so that the final :func:`sync_tree` (the one
    that makes the bag durable, and raises if it cannot) finds little left to write.

    Many small files are each below the size from which :func:`start_writeback` is worth a system call; without
    this, their pages all wait for the final sync, and the disk idles while they are copied, then the writer idles
    while the disk works (0.2-0.4 s for the benchmark's 20,000 files). :meth:`wrote` is told what was copied and
    starts a sync every ``every`` bytes (never two at once); :meth:`now` starts one at once (payload done, tag
    files to come); :meth:`wait` joins. A failure here is ignored: the final :func:`sync_tree` reports it.
    Where ``syncfs`` is missing, nothing happens.
    """

    def __init__(self, root: Path, *, every: int = 32 << 20, enabled: bool = True) -> None:
        self._root = root
        self._every = every
        self._enabled = enabled and _SYNCFS is not None
        self._pending = 0
        self._thread: threading.Thread | None = None

    def wrote(self, size: int) -> None:
        """``size`` more bytes were written under the root."""
        self._pending += size
        if self._pending >= self._every:
            self.now()

    def now(self) -> None:
        """Start a sync unless one is running."""
        if not self._enabled or (self._thread is not None and self._thread.is_alive()):
            return
        self._pending = 0
        self._thread = threading.Thread(target=self._sync, name="bag-early-sync", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Wait for the sync under way, if any."""
        if self._thread is not None:
            self._thread.join()

    def _sync(self) -> None:
        assert _SYNCFS is not None
        try:
            fd = os.open(self._root, os.O_RDONLY)
        except OSError:
            return
        try:
            _SYNCFS(fd)
        finally:
            os.close(fd)
