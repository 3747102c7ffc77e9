"""`check` says OK ⇒ the outputs can be written (issue #11 item 5), for hostile catalogue values.

Control characters, bidirectional and other format characters, byte-order marks, huge values and non-web
link schemes go into items.csv cells and collection.toml strings. Then either ``check`` reports located
problems, or every item (and the collection) serialises to Turtle, N-Triples and RDF/XML, the RDF/XML
re-parses with lxml, the Turtle and N-Triples with pyoxigraph, and every link that was accepted is a web IRI.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from heritage_ld.catalogue import check_catalogue
from heritage_ld.formats import N_TRIPLES, RDF_XML, TURTLE
from heritage_ld.model import IDENTIFIER_SCHEMES, LINK_SCHEMES, Collection, iri_scheme
from heritage_ld.rdf import item_document, serialize

SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.large_base_example])

HOSTILE_CHARS = ["\x00", "\x01", "\x08", "\t", "\n", "\r", "\x0b", "\x1b", "\x7f", "\x85", "\xa0", "\u00ad",
                 "\u200b", "\u200e", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\ufeff", "\ufffd",
                 "\ufffe", "\uffff", "\ue000", "\U0010fffd", "\U0001f600", "\u0378", '"', "\\", "<", "&", "]]>",
                 "|", ":", "@"]
SCHEMES = ["javascript:alert(15)", "JaVaScRiPt:alert(1)", "data:text/html,x", "file:///etc/passwd",
           "vbscript:msgbox", "ftp://example.org/x", "mailto:a@example.org", "urn:isil:VN-HNM",
           "info:lccn/n79021164", "https://example.org/ok", "http://example.org/ok", "//example.org/x",
           "media/a.png", "../../etc/passwd", "C:/logo.png"]
HUGE = ["A" * 101, "A" * 300, "ư" * 40, "x" * 200_000, "Hà Nội " * 2_000]

hostile = st.one_of(
    st.lists(st.one_of(st.sampled_from(HOSTILE_CHARS), st.text(max_size=5)), min_size=1, max_size=8).map("".join),
    st.text(st.characters(categories=("Cc", "Cf", "Co", "Zl", "Zp", "Zs")), min_size=1, max_size=6),
    st.sampled_from(SCHEMES),
    st.sampled_from(HUGE),
)
#: A plain value with a hostile one put somewhere in it.
value = st.one_of(hostile, st.tuples(st.text(max_size=6), hostile, st.text(max_size=6)).map("".join))

TOML = """\
[collection]
key = "fuzz"
base_url = "https://example.org/fuzz"
title.en = {title}
homepage = {homepage}
publisher = "a"
[[sections]]
key = "s"
title.en = "S"
[agents.a]
kind = "group"
name.en = {name}
address = {address}
logo = {logo}
same_as = [{same_as}]
[places.p]
name.en = "P"
"""
HEADER = ["accession", "kind", "section", "title@en", "description@en", "creator", "identifier", "same_as",
          "master"]


def _toml_string(text: str) -> str:
    """A TOML basic string holding exactly ``text`` (every character outside printable ASCII escaped)."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text) + '"'


def _catalogue(root: Path, cells: dict[str, str], toml: dict[str, str]) -> Path:
    (root / "media").mkdir(parents=True, exist_ok=True)
    if not (root / "media" / "a.png").exists():
        Image.new("RGB", (2, 2)).save(root / "media" / "a.png")
    (root / "collection.toml").write_text(TOML.format(**{k: _toml_string(v) for k, v in toml.items()}),
                                          encoding="utf-8")
    row = {"accession": "A1", "kind": "photograph", "section": "s", "title@en": "T", "master": "media/a.png"}
    row.update(cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerow([row.get(name, "") for name in HEADER])
    (root / "items.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return root


def _links(collection: Collection) -> list[tuple[str, tuple[str, ...]]]:
    """Every IRI-valued field that was accepted, with the schemes it may have."""
    links = [(collection.homepage, LINK_SCHEMES)] if collection.homepage else []
    for agent in collection.agents:
        links += [(agent.homepage, LINK_SCHEMES)] if agent.homepage else []
        links += [(agent.logo, LINK_SCHEMES)] if agent.logo and iri_scheme(agent.logo) else []
        links += [(s, IDENTIFIER_SCHEMES) for s in agent.same_as]
    for item in collection.items:
        links += [(s, IDENTIFIER_SCHEMES) for s in item.same_as]
    return links


def _assert_located_or_writable(root: Path) -> None:
    result = check_catalogue(root)
    for p in result.problems:
        assert p.location.file and p.location.line is not None, p.render()
        p.render()
    if result.collection is None:
        assert result.errors
        return
    collection = result.collection
    for link, schemes in _links(collection):
        assert iri_scheme(link) in schemes, link
    for item in collection.items:
        assert len(item.accession) <= 100
        etree.fromstring(item_document(item, collection, RDF_XML))  # a strict XML parser reads it back
        for fmt, oxi in ((TURTLE, pyoxigraph.RdfFormat.TURTLE), (N_TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)):
            assert list(pyoxigraph.parse(item_document(item, collection, fmt), format=oxi))
    etree.fromstring(serialize(collection, RDF_XML))
    for fmt, oxi in ((TURTLE, pyoxigraph.RdfFormat.TURTLE), (N_TRIPLES, pyoxigraph.RdfFormat.N_TRIPLES)):
        assert list(pyoxigraph.parse(serialize(collection, fmt), format=oxi))


@SETTINGS
@given(cells=st.fixed_dictionaries({}, optional={name: value for name in HEADER if name not in ("kind", "master")}))
def test_hostile_items_csv_cells(tmp_path: Path, cells: dict[str, str]) -> None:
    root = _catalogue(tmp_path / "csv", cells, {"title": "C", "homepage": "https://example.org/",
                                                "name": "A", "address": "", "logo": "media/a.png", "same_as": ""})
    _assert_located_or_writable(root)


@SETTINGS
@given(toml=st.fixed_dictionaries({"title": value, "homepage": value, "name": value, "address": value,
                                   "logo": value, "same_as": value}))
def test_hostile_collection_toml_strings(tmp_path: Path, toml: dict[str, str]) -> None:
    _assert_located_or_writable(_catalogue(tmp_path / "toml", {}, toml))
