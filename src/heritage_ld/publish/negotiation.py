"""HTTP content negotiation (RFC 9110 §12.5.1 ``Accept``) and the base-URL rewriting of text responses.

>>> choose("text/html;q=0.9, text/turtle", ["application/ld+json", "text/turtle"])
'text/turtle'
>>> choose("application/*;q=0.5, */*;q=0.1", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["REWRITABLE", "choose", "parse_accept", "rewrite"]

#: Media types whose bodies are text that may carry the build's base URL (rewritten by ``heritage-ld serve``).
REWRITABLE = (
    "text/", "application/json", "application/ld+json", "application/n-triples", "application/n-quads",
    "application/rdf+xml", "application/xml", "application/trig", "application/sparql-results",
    "application/javascript", "image/svg+xml",
)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``(media range, q)`` pairs from an Accept header, best first (ties keep the header's order)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def _matches(media_range: str, offered: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    if media_range.endswith("/*"):
        return offered.split("/")[0] == media_range[:-2]
    return media_range == offered


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers (the server's order breaks ties), or ``None``."""
    best: tuple[float, int, int] | None = None
    chosen = None
    ranges = parse_accept(accept)
    for index, media in enumerate(offered):
        for rank, (media_range, q) in enumerate(ranges):
            if q > 0 and _matches(media_range, media):
                # Exact ranges rank before wildcards at the same q (RFC 9110 §12.5.1: more specific wins).
                key = (-q, rank if "*" not in media_range else len(ranges) + rank, index)
                if best is None or key < best:
                    best, chosen = key, media
                break
    return chosen


def rewrite(body: bytes, old: str, new: str) -> bytes:
    """Replace every occurrence of the base URL ``old`` by ``new`` (also JSON-escaped ``\\/`` forms).

    >>> rewrite(b'{"id": "https://ex.org/c/iiif/1"}', "https://ex.org/c", "http://127.0.0.1:8000")
    b'{"id": "http://127.0.0.1:8000/iiif/1"}'
    """
    old, new = old.rstrip("/"), new.rstrip("/")
    out = body.replace(old.encode(), new.encode())
    escaped = old.replace("/", "\\/").encode()
    if escaped in out:
        out = out.replace(escaped, new.replace("/", "\\/").encode())
    return out


def is_rewritable(media_type: str) -> bool:
    """True for text media types (HTML, JSON, RDF, XML …) whose bodies are rewritten."""
    return media_type.split(";")[0].strip().lower().startswith(REWRITABLE)
