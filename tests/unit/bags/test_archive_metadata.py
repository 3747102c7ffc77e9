"""Format identification (fido / fallback / unknown), the RO-Crate in data/ and the PREMIS 3 XML of a bag."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import bagit
import pytest
from lxml import etree

from heritage_ld.bags import audit_bag, update_bag_metadata, validate_bag, write_bag
from heritage_ld.bags.events import Event
from heritage_ld.bags.identify import PRONOM, identify_files, identify_one, tool_info
from heritage_ld.bags.premis_xml import NS, PREMIS_FILE, append_premis_event
from heritage_ld.bags.rocrate import CRATE_FILE
from heritage_ld.errors import UsageError
from heritage_support import require_conformance

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "hanoi-1972" / "media"
WHEN = datetime(1972, 12, 30, tzinfo=timezone.utc)


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "photo.jpg").write_bytes((EXAMPLE / "HNM.1972.001.jpg").read_bytes())
    (src / "copy-of-photo.jpg").write_bytes((EXAMPLE / "HNM.1972.001.jpg").read_bytes())
    (src / "master.tif").write_bytes((EXAMPLE / "HNM.1972.001.tif").read_bytes())
    (src / "notes.txt").write_text("Kham Thien Street, 29 December 1972\n", encoding="utf-8")
    (src / "noise.bin").write_bytes(bytes(range(256)) * 4)
    return src


def _premis_schema() -> etree.XMLSchema:
    premis = require_conformance("premis")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(premis / "premis-v3-0.xsd"), parser))


def test_fido_identifies_against_pronom_with_its_versions_recorded() -> None:
    jpg = identify_one(EXAMPLE / "HNM.1972.001.jpg")
    tif = identify_one(EXAMPLE / "HNM.1972.001.tif")
    assert (jpg.puid, jpg.media_type, jpg.method) == ("fmt/43", "image/jpeg", "signature")
    assert (tif.puid, tif.media_type) == ("fmt/353", "image/tiff")
    assert jpg.pronom_iri == PRONOM + "fmt/43"
    fido, fallback = tool_info()
    assert jpg.tool == fido and fido.name == "fido" and fido.version[0].isdigit()
    assert fido.signatures.startswith("PRONOM signatures v") and fallback.name == "puremagic"


def test_the_fallback_answers_as_itself_and_unknown_is_never_guessed(mixed: Path) -> None:
    text = identify_one(mixed / "notes.txt")
    assert (text.method, text.puid, text.media_type) == ("fallback", "", "text/plain")
    assert text.tool == tool_info()[1]
    noise = identify_one(mixed / "noise.bin")
    assert (noise.known, noise.puid, noise.media_type, noise.tool) == (False, "", "", None)
    # fido's guess by extension alone is not taken: noise named .jpg is still unknown
    (mixed / "noise.jpg").write_bytes((mixed / "noise.bin").read_bytes())
    assert not identify_one(mixed / "noise.jpg").known


def test_identify_files_keeps_keys_and_is_the_same_in_parallel(mixed: Path) -> None:
    files = {p.name: p for p in sorted(mixed.iterdir())}
    serial = identify_files(files, jobs=1)
    assert list(serial) == sorted(files)
    assert identify_files(files, jobs=2) == serial


def test_a_bag_carries_crate_and_premis_xml_covered_by_its_manifests(mixed: Path, tmp_path: Path) -> None:
    report = write_bag([mixed], tmp_path / "bag", info={"Source-Organization": "Hanoi Museum"}, date=WHEN)
    bag = tmp_path / "bag"
    assert [p.code for p in report.problems] == ["B030"]  # noise.bin, reported
    assert report.problems[0].get("path") == "data/noise.bin"
    assert f"{CRATE_FILE}" in (bag / "manifest-sha256.txt").read_text()
    assert PREMIS_FILE in (bag / "tagmanifest-sha256.txt").read_text()
    bagit.Bag(str(bag)).validate()
    crate = json.loads((bag / CRATE_FILE).read_text(encoding="utf-8"))
    by_id = {e["@id"]: e for e in crate["@graph"]}
    photo = by_id["photo.jpg"]
    assert photo["encodingFormat"] == ["image/jpeg", {"@id": PRONOM + "fmt/43"}]
    assert photo["contentSize"] == str((mixed / "photo.jpg").stat().st_size)
    assert photo["sha256"] in (bag / "manifest-sha256.txt").read_text()
    assert "encodingFormat" not in by_id["noise.bin"]
    assert by_id["notes.txt"]["encodingFormat"] == "text/plain"
    assert by_id[PRONOM + "fmt/43"]["@type"] == "WebSite"
    root = by_id["./"]
    assert {p["@id"] for p in root["hasPart"]} == {p.name for p in mixed.iterdir()}
    assert root["datePublished"] == "1972-12-30" and root["license"] == "not stated"


def test_the_crate_reads_back_with_rocrate(mixed: Path, tmp_path: Path) -> None:
    from rocrate.rocrate import ROCrate

    write_bag([mixed], tmp_path / "bag", date=WHEN)
    crate = ROCrate(tmp_path / "bag" / "data")
    files = {e.id: e for e in crate.get_entities() if e.type == "File"}
    assert set(files) == {p.name for p in mixed.iterdir()}
    assert files["master.tif"]["sha256"]


def test_premis_xml_is_valid_and_identifies_each_content_once(mixed: Path, tmp_path: Path) -> None:
    schema = _premis_schema()
    write_bag([mixed], tmp_path / "bag", info={"Source-Organization": "Hanoi Museum"}, date=WHEN)
    doc = etree.parse(str(tmp_path / "bag" / PREMIS_FILE))
    assert schema.validate(doc), schema.error_log
    p = {"p": NS}
    keys = doc.xpath("//p:object[p:objectIdentifier/p:objectIdentifierValue='data/photo.jpg']"
                     "//p:formatRegistryKey/text()", namespaces=p)
    assert keys == ["fmt/43"]
    types = doc.xpath("//p:event/p:eventType/@valueURI", namespaces=p)
    assert types == [f"http://id.loc.gov/vocabulary/preservation/eventType/{c}" for c in ("cre", "mes", "for")]
    note = doc.xpath("//p:event[p:eventType='format identification']//p:eventOutcomeDetailNote/text()",
                     namespaces=p)[0]
    assert note.startswith("4 distinct contents")  # two copies of one photo: identified once
    agents = doc.xpath("//p:agent/p:agentName/text()", namespaces=p)
    assert agents == ["heritage-ld", "fido", "puremagic", "Hanoi Museum"]
    linked = doc.xpath("//p:event[p:eventType='format identification']/p:linkingAgentIdentifier/"
                       "p:linkingAgentIdentifierValue/text()", namespaces=p)
    assert "agent/fido" in linked


def test_audit_and_update_append_to_the_premis_xml(mixed: Path, tmp_path: Path) -> None:
    schema = _premis_schema()
    bag = tmp_path / "bag"
    write_bag([mixed], bag, date=WHEN)
    assert audit_bag(bag, date=WHEN).ok
    update_bag_metadata(bag, info={"Contact-Name": "Archivist"}, date=WHEN)
    doc = etree.parse(str(bag / PREMIS_FILE))
    assert schema.validate(doc), schema.error_log
    events = doc.xpath("//p:event/p:eventType/text()", namespaces={"p": NS})
    assert events[-2:] == ["fixity check", "metadata modification"]
    assert doc.xpath("//p:event/p:eventIdentifier/p:eventIdentifierValue/text()", namespaces={"p": NS})[-1] == "event-5"
    assert validate_bag(bag).valid
    bagit.Bag(str(bag)).validate()


def test_the_premis_xml_cannot_be_replaced_and_junk_is_refused(mixed: Path, tmp_path: Path) -> None:
    write_bag([mixed], tmp_path / "bag", date=WHEN)
    with pytest.raises(UsageError):
        update_bag_metadata(tmp_path / "bag", tag_files={PREMIS_FILE: b"<x/>"})
    with pytest.raises(ValueError):
        append_premis_event(b"<not-premis/>", Event("fixity check", WHEN))


def test_a_source_named_like_the_crate_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "ro-crate-metadata.json").write_text("{}")
    with pytest.raises(UsageError, match="RO-Crate"):
        write_bag([src], tmp_path / "bag")
    write_bag([src], tmp_path / "plain", describe=False)
    assert not (tmp_path / "plain" / PREMIS_FILE).exists()


def test_a_file_name_with_a_control_character_is_bagged_its_premis_name_percent_encoded(tmp_path: Path) -> None:
    """BagIt allows any file name; XML cannot carry a control character: the PREMIS record names such a file with
    it percent-encoded (and '%' too, so the name can be read back), instead of failing with a traceback."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "bell\x07.txt").write_bytes(b"ding\n")  # ("%" names: xml_text's doctest; bagit-python refuses them)
    (src / "plain.txt").write_bytes(b"plain\n")
    report = write_bag([src], tmp_path / "bag", date=datetime(1972, 12, 30, tzinfo=timezone.utc))
    bag = tmp_path / "bag"
    assert report.files == 3 and validate_bag(bag).valid
    bagit.Bag(str(bag)).validate()
    doc = etree.parse(str(bag / PREMIS_FILE))
    names = doc.xpath("//p:objectIdentifierValue/text()", namespaces={"p": NS})
    assert "data/bell%07.txt" in names and "data/plain.txt" in names
    audit_bag(bag)  # appends a fixity-check event that links both objects
    audited = etree.parse(str(bag / PREMIS_FILE))
    assert "data/bell%07.txt" in audited.xpath("//p:linkingObjectIdentifierValue/text()", namespaces={"p": NS})
    _premis_schema().assertValid(audited)  # (last: skipped without the conformance data)
