"""Deterministic IRI minting: the same item has the same IRI in the RDF, the IIIF manifest, the bag and the site.

The build output folder is laid out like the site it becomes: everything ``heritage-ld build`` writes under
``OUT/`` is published at ``{base_url}/`` (``OUT/iiif/…`` at ``{base_url}/iiif/…``), so one
:class:`UrlScheme` gives both the public URL and the path under ``OUT``. Sub-nodes of a resource (its
production, time-span, names …) are hash IRIs of that resource, so they resolve with it and never churn.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["IDENTIFIER_SCHEMES", "LINK_SCHEMES", "UrlScheme", "iri_scheme", "iri_segment", "is_absolute_iri", "slugify"]

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

#: Schemes of an IRI that viewers and browsers follow as a link (a home page, a logo, the base URL): only the
#: web. ``javascript:``, ``data:``, ``file:`` … would run or read something where the output is shown.
LINK_SCHEMES = ("http", "https")
#: Schemes of an IRI that identifies something without being a link (``same_as`` authority IRIs): the web,
#: and URNs (RFC 8141) and ``info:`` URIs (RFC 4452), which are never dereferenced.
IDENTIFIER_SCHEMES = ("http", "https", "urn", "info")


# The same keys are encoded for every node of an item (~15% of RDF time uncached): items come one after another,
# so a small cache serves them as well as a large one, whose entries (160 bytes each, in every worker process)
# grew with the collection up to 65,536.
@functools.lru_cache(maxsize=1 << 12)
def iri_segment(value: str) -> str:
    """One path segment made from a key or accession number: NFC, percent-encoded outside RFC 3986's unreserved.

    >>> iri_segment("HN 1972/001")
    'HN%201972%2F001'
    >>> iri_segment("..")   # never a path step upwards, in a URL or under the output folder
    '%2E%2E'
    """
    if not value:
        raise ValueError("an empty key or accession number cannot name a resource")
    seg = quote(unicodedata.normalize("NFC", value), safe="-._~")
    if seg in (".", ".."):  # RFC 3986 §5.2.4 removes dot-segments on resolution: encode them
        seg = "".join(f"%{ord(c):02X}" for c in value)
    return seg


def slugify(value: str) -> str:
    """A readable ASCII fragment for a value (``"Khâm Thiên"`` → ``"kham-thien"``).

    >>> slugify("Phố Khâm Thiên, 1972")
    'pho-kham-thien-1972'
    """
    text = unicodedata.normalize("NFKD", value.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def iri_scheme(value: str) -> str | None:
    """The scheme of ``value`` in lower case (RFC 3986 §3.1: case-insensitive), or ``None`` when it has none.

    >>> iri_scheme("HTTPS://example.org/"), iri_scheme("JavaScript:alert(1)"), iri_scheme("media/logo.png")
    ('https', 'javascript', None)
    """
    found = _SCHEME.match(value)
    return found.group()[:-1].lower() if found else None


def is_absolute_iri(value: str) -> str | None:
    """``None`` if ``value`` is an absolute IRI usable in RDF, else the reason it is not.

    >>> is_absolute_iri("http://www.wikidata.org/entity/Q1858") is None
    True
    >>> is_absolute_iri("www.wikidata.org/entity/Q1858")
    'no scheme (such as https:)'
    """
    if not value:
        return "empty"
    bad = _IRI_FORBIDDEN.search(value)
    if bad:
        return f"character {bad.group()!r} is not allowed in an IRI"
    if not _SCHEME.match(value):
        return "no scheme (such as https:)"
    scheme, _, rest = value.partition(":")
    if scheme.lower() in ("http", "https") and not rest.startswith("//"):
        return "an http(s) IRI needs '//' and a host"
    if scheme.lower() in ("http", "https") and not rest[2:].split("/")[0]:
        return "no host"
    if value.count("#") > 1:
        return "more than one '#'"
    return None


@dataclass(frozen=True, slots=True)
class UrlScheme:
    """Mints every IRI and URL from one base URL.

    >>> u = UrlScheme("https://example.org/hanoi-1972/")
    >>> u.object("HN1972.001")
    'https://example.org/hanoi-1972/object/HN1972.001'
    >>> u.node(u.object("HN1972.001"), "production")
    'https://example.org/hanoi-1972/object/HN1972.001#production'
    >>> u.manifest("HN1972.001"), u.path(u.manifest("HN1972.001"))
    ('https://example.org/hanoi-1972/iiif/HN1972.001/manifest.json', 'iiif/HN1972.001/manifest.json')
    """

    base_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    # -- resources ---------------------------------------------------------------------------------
    def object(self, accession: str) -> str:
        return f"{self.base_url}/object/{iri_segment(accession)}"

    def agent(self, key: str) -> str:
        return f"{self.base_url}/agent/{iri_segment(key)}"

    def place(self, key: str) -> str:
        return f"{self.base_url}/place/{iri_segment(key)}"

    def concept(self, key: str) -> str:
        return f"{self.base_url}/concept/{iri_segment(key)}"

    def section(self, key: str) -> str:
        return f"{self.base_url}/section/{iri_segment(key)}"

    def exhibition(self, key: str) -> str:
        """The exhibition (or collection) activity itself."""
        return f"{self.base_url}/exhibition/{iri_segment(key)}"

    def set(self, key: str) -> str:
        """The set of objects shown in the exhibition (Linked Art ``Set``)."""
        return f"{self.base_url}/set/{iri_segment(key)}"

    def dataset(self) -> str:
        """The dataset description (VoID / DCAT)."""
        return f"{self.base_url}/rdf/dataset"

    def node(self, iri: str, *parts: str) -> str:
        """A stable sub-node of a resource: ``{iri}#{part-part}``."""
        return f"{iri}#{'-'.join(iri_segment(p) for p in parts)}"

    # -- published files ---------------------------------------------------------------------------
    def rdf_file(self, accession: str, extension: str) -> str:
        return f"{self.base_url}/rdf/object/{iri_segment(accession)}.{extension}"

    def manifest(self, accession: str) -> str:
        return f"{self.base_url}/iiif/{iri_segment(accession)}/manifest.json"

    def iiif_collection(self) -> str:
        return f"{self.base_url}/iiif/collection.json"

    def exhibition_manifest(self) -> str:
        return f"{self.base_url}/iiif/exhibition.json"

    def image_service(self, accession: str, index: int) -> str:
        """The level-0 Image API service of the ``index``-th (1-based) image of an item."""
        return f"{self.base_url}/iiif/image/{iri_segment(accession)}-{index}"

    def page(self, accession: str) -> str:
        return f"{self.base_url}/site/object/{iri_segment(accession)}.html"

    def section_page(self, key: str) -> str:
        return f"{self.base_url}/site/section/{iri_segment(key)}.html"

    def home_page(self) -> str:
        return f"{self.base_url}/site/index.html"

    def bag(self, accession: str) -> str:
        return f"{self.base_url}/bags/{iri_segment(accession)}"

    def path(self, url: str) -> str:
        """The path under the build output folder of a URL minted here (no fragment)."""
        prefix = self.base_url + "/"
        if not url.startswith(prefix):
            raise ValueError(f"{url!r} is not under {prefix!r}")
        return url[len(prefix):].split("#", 1)[0]
