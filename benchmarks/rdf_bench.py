"""RDF benchmark: our writers against the plain rdflib path (``Graph.add`` then ``serialize``), same run.

    python -m benchmarks rdf            # 10,000 items side by side, then 100,000 items of our path alone
    python -m benchmarks rdf --quick    # 1,000 and 5,000

Synthetic items are built in memory (title and description in Vietnamese and English, an EDTF date, a
creator with a role, a section, a subject, a material, two dimensions, rights). Both paths start from the
same model and the same triples; rdflib's time includes building its term objects, ours formatting strings.
Every measurement runs in a fresh spawned interpreter (cold heap, own peak RSS): ours once per format, rdflib
once (``Graph.add`` then the three serialisers on that graph). Peak memory of the 100,000-item run is
``resource.getrusage`` max RSS of its own process.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import resource
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import rdflib

from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Concept,
    Dimension,
    Item,
    ItemKind,
    MultilingualText,
    Place,
    Section,
    parse_edtf,
)
from heritage_ld.rdf import item_jsonld, item_triples
from heritage_ld.rdf.serialize import canonical_ntriples, dumps_json, turtle

DATES = ("1972-12-18", "1972-12", "1972?", "1972-12-18/1972-12-29", "1972~", "1972-12-29/..")


def synthetic_collection(n: int) -> Collection:
    """A collection of ``n`` items, deterministic."""
    people = [Agent(f"p{k}", AgentKind.PERSON, MultilingualText.of(vi=f"Nguyễn Văn {k}", en=f"Nguyen Van {k}"))
              for k in range(50)]
    subjects = [Concept(f"s{k}", MultilingualText.of(en=f"Subject {k}", vi=f"Chủ đề {k}")) for k in range(20)]
    paper = Concept("paper", MultilingualText.of(en="Paper"), ("http://vocab.getty.edu/aat/300014109",))
    hanoi = Place("hanoi", MultilingualText.of(vi="Hà Nội", en="Hanoi"), 21.0285, 105.8542)
    sections = ("silence", "confront", "peace")
    dates = [parse_edtf(d) for d in DATES]
    items = tuple(
        Item(
            accession=f"SYN.{i:06d}",
            kind=ItemKind.PHOTOGRAPH if i % 3 else ItemKind.DOCUMENT,
            title=MultilingualText.of(vi=f"Ảnh số {i} – Hà Nội", en=f"Photograph {i} – Hanoi"),
            section=sections[i % 3],
            description=MultilingualText.of(vi=f"Mô tả \"{i}\"", en=f"Description of item {i}"),
            date=dates[i % len(dates)],
            creators=(Attribution(people[i % 50], "photographer"),),
            places=(hanoi,),
            subjects=(subjects[i % 20],),
            materials=(paper,),
            dimensions=(Dimension("height", Decimal("18"), "cm"), Dimension("width", Decimal("24.5"), "cm")),
            rights="http://rightsstatements.org/vocab/InC/1.0/",
        )
        for i in range(n)
    )
    return Collection(
        key="synthetic",
        title=MultilingualText.of(en="Synthetic"),
        base_url="https://example.org/synthetic",
        sections=tuple(Section(s, MultilingualText.of(en=s)) for s in sections),
        items=items,
        agents=tuple(people),
        places=(hanoi,),
        concepts=(*subjects, paper),
    )


class _Sink(io.RawIOBase):
    """Counts bytes written (so writing costs nothing but the formatting)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.size += len(b)
        return len(b)


def _ours(c: Collection, fmt: str) -> tuple[int, int]:
    sink = _Sink()
    triples = 0
    if fmt == "turtle":
        sink.write(turtle([]).encode())
    for pos, item in enumerate(c.items, 1):
        t = item_triples(item, c, profile="crm", position=pos)
        triples += len(t)
        if fmt == "nt":
            sink.write(canonical_ntriples(t).encode())
        elif fmt == "turtle":
            sink.write(turtle(t, prefixes=False).encode())
        else:
            sink.write(dumps_json(item_jsonld(item, c, position=pos)).encode())
    return triples, sink.size


