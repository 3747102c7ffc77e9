"""A small collection built in memory and a fixture build output (``OUT``) with the files other steps write.

The fixture OUT has what the ``rdf`` and ``iiif`` steps would write for each item (N-Triples, Turtle,
JSON-LD, RDF/XML made with rdflib; an Image API 3 level-0 ``info.json`` with pre-rendered sizes and one full
image made with Pillow), so publishing is tested without those steps.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from PIL import Image, ImageDraw

from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    ItemKind,
    MediaFile,
    MediaRole,
    MultilingualText,
    Place,
    Section,
    UrlScheme,
    iri_segment,
    parse_edtf,
)
from heritage_ld.model import Item as ItemT

BASE = "https://heritage-ld.example/hanoi-1972"
ML = MultilingualText.of


def make_collection(root: Path | None = None, *, evil_title: bool = False) -> Collection:
    """Three sections, five items (one with a ``<script>`` title when ``evil_title``), vi + en text."""
    museum = Agent("hanoi-museum", AgentKind.GROUP, ML(vi="Bảo tàng Hà Nội", en="Hanoi Museum"),
                   email="contact@example.org")
    photographer = Agent("doan", AgentKind.PERSON, ML(vi="Đoàn Công Tính", en="Doan Cong Tinh"))
    kham = Place("kham-thien", ML(vi="Phố Khâm Thiên", en="Kham Thien Street"), 21.0191, 105.8372)
    venue = Place("museum", ML(vi="Bảo tàng Hà Nội", en="Hanoi Museum building"))
    sections = (
        Section("silence", ML(vi="Khoảnh khắc lặng im", en="The Silence Moment"), ML(en="Before the bombs.")),
        Section("confront", ML(vi="Đối đầu", en="Confront")),
        Section("peace", ML(vi="Hòa bình", en="Peace")),
    )
    items = []
    titles = [
        ("silence", ML(vi="Phố Khâm Thiên sau trận bom", en="Kham Thien Street after the bombing")),
        ("silence", ML(vi="Trẻ em sơ tán", en="Children evacuated")),
        ("confront", ML(vi="Pháo cao xạ", en="Anti-aircraft guns")),
        ("peace", ML(vi="Hiệp định Paris", en="The Paris Peace Accords")),
        ("peace", ML(vi="Bản đồ <b>Hà Nội</b>", en="<script>window.__xss = 1</script>Map & plan")),
    ]
    for n, (section, title) in enumerate(titles, start=1):
        acc = f"HNM.1972.{n:03d}"
        if not evil_title and "<script>" in title.best():
            title = ML(vi="Bản đồ Hà Nội", en="Map of Hanoi")
        media = (
            MediaFile(PurePosixPath(f"media/{acc}.tif")),
            MediaFile(PurePosixPath(f"media/{acc}.jpg"), MediaRole.ACCESS, PurePosixPath(f"media/{acc}.tif")),
        )
        items.append(ItemT(
            accession=acc, kind=ItemKind.DOCUMENT if n == 4 else ItemKind.PHOTOGRAPH, title=title,
            section=section, description=ML(vi=f"Mô tả {n}", en=f"Description {n}"),
            date=parse_edtf("1972-12-26") if n == 1 else parse_edtf("1972"),
            creators=(Attribution(photographer, "photographer"),), places=(kham,) if n < 3 else (),
            credit_line=ML(vi="Ảnh: Bảo tàng Hà Nội", en="Photo: Hanoi Museum"),
            rights="http://rightsstatements.org/vocab/InC-EDU/1.0/", media=media,
        ))
    return Collection(
        key="hanoi-1972", title=ML(vi="Hà Nội 1972 – Khát vọng hòa bình", en="Hanoi 1972 – Aspiration for Peace"),
        base_url=BASE, summary=ML(en="An exhibition for the 50th anniversary.", vi="Triển lãm kỷ niệm 50 năm."),
        organizers=(museum,), publisher=museum, venue=venue, date=parse_edtf("2022-12-16/2023-03"),
        sections=sections, items=tuple(items), languages=("vi", "en"), agents=(museum, photographer),
        places=(kham, venue), root=root, credit_line=ML(en="Photo: Hanoi Museum"),
    )


def _picture(path: Path, size: tuple[int, int], n: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, (40 * n % 255, 90, 140))
    ImageDraw.Draw(img).rectangle((10, 10, size[0] // 2, size[1] // 2), fill=(230, 200, 60))
    img.save(path, "JPEG" if path.suffix == ".jpg" else "TIFF")


def write_media(root: Path, collection: Collection) -> None:
    """The catalogue's media files (small images) under ``root``."""
    for n, item in enumerate(collection.items, start=1):
        for m in item.media:
            _picture(m.resolve(root), (600, 400), n)


