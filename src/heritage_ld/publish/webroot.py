"""Which file of the build output folder a URL path names, if the server may serve it at all.

``heritage-ld serve`` publishes only the trees a build publishes (``site/``, ``rdf/``, ``iiif/``, and
``bags/`` when asked): never the store (its RocksDB ``LOG`` names the host and its paths), the token key,
temporary files or anything outside ``OUT``. A path is refused, rather than normalised, when any segment is
empty (``//``), a dot segment (``.``, ``..``), hidden (``.name``: temporary and private files), longer than a
file name can be (255 bytes), or holds a backslash, a NUL or another control character; the server sees
paths already percent-decoded, so ``%2e%2e``, ``%2f`` and ``%5c`` are refused as what they decode to. What
is left must resolve (symbolic links followed) inside its tree.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     out = Path(d)
...     (out / "site").mkdir()
...     _ = (out / "site" / "index.html").write_text("<!DOCTYPE html>")
...     [served_path(out, p, ("site",)) is not None for p in ("site/index.html", "site/../store/LOG", "store/LOG")]
[True, False, False]
"""

from __future__ import annotations

import re
import stat
from collections.abc import Collection
from enum import Enum
from pathlib import Path

__all__ = ["PUBLISHED", "Kind", "kind_of", "served_path"]

#: The trees of ``OUT`` the server publishes by default (``bags`` only when asked).
PUBLISHED = ("site", "rdf", "iiif")
_MAX_SEGMENT = 255  # NAME_MAX of common file systems, in bytes
_BAD = re.compile(r"[\x00-\x1f\x7f\\]")


class Kind(Enum):
    """What a path is on disk."""

    FILE = "file"
    FOLDER = "folder"
    NONE = "none"


def served_path(out: Path, rel: str, trees: Collection[str]) -> Path | None:
    """The path under ``out`` that the URL path ``rel`` (decoded, without its leading ``/``) names, or ``None``
    when it is refused (see the module docstring). A trailing ``/`` (a folder) is allowed."""
    segments = rel.split("/")
    if segments and segments[-1] == "" and len(segments) > 1:
        segments = segments[:-1]
    for seg in segments:
        if not seg or seg.startswith(".") or _BAD.search(seg) or len(seg.encode("utf-8", "surrogatepass")) > _MAX_SEGMENT:
            return None
    if segments[0] not in trees:
        return None
    tree = out / segments[0]
    target = tree.joinpath(*segments[1:])
    try:
        real_tree, real = tree.resolve(), target.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if real != real_tree and real_tree not in real.parents:
        return None
    return target


def kind_of(path: Path) -> Kind:
    """Whether ``path`` is a regular file, a folder or neither (missing, unreadable, a name too long)."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return Kind.NONE
    if stat.S_ISREG(mode):
        return Kind.FILE
    return Kind.FOLDER if stat.S_ISDIR(mode) else Kind.NONE
