"""Safe media paths: a path from the catalogue is checked by its text and with ``lstat``/``realpath`` only.

A refused path (absolute, a Windows drive or UNC path, backslashes, ``..``, or a symbolic link that leads
outside the catalogue folder) is never opened, so a catalogue cannot make heritage-ld read ``/etc/passwd``
or block on a FIFO. Accepted paths are POSIX-relative to the catalogue folder.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["MediaCheck", "MediaChecker"]

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class MediaCheck:
    """The outcome for one path: ``path`` when usable, else the problem ``code`` and its ``reason``."""

    path: PurePosixPath | None
    code: str | None = None
    reason: str = ""


def refusal(value: str) -> str | None:
    """Why the text of a media path is refused without looking at the disk, or ``None``.

    >>> refusal("media/a.jpg") is None
    True
    >>> [refusal(p) for p in ("../../etc/passwd", "/etc/hostname", "C:/x.jpg", "media\\\\a.jpg")]
    ['it goes up with ..', 'it is absolute', 'it is a Windows drive path', 'it has a backslash']
    """
    if not value:
        return "it is empty"
    if _CONTROL.search(value):
        return "it has a control character"
    if "\\" in value:
        return "it has a backslash"
    if _DRIVE.match(value):
        return "it is a Windows drive path"
    if value.startswith("/"):
        return "it is absolute"
    parts = value.split("/")
    if ".." in parts:
        return "it goes up with .."
    if all(p in ("", ".") for p in parts):
        return "it names the catalogue folder itself"
    return None


class MediaChecker:
    """Checks media paths under one catalogue folder, remembering each answer.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.jpg").write_bytes(b"x")
    >>> checker = MediaChecker(root)
    >>> checker.check("a.jpg").path, checker.check("b.jpg").code, checker.check("../b.jpg").code
    (PurePosixPath('a.jpg'), 'C017', 'C019')
    """

    def __init__(self, root: Path) -> None:
        from heritage_ld.storage.listing import listing_of

        self._root = os.path.realpath(root)
        self._seen: dict[str, MediaCheck] = {}
        self._folders: dict[str, str] = {}  # folder as written -> its real path (symbolic links resolved)
        #: A catalogue read from object storage: its media files are those the store listed (a store has no
        #: symbolic link, FIFO or folder posing as a file: only the text of the path is checked).
        self._listing = listing_of(root)

    def check(self, value: str) -> MediaCheck:
        """Check one path (text as written in the catalogue)."""
        if value not in self._seen:
            self._seen[value] = self._check(value)
        return self._seen[value]

    def _inside(self, real: str) -> bool:
        return real == self._root or real.startswith(self._root.rstrip(os.sep) + os.sep)

    def _check(self, value: str) -> MediaCheck:
        reason = refusal(value)
        if reason is not None:
            return MediaCheck(None, "C019", reason)
        relative = PurePosixPath(value)
        if self._listing is not None:
            return MediaCheck(relative) if self._listing.stat(relative) is not None else MediaCheck(None, "C017")
        folder, name = str(relative.parent), relative.name
        # realpath resolves symbolic links with lstat/readlink only: nothing is opened before the checks below.
        # Folders are resolved once each; the file itself is then looked at with lstat.
        if folder not in self._folders:
            self._folders[folder] = os.path.realpath(os.path.join(self._root, folder))
        real = os.path.join(self._folders[folder], name)
        try:
            info = os.lstat(real)
            if stat.S_ISLNK(info.st_mode):
                real = os.path.realpath(real)
                info = os.stat(real) if self._inside(real) else info
        except FileNotFoundError:
            if not self._inside(real):
                return MediaCheck(None, "C019", "a symbolic link leads outside the folder")
            return MediaCheck(None, "C017")
        except OSError as exc:
            return MediaCheck(None, "C018", exc.strerror or str(exc))
        if not self._inside(real):
            return MediaCheck(None, "C019", "a symbolic link leads outside the folder")
        if not stat.S_ISREG(info.st_mode):
            return MediaCheck(None, "C027")
        try:  # a regular file inside the folder: opening it cannot block or leak
            fd = os.open(real, os.O_RDONLY)
        except OSError as exc:
            return MediaCheck(None, "C018", exc.strerror or str(exc))
        os.close(fd)
        return MediaCheck(relative)
