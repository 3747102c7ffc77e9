"""The embedded RDF database: the build's RDF loaded into a pyoxigraph store on disk (``OUT/store/``).

Each item's graph goes into a named graph whose name is the item's IRI (so a Graph Store or a ``GRAPH``
query addresses one item); triples of the dump that belong to no item (the exhibition, sections, agents,
places) go into a named graph for the collection, and the dataset description (VoID/DCAT) into one named
after it. The store is written into a temporary folder beside the target (``OUT/.store.PID.tmp``) and renamed
into place when complete, so a reader never sees a half-loaded store; a failure (a full disk) removes the
temporary folder and leaves the previous store as it was.

>>> graph_names(UrlScheme("https://example.org/c"), "c")
('https://example.org/c/exhibition/c', 'https://example.org/c/rdf/dataset')
"""

from __future__ import annotations

import contextlib
import io
import itertools
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from heritage_ld.atomic import remove_stale_temporaries, temporary_path
from heritage_ld.errors import UsageError
from heritage_ld.model import UrlScheme
from heritage_ld.publish.artefacts import rdf_path

__all__ = ["STORE_DIR", "graph_names", "load_store", "open_store"]

#: The store's folder under the build output folder.
STORE_DIR = "store"


def graph_names(urls: UrlScheme, key: str) -> tuple[str, str]:
    """The names of the collection graph and of the dataset-description graph."""
    return urls.exhibition(key), urls.dataset()


