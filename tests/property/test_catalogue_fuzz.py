"""Arbitrary input never escapes as a traceback: a clean Collection or located problems, nothing else."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage_ld.catalogue import check_catalogue, read_catalogue
from heritage_ld.catalogue.rows import PLAIN_COLUMNS
from heritage_ld.errors import CatalogueError
from heritage_ld.model import Collection

TOML = """\
[collection]
key = "fuzz"
base_url = "https://example.org/fuzz"
title.en = "Fuzz"
[[sections]]
key = "s"
title.en = "S"
[agents.a]
kind = "person"
name.en = "A"
[places.p]
name.en = "P"
[subjects.x]
label.en = "X"
"""
HEADER = "accession,kind,section,title@en,date,creator,place,subject,height_cm,rights,master,access,same_as,language\n"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _assert_clean_or_located(root: Path) -> None:
    result = check_catalogue(root)
    assert all(p.location.file and p.location.line is not None for p in result.problems), [
        p.render() for p in result.problems if p.location.line is None
    ]
    for p in result.problems:
        p.render()  # every template renders with the parameters given
    try:
        collection = read_catalogue(root)
    except CatalogueError as exc:
        assert result.collection is None and exc.problems
    else:
        assert isinstance(collection, Collection) and result.collection == collection


def _catalogue(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    root.mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "collection.toml").write_text(TOML, encoding="utf-8")
    (root / "items.csv").write_text(HEADER + "A1,photograph,s,Title,1972,a,p,x,1,,media/a.png,,,\n", encoding="utf-8")
    return root


_csvish = st.lists(
    st.one_of(st.binary(max_size=40), st.sampled_from([b",", b'"', b"\n", b"\r\n", b"\r", b"|", b"@", b"\xef\xbb\xbf",
                                                       b"\xff", b"\x00", HEADER.encode(), b"title@vi_VN"])),
    max_size=20,
).map(b"".join)


@SETTINGS
@given(data=_csvish)
def test_arbitrary_bytes_as_items_csv(tmp_path: Path, data: bytes) -> None:
    root = _catalogue(tmp_path, "csv")
    (root / "items.csv").write_bytes(data)
    _assert_clean_or_located(root)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                      st.sampled_from(TOML.splitlines(keepends=True)).map(str.encode),
                      st.lists(st.sampled_from(TOML.splitlines(keepends=True)), max_size=30).map(
                          lambda lines: "".join(lines).encode())))
def test_arbitrary_bytes_as_collection_toml(tmp_path: Path, data: bytes) -> None:
    root = _catalogue(tmp_path, "toml")
    (root / "collection.toml").write_bytes(data)
    _assert_clean_or_located(root)


_cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "..", "/etc/hostname", "../x", "media/a.png", "1972-02-3X", "1972-XX-31", "197X-1X",
                     "sNaN", "-0", "1e999999", "a:b|c", "s", "x", "p", "photograph", "\u0000", "x-private", "en-",
                     "http://", "https://creativecommons.org/licenses/by/4.0/", "1972-12-29/..", "../1972"]),
)


@SETTINGS
@given(cells=st.fixed_dictionaries({name: _cell for name in HEADER.strip().split(",")}))
def test_arbitrary_text_cells(tmp_path: Path, cells: dict[str, str]) -> None:
    root = _catalogue(tmp_path, "cells")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerow([cells[name] for name in HEADER.strip().split(",")])
    (root / "items.csv").write_text(buffer.getvalue(), encoding="utf-8")
    _assert_clean_or_located(root)


def test_header_columns_are_known() -> None:
    for name in HEADER.strip().split(","):
        assert name in PLAIN_COLUMNS or "@" in name
