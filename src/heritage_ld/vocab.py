"""The one reader of the data files in ``vocab/`` (tables, JSON-LD context, SHACL shapes, profiles).

``vocab/`` lives at the repository root and ships inside the wheel as ``heritage_ld/vocab`` (hatch
``force-include``), so an installed package works without the repository. Tables are TSV files with a header
row; lines starting with ``#`` are comments.

>>> rows = read_table("aat.tsv")
>>> any(r["key"] == "name:primary" for r in rows)
True
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

__all__ = ["read_bytes", "read_json", "read_table", "read_text", "vocab_dir"]


@functools.cache
def vocab_dir() -> Traversable:
    """The ``vocab`` folder: inside the installed package, else at the repository root (editable installs)."""
    packaged = resources.files("heritage_ld") / "vocab"
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "vocab"
    if repo.is_dir():
        return repo
    raise FileNotFoundError("heritage-ld's vocab/ folder is missing: reinstall the package")


def _file(name: str) -> Traversable:
    node = vocab_dir()
    for part in name.split("/"):
        node = node / part
    if not node.is_file():
        raise FileNotFoundError(f"vocab/{name} does not exist")
    return node


@functools.cache
def read_bytes(name: str) -> bytes:
    """The bytes of ``vocab/{name}``."""
    data: bytes = _file(name).read_bytes()
    return data


def read_text(name: str) -> str:
    """The text (UTF-8) of ``vocab/{name}``."""
    return read_bytes(name).decode("utf-8")


@functools.cache
def read_json(name: str) -> Any:
    """``vocab/{name}`` parsed as JSON (cached: do not mutate the result)."""
    return json.loads(read_bytes(name))


@functools.cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the TSV table ``vocab/{name}`` as dicts keyed by the header (cached)."""
    lines = [ln for ln in read_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in reader)


@functools.cache
def labels(group: str) -> dict[str, dict[str, str]]:
    """The words of one group of ``vocab/labels.tsv`` (``metadata``, ``kind``, ``site``): key -> language -> text,
    in file order (cached: do not mutate the result).

    >>> labels("kind")["photograph"]
    {'en': 'Photograph', 'vi': 'Ảnh'}
    """
    out: dict[str, dict[str, str]] = {}
    for row in read_table("labels.tsv"):
        if row["group"] == group:
            out[row["key"]] = {lang: text for lang, text in row.items() if lang not in ("group", "key") and text}
    if not out:
        raise KeyError(f"no label group {group!r} in vocab/labels.tsv")
    return out
