"""Locations that may be local paths or fsspec URLs (``s3://bucket/prefix``, ``memory://…``, ``file://…``).

See ``docs/object-storage.md``: what is read and written where, the bag publication rule, credentials.
"""

from __future__ import annotations

from heritage_ld.storage.fetch import RemoteFile, cache_root, local_copy, local_path
from heritage_ld.storage.listing import media_fingerprint, media_source, readable
from heritage_ld.storage.lock import LOCK_FILE, BuildLock, LockHolder
from heritage_ld.storage.store import CHUNK, Store, StoreError, is_url, redact, resolve

__all__ = ["CHUNK", "LOCK_FILE", "BuildLock", "LockHolder", "RemoteFile", "Store", "StoreError", "cache_root", "is_url",
           "local_copy", "local_path", "media_fingerprint", "media_source", "readable", "redact", "resolve"]
