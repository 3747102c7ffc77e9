"""OCFL storage layout extension 0003: hashed truncated n-tuple trees with an object-id encapsulating folder.

https://ocfl.github.io/extensions/0003-hash-and-id-n-tuple-storage-layout.html: the object id is hashed
(SHA-256, lower-case hex), the first ``number_of_tuples`` groups of ``tuple_size`` characters become folders,
and the id percent-encoded (every character but ``A-Za-z0-9-_``, lower-case hex of its UTF-8 bytes) names the
object's folder, cut at 100 characters and followed by ``-`` and the digest when longer. ocfl-py and other
OCFL tools read storage roots with this layout.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["LAYOUT_NAME", "Layout"]

LAYOUT_NAME = "0003-hash-and-id-n-tuple-storage-layout"
_SAFE = re.compile(r"[A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Layout:
    """The extension's parameters (the defaults of its specification)."""

    digest_algorithm: str = "sha256"
    tuple_size: int = 3
    number_of_tuples: int = 3

    def config(self) -> dict[str, Any]:
        """``extensions/0003-…/config.json``."""
        return {"digestAlgorithm": self.digest_algorithm, "extensionName": LAYOUT_NAME,
                "numberOfTuples": self.number_of_tuples, "tupleSize": self.tuple_size}

    def path(self, object_id: str) -> str:
        """The object root of ``object_id``, relative to the storage root.

        >>> Layout().path("object-01")
        '3c0/ff4/240/object-01'
        >>> Layout().path("ark:123/abc")
        'a47/817/83d/ark%3a123%2fabc'
        """
        digest = hashlib.new(self.digest_algorithm, object_id.encode("utf-8")).hexdigest()
        tuples = [digest[i * self.tuple_size:(i + 1) * self.tuple_size] for i in range(self.number_of_tuples)]
        name = "".join(c if _SAFE.fullmatch(c) else "".join(f"%{b:02x}" for b in c.encode("utf-8"))
                       for c in object_id)
        if len(name) > 100:
            name = f"{name[:100]}-{digest}"
        return "/".join([*tuples, name])
