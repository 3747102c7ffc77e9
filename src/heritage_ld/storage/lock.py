"""One build at a time of a remote output folder, whichever machine runs it: ``OUT/build.lock``.

A build of a remote OUT works in a local working copy and ends by uploading what changed and a copy of its ledger;
two machines doing that at once would each upload outputs and a ledger that know nothing of the other's work.
So a build first creates ``OUT/build.lock`` with a create-only-if-absent write (S3 ``If-None-Match: *``, the
same on ``memory://``, ``O_EXCL`` for ``file://``), and a second build finds it there and stops with ``S007``,
naming the machine, process and times of the one that holds it. The lock is renewed every minute while the build
runs (its ``renewed`` time says the holder is alive) and removed when the build ends, whatever the outcome.

A lock left by a build that died (a machine switched off, a SIGKILL):

- on the same machine, when its process no longer runs, it is taken over at once;
- otherwise only when asked (``heritage-ld build --break-lock``), since no other machine can know that a build
  elsewhere is gone rather than slow. A build whose lock was broken meanwhile finds out before it uploads and
  stops with ``S008``, sending nothing more and leaving the ledger copy of the build that broke it.

Backends that cannot create a file only if absent (not ``s3``, ``memory`` or ``file``) get a best-effort lock:
an existence check, the write, and a read back after a short pause; documented in ``docs/object-storage.md``.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from heritage_ld.problems import Location, report
from heritage_ld.storage.store import Store, StoreError

__all__ = ["LOCK_FILE", "BuildLock", "LockHolder"]

#: The lock's path under OUT.
LOCK_FILE = "build.lock"
#: Seconds between renewals of a held lock.
RENEW_EVERY = 60.0
#: A lock file is a few hundred bytes: a larger one is not ours, and is not read further than this.
MAX_LOCK_BYTES = 64 * 1024
#: Backends where a create-only-if-absent write is atomic on the store itself.
_EXCLUSIVE = frozenset({"s3", "s3a", "memory", "file", "local"})


def _shown(text: str, limit: int = 120) -> str:
    """``text`` as it may appear in a message: control characters escaped (a lock file is anybody's bytes: no
    terminal escape sequence reaches the screen), and cut to ``limit`` characters."""
    safe = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
                   for c in text[: limit + 1])
    return safe if len(safe) <= limit else safe[:limit] + "…"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a lock, as written in ``build.lock``."""

    host: str
    pid: int
    token: str
    started: str
    renewed: str
    software: str = ""

    @classmethod
    def mine(cls) -> LockHolder:
        from heritage_ld._version import __version__

        now = _now()
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex, now, now, f"heritage-ld {__version__}")

    @classmethod
    def parse(cls, data: bytes) -> LockHolder | None:
        """The holder a lock file names; ``None`` for a file that is not one (damaged, empty, foreign)."""
        try:
            raw: Any = json.loads(data.decode("utf-8"))
            return cls(str(raw["host"]), int(raw["pid"]), str(raw["token"]), str(raw["started"]),
                       str(raw["renewed"]), str(raw.get("software", "")))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    def encode(self) -> bytes:
        return (json.dumps({"host": self.host, "pid": self.pid, "token": self.token, "started": self.started,
                            "renewed": self.renewed, "software": self.software}, indent=1) + "\n").encode()

    def describe(self) -> str:
        """``host pid 123 (heritage-ld 1.0), started …, renewed … (N min ago)``."""
        ago = ""
        with suppress(ValueError):
            seconds = (datetime.now(timezone.utc) - datetime.fromisoformat(self.renewed.replace("Z", "+00:00")))
            ago = f" ({int(seconds.total_seconds() // 60)} min ago)"
        software = f" ({_shown(self.software)})" if self.software else ""
        return (f"{_shown(self.host)} process {self.pid}{software}, started {_shown(self.started)}, "
                f"renewed {_shown(self.renewed)}{ago}")

    def dead_here(self) -> bool:
        """Held by a process of this machine that no longer runs."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # runs, as another user
            return False
        return False  # runs (this very process too: another build of the same OUT in another thread)


class BuildLock:
    """The lock of a remote OUT (``store``): :meth:`acquire` before the build, :meth:`check` before uploading,
    :meth:`release` at the end (a ``with`` block does both ends).

    >>> out = Store.from_url("memory://doctest-lock/out")
    >>> with BuildLock(out) as lock:
    ...     other = BuildLock(out)
    ...     try:
    ...         other.acquire()
    ...     except StoreError as exc:
    ...         print(exc.problems[0].code)
    S007
    >>> out.exists(LOCK_FILE)
    False
    """

    def __init__(self, store: Store, *, renew_every: float = RENEW_EVERY) -> None:
        self.store = store
        self.holder = LockHolder.mine()
        self.broke: LockHolder | None = None  # the dead or abandoned holder this lock took over from
        self._renew_every = renew_every
        self._held = False
        self._lost: LockHolder | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- taking and giving back ------------------------------------------------------------------------------
    def acquire(self, *, break_lock: bool = False) -> None:
        """Take the lock, or raise :class:`StoreError` ``S007`` naming its holder.

        ``break_lock``: take it over from whoever holds it (a build known to be gone).
        """
        for _ in range(3):
            if self._create():
                self._held = True
                self._start_renewing()
                return
            current = self._read()
            if current is None and self.store.exists(LOCK_FILE):
                current = LockHolder("?", 0, "", "?", "?", "not a heritage-ld lock file")
            if current is None:
                continue  # released between the two requests: try again
            if not (break_lock or current.dead_here()):
                raise StoreError([report("S007", Location(self.store.url_of(LOCK_FILE)),
                                         holder=current.describe())])
            self.broke = current
            self.store.remove([LOCK_FILE])
        raise StoreError([report("S007", Location(self.store.url_of(LOCK_FILE)),
                                 holder="another build, taking it at the same moment as this one")])

    def check(self) -> None:
        """Raise :class:`StoreError` ``S008`` when the lock is no longer this build's (broken by another)."""
        if not self._held:
            return
        current = self._read()
        if current is None or current.token != self.holder.token:
            self._lost = current or self._lost
            who = current.describe() if current is not None else "nobody (the lock file was removed)"
            raise StoreError([report("S008", Location(self.store.url_of(LOCK_FILE)), holder=who)])

    def release(self) -> None:
        """Stop renewing and remove the lock if it is still this build's (never another build's)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if not self._held:
            return
        self._held = False
        with suppress(StoreError):
            current = self._read()
            if current is not None and current.token == self.holder.token:
                self.store.remove([LOCK_FILE])

    @property
    def held(self) -> bool:
        return self._held

    # -- the store -------------------------------------------------------------------------------------------
    def _read(self) -> LockHolder | None:
        try:
            data = self.store.read_range(LOCK_FILE, 0, MAX_LOCK_BYTES + 1)  # never a huge file whole
        except StoreError as exc:
            if exc.problems and exc.problems[0].code == "S003":
                return None
            raise
        return LockHolder.parse(data) if len(data) <= MAX_LOCK_BYTES else None

    def _create(self) -> bool:
        """Write the lock only if there is none; whether it was written."""
        data = self.holder.encode()
        path = self.store.path(LOCK_FILE)
        fs = self.store.fs
        try:
            if self.store.protocol in ("file", "local"):
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                try:
                    os.write(fd, data)
                finally:
                    os.close(fd)
                return True
            if self.store.protocol in _EXCLUSIVE:
                fs.pipe_file(path, data, mode="create")
                return True
            if self.store.exists(LOCK_FILE):
                return False
            self.store.write_bytes(LOCK_FILE, data)
            time.sleep(1.0)  # best effort where the store cannot refuse a second writer: the last one wins
            current = self._read()
            return current is not None and current.token == self.holder.token
        except FileExistsError:
            return False
        except StoreError:
            raise
        except Exception as exc:  # botocore and the like: one coded line, no secret
            from heritage_ld.storage.store import failure

            raise failure(exc, self.store.url_of(LOCK_FILE), "creating the build lock") from None

    def _start_renewing(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name="build-lock-renewal", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self._renew_every):
            with suppress(StoreError):
                current = self._read()
                if current is None or current.token != self.holder.token:
                    self._lost = current
                    return  # broken by another build: check() says so before anything more is uploaded
                self._overwrite(replace(self.holder, renewed=_now()).encode())

    def _overwrite(self, data: bytes) -> None:
        """Replace the lock's content as one change: a reader never sees it empty or half written (a PUT on a
        store; on ``file://`` a temporary file renamed over it)."""
        if self.store.protocol in ("file", "local"):
            path = self.store.path(LOCK_FILE)
            tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            return
        self.store.write_bytes(LOCK_FILE, data)
