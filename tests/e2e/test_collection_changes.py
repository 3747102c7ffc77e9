"""A collection that changes: the Hanoi example built, then one row edited, one withdrawn, one added, rebuilt.

Checks end to end what the build ledger promises: only what changed is redone; the files, the ledger, OAI-PMH
(a real harvester, Sickle, harvesting incrementally with ``from=``), the SPARQL store, the site and the dump
all see exactly the three changes; the withdrawn item's bag is kept; and the incremental output is
byte-identical to a ``--force`` build of the same catalogue, apart from what is dated by history.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sickle import Sickle

from heritage_ld.catalogue import read_catalogue
from heritage_ld.ledger import LEDGER_FILE
from heritage_ld.model import UrlScheme
from heritage_ld.pipeline import BuildOptions, build
from heritage_ld.publish.server import make_app, running

pytestmark = pytest.mark.slow

T1, T2 = 1_700_000_000, 1_700_086_400  # two builds a day apart
EDITED, WITHDRAWN, MODEL, ADDED = "HNM.1972.002", "HNM.1972.005", "HNM.1972.007", "HNM.1972.900"


def _edit_catalogue(folder: Path) -> None:
    """One title edited, one row removed, one row added (a copy of another with a new accession)."""
    path = folder / "items.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    col = header.index("title@en")
    out = []
    for row in body:
        if row[0] == WITHDRAWN:
            continue
        if row[0] == EDITED:
            row = [*row]
            row[col] = row[col] + " (corrected)"
        out.append(row)
        if row[0] == MODEL:
            added = [*row]
            added[0] = ADDED
            added[header.index("identifier")] = ""
            out.append(added)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *out])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _tree(root: Path, *skip: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(p.relative_to(root).as_posix().startswith(s) for s in skip)}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Iterator[dict[str, object]]:
    base = tmp_path_factory.mktemp("changes")
    catalogue = base / "catalogue"
    shutil.copytree(example_dir, catalogue)
    out = base / "out"
    first = build(read_catalogue(catalogue), out, options=BuildOptions(source_date_epoch=T1, tiles=False))
    with running(make_app(out, page_size=10)) as origin:
        full = list(Sickle(f"{origin}/oai", max_retries=1, timeout=30).ListRecords(metadataPrefix="oai_dc"))
    before = _tree(out, "ledger.sqlite3", "store/")
    _edit_catalogue(catalogue)
    second = build(read_catalogue(catalogue), out, options=BuildOptions(source_date_epoch=T2, tiles=False))
    forced = base / "forced"
    build(read_catalogue(catalogue), forced, options=BuildOptions(source_date_epoch=T2, tiles=False), force=True)
    yield {"out": out, "forced": forced, "first": first, "second": second, "full": full, "before": before,
           "catalogue": catalogue}


def test_the_first_harvest_sees_every_item(scenario: dict[str, object], example_dir: Path) -> None:
    full = scenario["full"]
    assert isinstance(full, list)
    assert len(full) == len(read_catalogue(example_dir).items)
    assert {r.header.datestamp for r in full} == {"2023-11-14T22:13:20Z"}  # T1


def test_the_rebuild_redoes_only_the_changed_items(scenario: dict[str, object]) -> None:
    report = scenario["second"]
    assert report.items == {"created": 1, "updated": 1, "unchanged": 34, "withdrawn": 1}  # type: ignore[attr-defined]
    rdf = report.results["rdf"].data  # type: ignore[attr-defined]
    assert (rdf["written"], rdf["unchanged"], rdf["withdrawn"]) == (2, 34, 1)
    bags = report.results["bags"].data  # type: ignore[attr-defined]
    assert bags["withdrawn_kept"] == (WITHDRAWN,) and bags["unchanged"] == 34


def test_only_the_changed_items_files_changed(scenario: dict[str, object]) -> None:
    out = scenario["out"]
    assert isinstance(out, Path)
    before, after = scenario["before"], _tree(out, "ledger.sqlite3", "store/")
    assert isinstance(before, dict)
    changed = {p for p in before.keys() & after.keys() if before[p] != after[p]}
    per_item = {p for p in changed if "/object/" in p or p.startswith(("iiif/HNM", "bags/"))}
    touched = {p.split("/object/")[-1].split(".html")[0].rsplit(".", 1)[0] if "/object/" in p
               else p.split("/")[1] for p in per_item}
    # the edited item, and the site pages of the neighbours of the three changed items
    assert EDITED in touched and WITHDRAWN not in touched
    assert len(touched) <= 1 + 2 * 3
    assert not any(p.startswith("rdf/object/") and EDITED not in p for p in changed)
    gone = before.keys() - after.keys()
    assert gone and [p for p in gone if WITHDRAWN not in p] == []
    assert any(p.startswith(f"bags/{WITHDRAWN}/") for p in after)  # originals are sacred: the bag is kept
    assert all(ADDED in p for p in after.keys() - before.keys() if not p.startswith("iiif/activity/"))


def test_the_ledger_records_history(scenario: dict[str, object]) -> None:
    out = scenario["out"]
    assert isinstance(out, Path)
    db = sqlite3.connect(out / LEDGER_FILE)
    rows = {acc: (first, changed, withdrawn) for acc, first, changed, withdrawn in
            db.execute("SELECT accession, first_built, changed, withdrawn FROM items")}
    assert rows[EDITED] == (T1, T2, None)
    assert rows[WITHDRAWN] == (T1, T2, T2)
    assert rows[ADDED] == (T2, T2, None)
    assert rows[MODEL] == (T1, T1, None)
    kinds = sorted((kind, target) for kind, target in
                   db.execute("SELECT kind, target FROM events WHERE type = 'item' AND time = ?", (T2,)))
    assert kinds == [("create", ADDED), ("delete", WITHDRAWN), ("update", EDITED)]


def test_an_incremental_harvest_sees_exactly_the_three_changes(scenario: dict[str, object]) -> None:
    out = scenario["out"]
    assert isinstance(out, Path)
    with running(make_app(out, page_size=10)) as origin:
        harvester = Sickle(f"{origin}/oai", max_retries=1, timeout=30)
        identify = harvester.Identify()
        assert identify.deletedRecord == "persistent"
        since = datetime.fromtimestamp(T2, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        changes = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": since}))
        everything = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
    seen = {r.header.identifier.rsplit(":", 1)[1]: r.header.deleted for r in changes}
    assert seen == {EDITED: False, WITHDRAWN: True, ADDED: False}
    unchanged = [h for h in everything if h.identifier.rsplit(":", 1)[1] not in seen]
    assert {h.datestamp for h in unchanged} == {"2023-11-14T22:13:20Z"}  # never re-dated by a rebuild


def test_store_site_and_dump_follow(scenario: dict[str, object]) -> None:
    from heritage_ld.publish.store import open_store

    out = scenario["out"]
    assert isinstance(out, Path)
    urls = UrlScheme(read_catalogue(scenario["catalogue"]).base_url)  # type: ignore[arg-type]
    store = open_store(out)
    graphs = {g.value for g in store.named_graphs()}
    assert urls.object(ADDED) in graphs and urls.object(EDITED) in graphs
    assert urls.object(WITHDRAWN) not in graphs
    sitemap = (out / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{ADDED}.html" in sitemap and f"{WITHDRAWN}.html" not in sitemap
    assert not (out / "site" / "object" / f"{WITHDRAWN}.html").exists()
    dump = gzip.decompress((out / "rdf" / "dataset.nt.gz").read_bytes()).decode()
    assert urls.object(WITHDRAWN) not in dump and f"<{urls.object(ADDED)}>" in dump
    assert "(corrected)" in dump


def test_incremental_output_equals_a_forced_build(scenario: dict[str, object]) -> None:
    out, forced = scenario["out"], scenario["forced"]
    assert isinstance(out, Path) and isinstance(forced, Path)
    for folder in ("rdf", "iiif", "site"):
        a = _tree(out / folder, "activity/")
        b = _tree(forced / folder, "activity/")
        assert a.keys() == b.keys(), folder
        assert [p for p in a if a[p] != b[p]] == [], folder
    # bags: the same payload and metadata (their PREMIS event logs are dated by history), plus the kept one
    kept = {p.name for p in (out / "bags").iterdir()} - {p.name for p in (forced / "bags").iterdir()}
    assert kept == {WITHDRAWN}
    # The RO-Crate's datePublished is dated by history too (when the ledger first built the item), and with it
    # the crate's line in the payload manifest; everything else in the crate is the same.
    crate = "data/ro-crate-metadata.json"

    def undated(path: Path) -> object:
        if path.name == "manifest-sha256.txt":
            return [line for line in path.read_text(encoding="utf-8").splitlines() if not line.endswith(crate)]
        if path.name == "ro-crate-metadata.json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            for entity in doc["@graph"]:
                entity.pop("datePublished", None)
            return doc
        return path.read_bytes()

    for bag in (forced / "bags").iterdir():
        for name in ("manifest-sha256.txt", "metadata/item.ttl", "metadata/item.jsonld", crate):
            if (bag / name).exists():
                assert undated(bag / name) == undated(out / "bags" / bag.name / name), (bag.name, name)
