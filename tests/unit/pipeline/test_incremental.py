"""The build ledger and the incremental plan: what is redone, what is trusted, what is set aside."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from heritage_ld.catalogue import read_catalogue
from heritage_ld.ledger import LEDGER_FILE, Ledger, LedgerError
from heritage_ld.model import Collection
from heritage_ld.pipeline import BuildOptions, build

OPTIONS = BuildOptions(source_date_epoch=1_700_000_000, tiles=False)


@pytest.fixture()
def catalogue(tmp_path: Path, example_dir: Path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(example_dir, folder)
    return folder


def _written(report: object, step: str) -> int:
    return int(report.results[step].data["written"])  # type: ignore[attr-defined]


def test_a_rebuild_with_nothing_changed_writes_no_item(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    first = build(collection, out, only=["rdf", "iiif", "site"], options=OPTIONS)
    assert _written(first, "rdf") == len(collection.items) and first.items == {"created": len(collection.items)}
    again = build(collection, out, only=["rdf", "iiif", "site"], options=OPTIONS)
    assert [_written(again, s) for s in ("rdf", "iiif", "site")] == [0, 0, 0]
    assert again.items == {"unchanged": len(collection.items)}


def test_a_missing_output_is_rebuilt_and_verify_catches_an_edited_one(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf", "site"], options=OPTIONS)
    ttl = out / "rdf" / "object" / "HNM.1972.003.ttl"
    good = ttl.read_bytes()
    ttl.unlink()
    report = build(collection, out, only=["rdf"], options=OPTIONS)
    assert _written(report, "rdf") == 1 and ttl.read_bytes() == good
    ttl.write_bytes(b"# edited by hand\n")
    page = out / "site" / "object" / "HNM.1972.004.html"
    page_bytes = page.read_bytes()
    page.write_bytes(b"<p>edited</p>")
    assert _written(build(collection, out, only=["rdf", "site"], options=OPTIONS), "rdf") == 0  # trusted
    report = build(collection, out, only=["rdf", "site"], options=OPTIONS, verify=True)
    assert _written(report, "rdf") == 1 and _written(report, "site") == 1
    assert ttl.read_bytes() == good and page.read_bytes() == page_bytes


def test_touching_a_media_file_rehashes_it_but_rebuilds_nothing(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf", "iiif"], options=OPTIONS)
    media = next(p for p in sorted((catalogue / "media").rglob("*.jpg")))
    os.utime(media, (1_800_000_000, 1_800_000_000))  # a new time, the same bytes
    report = build(read_catalogue(catalogue), out, only=["rdf", "iiif"], options=OPTIONS)
    assert _written(report, "iiif") == 0 and _written(report, "rdf") == 0
    with Ledger.read_only(out) as ledger:  # type: ignore[union-attr]
        sizes = {path: (size, mtime) for path, (size, mtime, _) in ledger.media().items()}
    assert sizes[media.relative_to(catalogue).as_posix()][1] == 1_800_000_000 * 10**9  # the new fingerprint


def test_changing_an_agent_rebuilds_only_the_items_that_name_it(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], options=OPTIONS)
    agent = next(a for i in collection.items for a in (c.agent for c in i.creators))
    renamed = dataclasses.replace(agent, same_as=(*agent.same_as, "https://www.wikidata.org/entity/Q1"))
    items = tuple(dataclasses.replace(i, creators=tuple(dataclasses.replace(c, agent=renamed) if c.agent == agent
                                                        else c for c in i.creators)) for i in collection.items)
    agents = tuple(renamed if a == agent else a for a in collection.agents)
    changed = Collection(**{f.name: getattr(collection, f.name) for f in dataclasses.fields(Collection)
                            if f.name not in ("items", "agents")}, items=items, agents=agents)
    naming = sum(1 for i in collection.items if any(c.agent == agent for c in i.creators))
    report = build(changed, out, only=["rdf"], options=OPTIONS)
    assert 0 < naming < len(collection.items)
    assert _written(report, "rdf") == naming


def test_force_rebuilds_everything(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], options=OPTIONS)
    report = build(collection, out, only=["rdf"], options=OPTIONS, force=True)
    assert _written(report, "rdf") == len(collection.items)


def test_a_damaged_ledger_is_set_aside_with_a_warning(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], options=OPTIONS)
    (out / LEDGER_FILE).write_bytes(b"this is not a database" * 100)
    report = build(collection, out, only=["rdf"], options=OPTIONS)
    assert report.warnings and "unusable" in report.warnings[0]
    assert _written(report, "rdf") == len(collection.items)  # a full build
    assert (out / f"{LEDGER_FILE}.broken").read_bytes().startswith(b"this is not a database")
    assert build(collection, out, only=["rdf"], options=OPTIONS).warnings == []


def test_a_ledger_of_another_schema_is_set_aside(catalogue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    db = sqlite3.connect(out / LEDGER_FILE)
    db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema', '999')")
    db.commit()
    db.close()
    report = build(read_catalogue(catalogue), out, only=["rdf"], options=OPTIONS)
    assert report.warnings and "schema 999" in report.warnings[0]


def test_without_a_ledger_nothing_is_recorded(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], options=OPTIONS, ledger=False)
    assert not (out / LEDGER_FILE).exists()
    assert _written(build(collection, out, only=["rdf"], options=OPTIONS, ledger=False), "rdf") == len(collection.items)


def test_prune_bags_removes_only_withdrawn_items_bags(catalogue: Path, tmp_path: Path) -> None:
    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf", "bags"], options=OPTIONS)
    fewer = dataclasses.replace(collection, items=collection.items[1:])
    kept = build(fewer, out, only=["rdf", "bags"], options=OPTIONS)
    gone = collection.items[0].accession
    assert kept.results["bags"].data["withdrawn_kept"] == (gone,) and (out / "bags" / gone).is_dir()
    assert not (out / "rdf" / "object" / f"{gone}.ttl").exists()
    pruned = build(fewer, out, only=["rdf", "bags"], options=dataclasses.replace(OPTIONS, prune_bags=True))
    assert pruned.results["bags"].data["pruned"] == (gone,) and not (out / "bags" / gone).exists()
    assert len(list((out / "bags").iterdir())) == len(fewer.items)
    assert kept.items == {"unchanged": len(fewer.items), "withdrawn": 1}


def test_ledger_errors_are_os_errors_with_the_path(tmp_path: Path) -> None:
    (tmp_path / LEDGER_FILE).mkdir()  # a folder where the ledger goes: it cannot be opened or set aside
    with pytest.raises((LedgerError, OSError)):
        Ledger.open(tmp_path)


def test_history_of_a_restored_item(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        ledger.note_item("A", "d1", (), now=10)
        assert ledger.withdraw_item("A", now=20) and not ledger.withdraw_item("A", now=25)
        assert ledger.note_item("A", "d1", (), now=30) == "restored"
        assert [(e.kind, e.time) for e in ledger.events("item")] == [("create", 10), ("delete", 20), ("create", 30)]
        record = ledger.item("A")
    assert record is not None and (record.first_built, record.changed, record.withdrawn) == (10, 30, None)


def test_split_holds_items_of_a_compact_collection_by_their_place(catalogue: Path, tmp_path: Path) -> None:
    from heritage_ld.model import ItemSequence, MultilingualText, UrlScheme
    from heritage_ld.pipeline.incremental import Plan

    collection = read_catalogue(catalogue)
    assert isinstance(collection.items, ItemSequence)
    out = tmp_path / "out"
    build(collection, out, only=["rdf"], options=OPTIONS)
    edited = list(collection.items)
    edited[3] = dataclasses.replace(edited[3], title=MultilingualText.of(en="Edited"))
    changed = dataclasses.replace(collection, items=ItemSequence(edited))
    book = Ledger.open(out)
    try:
        plan = Plan.make(changed, book, options=OPTIONS.digest_options(UrlScheme(collection.base_url)))
        seen: list[int] = []
        todo, current = plan.split("rdf", changed.items, out, extra_at=lambda at, item: (seen.append(at),)[:0])
        assert seen == list(range(len(edited)))  # extra_at is told each item's place, in order
        assert [item.accession for item, _ in todo] == [edited[3].accession] and todo[0][0] == edited[3]
        assert len(current) == len(edited) - 1 and list(current) == edited[:3] + edited[4:]
        assert all(isinstance(place, int) for place in current._entries)  # places, not decoded items
        assert current[-1] == edited[-1] and current[1:3] == edited[1:3]
        # A plain list is held as it is: the very objects come back.
        todo2, current2 = plan.split("rdf", edited, out)
        assert todo2[0][0] is edited[3] and current2[0] is edited[0]
    finally:
        book.close()


def test_staged_records_are_the_steps_own_only_once_promoted(tmp_path: Path) -> None:
    book = Ledger.open(tmp_path)
    try:
        book.record_output("site", "A", "old", {"site/object/A.html": "1"}, now=1)
        book.record_output("site", "B", "old", {"site/object/B.html": "2"}, now=1)
        with book.transaction():
            book.stage_output("site", "A", "new", {"site/object/A.html": "3"}, data={"thumb": None}, now=2)
            book.stage_output("site", "C", "new", {"site/object/C.html": "4"}, now=2)
        assert {a: r.digest for a, r in book.outputs("site").items()} == {"A": "old", "B": "old"}  # not yet
        assert book.promote_staged("site") == 2
        records = book.outputs("site")
        assert {a: r.digest for a, r in records.items()} == {"A": "new", "B": "old", "C": "new"}
        assert records["A"].files == {"site/object/A.html": "3"} and records["A"].data == {"thumb": None}
        # What a killed build set aside and never promoted is dropped, never read as the step's own.
        book.stage_output("site", "B", "lost", {}, now=3)
        book.discard_staged("site")
        assert book.promote_staged("site") == 0 and book.outputs("site")["B"].digest == "old"
    finally:
        book.close()


def test_a_site_step_killed_before_its_pages_moved_leaves_them_to_be_redone(catalogue: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from heritage_ld.publish import site as site_module

    collection = read_catalogue(catalogue)
    out = tmp_path / "out"
    build(collection, out, only=["rdf", "site"], options=OPTIONS)
    edited = dataclasses.replace(collection, items=tuple(
        dataclasses.replace(i, title=i.title.of(en=f"Edited {i.accession}")) for i in collection.items))
    monkeypatch.setattr(site_module, "_move_into_place", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        build(edited, out, only=["rdf", "site"], options=OPTIONS)
    monkeypatch.undo()
    again = build(edited, out, only=["rdf", "site"], options=OPTIONS)
    assert _written(again, "site") == len(collection.items)  # the pages set aside were never recorded as done
    page = (out / "site" / "object" / f"{collection.items[0].accession}.html").read_text(encoding="utf-8")
    assert f"Edited {collection.items[0].accession}" in page


def test_file_digests_are_copied_to_another_step_for_the_items_named(tmp_path: Path) -> None:
    book = Ledger.open(tmp_path)
    try:
        book.record_output("rdf", "A", "d", {"rdf/object/A.nt": "sha-a", "rdf/object/A.ttl": "x"}, now=1)
        book.record_output("rdf", "B", "d", {"rdf/object/B.nt": "sha-b"}, now=1)
        book.record_output("rdf", "W", "d", {"rdf/object/W.nt": "sha-w"}, now=1)  # withdrawn: not named below
        book.record_output("store", "OLD", "stale", {}, now=1)
        assert book.copy_file_digests("rdf", ".nt", "store", iter(["A", "B", "C"]), now=5) == 2
        records = book.outputs("store")
        assert {a: (r.digest, r.files, r.built) for a, r in records.items()} == {
            "A": ("sha-a", {}, 5), "B": ("sha-b", {}, 5)}
        assert book.file_digests("rdf", ".nt") == {"A": "sha-a", "B": "sha-b", "W": "sha-w"}  # the source is kept
    finally:
        book.close()