class _NQuads(io.RawIOBase):
    """The per-item N-Triples files as one N-Quads stream (each item's triples in its own graph), read lazily:
    pyoxigraph's bulk loader pulls from it, so no file is copied and nothing is held in memory."""

    def __init__(self, files: Iterable[tuple[str, Path]], advance: Callable[[], None] | None) -> None:
        self._files = iter(files)
        self._advance = advance
        self._buffer = b""
        self.graphs = self.quads = 0  # what went through: the items' files hold no duplicate triple

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        for graph, path in self._files:
            suffix = f" <{graph}> .\n".encode()
            lines = path.read_bytes().splitlines()
            if self._advance is not None:
                self._advance()
            quads = [line[:-2].rstrip() + suffix for line in lines if line.endswith(b".")]
            if quads:
                self.graphs += 1
                self.quads += len(quads)
                return b"".join(quads)
        return b""

    def readinto(self, buffer: Any) -> int:
        while not self._buffer:
            self._buffer = self._next_chunk()
            if not self._buffer:
                return 0
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def load_store(
    out: Path,
    urls: UrlScheme,
    key: str,
    accessions: Iterable[str],
    *,
    advance: Callable[[], None] | None = None,
    changed: Iterable[str] | None = None,
    removed: Iterable[str] = (),
    collection_changed: bool = True,
    counts: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Load ``OUT/rdf`` into ``OUT/store`` and return counts: graphs, quads.

    Each item's N-Triples file becomes the named graph of the item's IRI; ``OUT/rdf/collection.ttl`` the
    collection graph (the exhibition, sections, agents, places, concepts and the members' order) and
    ``OUT/rdf/dataset.ttl`` the dataset-description graph.

    By default the store is built anew with pyoxigraph's bulk loader from one N-Quads stream, in a folder
    beside the target that replaces it when complete. With ``changed`` (accessions whose RDF changed) and
    ``removed`` (withdrawn accessions), the existing store is updated in place: only those items' graphs and the
    two collection-level graphs are replaced (each graph is dropped and loaded again, so a rerun after an
    interruption converges); ``collection_changed=False`` keeps the collection graph as it is (the caller knows
    ``rdf/collection.ttl`` has the bytes last loaded).

    The counts are those of what was loaded, and for an update the store's earlier ``counts`` (``graphs``,
    ``quads``) with what was dropped and loaded: counting a whole store scans every quad (3 s, and 175 MB of
    RocksDB's caches in the process, at 100,000 items). Without earlier counts, an update counts the store.

    Raises:
        UsageError: there is no RDF in ``out`` (run the ``rdf`` step first).
    """
    from pyoxigraph import NamedNode, RdfFormat, Store

    # The items' files are found as they are loaded, not listed first (100,000 paths held 45 MB).
    files = ((acc, out / rdf_path(urls, acc, "nt")) for acc in accessions)
    found = ((acc, p) for acc, p in files if p.is_file())
    first = next(found, None)
    present: Iterable[tuple[str, Path]] = itertools.chain([first] if first is not None else [], found)
    collection_file, description = out / "rdf" / "collection.ttl", out / "rdf" / "dataset.ttl"
    if first is None and not collection_file.is_file():
        raise UsageError(f"{out / 'rdf'} has no RDF to load: run the rdf step first")
    target = out / STORE_DIR
    collection_graph, dataset_graph = (NamedNode(n) for n in graph_names(urls, key))
    if changed is not None and target.is_dir():
        store = Store(str(target))
        try:
            tally = _Tally(counts)
            wanted = set(changed)
            for acc in removed:
                tally.drop(store, NamedNode(urls.object(acc)))
            for acc, path in present:
                if acc in wanted:
                    graph = NamedNode(urls.object(acc))
                    tally.drop(store, graph)
                    store.load(path=str(path), format=RdfFormat.N_TRIPLES, to_graph=graph)
                    tally.add(_lines(path))
                if advance is not None:
                    advance()
            _load_collection(store, urls, collection_file, description, collection_graph, dataset_graph,
                             collection=collection_changed, tally=tally)
            store.flush()
            return tally.result(store)
        finally:
            del store
    remove_stale_temporaries(out)  # a store half-loaded by a build that was killed
    tmp = temporary_path(target)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        counts = _bulk(Store(str(tmp)), urls, present, advance,
                       lambda s, tally: _load_collection(s, urls, collection_file, description, collection_graph,
                                                         dataset_graph, fresh=True, tally=tally))
    except BaseException:  # a full disk, an interruption: the previous store stays, no temporary is left
        _remove_tree(tmp)
        raise
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return counts


def _bulk(store: Any, urls: UrlScheme, present: Iterable[tuple[str, Path]], advance: Callable[[], None] | None,
          rest: Callable[[Any, _Tally], None]) -> dict[str, int]:
    """Fill a new ``store`` with the bulk loader, then the collection-level graphs; the store is closed when
    this returns."""
    from pyoxigraph import RdfFormat

    graphs = quads = 0
    try:
        for chunk in _chunks(present):
            stream = _NQuads(((urls.object(acc), path) for acc, path in chunk), advance)
            store.bulk_load(io.BufferedReader(stream, 1 << 20), format=RdfFormat.N_QUADS)
            graphs, quads = graphs + stream.graphs, quads + stream.quads
        tally = _Tally({"graphs": graphs, "quads": quads})
        rest(store, tally)
        store.flush()
        counts = tally.result(store)
    finally:
        del store
    return counts


#: Bytes of N-Triples per call of the bulk loader: it keeps what it loads in memory until the call ends, so one
#: call for everything grows with the collection (650 MB for 5,000 items). Measured on the synthetic catalogue
#: (docs/performance.md): calls of 32 MB added 192 MB to the build process at 10,000 items and 237 MB at 100,000
#: (the store step is the build's peak); calls of 8 MB add 101 MB and 138 MB, within 10% of the time (4 MB: 85 MB,
#: 2 MB: 86 MB and 40% slower).
_CHUNK_BYTES = 8 << 20


def _chunks(files: Iterable[tuple[str, Path]]) -> Iterator[list[tuple[str, Path]]]:
    chunk: list[tuple[str, Path]] = []
    size = 0
    for acc, path in files:
        chunk.append((acc, path))
        with contextlib.suppress(OSError):  # a missing file is the loader's to report
            size += path.stat().st_size
        if size >= _CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _remove_tree(path: Path) -> None:
    """Remove a store folder that failed: once the store is closed (collected), and again if RocksDB's background
    threads wrote a file into it while it was being removed."""
    import gc
    import time

    for attempt in range(5):
        gc.collect()
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.05 * (attempt + 1))


#: Quads per call of the bulk loader when the collection graph is loaded (it holds a call's quads in memory, and
#: here they are Python objects, about 400 bytes each: the collection graph of 100,000 items is 700,000 quads,
#: 1.2 GB through the transactional ``load``; calls of 100,000 quads held 40 MB).
_COLLECTION_CHUNK = 25_000


def _load_collection(store: Any, urls: UrlScheme, collection_file: Path, description: Path, collection_graph: Any,
                     dataset_graph: Any, *, collection: bool = True, fresh: bool = False, tally: _Tally) -> None:
    """(Re)load the dataset-description graph and, with ``collection``, the collection graph: parsed as a
    stream and given to the bulk loader in chunks of :data:`_COLLECTION_CHUNK` quads, so memory stays flat with
    the collection's size. ``fresh``: the store is new (nothing to drop first)."""
    from pyoxigraph import Quad, RdfFormat, parse

    for path, graph, base, wanted in ((collection_file, collection_graph, urls.base_url + "/", collection),
                                      (description, dataset_graph, urls.dataset(), True)):
        if not wanted:
            continue
        if not fresh:
            tally.drop(store, graph)
        if not path.is_file():
            continue
        chunk: list[Any] = []
        loaded = 0
        for t in parse(path=str(path), format=RdfFormat.TURTLE, base_iri=base):
            chunk.append(Quad(t.subject, t.predicate, t.object, graph))
            if len(chunk) >= _COLLECTION_CHUNK:
                store.bulk_extend(chunk)
                loaded += len(chunk)
                chunk = []
        if chunk:
            store.bulk_extend(chunk)
            loaded += len(chunk)
        tally.add(loaded)  # (the rdf step writes no triple twice)


def _lines(path: Path) -> int:
    """The triples of an N-Triples file the rdf step wrote (a line each, none twice)."""
    return sum(1 for line in path.read_bytes().splitlines() if line.endswith(b"."))


def _size(store: Any, graph: Any) -> int:
    """The quads of one named graph (a scan of that graph only)."""
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


class _Tally:
    """The store's counts kept as graphs are dropped and loaded (``None``: unknown, counted at the end)."""

    def __init__(self, counts: Mapping[str, int] | None) -> None:
        known = counts is not None and {"graphs", "quads"} <= set(counts)
        self.graphs = int(counts["graphs"]) if known and counts is not None else None
        self.quads = int(counts["quads"]) if known and counts is not None else None

    def drop(self, store: Any, graph: Any) -> None:
        if store.contains_named_graph(graph):
            if self.graphs is not None and self.quads is not None:
                self.graphs, self.quads = self.graphs - 1, self.quads - _size(store, graph)
            store.remove_graph(graph)

    def add(self, quads: int) -> None:
        if self.graphs is not None and self.quads is not None and quads:
            self.graphs, self.quads = self.graphs + 1, self.quads + quads

    def result(self, store: Any) -> dict[str, int]:
        if self.graphs is None or self.quads is None:
            return {"graphs": sum(1 for _ in store.named_graphs()), "quads": len(store)}
        return {"graphs": self.graphs, "quads": self.quads}


def open_store(out: Path) -> Any:
    """Open ``OUT/store`` read-only (a ``pyoxigraph.Store``).

    Raises:
        UsageError: there is no store (run the ``store`` step of ``heritage-ld build``).
    """
    from pyoxigraph import Store

    path = out / STORE_DIR
    if not path.is_dir():
        raise UsageError(f"{path} does not exist: run 'heritage-ld build' (with the store step) first")
    try:
        return Store.read_only(str(path))
    except OSError as exc:
        raise UsageError(f"{path} cannot be opened: {exc}") from None
