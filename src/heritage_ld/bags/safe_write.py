"""The one way into an existing bag: read, write and remove its tag files without ever following a link.

A bag that comes from elsewhere may hold symbolic links (``metadata/`` pointing to ``/etc``, a tag file
pointing to someone's home folder) or special files. :class:`BagFolder` holds a descriptor of the bag's root
and reaches every file through descriptors of real folders, each opened with ``O_NOFOLLOW | O_DIRECTORY``
relative to the one before (``dir_fd=``): a link or a special file on any component is refused with
:class:`RefusedPath`, never followed. A file is replaced by writing a temporary file in the same folder
descriptor and ``os.replace``-ing it over the old name (readers see old or new bytes, never half).

The audit, the metadata update, the build's update of an existing bag and ``bag fetch`` all write through
here; the bag writer builds new bags in a private temporary folder and needs none of it.

>>> import tempfile
>>> root = Path(tempfile.mkdtemp())
>>> with BagFolder.open(root) as bag:
...     bag.write("metadata/a.txt", b"hi", durable=False)
...     bag.read("metadata/a.txt")
b'hi'
>>> (root / "link").symlink_to(root / "metadata")
>>> with BagFolder.open(root) as bag:
...     bag.write("link/a.txt", b"no", durable=False)
Traceback (most recent call last):
...
heritage_ld.bags.safe_write.RefusedPath: link: a symbolic link
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

__all__ = ["BagFolder", "NewFile", "RefusedPath", "check_folders", "describe_mode"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISREG, "a regular file"),
)


class RefusedPath(OSError):
    """A path inside the bag goes through a link, a special file or a file where a folder should be.

    ``path`` is the offending component, relative to the bag; ``reason`` says what it is.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[RefusedPath], tuple[str, str]]:
        return (type(self), (self.path, self.reason))

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def describe_mode(mode: int) -> str:
    """What a file of ``mode`` is, in words.

    >>> describe_mode(stat.S_IFLNK | 0o777)
    'a symbolic link'
    """
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def _parts(rel: str) -> list[str]:
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"{rel!r} is not a plain path inside the bag")
    return parts


