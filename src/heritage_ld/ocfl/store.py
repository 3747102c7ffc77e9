"""Write OCFL 1.1 objects into a storage root: each call adds one version, deduplicated by digest.

An object's state is a set of logical paths and their files. :func:`add_version` compares it with the head
version's state: unchanged, nothing is written; otherwise a new version ``vN+1`` records the whole state, and
only contents whose SHA-512 the object does not hold yet are copied into ``vN+1/content/`` (a corrected
catalogue entry adds a few kilobytes, not another copy of the scans). Earlier versions are never touched.

Crash safety, as for bags: the new object root (the old versions hard-linked, the new version copied, both
inventories) is built in a staging folder beside the storage root and exchanged with the old object root in
one ``renameat2(RENAME_EXCHANGE)``, so a reader sees the old object or the new one, never a half version. Where
the exchange is missing (not Linux, some file systems) two renames are used, and the old object root, kept
aside as ``.NAME.old-PID``, is put back by the next run if the process died between them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from heritage_ld.atomic import fsync_dir
from heritage_ld.errors import UsageError
from heritage_ld.ocfl.layout import LAYOUT_NAME, Layout

__all__ = ["INVENTORY_TYPE", "VersionResult", "add_version", "init_storage_root", "read_inventory"]

INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
_OBJECT_DECL = ("0=ocfl_object_1.1", b"ocfl_object_1.1\n")
_ROOT_DECL = ("0=ocfl_1.1", b"ocfl_1.1\n")
_CHUNK = 4 << 20


@dataclass(frozen=True, slots=True)
class VersionResult:
    """What :func:`add_version` did: the object root, its head version, and whether that version is new;
    ``copied`` counts the contents written (files whose digest the object did not hold)."""

    object_id: str
    path: Path
    head: str
    created: bool
    copied: int = 0
    bytes: int = 0


def _sha512(path: Path) -> str:
    h = hashlib.sha512()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def init_storage_root(root: Path | str, *, layout: Layout | None = None) -> Path:
    """Create (or check) an OCFL 1.1 storage root using the 0003 layout; returns its path.

    Raises:
        UsageError: ``root`` exists and is neither empty nor an OCFL storage root with this layout.
    """
    root = Path(root)
    layout = layout or Layout()
    if root.exists() and any(root.iterdir()):
        if not (root / _ROOT_DECL[0]).is_file():
            raise UsageError(f"{root}: not empty and not an OCFL storage root (no {_ROOT_DECL[0]})")
        try:
            found = json.loads((root / "ocfl_layout.json").read_text(encoding="utf-8")).get("extension")
        except (OSError, ValueError, AttributeError):
            found = None
        if found != LAYOUT_NAME:
            raise UsageError(f"{root}: an OCFL storage root with layout {found!r}; heritage-ld writes {LAYOUT_NAME}")
        return root
    root.mkdir(parents=True, exist_ok=True)
    (root / "extensions" / LAYOUT_NAME).mkdir(parents=True, exist_ok=True)
    (root / "extensions" / LAYOUT_NAME / "config.json").write_bytes(_json(layout.config()))
    (root / "ocfl_layout.json").write_bytes(_json({
        "description": "Hashed Truncated N-tuple Trees with Object ID Encapsulating Directory",
        "extension": LAYOUT_NAME}))
    (root / _ROOT_DECL[0]).write_bytes(_ROOT_DECL[1])
    return root


def read_inventory(object_root: Path) -> dict[str, Any] | None:
    """The object's root inventory, ``None`` when there is no object there yet."""
    try:
        data: dict[str, Any] = json.loads((object_root / "inventory.json").read_bytes())
    except FileNotFoundError:
        return None
    return data