def _rdflib_graph(c: Collection) -> rdflib.Graph:
    g = rdflib.Graph()
    for pos, item in enumerate(c.items, 1):
        for s, p, o in item_triples(item, c, profile="crm", position=pos):
            if isinstance(o, str):
                obj: rdflib.term.Node = rdflib.URIRef(o)
            else:
                obj = rdflib.Literal(o.value, lang=o.language or None,
                                     datatype=rdflib.URIRef(o.datatype) if o.datatype else None)
            g.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
    return g


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _ours_timed(n: int, fmt: str) -> tuple[float, tuple[int, int]]:
    _ours(synthetic_collection(50), fmt)  # warm-up: context, tables and caches load outside the timing
    c = synthetic_collection(n)
    secs, out = _timed(lambda: _ours(c, fmt))
    return secs, out  # type: ignore[return-value]


def _rdflib_timed(n: int) -> tuple[float, int, dict[str, float]]:
    c = synthetic_collection(n)
    build_s, g = _timed(lambda: _rdflib_graph(c))
    assert isinstance(g, rdflib.Graph)
    print(f"  rdflib Graph.add: {len(g):,} distinct triples in {build_s:.1f} s ({len(g) / build_s:,.0f}/s)", flush=True)
    ser = {}
    for fmt, name in (("nt", "nt"), ("turtle", "turtle"), ("jsonld", "json-ld")):
        ser[fmt], _ = _timed(lambda f=name: g.serialize(format=f, encoding="utf-8"))  # type: ignore[misc]
    return build_s, len(g), ser


def _child(fn: Callable[..., object], args: tuple[object, ...], queue: Any) -> None:
    queue.put(fn(*args))


def _fresh(fn: Callable[..., Any], *args: object) -> Any:
    """Run ``fn(*args)`` in a fresh spawned interpreter: each path starts cold, with its own heap and peak RSS."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def side_by_side(n: int) -> dict[str, object]:
    results: dict[str, object] = {"items": n}
    ours = {fmt: _fresh(_ours_timed, n, fmt) for fmt in ("nt", "turtle", "jsonld")}
    build_s, distinct, ser = _fresh(_rdflib_timed, n)
    results["rdflib_graph_add_s"] = round(build_s, 2)
    results["triples_distinct"] = distinct
    for fmt in ("nt", "turtle", "jsonld"):
        ours_s, (triples, size) = ours[fmt]
        total = build_s + ser[fmt]
        ratio = total / ours_s
        results[fmt] = {"ours_s": round(ours_s, 2), "ours_triples_per_s": round(triples / ours_s),
                        "rdflib_s": round(total, 2), "rdflib_triples_per_s": round(distinct / total),
                        "ratio": round(ratio, 1), "bytes": size}
        print(f"  {fmt:>6}: ours {ours_s:6.1f} s ({triples / ours_s:>9,.0f} triples/s)   "
              f"rdflib {total:6.1f} s ({distinct / total:>8,.0f} triples/s)   ratio {ratio:5.1f}x", flush=True)
    results["triples_emitted"] = triples
    return results


def ours_alone(n: int) -> dict[str, object]:
    _ours(synthetic_collection(50), "nt")  # warm-up
    c = synthetic_collection(n)
    out: dict[str, object] = {"items": n}
    for fmt in ("nt", "turtle"):
        started = time.perf_counter()
        triples, size = _ours(c, fmt)
        secs = time.perf_counter() - started
        out[fmt] = {"s": round(secs, 2), "triples": triples, "triples_per_s": round(triples / secs), "bytes": size}
        print(f"  {fmt:>6}: {triples:,} triples in {secs:.1f} s ({triples / secs:,.0f} triples/s), {size / 1e6:,.0f} MB",
              flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    out["peak_rss_mib"] = round(peak)
    print(f"  peak memory (max RSS of the process): {peak:,.0f} MiB", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    quick = "--quick" in args
    small, large = (1_000, 5_000) if quick else (10_000, 100_000)
    print(f"RDF, Linked Art profile: {small:,} items, ours vs rdflib", flush=True)
    report = {"side_by_side": side_by_side(small)}
    print(f"RDF, our path alone: {large:,} items", flush=True)
    report["ours_alone"] = _fresh(ours_alone, large)
    out = Path("build/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "rdf.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
