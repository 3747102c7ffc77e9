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

import gzip
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, cast

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


def load_store(
    out: Path,
    urls: UrlScheme,
    key: str,
    accessions: Iterable[str],
    *,
    advance: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Load ``OUT/rdf`` into ``OUT/store`` (replacing it) and return counts: graphs, quads.

    Per-item N-Triples files are loaded one named graph each; ``OUT/rdf/dataset.nt.gz`` supplies the rest.

    Raises:
        UsageError: there is no RDF in ``out`` (run the ``rdf`` step first).
    """
    from pyoxigraph import Store

    dump = out / "rdf" / "dataset.nt.gz"
    items = [(acc, out / rdf_path(urls, acc, "nt")) for acc in accessions]
    present = [(acc, p) for acc, p in items if p.is_file()]
    if not present and not dump.is_file():
        raise UsageError(f"{out / 'rdf'} has no RDF to load: run the rdf step first")
    target = out / STORE_DIR
    remove_stale_temporaries(out)  # a store half-loaded by a build that was killed
    tmp = temporary_path(target)
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        graphs, quads = _load(Store(str(tmp)), out, urls, key, present, dump, advance)
    except BaseException:  # a full disk, an interruption: the previous store stays, no temporary is left
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return {"graphs": graphs, "quads": quads}


def _load(store: Any, out: Path, urls: UrlScheme, key: str, present: list[tuple[str, Path]], dump: Path,
          advance: Callable[[], None] | None) -> tuple[int, int]:
    """Fill ``store``; return the number of graphs and of quads. The store is closed when this returns."""
    from pyoxigraph import NamedNode, RdfFormat

    graphs = 0
    try:
        for acc, path in present:
            with path.open("rb") as f:
                store.load(f, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(urls.object(acc)))
            graphs += 1
            if advance is not None:
                advance()
        collection_graph, dataset_graph = (NamedNode(n) for n in graph_names(urls, key))
        if dump.is_file():
            graphs += _load_rest(store, dump, collection_graph)
        description = out / "rdf" / "dataset.ttl"
        if description.is_file():
            with description.open("rb") as f:
                store.load(f, format=RdfFormat.TURTLE, to_graph=dataset_graph, base_iri=urls.dataset())
            graphs += 1
        store.flush()
        quads = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
    finally:
        del store
    return graphs, quads


def _load_rest(store: Any, dump: Path, graph: Any) -> int:
    """Add the dump's triples that are in no item graph to ``graph``; 1 if any were added, else 0."""
    from pyoxigraph import Quad, RdfFormat, parse

    added = 0
    with gzip.open(dump, "rb") as f:
        batch = []
        for triple in parse(cast(IO[bytes], f), format=RdfFormat.N_TRIPLES):
            if next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None), None) is None:
                batch.append(Quad(triple.subject, triple.predicate, triple.object, graph))
            if len(batch) >= 10_000:
                store.extend(batch)
                added += len(batch)
                batch = []
        store.extend(batch)
        added += len(batch)
    return 1 if added else 0


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
