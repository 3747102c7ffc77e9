"""Opaque, signed, expiring tokens (OAI-PMH resumption tokens) and the secret key that signs them.

A token is ``v1.{payload}.{signature}``: the payload is URL-safe base64 of compact JSON holding the state and
an expiry (Unix seconds), the signature an HMAC-SHA256 of ``v1.{payload}`` (RFC 2104), truncated to 128 bits.
A client cannot make or change one: :meth:`TokenSigner.verify` checks the signature (in constant time) before
it reads a byte of the payload, then the expiry, and raises :class:`BadToken` for anything else.

The key is 32 random bytes (:mod:`secrets`) made once per output folder and kept in :data:`KEY_FILE`, a file
of ``OUT`` readable by its owner only that the server never serves (it serves only the published trees), so
tokens survive a restart of ``heritage-ld serve``. When the folder cannot be written, the key lives in memory
for this process only.

>>> from datetime import datetime, timedelta, timezone
>>> signer = TokenSigner(b"k" * 32, ttl=timedelta(hours=1))
>>> now = datetime(2024, 1, 2, tzinfo=timezone.utc)
>>> token, expires = signer.sign({"offset": 100}, now=now)
>>> signer.verify(token, now=now + timedelta(minutes=5))
{'offset': 100}
>>> signer.verify(token, now=now + timedelta(hours=2))
Traceback (most recent call last):
...
heritage_ld.publish.tokens.BadToken: the token has expired
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = ["KEY_FILE", "MAX_TOKEN_LENGTH", "BadToken", "TokenSigner", "load_key"]

#: The key's file under the output folder (outside every tree the server publishes).
KEY_FILE = ".oai-token-key"
#: Longer tokens are refused unread.
MAX_TOKEN_LENGTH = 4096
_VERSION = "v1"
_KEY_BYTES = 32
_SIGNATURE_BYTES = 16


class BadToken(ValueError):
    """A token that was not made by this key, was changed, is malformed or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    if not text or not text.isascii():
        raise BadToken("the token is malformed")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("the token is malformed") from None


class TokenSigner:
    """Signs and verifies tokens with one key.

    Args:
        key: the secret (:func:`load_key`); at least 16 bytes.
        ttl: how long a token stays valid after it is made.
    """

    def __init__(self, key: bytes, *, ttl: timedelta = timedelta(hours=24)) -> None:
        if len(key) < 16:
            raise ValueError("a token key needs at least 16 bytes")
        self._key = key
        self.ttl = ttl

    def _signature(self, signed: str) -> str:
        return _b64(hmac.new(self._key, signed.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES])

    def sign(self, state: Any, *, now: datetime) -> tuple[str, datetime]:
        """A token carrying ``state`` (anything JSON can hold) and the moment it expires."""
        expires = (now + self.ttl).astimezone(timezone.utc).replace(microsecond=0)
        payload = json.dumps({"e": int(expires.timestamp()), "s": state}, sort_keys=True, separators=(",", ":"))
        signed = f"{_VERSION}.{_b64(payload.encode())}"
        return f"{signed}.{self._signature(signed)}", expires

    def verify(self, token: str, *, now: datetime) -> Any:
        """The state a token carries.

        Raises:
            BadToken: the token is malformed, not signed by this key, changed, or expired at ``now``.
        """
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise BadToken("the token is malformed")
        version, _, rest = token.partition(".")
        payload, _, signature = rest.partition(".")
        if version != _VERSION or not payload or not signature:
            raise BadToken("the token is malformed")
        if not hmac.compare_digest(self._signature(f"{version}.{payload}"), signature):
            raise BadToken("the token was not made by this server or was changed")
        try:
            data = json.loads(_unb64(payload))
            expires, state = int(data["e"]), data["s"]
        except (ValueError, KeyError, TypeError):  # signed by us, so only an older format could get here
            raise BadToken("the token is malformed") from None
        if now.timestamp() > expires:
            raise BadToken("the token has expired")
        return state


def load_key(out: Path) -> bytes:
    """The token key of the output folder ``out``: read from :data:`KEY_FILE`, made there (mode 0600) if absent.

    The file is written beside its final name and linked into place, so two servers starting at once agree on
    one key. If ``out`` cannot be written, a key for this process only is returned.
    """
    path = out / KEY_FILE
    with contextlib.suppress(OSError, ValueError):
        return _read_key(path)
    key = secrets.token_bytes(_KEY_BYTES)
    tmp = out / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
        with contextlib.suppress(FileExistsError):  # another process made the key first: use theirs
            os.link(tmp, path)
        return _read_key(path)
    except (OSError, ValueError):
        return key
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _read_key(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise ValueError(f"{path} holds too short a key")
    return key