def _timestamp(when: datetime | None) -> str:
    when = when or datetime.now(tz=timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _recover(object_root: Path) -> None:
    """Put back an object root left aside by a process that died between the two renames."""
    for aside in sorted(object_root.parent.glob(f".{object_root.name}.old-*")):
        if not object_root.exists():
            os.rename(aside, object_root)
        else:
            shutil.rmtree(aside, ignore_errors=True)


def _stale_staging(root: Path) -> None:
    for entry in root.parent.glob(f".{root.name}.staging-*"):
        try:
            pid = int(entry.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except (ValueError, PermissionError):
            continue


def add_version(root: Path | str, object_id: str, files: Mapping[str, Path | str], *, message: str = "",
                user: tuple[str, str] | None = None, created: datetime | None = None) -> VersionResult:
    """Add ``files`` (logical path -> file) as the next version of object ``object_id`` in the storage root
    ``root`` (see :func:`init_storage_root`), unless the head version holds exactly that state.

    Args:
        message: the version's message.
        user: ``(name, address)`` of who made the version (the address a URI such as ``mailto:…``).
        created: the version's date (default: now).

    Raises:
        UsageError: a logical path is not relative, or leaves the object.
    """
    root = Path(root)
    layout = Layout()
    object_root = root / layout.path(object_id)
    _recover(object_root)
    _stale_staging(root)
    state: dict[str, list[str]] = {}
    sources: dict[str, Path] = {}
    for logical, src in sorted(files.items()):
        parts = logical.split("/")
        if logical.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise UsageError(f"{logical!r}: not a relative logical path inside the object")
        digest = _sha512(Path(src))
        state.setdefault(digest, []).append(logical)
        sources.setdefault(digest, Path(src))
    old = read_inventory(object_root)
    if old is not None and old.get("id") != object_id:
        raise UsageError(f"{object_root}: holds object {old.get('id')!r}, not {object_id!r}")
    versions: dict[str, Any] = dict(old["versions"]) if old else {}
    manifest: dict[str, list[str]] = {k: list(v) for k, v in old["manifest"].items()} if old else {}
    if old is not None and _same_state(versions[old["head"]]["state"], state):
        return VersionResult(object_id, object_root, old["head"], False)
    head = f"v{len(versions) + 1}"
    new = {d: src for d, src in sources.items() if d not in manifest}
    for digest in sorted(new):
        logical = state[digest][0]
        manifest[digest] = [f"{head}/content/{logical}"]
    version: dict[str, Any] = {"created": _timestamp(created), "state": state}
    if message:
        version["message"] = message
    if user is not None:
        version["user"] = {"name": user[0], **({"address": user[1]} if user[1] else {})}
    versions[head] = version
    inventory = {"digestAlgorithm": "sha512", "head": head, "id": object_id, "manifest": manifest,
                 "type": INVENTORY_TYPE, "versions": versions}
    staging = root.parent / f".{root.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staged = staging / object_root.name
    try:
        _stage(staged, object_root if old is not None else None, head, new, manifest, inventory)
        _swap(staged, object_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return VersionResult(object_id, object_root, head, True, len(new), sum(p.stat().st_size for p in new.values()))


def _same_state(old: Mapping[str, list[str]], new: Mapping[str, list[str]]) -> bool:
    return {d: sorted(p) for d, p in old.items()} == {d: sorted(p) for d, p in new.items()}


def _stage(staged: Path, current: Path | None, head: str, new: Mapping[str, Path],
           manifest: Mapping[str, list[str]], inventory: dict[str, Any]) -> None:
    """The whole new object root in ``staged``: old versions hard-linked (never copied, never changed)."""
    staged.mkdir(parents=True)
    if current is not None:
        for entry in sorted(os.listdir(current)):
            if entry.startswith("v") and (current / entry).is_dir():
                shutil.copytree(current / entry, staged / entry, copy_function=os.link)
    (staged / _OBJECT_DECL[0]).write_bytes(_OBJECT_DECL[1])
    for digest, src in sorted(new.items()):
        target = staged / manifest[digest][0]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        shutil.copystat(src, target)
    body = _json(inventory)
    sidecar = f"{hashlib.sha512(body).hexdigest()}  inventory.json\n".encode()
    for folder in (staged, staged / head):
        folder.mkdir(exist_ok=True)
        (folder / "inventory.json").write_bytes(body)
        (folder / "inventory.json.sha512").write_bytes(sidecar)
    for dirpath, _dirs, names in os.walk(staged):
        for name in names:
            path = os.path.join(dirpath, name)
            if stat.S_ISREG(os.lstat(path).st_mode) and os.lstat(path).st_nlink == 1:
                with open(path, "rb") as f:
                    os.fsync(f.fileno())


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); ``False`` where that is not available."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return bool(renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0)


def _swap(staged: Path, object_root: Path) -> None:
    """Put ``staged`` in place of ``object_root``; the rename made durable (its folder synced)."""
    if not object_root.exists():
        object_root.parent.mkdir(parents=True, exist_ok=True)
        os.rename(staged, object_root)
        fsync_dir(object_root.parent)
        return
    if _exchange(staged, object_root):
        fsync_dir(object_root.parent)
        shutil.rmtree(staged)
        return
    aside = object_root.with_name(f".{object_root.name}.old-{os.getpid()}")
    os.rename(object_root, aside)
    try:
        os.rename(staged, object_root)
    except OSError:
        os.rename(aside, object_root)
        raise
    fsync_dir(object_root.parent)
    shutil.rmtree(aside, ignore_errors=True)
