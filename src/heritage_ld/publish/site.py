"""The static exhibition site (``OUT/site/``): home, one page per section and per item, sitemap, robots.txt.

Pages are Jinja2 templates with autoescaping on, so every catalogue value is escaped; links inside the site
are relative, so the folder works from any static host. Item pages embed the item's JSON-LD (the ``rdf``
step's file when present) in a ``<script type="application/ld+json">`` with ``<``, ``>`` and ``&`` written as
JSON ``\\u`` escapes, so no value can close the script element (HTML §4.12.1.3). The deep-zoom viewer is the
vendored OpenSeadragon on the static IIIF tiles; nothing is loaded from outside the site.

The site is written into a hidden folder beside it (``OUT/.site.PID.tmp``) and moved into ``OUT/site`` only
when every file is written: a failure (a full disk) leaves the previous site as it was and no temporary behind.

>>> relative("site/object/A.html", "iiif/A/manifest.json")
'../../iiif/A/manifest.json'
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import itertools
import json
import os
import posixpath
import shutil
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Collection as Collection_
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

from heritage_ld.atomic import remove_stale_temporaries, temporary_path
from heritage_ld.model import Collection, Item, MultilingualText, UrlScheme, iri_segment
from heritage_ld.publish.artefacts import THUMB_WIDTH, find_image_services, make_thumbnail, rdf_path
from heritage_ld.publish.snapshot import SNAPSHOT_PATH, item_entry, snapshot_head, write_snapshot
from heritage_ld.storage.listing import media_source
from heritage_ld.vocab import labels
from heritage_ld.words import date_words, with_role

__all__ = ["LABELS", "ItemPage", "escape_json_for_script", "relative", "rights_label", "write_site"]

T = TypeVar("T")
R = TypeVar("R")
Mapper = Callable[[Callable[[T], R], Iterable[T]], Iterator[R]]

#: The site's own words, in the languages it knows (``vocab/labels.tsv``, group ``site``); ``[[lang, text], ...]``
#: like catalogue values.
LABELS: Mapping[str, list[list[str]]] = {
    key: [[lang, text] for lang, text in words.items()] for key, words in labels("site").items()}

#: Cards of each section on the home page (the section page shows them all).
HOME_CARDS = 12

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français", "de": "Deutsch", "zh": "中文"}


def relative(from_path: str, to_path: str, *, folder: bool = False) -> str:
    """A URL relative to the page at ``from_path`` for the file ``to_path`` (both under OUT).

    File names under OUT are percent-encoded segments (``iri_segment``), so the link encodes ``%`` again.

    >>> relative("site/index.html", "site/object/HN%201.html")
    'object/HN%25201.html'
    """
    rel = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    return quote(rel, safe="/-._~!$&'()*+,;=:@") + ("/" if folder else "")


def escape_json_for_script(data: Any) -> str:
    """JSON text safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` become ``\\u`` escapes.

    >>> escape_json_for_script({"t": "</script><b>"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def rights_label(iri: str) -> str:
    """A short name for a rights statement or licence IRI.

    >>> rights_label("http://rightsstatements.org/vocab/InC-EDU/1.0/")
    'InC-EDU 1.0'
    >>> rights_label("https://creativecommons.org/licenses/by-nc/4.0/")
    'CC BY-NC 4.0'
    """
    parts = [p for p in urlsplit(iri).path.split("/") if p]
    if "rightsstatements.org" in iri and len(parts) >= 3:
        return f"{parts[-2]} {parts[-1]}"
    if "creativecommons.org" in iri and len(parts) >= 3:
        name = "CC0" if parts[1] == "zero" else ("PDM" if parts[1] == "mark" else "CC " + parts[1].upper())
        return f"{name} {parts[2]}"
    return iri


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Name ``path`` in an ``OSError`` raised while writing it (a failed ``write`` names no file)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def _ml(text: MultilingualText) -> list[list[str]]:
    return [[lang, value] for lang, value in text]


@dataclass(frozen=True, slots=True)
class _Pictures:
    thumb: str | None  # path under OUT
    thumb_size: tuple[int, int] | None
    preview: str | None  # a larger still, path under OUT
    tiles: tuple[str, ...]  # info.json paths under OUT
    full: str | None = None  # the largest static size: shown instead of the viewer when it cannot load

    def as_json(self) -> dict[str, Any]:
        return {"thumb": self.thumb, "thumb_size": list(self.thumb_size) if self.thumb_size else None,
                "preview": self.preview, "tiles": list(self.tiles), "full": self.full}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Pictures:
        size = data.get("thumb_size")
        return cls(data.get("thumb"), (int(size[0]), int(size[1])) if size else None, data.get("preview"),
                   tuple(data.get("tiles") or ()), data.get("full"))


@dataclass(frozen=True, slots=True)
class ItemPage:
    """What :func:`write_site` wrote for one item: its page (and thumbnail), and the pictures it links, which a
    later incremental build passes back as ``known`` instead of looking for them again."""

    accession: str
    files: dict[str, str]  # path under OUT -> SHA-256 of its bytes ("" when not computed)
    pictures: dict[str, Any]


@functools.cache
def _environment() -> Any:
    """The compiled template set (one per process: templates are compiled once, then rendered many times)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("heritage_ld.publish", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


class _SiteWriter:
    """Reads what the other steps wrote in ``out``; writes the site's files under ``dest`` (paths as under OUT)."""

    def __init__(self, collection: Collection, out: Path, urls: UrlScheme, dest: Path,
                 elsewhere: frozenset[str] = frozenset(), tiles_elsewhere: bool = False) -> None:
        self.collection = collection
        self.out = out
        #: Paths under OUT written somewhere else than ``out`` (a remote OUT's bags, on the store).
        self.elsewhere = elsewhere
        #: The tile sets are on the store, ``out`` holding only each one's ``info.json``.
        self.tiles_elsewhere = tiles_elsewhere
        self.dest = dest
        #: SHA-256 of each page written, by its path under OUT.
        self.digests: dict[str, str] = {}
        self.urls = urls
        langs = list(collection.languages) or sorted({lg for lg in collection.title.languages if lg}) or ["en"]
        self.languages = langs
        self.default_lang = langs[0]

    @property
    def env(self) -> Any:
        """The templates (one environment per process: a writer is sent to other processes without it)."""
        return _environment()

    # -- paths ------------------------------------------------------------------------------------
    def item_page(self, item: Item) -> str:
        return self.urls.path(self.urls.page(item.accession))

    def section_page(self, key: str) -> str:
        return self.urls.path(self.urls.section_page(key))

    @property
    def home(self) -> str:
        return self.urls.path(self.urls.home_page())

    def exists(self, path: str) -> bool:
        return path in self.elsewhere or (self.out / path).exists()

    # -- pictures ---------------------------------------------------------------------------------
    def pictures(self, item: Item) -> _Pictures:
        services = find_image_services(self.out, self.urls, item, complete=self.tiles_elsewhere)
        if services:
            first = services[0]
            thumb = first.size_file(THUMB_WIDTH)
            size = next((s for s, p in first.size_files if p == thumb), None)
            return _Pictures(thumb, size, first.size_file(1200), tuple(s.info for s in services),
                             first.size_file(1 << 30))
        root = self.collection.root
        if root is None or not item.images:
            return _Pictures(None, None, None, ())
        target = f"site/thumbs/{iri_segment(item.accession)}.jpg"
        try:
            source = media_source(root, item.images[0].path)
        except FileNotFoundError:
            return _Pictures(None, None, None, ())
        with _writing(self.dest / target):
            made = make_thumbnail(source, self.dest / target)
        return _Pictures(target if made else None, made, target if made else None, ())

    # -- rendering --------------------------------------------------------------------------------
    def common(self, page: str) -> dict[str, Any]:
        c = self.collection
        dump = "rdf/dataset.nt.gz"
        return {
            "root": relative(page, "site/index.html").removesuffix("index.html"),
            "languages": self.languages,
            "default_lang": self.default_lang,
            "language_names": LANGUAGE_NAMES,
            "labels": LABELS,
            "collection_title": _ml(c.title),
            "site_title": c.title.best((self.default_lang, "en", "vi")),
            "publisher": _ml(c.publisher.name) if c.publisher else [],
            "dump": relative(page, dump) if self.exists(dump) else None,
            # the licence of the metadata (the pages' text, the RDF), not of the items: collection.metadata_license
            "metadata_license": c.metadata_license,
            "metadata_license_label": rights_label(c.metadata_license),
        }

    def card(self, page: str, item: Item, pictures: _Pictures) -> dict[str, Any]:
        return {
            "href": relative(page, self.item_page(item)),
            "title": _ml(item.title),
            "alt": item.title.best((self.default_lang, "en", "vi")),
            "alt_lang": self._lang_of(item.title),
            "thumb": relative(page, pictures.thumb) if pictures.thumb else None,
            "thumb_size": pictures.thumb_size,
            "date": _ml(date_words(item.date)) if item.date else None,
        }

    def _lang_of(self, text: MultilingualText) -> str:
        best = text.best((self.default_lang, "en", "vi"))
        return next((lang for lang, v in text if v == best), "")

    def render(self, template: str, page: str, *, stream: bool = False, **values: Any) -> str:
        """Write ``page`` from ``template``; ``stream``: written as the template makes it (a section page of
        20,000 cards is never held whole, and its values may be generators, consumed once)."""
        path = self.dest / page
        template_ = self.env.get_template(template)
        if not stream:
            data = template_.render(**self.common(page), **values).encode("utf-8")
            with _writing(path):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            self.digests[page] = hashlib.sha256(data).hexdigest()
            return page
        digest = hashlib.sha256()
        parts = template_.stream(**self.common(page), **values)
        parts.enable_buffering(1000)  # Jinja joins the template's small pieces, a thousand at a time
        with _writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                for part in parts:
                    data = part.encode("utf-8")
                    digest.update(data)
                    f.write(data)
        self.digests[page] = digest.hexdigest()
        return page

    def jsonld(self, item: Item, dc: list[list[str]]) -> str:
        path = self.out / rdf_path(self.urls, item.accession, "jsonld")
        data: Any
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # No rdf step output: a Dublin Core description from the snapshot (DCMI terms in JSON-LD).
            data = {"@context": {"dc": "http://purl.org/dc/elements/1.1/"}, "@id": self.urls.object(item.accession)}
            for element, lang, value in dc:
                node = {"@value": value, "@language": lang} if lang else value
                data.setdefault(f"dc:{element}", []).append(node)
        return escape_json_for_script(data)

    def item_page_html(
        self, item: Item, pictures: _Pictures, neighbours: tuple[Item | None, Item | None], entry: dict[str, Any]
    ) -> str:
        page = self.item_page(item)
        acc = item.accession
        link = {
            "manifest": self.urls.path(self.urls.manifest(acc)),
            "ttl": rdf_path(self.urls, acc, "ttl"),
            "jsonld": rdf_path(self.urls, acc, "jsonld"),
        }
        links = {k: relative(page, v) if self.exists(v) else None for k, v in link.items()}
        bag = self.urls.path(self.urls.bag(acc))
        links["bag"] = relative(page, bag, folder=True) if self.exists(bag) else None
        section = None
        if item.section:
            s = self.collection.section(item.section)
            section = {"href": relative(page, self.section_page(s.key)), "title": _ml(s.title)}
        prev, nxt = neighbours
        values = {
            **entry,
            "date": _ml(date_words(item.date)) if item.date else None,  # in words, in each language
            "creators": [_ml(with_role(a)) for a in item.creators],
            "full": relative(page, pictures.full) if pictures.full else None,
            "plain_title": item.title.best((self.default_lang, "en", "vi")),
            "plain_lang": self._lang_of(item.title),
            "alternative": _ml(item.alternative_title),
            "section": section,
            "tiles": [relative(page, t) for t in pictures.tiles],
            "preview": relative(page, pictures.preview) if pictures.preview else None,
            "links": links,
            "rights_label": rights_label(entry["rights"]) if entry["rights"] else "",
            "jsonld": _Markup(self.jsonld(item, entry["dc"])),
            "prev": {"href": relative(page, self.item_page(prev)), "title": _ml(prev.title)} if prev else None,
            "next": {"href": relative(page, self.item_page(nxt)), "title": _ml(nxt.title)} if nxt else None,
        }
        return self.render("item.html", page, item=values)


#: Item pages per task: tasks are module-level functions of picklable values (a collection without its items),
#: so the build can run them in worker processes, where rendering is not held to one core by the GIL.
_PAGE_BATCH = 32


@dataclass(frozen=True, slots=True)
class _PageBatch:
    collection: Collection  # without its items: what a page needs of the collection
    out: Path
    urls: UrlScheme
    dest: Path
    items: tuple[tuple[Item, Item | None, Item | None], ...]  # (item, previous, next in its section)
    elsewhere: frozenset[str] = frozenset()  # of these items' paths, those that exist outside ``out``
    tiles_elsewhere: bool = False


def _page_batch(batch: _PageBatch) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Find the pictures of each item of a batch and write its page; return (accession, page, its SHA-256, the
    pictures as JSON) per item."""
    writer = _SiteWriter(batch.collection, batch.out, batch.urls, batch.dest, batch.elsewhere, batch.tiles_elsewhere)
    done = []
    for item, prev, nxt in batch.items:
        pics = writer.pictures(item)
        page = writer.item_page_html(item, pics, (prev, nxt), item_entry(item, batch.collection, batch.urls))
        done.append((item.accession, page, writer.digests.pop(page, ""), pics.as_json()))
    return done


def _Markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


def _copy_static(out: Path) -> None:
    """Copy the site's CSS/JS and the vendored OpenSeadragon into ``out/site``."""
    base = resources.files("heritage_ld.publish") / "static"

    def copy(node: Traversable, target: Path) -> None:
        if node.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            for child in sorted(node.iterdir(), key=lambda n: n.name):
                copy(child, target / child.name)
        else:
            with _writing(target):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(node.read_bytes())
            if isinstance(node, Path):
                # The installed file's time, not the build's: the same asset keeps one time from build to build,
                # so an upload of a remote OUT (by size and time), rsync or a web cache sees it unchanged.
                st = node.stat()
                os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))

    site = out / "site"
    for name in ("static", "vendor"):
        if (site / name).exists():
            shutil.rmtree(site / name)
    for child in sorted(base.iterdir(), key=lambda n: n.name):
        if child.name == "vendor":
            copy(child, site / "vendor")  # site/vendor/openseadragon/ (with its README and licence)
        else:
            copy(child, site / "static" / child.name)


#: Folders of the site that are written whole by every build: replaced whole, so no stale page survives an
#: item's removal. Other files are replaced one by one; files a build does not write are left alone.
_GENERATED = frozenset({"object", "section", "thumbs", "static", "vendor"})


def _move_into_place(staged: Path, site: Path, *, top: bool = True, whole: frozenset[str] = _GENERATED) -> None:
    """Move the staged site into ``site``: renames within one file system, which need no new space. The
    folders named in ``whole`` replace their old selves; the others are merged file by file."""
    site.mkdir(parents=True, exist_ok=True)
    for entry in sorted(staged.iterdir(), key=lambda p: p.name):
        target = site / entry.name
        if entry.is_dir() and not (top and entry.name in whole):
            _move_into_place(entry, target, top=False, whole=whole)
        elif entry.is_dir():
            old = temporary_path(target)
            if target.exists():
                target.rename(old)
            entry.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, target)


def _sitemap(urls: UrlScheme, pages: Iterable[str], extra: list[str]) -> Iterator[str]:
    """The sitemap's lines, one at a time (written as they are made: 100,000 pages are 9 MB of text)."""
    # Sitemaps protocol 0.9 (https://www.sitemaps.org/protocol.html): absolute, XML-escaped URLs.
    from xml.sax.saxutils import escape

    yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for path in itertools.chain(pages, extra):
        yield f"  <url><loc>{escape(urls.base_url + '/' + path)}</loc></url>\n"
    yield "</urlset>\n"


def write_site(
    collection: Collection,
    out: Path,
    urls: UrlScheme,
    *,
    datestamp: int | None = None,
    mapper: Mapper[Any, Any] | None = None,
    advance: Callable[[], None] | None = None,
    only: Collection_[str] | None = None,
    known: Mapping[str, Mapping[str, Any]] | None = None,
    on_page: Callable[[ItemPage], None] | None = None,
    elsewhere: Collection_[str] = (),
    tiles_elsewhere: bool = False,
) -> list[str]:
    """Write the exhibition site into ``out/site`` and return the paths written (relative to ``out``).

    The files are written in a hidden folder first and moved into ``out/site`` when all are written.

    Reads what the other steps wrote in ``out`` (IIIF image services and sizes, RDF files, bags) and links
    to what exists. ``mapper`` runs per-item work in parallel (``executor.map``); ``advance`` is called once
    per item page written.

    Incremental use (the build does this with its ledger): ``only`` names the items whose pages to write (the
    others are left as they are, and no page of an item outside the catalogue is removed: the caller removes
    withdrawn items' pages); ``known`` gives, for items not written, the ``pictures`` an earlier call reported
    through ``on_page``. The home page, section pages, sitemap and snapshot are always written. ``elsewhere``
    names paths under OUT that exist though not in ``out`` (the bags of a remote OUT, written to the store);
    ``tiles_elsewhere``: the IIIF tile sets are on the store, ``out`` holding only each set's ``info.json``
    (every size it declares is then taken to be there).

    >>> import tempfile
    >>> from heritage_ld.model import ItemKind
    >>> item = Item("A.1", ItemKind.PHOTOGRAPH, MultilingualText.of(en="<b>Street</b>"))
    >>> c = Collection("c", MultilingualText.of(en="C"), "https://example.org/c", items=(item,))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_site(c, Path(d), UrlScheme(c.base_url))
    ...     "&lt;b&gt;Street" in (Path(d) / "site/object/A.1.html").read_text()
    True
    """
    out.mkdir(parents=True, exist_ok=True)
    for folder in (out, out / "site", out / "site" / "data"):  # left by a build that was killed
        remove_stale_temporaries(folder)
    staging = temporary_path(out / "site")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        paths = _write_site(collection, out, urls, staging, datestamp=datestamp, mapper=mapper, advance=advance,
                            only=only, known=known, on_page=on_page, elsewhere=frozenset(elsewhere),
                            tiles_elsewhere=tiles_elsewhere)
        # A full build replaces the item pages and thumbnails whole (no stale page survives); an incremental
        # one moves in the pages it wrote, one by one, beside the unchanged ones.
        _move_into_place(staging / "site", out / "site",
                         whole=_GENERATED if only is None else _GENERATED - {"object", "thumbs"})
    except OSError as exc:  # name the file as it would have been in OUT, not in the hidden folder
        if exc.filename is not None and Path(exc.filename).is_relative_to(staging):
            exc.filename = str(out / Path(exc.filename).relative_to(staging))
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return paths


def _write_site(
    collection: Collection,
    out: Path,
    urls: UrlScheme,
    dest: Path,
    *,
    datestamp: int | None,
    mapper: Mapper[Any, Any] | None,
    advance: Callable[[], None] | None,
    only: Collection_[str] | None,
    known: Mapping[str, Mapping[str, Any]] | None,
    on_page: Callable[[ItemPage], None] | None,
    elsewhere: frozenset[str] = frozenset(),
    tiles_elsewhere: bool = False,
) -> list[str]:
    """Write the site's files under ``dest/site``, reading the other steps' outputs in ``out``."""
    run: Mapper[Any, Any] = mapper or map
    writer = _SiteWriter(collection, out, urls, dest, elsewhere, tiles_elsewhere)
    # The snapshot is streamed item by item, and each page makes its item's entry again: nothing here holds
    # every item's values at once, so memory stays flat with the size of the collection.
    write_snapshot(snapshot_head(collection, urls, datestamp=datestamp), dest,
                   items=(item_entry(i, collection, urls) for i in collection.items))
    written = [SNAPSHOT_PATH]
    _copy_static(dest)
    # Items are handled by their place in the catalogue (a number) and decoded batch by batch: a collection read
    # from a catalogue holds its items compactly (ItemSequence), and nothing here holds them all as objects.
    items = collection.items
    count = len(items)
    wanted: Iterable[int] = range(count) if only is None else [n for n, i in enumerate(items) if i.accession in only]
    prev_at, next_at = neighbours(items)
    sections: dict[str | None, array[int]] = {}  # the places of each section's items, in catalogue order
    for n, item in enumerate(items):
        sections.setdefault(item.section, array("l")).append(n)

    slim = dataclasses.replace(collection, items=())

    def at(n: int) -> Item | None:
        return items[n] if n >= 0 else None

    def batch(places: list[int]) -> _PageBatch:
        chosen = [(items[n], at(prev_at[n]), at(next_at[n])) for n in places]
        mine = {urls.path(urls.bag(i.accession)) for i, _, _ in chosen} & elsewhere if elsewhere else set()
        return _PageBatch(slim, out, urls, dest, tuple(chosen), frozenset(mine), tiles_elsewhere)

    sent: collections.deque[list[int]] = collections.deque()  # the places of the batches in flight, in order

    def batches() -> Iterator[_PageBatch]:
        chunk: list[int] = []
        for n in wanted:
            chunk.append(n)
            if len(chunk) >= _PAGE_BATCH:
                sent.append(chunk)
                yield batch(chunk)
                chunk = []
        if chunk:
            sent.append(chunk)
            yield batch(chunk)

    pictures: list[_Pictures | None] = [None] * count  # by place; identical ones shared (no images: one object)
    shared: dict[_Pictures, _Pictures] = {}
    page_paths: list[str] = []
    for results in run(_page_batch, batches()):  # (results come back in the order the batches were made)
        for n, (accession, page, digest, pics) in zip(sent.popleft(), results, strict=True):
            found = _Pictures.from_json(pics)
            pictures[n] = shared.setdefault(found, found)
            page_paths.append(page)
            if on_page is not None:
                thumb = pics.get("thumb")
                extra = {thumb: ""} if thumb and thumb.startswith("site/") else {}
                on_page(ItemPage(accession, {page: digest, **extra}, pics))
            if advance is not None:
                advance()
    for n in range(count):
        if pictures[n] is None:  # an item whose page was not written (an incremental build)
            item = items[n]
            cached = (known or {}).get(item.accession)
            found = _Pictures.from_json(cached) if cached is not None else writer.pictures(item)
            pictures[n] = shared.setdefault(found, found)

    def picture(n: int) -> _Pictures:
        found = pictures[n]
        assert found is not None
        return found

    section_pages = []
    sections_ctx = []
    for s in collection.sections:
        page = writer.section_page(s.key)
        members = sections.get(s.key, array("l"))
        ctx = {"key": s.key, "title": _ml(s.title), "summary": _ml(s.summary),
               "plain_title": s.title.best((writer.default_lang, "en", "vi"))}
        cards = (writer.card(page, items[n], picture(n)) for n in members)  # made as the page is written
        section_pages.append(writer.render("section.html", page, stream=True, section={**ctx, "items": cards}))
        # The home page shows the first cards of each section and links to the section page for all of them: a
        # home page of every card is slow to load and to make for a large collection (100,000 items).
        home_cards = [writer.card(writer.home, items[n], picture(n)) for n in members[:HOME_CARDS]]
        sections_ctx.append({**ctx, "href": relative(writer.home, page), "items": home_cards,
                             "count": len(members), "more": len(members) > HOME_CARDS})
    section_keys = {s.key for s in collection.sections}
    unsectioned = [writer.card(writer.home, items[n], picture(n))
                   for key, members in sections.items() if key not in section_keys for n in members]
    home = writer.render(
        "home.html",
        writer.home,
        summary=_ml(collection.summary),
        date=_ml(date_words(collection.date)) if collection.date else None,
        organizers=[_ml(a.name) for a in collection.organizers],
        venue=_ml(collection.venue.name) if collection.venue else [],
        sections=sections_ctx,
        unsectioned=unsectioned,
    )
    pages = itertools.chain((home, *section_pages), (writer.item_page(i) for i in items))
    dumps = [p for p in ("rdf/dataset.ttl", "rdf/dataset.nt.gz") if writer.exists(p)]
    with _writing(dest / "site" / "sitemap.xml"), \
            (dest / "site" / "sitemap.xml").open("w", encoding="utf-8", newline="\n") as sitemap:
        sitemap.writelines(_sitemap(urls, pages, dumps))
    with _writing(dest / "site" / "robots.txt"):
        (dest / "site" / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\nSitemap: {urls.base_url}/site/sitemap.xml\n", encoding="utf-8"
        )
    thumbs = sorted(p for n in wanted for p in [picture(n).thumb] if p and p.startswith("site/"))
    return [*written, home, *section_pages, *page_paths, "site/sitemap.xml", "site/robots.txt", *thumbs]


def neighbours(items: Sequence[Item]) -> tuple[array[int], array[int]]:
    """For each item (by its place), the places of the items before and after it in its section, in catalogue
    order (``-1``: none); two machine words an item, where a table of the items themselves would hold them all.

    >>> from heritage_ld.model import ItemKind
    >>> made = [Item(a, ItemKind.ARTIFACT, MultilingualText.of(en=a), section=s) for a, s in
    ...         [("A", "x"), ("B", "y"), ("C", "x"), ("D", "x")]]
    >>> [list(a) for a in neighbours(made)]
    [[-1, -1, 0, 2], [2, -1, 3, -1]]
    """
    count = len(items)
    prev_at, next_at = array("l", [-1]) * count, array("l", [-1]) * count
    last: dict[str | None, int] = {}
    for n, item in enumerate(items):
        before = last.get(item.section)
        if before is not None:
            prev_at[n], next_at[before] = before, n
        last[item.section] = n
    return prev_at, next_at
