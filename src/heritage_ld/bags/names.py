"""File names inside a bag: RFC 8493 §2.1.3 percent-encoding and the lexical safety check of a bag path.

A manifest or ``fetch.txt`` line names a file with a path relative to the bag, using ``/`` as separator. The
RFC requires that a carriage return, a line feed and a percent sign in a name be written ``%0D``, ``%0A`` and
``%25``; nothing else is encoded. Every path read from a bag goes through :func:`unsafe_reason` before it is
used: a path that could name something outside the bag is rejected by its text alone, without touching the
file system (RFC 8493 §5: "a manifest MUST NOT reference files outside the payload directory").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["decode_path", "encode_path", "encode_paths", "unsafe_reason", "unsafe_reasons"]

_ENCODE = str.maketrans({"%": "%25", "\r": "%0D", "\n": "%0A"})
_DECODE = re.compile(r"%(25|0[dD]|0[aA])")
_DECODED = {"25": "%", "0D": "\r", "0d": "\r", "0A": "\n", "0a": "\n"}
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_WINDOWS_VARIABLE = re.compile(r"^%[^%/\\]+%")
# Anything that could make a path unsafe: a quick screen, so that the common clean path costs one regex search
# and only a suspicious one goes through the detailed checks that name the reason.
_SUSPICIOUS = re.compile(r"^(?:[/~%]|[A-Za-z]:|$)|[\x00\\]|(?:^|/)\.\.(?:/|$)")
# The same screen over many paths joined by line feeds: every position the one above matches in a path, this
# one matches there too (a line feed inside a path only adds positions), so no hit means no suspicious path.
_SUSPICIOUS_LINES = re.compile(_SUSPICIOUS.pattern, re.MULTILINE)


def encode_path(path: str) -> str:
    """Encode a relative POSIX path for a manifest line (RFC 8493 §2.1.3).

    >>> encode_path("data/50% off\\nsale.txt")
    'data/50%25 off%0Asale.txt'
    """
    # str.translate runs in C: on 20,000 manifest lines, a join over the characters took 0.4 s.
    return path.translate(_ENCODE)


def encode_paths(paths: Sequence[str]) -> list[str]:
    """:func:`encode_path` of each path, in one pass over them all (a bag's paths hold no NUL: they are joined
    by one, and a list with a NUL somewhere is encoded path by path).

    >>> encode_paths(["data/a%", "data/b\\nc"])
    ['data/a%25', 'data/b%0Ac']
    """
    encoded = "\x00".join(paths).translate(_ENCODE).split("\x00")
    return encoded if len(encoded) == len(paths) and paths else [encode_path(p) for p in paths]


def decode_path(text: str) -> str:
    """Decode a path from a manifest line: only ``%0D``, ``%0A`` and ``%25`` are decoded (RFC 8493 §2.1.3).

    >>> decode_path("data/50%25 off%0Asale.txt"), decode_path("data/%7Edir")
    ('data/50% off\\nsale.txt', 'data/%7Edir')
    """
    return _DECODE.sub(lambda m: _DECODED[m.group(1)], text)


def unsafe_reason(path: str) -> str | None:
    """``None`` if ``path`` (already decoded) can only name something inside the bag, else why not.

    Rejected: empty names, NUL, absolute paths, ``~`` and ``~user`` shortcuts, Windows drive letters (``C:``),
    UNC paths and ``%VARIABLE%`` shortcuts, backslashes (a separator on Windows) and any ``..`` segment.

    >>> unsafe_reason("data/photo.tif") is None
    True
    >>> unsafe_reason("data/../../etc/passwd")
    "a '..' segment"
    >>> unsafe_reason("C:\\\\Windows\\\\setx.exe")
    'a Windows drive letter'
    """
    if not _SUSPICIOUS.search(path):
        return None
    if not path:
        return "an empty path"
    if "\x00" in path:
        return "a NUL character"
    if path.startswith("/"):
        return "an absolute path"
    if path.startswith("~"):
        return "a '~' home-directory shortcut"
    if path.startswith("\\\\") or path.startswith("//"):
        return "a UNC path"
    if _WINDOWS_DRIVE.match(path):
        return "a Windows drive letter"
    if _WINDOWS_VARIABLE.match(path):
        return "a Windows %VARIABLE% shortcut"
    if "\\" in path:
        return "a backslash (a path separator on Windows)"
    if any(part == ".." for part in path.split("/")):
        return "a '..' segment"
    return None


def unsafe_reasons(paths: Sequence[str]) -> dict[str, str]:
    """:func:`unsafe_reason` of each path that has one: one regex search over all the paths when none is
    suspicious (on 20,000 names, a search each cost a bag writer 0.04 s).

    >>> unsafe_reasons(["data/a", "data/b"]), unsafe_reasons(["data/a", "data/../b"])
    ({}, {'data/../b': "a '..' segment"})
    """
    if paths and not _SUSPICIOUS_LINES.search("\n".join(paths)):
        return {}
    found = ((path, unsafe_reason(path)) for path in paths)
    return {path: reason for path, reason in found if reason is not None}
