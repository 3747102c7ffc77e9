"""Audit (fixity-check events and reports) and fetch (holey bags from a local HTTP server)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib

from heritage_ld.bags import EVENTS_FILE, audit_bag, fetch_bag, validate_bag, write_bag
from heritage_ld.bags.audit import format_audit_report

from .conftest import snapshot


@pytest.fixture()
def good(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag")
    return tmp_path / "bag"


def _events(bag: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(bag / EVENTS_FILE, format="turtle", publicID="https://example.org/bag/e.ttl")


FIX = rdflib.URIRef("http://id.loc.gov/vocabulary/preservation/eventType/fix")
DCT_TYPE = rdflib.URIRef("http://purl.org/dc/terms/type")


def test_audit_appends_a_fixity_event_and_keeps_the_bag_valid(good: Path) -> None:
    payload = snapshot(good / "data")
    report = audit_bag(good)
    assert report.ok and report.recorded
    assert len(list(_events(good).subjects(DCT_TYPE, FIX))) == 1
    audit_bag(good)
    assert len(list(_events(good).subjects(DCT_TYPE, FIX))) == 2
    assert validate_bag(good).valid
    assert snapshot(good / "data") == payload


def test_audit_of_a_damaged_bag_fails_and_does_not_bless_tampered_tag_files(good: Path) -> None:
    (good / "data" / "README.txt").write_text("bit rot\n")
    (good / "bag-info.txt").write_text((good / "bag-info.txt").read_text() + "X-Tampered: yes\n")
    report = audit_bag(good)
    assert not report.ok
    assert "failure" in (good / EVENTS_FILE).read_text()
    after = {p.code for p in validate_bag(good).errors}
    assert "B001" in after  # the bag-info.txt change is still caught after the audit
    rows = list(csv.reader(io.StringIO(format_audit_report([report], "csv"))))
    assert rows[1][2] == "failure"
    data = json.loads(format_audit_report([report], "json"))
    assert data["failed"] == 1 and data["bags"][0]["problems"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _holey(good: Path, base: str, www: Path, extra_lines: str = "") -> Path:
    lines = []
    for f in sorted((good / "data").rglob("*")):
        if f.is_file():
            rel = f.relative_to(good).as_posix()
            served = www / f.name
            shutil.copyfile(f, served)
            lines.append(f"{base}/{quote(f.name)} {f.stat().st_size} {rel}\n")
            f.unlink()
    (good / "fetch.txt").write_text("".join(lines) + extra_lines)
    return good


def test_fetch_completes_a_holey_bag(good: Path, server: tuple[str, Path]) -> None:
    base, www = server
    bag = _holey(good, base, www)
    assert "B012" in {p.code for p in validate_bag(bag).errors}
    result = fetch_bag(bag)
    assert result.ok and len(result.fetched) == 4  # with data/ro-crate-metadata.json
    remaining = {p.code for p in validate_bag(bag).errors}
    assert remaining <= {"B002"}  # fetch.txt is not in the tag manifests we wrote; the payload is complete
    assert not {p.code for p in validate_bag(bag, completeness_only=True).errors if p.code != "B002"}


def test_fetch_refuses_bad_checksums_schemes_and_escapes(good: Path, server: tuple[str, Path],
                                                         tmp_path: Path) -> None:
    base, www = server
    bag = _holey(good, base, www, extra_lines=f"file:///etc/hostname - data/host.txt\n{base}/x - ../escape.txt\n")
    (www / "README.txt").write_text("not the original\n")
    result = fetch_bag(bag)
    assert not result.ok
    assert not (bag / "data" / "README.txt").exists()  # wrong checksum: never put in place
    assert not (bag / "data" / "host.txt").exists()
    assert not (tmp_path / "escape.txt").exists()
    assert {p.code for p in result.problems} >= {"B013", "B005"}
    assert not list((bag / "data").rglob(".*fetch-*"))


def test_fetch_never_writes_through_a_link(good: Path, server: tuple[str, Path], tmp_path: Path) -> None:
    base, www = server
    bag = _holey(good, base, www)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(bag / "data" / "media")
    (bag / "data" / "media").symlink_to(outside, target_is_directory=True)
    result = fetch_bag(bag)
    assert list(outside.iterdir()) == []
    assert {(p.code, p.get("path")) for p in result.problems if p.code == "B014"} == {("B014", "data/media")}
    assert result.fetched == ["data/README.txt", "data/ro-crate-metadata.json"]


def test_fetch_refuses_a_linked_fetch_txt_with_a_coded_problem(good: Path, server: tuple[str, Path]) -> None:
    from heritage_ld.bags import BagWriteRefused

    base, www = server
    bag = _holey(good, base, www)
    (bag / "fetch.txt").rename(bag / "elsewhere.txt")
    (bag / "fetch.txt").symlink_to(bag / "elsewhere.txt")
    with pytest.raises(BagWriteRefused) as err:
        fetch_bag(bag)
    assert [p.code for p in err.value.problems] == ["B014"]
