"""The Hanoi 1972 example end to end: the rdf command, the build's rdf/ folder, round trip and shapes."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.formats import FORMATS, JSON_LD, N_QUADS, N_TRIPLES, Format
from heritage_ld.model import CC0, Collection, UrlScheme, iri_segment
from heritage_ld.pipeline import BuildOptions, build
from heritage_ld.rdf import item_triples, load, serialize, to_rdflib, validate
from heritage_ld.rdf.load import read_graph

runner = CliRunner()


def _canonical(c: Collection) -> Collection:
    # RDF keeps no order among repeated values (RDF 1.1 Concepts §3); see tests/unit/rdf/conftest.py.
    def by_key(values: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(sorted(values, key=lambda v: v.key))

    items = tuple(dataclasses.replace(i, subjects=by_key(i.subjects), places=by_key(i.places),
                                      materials=by_key(i.materials), techniques=by_key(i.techniques),
                                      same_as=tuple(sorted(i.same_as)), languages=tuple(sorted(i.languages)))
                  for i in c.items)
    # The publishing settings (metadata licence, OAI-PMH contact, EDM provider) are not part of the Linked Art
    # graph: the licence is in the dataset description, the other two in the OAI-PMH and EDM outputs.
    return dataclasses.replace(c, items=items, agents=by_key(c.agents), places=by_key(c.places),
                               concepts=by_key(c.concepts), root=None, metadata_license=CC0, admin_email=None,
                               provider=None)


@pytest.fixture(scope="module")
def example(example_dir: Path) -> Collection:
    return read_catalogue(example_dir)


@pytest.fixture(scope="module")
def built(example: Collection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    build(example, out, only=["rdf"], options=BuildOptions(source_date_epoch=0), executor="threads", jobs=2)
    return out


def _graph(data: bytes, fmt: Format) -> rdflib.Graph:
    return read_graph(data, format=fmt)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f is not N_TRIPLES], ids=lambda f: f.extension)
def test_every_format_is_isomorphic_to_the_ntriples(example: Collection, fmt: Format) -> None:
    profile = "crm" if fmt is JSON_LD else "all"
    reference = _graph(serialize(example, N_TRIPLES, profile=profile), N_TRIPLES)
    assert len(reference) > 5000
    assert isomorphic(_graph(serialize(example, fmt, profile=profile), fmt), reference)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.extension)
def test_round_trip_is_equal_for_the_whole_example(example: Collection, fmt: Format) -> None:
    back = load(serialize(example, fmt, profile="crm"), format=fmt)
    assert _canonical(back) == _canonical(example)
    assert [i.accession for i in back.items] == [i.accession for i in example.items]


def test_the_example_conforms_to_the_shapes(example: Collection) -> None:
    assert [p.render() for p in validate(example) if p.is_error] == []


def test_rdf_command_prints_turtle_in_both_languages(example_dir: Path) -> None:
    result = runner.invoke(app, ["rdf", str(example_dir), "--format", "ttl"])
    assert result.exit_code == 0, result.output
    assert "@prefix crm:" in result.stdout
    assert '"Hà Nội 1972 – Khát vọng hòa bình"@vi' in result.stdout
    assert '"Hanoi 1972 – Aspiration for Peace"@en' in result.stdout


def test_rdf_command_validate_and_output_file(example_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.nt"
    result = runner.invoke(app, ["rdf", str(example_dir), "--format", "nt", "--profile", "dc", "-o", str(out), "--validate"])
    assert result.exit_code == 0, result.output
    assert rdflib.Graph().parse(out, format="nt")


def test_rdf_command_refuses_a_broken_model_before_the_shapes(
    example_dir: Path, example: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The catalogue reader refuses what the shapes reject; a model broken after reading (an item whose title
    # is empty: no primary name, no dcterms:title) is refused by heritage_ld.validate with the catalogue's
    # code, before any triple is made: bad input, exit 2 (the shapes' R001 is tested on graphs in
    # tests/unit/rdf/test_shapes.py).
    import heritage_ld.catalogue
    from heritage_ld.model import MultilingualText

    broken = dataclasses.replace(example.items[0], title=MultilingualText())
    bad = dataclasses.replace(example, items=(broken, *example.items[1:]))
    monkeypatch.setattr(heritage_ld.catalogue, "read_catalogue", lambda path: bad)  # the command imports it late
    result = runner.invoke(app, ["rdf", str(example_dir), "--validate"])
    assert result.exit_code == 2
    assert "HNM.1972.001: C010 title is required" in result.output and "Traceback" not in result.output


def test_rdf_command_usage_errors(example_dir: Path) -> None:
    assert runner.invoke(app, ["rdf", str(example_dir), "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["rdf", str(example_dir), "--profile", "xyz"]).exit_code == 2


def test_build_writes_every_file(built: Path, example: Collection) -> None:
    urls = UrlScheme(example.base_url)
    for item in example.items:
        for fmt in FORMATS:
            assert (built / "rdf" / "object" / f"{iri_segment(item.accession)}.{fmt.extension}").is_file()
    item = example.items[0]
    seg = iri_segment(item.accession)
    ttl = rdflib.Graph().parse(built / "rdf/object" / f"{seg}.ttl", format="turtle")
    assert isomorphic(ttl, to_rdflib(item_triples(item, example)))
    jsonld = read_graph(built / "rdf/object" / f"{seg}.jsonld")
    assert isomorphic(jsonld, to_rdflib(item_triples(item, example, profile="crm")))
    ds = rdflib.Dataset()
    ds.parse(built / "rdf/object" / f"{seg}.nq", format="nquads")
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == {urls.object(item.accession)}


def test_dump_is_complete_and_described(built: Path, example: Collection) -> None:
    dump = rdflib.Graph().parse(data=gzip.decompress((built / "rdf/dataset.nt.gz").read_bytes()), format="nt")
    lines = gzip.decompress((built / "rdf/dataset.nt.gz").read_bytes()).count(b"\n")
    assert len(dump) == lines  # no duplicate triples
    assert isomorphic(dump, _graph(serialize(example, N_TRIPLES, profile="all"), N_TRIPLES))
    desc = rdflib.Graph().parse(built / "rdf/dataset.ttl", format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds_iri = rdflib.URIRef(UrlScheme(example.base_url).dataset())
    assert int(desc.value(ds_iri, void["triples"])) == len(dump)
    assert str(desc.value(ds_iri, void.sparqlEndpoint)) == example.base_url + "/sparql"
    assert (None, rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset")) in desc


def test_build_is_byte_identical(built: Path, example: Collection, tmp_path: Path) -> None:
    again = tmp_path / "again"
    build(example, again, only=["rdf"], options=BuildOptions(source_date_epoch=0), executor="serial")
    for path in sorted((built / "rdf").rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (again / path.relative_to(built)).read_bytes(), path.name
    assert N_QUADS.extension == "nq"