def write_rdf(out: Path, collection: Collection) -> None:
    """What the rdf step writes: per-item files in every format, the gzipped dump, the dataset description."""
    import gzip

    from rdflib import DCTERMS, RDF, Graph, Literal, Namespace, URIRef

    crm = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
    urls = UrlScheme(collection.base_url)
    dump = Graph()
    for item in collection.items:
        g = Graph()
        s = URIRef(urls.object(item.accession))
        g.add((s, RDF.type, crm["E22_Human-Made_Object"]))
        for lang, value in item.title:
            g.add((s, DCTERMS.title, Literal(value, lang=lang)))
        g.add((s, DCTERMS.identifier, Literal(item.accession)))
        if item.section:
            g.add((s, DCTERMS.isPartOf, URIRef(urls.section(item.section))))
        folder = out / "rdf" / "object"
        folder.mkdir(parents=True, exist_ok=True)
        seg = iri_segment(item.accession)
        for ext, fmt in (("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")):
            g.serialize(folder / f"{seg}.{ext}", format=fmt, encoding="utf-8")
        dump += g
    coll = Graph()
    coll.add((URIRef(urls.exhibition(collection.key)), DCTERMS.title, Literal("Hanoi 1972", lang="en")))
    coll.serialize(out / "rdf" / "collection.ttl", format="turtle")
    dump += coll
    with gzip.open(out / "rdf" / "dataset.nt.gz", "wb") as f:
        f.write(dump.serialize(format="nt", encoding="utf-8"))
    desc = Graph()
    desc.add((URIRef(urls.dataset()), RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")))
    desc.serialize(out / "rdf" / "dataset.ttl", format="turtle")


def write_iiif(out: Path, collection: Collection) -> None:
    """What the iiif step writes: a manifest and a level-0 image service (sizes + one full image) per item."""
    urls = UrlScheme(collection.base_url)
    for n, item in enumerate(collection.items, start=1):
        manifest = out / urls.path(urls.manifest(item.accession))
        manifest.parent.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps({"id": urls.manifest(item.accession), "type": "Manifest"}))
        service = urls.image_service(item.accession, 1)
        root = out / urls.path(service)
        sizes = [(150, 100), (300, 200)]
        info = {
            "@context": "http://iiif.io/api/image/3/context.json", "id": service, "type": "ImageService3",
            "protocol": "http://iiif.io/api/image", "profile": "level0", "width": 300, "height": 200,
            "sizes": [{"width": w, "height": h} for w, h in sizes],
            "tiles": [{"width": 512, "scaleFactors": [1]}],
        }
        root.mkdir(parents=True, exist_ok=True)
        (root / "info.json").write_text(json.dumps(info))
        for w, h in sizes:
            _picture(root / "full" / f"{w},{h}" / "0" / "default.jpg", (w, h), n)
        _picture(root / "full" / "max" / "0" / "default.jpg", (300, 200), n)


@pytest.fixture()
def collection(tmp_path: Path) -> Collection:
    root = tmp_path / "catalogue"
    c = make_collection(root)
    write_media(root, c)
    return c


@pytest.fixture()
def out(tmp_path: Path, collection: Collection) -> Path:
    """A build output folder with fixture rdf/ and iiif/ (no site yet)."""
    out = tmp_path / "out"
    write_rdf(out, collection)
    write_iiif(out, collection)
    return out


@pytest.fixture()
def urls() -> UrlScheme:
    return UrlScheme(BASE)


@pytest.fixture()
def built(collection: Collection, out: Path, urls: UrlScheme) -> Path:
    """The fixture OUT with the site (snapshot at a fixed datestamp) and the store written: what ``serve`` needs."""
    from heritage_ld.publish.site import write_site
    from heritage_ld.publish.store import load_store

    write_site(collection, out, urls, datestamp=1_700_000_000)
    load_store(out, urls, collection.key, [i.accession for i in collection.items])
    return out