class BagFolder:
    """An open bag folder; use as a context manager (the descriptors are closed on exit).

    Every method takes a POSIX path relative to the bag (``metadata/item.ttl``), already checked for
    ``..`` and absolute paths by the caller's names (``ValueError`` otherwise), and raises
    :class:`RefusedPath` when a component of it is not what it must be.
    """

    def __init__(self, root: Path, fd: int) -> None:
        self.root = root
        self._fd = fd

    @classmethod
    def open(cls, root: Path | str, *, within: Path | str | None = None) -> BagFolder:
        """Open the bag at ``root``.

        The path to ``root`` is the caller's (it may pass through links: an archivist's ``/archive`` may be
        one). With ``within``, ``root`` must lie inside that folder and every component below it is opened
        without following links (the build's ``OUT/bags/<item>``).

        Raises:
            RefusedPath: a component below ``within`` is a link or not a folder.
            FileNotFoundError, NotADirectoryError: ``root`` is missing or not a folder.
        """
        root = Path(root)
        if within is None:
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
            return cls(root, fd)
        base = Path(within)
        rel = os.path.relpath(root, base).replace(os.sep, "/")
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        if rel == ".":
            return cls(root, fd)
        try:
            parts = _parts(rel)
        except ValueError:
            os.close(fd)
            raise ValueError(f"{root} is not inside {base}") from None
        try:
            inner = _walk(fd, parts, shown=f"{base}/", create=False)
        finally:
            os.close(fd)
        return cls(root, inner)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> BagFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- looking ---------------------------------------------------------------------------------------

    def kind(self, rel: str) -> str | None:
        """What ``rel`` is (``describe_mode``), or ``None`` when it does not exist; its folders must be real."""
        *folders, name = _parts(rel)
        try:
            fd = _walk(self._fd, folders, create=False) if folders else os.dup(self._fd)
        except FileNotFoundError:
            return None
        try:
            return describe_mode(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            return None
        finally:
            os.close(fd)

    def listdir(self, rel: str = "") -> list[str]:
        """The sorted names in the folder ``rel`` (the root by default)."""
        fd = _walk(self._fd, _parts(rel), create=False) if rel else os.dup(self._fd)
        try:
            return sorted(os.listdir(fd))
        finally:
            os.close(fd)

    def check_writable(self, rel: str) -> None:
        """Raise :class:`RefusedPath` unless ``rel`` could be written: each existing component a real folder,
        the file itself missing or a regular file."""
        *folders, name = _parts(rel)
        fd = os.dup(self._fd)
        try:
            for i, part in enumerate(folders):
                try:
                    nxt = _open_dir(fd, part, "/".join(folders[: i + 1]))
                except FileNotFoundError:
                    return
                os.close(fd)
                fd = nxt
            try:
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            except FileNotFoundError:
                return
            if not stat.S_ISREG(mode):
                raise RefusedPath(rel, describe_mode(mode))
        finally:
            os.close(fd)

    # -- reading and writing ---------------------------------------------------------------------------

    def read(self, rel: str) -> bytes:
        """The bytes of the regular file ``rel`` (``FileNotFoundError`` if missing)."""
        *folders, name = _parts(rel)
        folder = _walk(self._fd, folders, create=False) if folders else os.dup(self._fd)
        try:
            try:
                fd = os.open(name, _READ_FLAGS, dir_fd=folder)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise RefusedPath(rel, "a symbolic link") from None
                raise
        finally:
            os.close(folder)
        try:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise RefusedPath(rel, describe_mode(mode))
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def read_optional(self, rel: str) -> bytes | None:
        """Like :meth:`read`, ``None`` when ``rel`` (or one of its folders) does not exist."""
        try:
            return self.read(rel)
        except FileNotFoundError:
            return None

    def write(self, rel: str, data: bytes, *, durable: bool = True) -> None:
        """Replace (or create) the regular file ``rel`` with ``data``, atomically; missing folders are created
        (following the umask). A link or special file at ``rel`` is refused, not replaced."""
        *folders, name = _parts(rel)
        folder = _walk(self._fd, folders, create=True) if folders else os.dup(self._fd)
        try:
            try:
                mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            except FileNotFoundError:
                mode = stat.S_IFREG
            if not stat.S_ISREG(mode):
                raise RefusedPath(rel, describe_mode(mode))
            tmp = f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
            fd = os.open(tmp, _CREATE_FLAGS, 0o644, dir_fd=folder)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if durable:
                    os.fsync(fd)
            except BaseException:
                os.close(fd)
                os.unlink(tmp, dir_fd=folder)
                raise
            os.close(fd)
            try:
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                os.unlink(tmp, dir_fd=folder)
                raise
            if durable:
                os.fsync(folder)
        finally:
            os.close(folder)

    def create(self, rel: str) -> NewFile:
        """Start a new regular file ``rel`` (missing folders are created through real ones): write to
        ``.file``, then :meth:`NewFile.commit` puts it in place, unless something appeared at ``rel``
        meanwhile (``FileExistsError``); leaving the ``with`` block without committing removes it."""
        *folders, name = _parts(rel)
        folder = _walk(self._fd, folders, create=True) if folders else os.dup(self._fd)
        tmp = f".{name}.{os.getpid()}-{secrets.token_hex(4)}.part"
        try:
            fd = os.open(tmp, _CREATE_FLAGS, 0o644, dir_fd=folder)
        except BaseException:
            os.close(folder)
            raise
        return NewFile(folder, tmp, name, os.fdopen(fd, "wb"))

    def remove(self, rel: str) -> None:
        """Remove the regular file ``rel`` (nothing if missing); a link or special file is refused."""
        *folders, name = _parts(rel)
        try:
            folder = _walk(self._fd, folders, create=False) if folders else os.dup(self._fd)
        except FileNotFoundError:
            return
        try:
            try:
                mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            except FileNotFoundError:
                return
            if not stat.S_ISREG(mode):
                raise RefusedPath(rel, describe_mode(mode))
            os.unlink(name, dir_fd=folder)
        finally:
            os.close(folder)


class NewFile:
    """A file being written in a bag's folder under a temporary name (see :meth:`BagFolder.create`)."""

    def __init__(self, folder: int, tmp: str, name: str, file: BinaryIO) -> None:
        self.file = file
        self._folder, self._tmp, self._name = folder, tmp, name
        self._done = False

    def commit(self, *, durable: bool = True) -> None:
        """Give the file its name: a hard link, which fails (``FileExistsError``) rather than replace anything
        that appeared there meanwhile; then the temporary name goes."""
        self.file.flush()
        if durable:
            os.fsync(self.file.fileno())
        self.file.close()
        os.link(self._tmp, self._name, src_dir_fd=self._folder, dst_dir_fd=self._folder, follow_symlinks=False)
        self._done = True
        os.unlink(self._tmp, dir_fd=self._folder)
        if durable:
            os.fsync(self._folder)

    def __enter__(self) -> NewFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.file.close()
        if not self._done:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp, dir_fd=self._folder)
        os.close(self._folder)


def _open_dir(parent: int, name: str, shown: str) -> int:
    """A descriptor of the real folder ``name`` in ``parent``; :class:`RefusedPath` for a link or a file."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EACCES, errno.ENXIO):
            raise
        try:
            mode = os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode
        except OSError:
            raise exc from None
        if stat.S_ISDIR(mode):
            raise
        raise RefusedPath(shown, describe_mode(mode)) from None


def _walk(fd: int, parts: list[str], *, create: bool, shown: str = "") -> int:
    """A new descriptor of the folder ``parts`` below ``fd``, each component a real folder (created when
    ``create`` and missing, with mode 0777 less the umask)."""
    current = os.dup(fd)
    try:
        for i, part in enumerate(parts):
            where = shown + "/".join(parts[: i + 1])
            try:
                nxt = _open_dir(current, part, where)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):  # made meanwhile: opened (and checked) below
                    os.mkdir(part, 0o777, dir_fd=current)
                nxt = _open_dir(current, part, where)
            os.close(current)
            current = nxt
    except BaseException:
        os.close(current)
        raise
    return current


def check_folders(base: Path | str, path: Path | str) -> None:
    """Check that every existing component of ``path`` below ``base`` is a real folder (the rest may be
    missing: it will be created); :class:`RefusedPath` names the first link or file on the way.

    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); (base / "bags").symlink_to("/tmp")
    >>> check_folders(base, base / "bags" / "HN1972.001")
    Traceback (most recent call last):
    ...
    heritage_ld.bags.safe_write.RefusedPath: .../bags: a symbolic link
    """
    base = Path(base)
    rel = os.path.relpath(path, base).replace(os.sep, "/")
    if rel == ".":
        return
    parts = _parts(rel)
    try:
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return
    try:
        for i in range(1, len(parts) + 1):
            try:
                os.close(_walk(fd, parts[:i], create=False, shown=f"{base}/"))
            except FileNotFoundError:
                return
    finally:
        os.close(fd)
