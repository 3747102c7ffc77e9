"""A metadata update merges: it changes what it is given and keeps the rest byte for byte (issue #11, item 3)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import bagit
import pytest
import rdflib

from heritage_ld.bags import EVENTS_FILE, update_bag_metadata, validate_bag, write_bag
from heritage_ld.bags.info import parse_info
from heritage_ld.bags.manifest import parse_manifest
from heritage_ld.bags.premis_xml import PREMIS_FILE
from heritage_ld.errors import UsageError
from heritage_ld.pipeline.steps.bags import PROFILE_ID

from .conftest import snapshot

INFO = [
    ("Source-Organization", "Hanoi Museum"),
    ("Contact-Name", "Nguyễn Văn A"),
    ("Contact-Name", "Trần Thị B"),
    ("External-Description", "A long description of the photograph that is folded over more than one line "
                             "because it is longer than seventy-nine characters"),
    ("External-Identifier", "HN1972.001"),
    ("Bag-Group-Identifier", "hanoi-1972"),
    ("BagIt-Profile-Identifier", PROFILE_ID),
]
TAGS = {"metadata/item.ttl": b"<#it> a <#Photo> .\n", "metadata/item.jsonld": b'{"@id": "#it"}\n',
        "metadata/manifest.json": b'{"type": "Manifest"}\n'}
WHEN = datetime(2026, 11, 30, tzinfo=timezone.utc)


@pytest.fixture()
def bag(sources: Path, tmp_path: Path) -> Path:
    write_bag([sources], tmp_path / "bag", info=INFO, tag_files=TAGS, date=datetime(1972, 12, 30))
    return tmp_path / "bag"


def _info_lines(bag: Path) -> list[str]:
    return (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines(keepends=True)


def _tag_manifest(bag: Path, algorithm: str = "sha256") -> dict[str, str]:
    name = f"tagmanifest-{algorithm}.txt"
    return parse_manifest(name, (bag / name).read_text(), version=(1, 0), payload=False).entries


def test_setting_one_label_keeps_every_other_label_and_tag_file(bag: Path) -> None:
    lines, tags, payload = _info_lines(bag), {n: (bag / n).read_bytes() for n in TAGS}, snapshot(bag / "data")
    report = update_bag_metadata(bag, info={"Contact-Email": "a@example.org"}, date=WHEN)
    new = _info_lines(bag)
    assert new[: len(lines)] == lines  # every old line, byte for byte, in its place
    assert new[len(lines):] == ["Contact-Email: a@example.org\n"]
    assert {n: (bag / n).read_bytes() for n in TAGS} == tags
    assert snapshot(bag / "data") == payload
    assert set(report.tag_files) == {"bag-info.txt", EVENTS_FILE, PREMIS_FILE, "tagmanifest-sha256.txt",
                                     "tagmanifest-sha512.txt"}
    assert validate_bag(bag).valid
    bagit.Bag(str(bag)).validate()


def test_a_label_given_replaces_all_of_its_lines_and_a_removed_label_goes(bag: Path) -> None:
    lines = _info_lines(bag)
    update_bag_metadata(bag, info=[("Contact-Name", "Lê Văn C")], remove_info=["bag-group-identifier"], date=WHEN)
    entries = parse_info((bag / "bag-info.txt").read_text(encoding="utf-8"))[0]
    assert [v for k, v in entries if k == "Contact-Name"] == ["Lê Văn C"]
    assert not any(k == "Bag-Group-Identifier" for k, _ in entries)
    kept = [line for line in lines if not line.startswith(("Contact-Name", "Bag-Group-Identifier"))]
    assert [line for line in _info_lines(bag) if not line.startswith("Contact-Name")] == kept
    bagit.Bag(str(bag)).validate()


def test_repeated_labels_survive_an_update_of_another_label(bag: Path) -> None:
    update_bag_metadata(bag, info={"Bag-Count": "1 of 300"}, date=WHEN)
    entries = parse_info((bag / "bag-info.txt").read_text(encoding="utf-8"))[0]
    assert [v for k, v in entries if k == "Contact-Name"] == ["Nguyễn Văn A", "Trần Thị B"]
    assert dict(bagit.Bag(str(bag)).info)["Contact-Name"] == ["Nguyễn Văn A", "Trần Thị B"]


def test_tag_files_not_given_are_kept_and_tag_manifests_change_for_exactly_what_changed(bag: Path) -> None:
    before = _tag_manifest(bag)
    update_bag_metadata(bag, tag_files={"metadata/item.ttl": b"<#it> a <#Poster> .\n"}, date=WHEN)
    after = _tag_manifest(bag)
    assert (bag / "metadata/item.jsonld").read_bytes() == TAGS["metadata/item.jsonld"]
    assert (bag / "metadata/manifest.json").read_bytes() == TAGS["metadata/manifest.json"]
    assert {n for n in after if after[n] != before.get(n)} == {"metadata/item.ttl", EVENTS_FILE, PREMIS_FILE}
    assert after.keys() == before.keys()
    bagit.Bag(str(bag)).validate()


def test_a_tag_file_is_removed_only_when_asked(bag: Path) -> None:
    update_bag_metadata(bag, remove_tag_files=["metadata/manifest.json"], date=WHEN)
    assert not (bag / "metadata/manifest.json").exists()
    assert "metadata/manifest.json" not in _tag_manifest(bag)
    assert (bag / "metadata/item.ttl").is_file()
    bagit.Bag(str(bag)).validate()
    with pytest.raises(UsageError, match="not in the bag"):
        update_bag_metadata(bag, remove_tag_files=["metadata/manifest.json"])


def test_payload_oxum_and_bag_size_are_kept_and_cannot_be_set(bag: Path) -> None:
    oxum = [line for line in _info_lines(bag) if line.startswith(("Payload-Oxum", "Bag-Size"))]
    update_bag_metadata(bag, info={"External-Identifier": "HN1972.002"}, date=WHEN)
    assert [line for line in _info_lines(bag) if line.startswith(("Payload-Oxum", "Bag-Size"))] == oxum
    for label in ("Payload-Oxum", "bag-size"):
        with pytest.raises(UsageError, match="computed from the payload"):
            update_bag_metadata(bag, info={label: "1.1"})
        with pytest.raises(UsageError, match="computed from the payload"):
            update_bag_metadata(bag, remove_info=[label])


def test_the_event_says_what_changed(bag: Path) -> None:
    update_bag_metadata(bag, info={"Contact-Name": "C"}, remove_info=["Bag-Group-Identifier"],
                        tag_files={"metadata/notes.txt": b"n"}, date=WHEN)
    graph = rdflib.Graph().parse(bag / EVENTS_FILE, format="turtle", publicID="https://example.org/bag/e.ttl")
    notes = [str(o) for o in graph.objects(None, rdflib.URIRef("http://www.loc.gov/premis/rdf/v3/outcomeNote"))]
    assert any("Contact-Name set" in n and "Bag-Group-Identifier removed" in n and "metadata/notes.txt added" in n
               for n in notes), notes


def test_an_update_that_changes_nothing_writes_nothing(bag: Path) -> None:
    before = snapshot(bag)
    report = update_bag_metadata(bag, info=[("Contact-Name", "Nguyễn Văn A"), ("Contact-Name", "Trần Thị B")],
                                 tag_files=TAGS, date=WHEN)
    assert report.tag_files == ()
    assert snapshot(bag) == before


def test_bad_requests_are_usage_errors(bag: Path, tmp_path: Path) -> None:
    before = snapshot(bag)
    for kwargs in ({"info": {"Bad:Label": "x"}}, {"info": {"A": "1"}, "remove_info": ["a"]},
                   {"tag_files": {"data/x.txt": b"x"}}, {"tag_files": {"bagit.txt": b"x"}},
                   {"tag_files": {"../x.txt": b"x"}}, {"tag_files": {EVENTS_FILE: b"x"}}):
        with pytest.raises(UsageError):
            update_bag_metadata(bag, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="not a bag folder"):
        update_bag_metadata(tmp_path / "nowhere", info={"A": "1"})
    assert snapshot(bag) == before


def test_a_rebuild_keeps_labels_added_by_hand_and_drops_build_labels_the_catalogue_lost(sources: Path,
                                                                                         tmp_path: Path) -> None:
    from heritage_ld.pipeline.steps.bags import BagJob, make_bag

    payload = tuple(sorted((str(p.relative_to(sources)), p) for p in sources.rglob("*") if p.is_file()))
    out = tmp_path / "out"
    target = out / "bags" / "HN1972.001"

    def job(info: tuple[tuple[str, str], ...]) -> BagJob:
        return BagJob(target, payload, info, (), WHEN, "https://example.org/b", replace=False, rehash=False,
                      jobs=1, root=out)

    assert make_bag(job((("External-Identifier", "HN1972.001"), ("Contact-Email", "a@example.org")))) == "written"
    update_bag_metadata(target, info={"Contact-Name": "Archivist"}, date=WHEN)
    assert make_bag(job((("External-Identifier", "HN1972.001"),))) == "updated"
    entries = dict(parse_info((target / "bag-info.txt").read_text(encoding="utf-8"))[0])
    assert entries["Contact-Name"] == "Archivist" and "Contact-Email" not in entries
    assert make_bag(job((("External-Identifier", "HN1972.001"),))) == "unchanged"
    bagit.Bag(str(target)).validate()
