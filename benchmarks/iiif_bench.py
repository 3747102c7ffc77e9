"""IIIF benchmark: manifests (ours vs iiif-prezi3) and level-0 tiles (ours vs libvips ``dzsave``), side by side.

    python -m benchmarks iiif            # 10,000 manifests; one 6000×4000 JPEG; a batch of 50 of them
    python -m benchmarks iiif --quick    # 1,000 manifests; one 1500×1000 JPEG; a batch of 6
    python -m benchmarks iiif --only=manifests   # (or --only=tiles) one part

Each measurement runs in a forked child so its peak memory (ru_maxrss) is its own. Manifests: both sides warm
(:data:`WARM_UP` manifests first), best of 3 rounds whose order alternates. Results go to stdout and to
``build/bench/iiif.json`` (``iiif-manifests.json`` / ``iiif-tiles.json`` with ``--only=``).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image

from heritage_ld.iiif import ManifestBuilder, serialize, write_tiles
from heritage_ld.model import (
    Agent,
    AgentKind,
    Attribution,
    Collection,
    Item,
    ItemKind,
    MediaFile,
    MultilingualText,
    Place,
    Section,
    UrlScheme,
    parse_edtf,
)

ROOT = Path(__file__).resolve().parents[1]
T = MultilingualText.of


# -- helpers -----------------------------------------------------------------------------------------------
def _in_child(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``fn`` in a forked process; its result plus the child's peak RSS in MB."""
    ctx = multiprocessing.get_context("fork")
    queue: Any = ctx.Queue()

    def target() -> None:
        try:
            out = fn()
            out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            queue.put(out)
        except BaseException as exc:  # report, never hang the parent
            queue.put({"error": f"{type(exc).__name__}: {exc}"})

    proc = ctx.Process(target=target)
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def _collection(n: int) -> Collection:
    """A synthetic catalogue of ``n`` one-image photographs with the fields a real item has."""
    museum = Agent("hanoi-museum", AgentKind.GROUP, T(vi="Bảo tàng Hà Nội", en="Hanoi Museum"),
                   homepage="https://baotanghanoi.com.vn/")
    person = Agent("doan-cong-tinh", AgentKind.PERSON, T(vi="Đoàn Công Tính"))
    place = Place("kham-thien", T(vi="Phố Khâm Thiên", en="Kham Thien Street"), 21.0191, 105.8372)
    sections = ("silence", "confront", "peace")
    items = tuple(
        Item(f"HNM.1972.{i:05d}", ItemKind.PHOTOGRAPH,
             T(vi=f"Ảnh số {i} – phố Khâm Thiên", en=f"Photograph {i} – Kham Thien Street"),
             section=sections[i % 3], description=T(en=f"After the bombing, day {i % 12 + 18}.", vi="Sau trận bom."),
             date=parse_edtf(f"1972-12-{i % 12 + 18:02d}"), creators=(Attribution(person, "photographer"),),
             places=(place,), media=(MediaFile(PurePosixPath(f"media/{i}.jpg"), width=4000 + i % 7, height=3000),))
        for i in range(n)
    )
    return Collection("hanoi-1972", T(vi="Hà Nội 1972", en="Hanoi 1972"), "https://example.org/hanoi-1972",
                      publisher=museum, sections=tuple(Section(s, T(en=s.title())) for s in sections), items=items,
                      rights="http://rightsstatements.org/vocab/InC-EDU/1.0/",
                      credit_line=T(vi="Ảnh: Bảo tàng Hà Nội", en="Photo: Hanoi Museum"))


def _validator() -> Any:
    from jsonschema import Draft7Validator

    env = os.environ.get("HERITAGE_LD_CONFORMANCE")
    for base in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "conformance"]:
        schema = base / "iiif" / "schema" / "iiif_3_0.json"
        if schema.is_file():
            return Draft7Validator(json.loads(schema.read_text("utf-8")))
    return None


# -- manifests ---------------------------------------------------------------------------------------------
#: Manifests built and serialised before the clock starts, on each side (imports, caches, pydantic model set-up).
WARM_UP = 200


def _ours(n: int, use_orjson: bool) -> Callable[[], dict[str, Any]]:
    """Ours as the build step runs it: one :class:`ManifestBuilder` for the collection, ``dumps`` per item."""
    def run() -> dict[str, Any]:
        collection = _collection(n)
        urls = UrlScheme(collection.base_url)
        if not use_orjson:
            serialize._orjson = None  # type: ignore[assignment,attr-defined]  # the child only
        for item in collection.items[:WARM_UP]:  # warm, with a builder of its own (its caches start empty)
            serialize.dumps(ManifestBuilder(collection, urls=urls).build(item), ordered=True)
        started = time.perf_counter()
        builder = ManifestBuilder(collection, urls=urls)
        size = 0
        sample: list[bytes] = []
        for k, item in enumerate(collection.items):
            data = serialize.dumps(builder.build(item), ordered=True)
            size += len(data)
            if k % max(1, n // 20) == 0:
                sample.append(data)
        seconds = time.perf_counter() - started
        validator = _validator()
        invalid = None if validator is None else sum(
            1 for d in sample if any(True for _ in validator.iter_errors(json.loads(d))))
        return {"seconds": seconds, "bytes": size, "sample": len(sample), "invalid_in_sample": invalid}
    return run


def _prezi3(n: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        from iiif_prezi3 import Manifest

        collection = _collection(n)
        urls = UrlScheme(collection.base_url)
        builder = ManifestBuilder(collection, urls=urls)
        docs = [copy.deepcopy(builder.build(item)) for item in collection.items]  # not timed
        for d in docs:
            d.pop("@context")  # iiif-prezi3 adds its own
            d.pop("navPlace", None)  # an extension its model does not have
        for d in docs[:WARM_UP]:
            Manifest(**copy.deepcopy(d)).json(indent=2)
        started = time.perf_counter()
        build = 0.0
        size = 0
        for k, d in enumerate(docs):
            t0 = time.perf_counter()
            manifest = Manifest(**d)
            build += time.perf_counter() - t0
            size += len(manifest.json(indent=2))
            docs[k] = {}
        return {"seconds": time.perf_counter() - started, "build_seconds": build, "bytes": size}
    return run


def _best(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of several rounds, with every round's time and the highest peak memory of them."""
    ok = [r for r in rounds if "error" not in r]
    if not ok:
        return rounds[0]
    best = dict(min(ok, key=lambda r: r["seconds"]))
    best["rounds"] = [r["seconds"] for r in ok]
    best["peak_mb"] = max(r["peak_mb"] for r in ok)
    return best


def bench_manifests(n: int, rounds: int = 3) -> dict[str, Any]:
    """Ours (orjson) and iiif-prezi3, both warm, best of ``rounds`` rounds; each round runs both sides one after
    the other, in fresh forked children, the order alternating between rounds. The ratio is best over best."""
    out: dict[str, Any] = {"items": n, "rounds": rounds, "warm_up": WARM_UP}
    ours: list[dict[str, Any]] = []
    peer: list[dict[str, Any]] = []
    for r in range(rounds):
        sides = [(ours, _ours(n, True)), (peer, _prezi3(n))]
        for results, fn in (sides if r % 2 == 0 else sides[::-1]):
            results.append(_in_child(fn))
    out["ours_orjson"] = _best(ours)
    out["iiif_prezi3"] = _best(peer)
    out["ours_json"] = _in_child(_ours(n, False))
    out["ours_orjson_tenth"] = _in_child(_ours(max(1, n // 10), True))
    if "error" not in out["iiif_prezi3"] and "error" not in out["ours_orjson"]:
        out["speedup_vs_prezi3"] = out["iiif_prezi3"]["seconds"] / out["ours_orjson"]["seconds"]
        out["speedup_per_round"] = [p["seconds"] / o["seconds"] for o, p in zip(ours, peer, strict=True)
                                    if "error" not in o and "error" not in p]
    return out


# -- tiles ------------------------------------------------------------------------------------------------
def _make_jpeg(path: Path, size: tuple[int, int]) -> None:
    """A photograph-like JPEG (smooth shapes and grain), deterministic."""
    w, h = size
    shapes = Image.effect_noise((max(1, w // 10), max(1, h // 10)), 60).convert("L").resize(size,
                                                                                           Image.Resampling.BICUBIC)
    grain = Image.effect_noise(size, 20)
    Image.merge("RGB", (shapes, Image.blend(shapes, grain, 0.3), Image.linear_gradient("L").resize(size))).save(
        path, quality=90)


def _dzsave(source: Path, out: Path) -> None:
    import pyvips

    pyvips.Image.new_from_file(str(source)).dzsave(str(out), layout="iiif3", tile_size=512, overlap=0)


def _pyvips_ok() -> bool:
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _time_one(fn: Callable[[Path], Any], work: Path, repeat: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        times = []
        for r in range(repeat):
            out = work / f"one-{r}"
            started = time.perf_counter()
            fn(out)
            times.append(time.perf_counter() - started)
            shutil.rmtree(out, ignore_errors=True)
        return {"seconds": statistics.median(times), "runs": times}
    return run


def _batch(fn: Callable[[Path], Any], work: Path, count: int, parallel: int) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        outs = [work / f"batch-{k}" for k in range(count)]
        started = time.perf_counter()
        if parallel > 1:
            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(fn, outs))
        else:
            for o in outs:
                fn(o)
        seconds = time.perf_counter() - started
        for o in outs:
            shutil.rmtree(o, ignore_errors=True)
        return {"seconds": seconds, "images_per_second": count / seconds}
    return run


def bench_tiles(size: tuple[int, int], batch: int, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"image": f"{size[0]}x{size[1]} JPEG", "batch": batch}
    with tempfile.TemporaryDirectory(prefix="iiif-bench-") as tmp:
        work = Path(tmp)
        source = work / "source.jpg"
        _make_jpeg(source, size)
        svc = "https://example.org/iiif/image/bench-1"
        jobs = os.cpu_count() or 1
        out["ours_one"] = _in_child(_time_one(lambda o: write_tiles(source, o, svc, workers=jobs), work, repeat))
        out["ours_one_1thread"] = _in_child(_time_one(lambda o: write_tiles(source, o, svc), work, repeat))
        out["ours_batch"] = _in_child(_batch(lambda o: write_tiles(source, o, svc), work, batch, jobs))
        if _pyvips_ok():
            out["dzsave_one"] = _in_child(_time_one(lambda o: _dzsave(source, o), work, repeat))
            out["dzsave_batch"] = _in_child(_batch(lambda o: _dzsave(source, o), work, batch, 1))
            out["ratio_one_vs_dzsave"] = out["ours_one"]["seconds"] / out["dzsave_one"]["seconds"]
            out["throughput_vs_dzsave"] = (out["ours_batch"]["images_per_second"]
                                           / out["dzsave_batch"]["images_per_second"])
        else:
            out["dzsave"] = "pyvips not importable (pip install pyvips; apt-get install libvips42)"
    return out


# -- report -----------------------------------------------------------------------------------------------
def _print_manifests(m: dict[str, Any]) -> None:
    print(f"manifests: {m['items']} one-canvas manifests, build + serialise "
          f"(warm: {m['warm_up']} first; ours and iiif-prezi3 best of {m['rounds']} alternating rounds)")
    for key in ("ours_orjson", "iiif_prezi3", "ours_json", "ours_orjson_tenth"):
        r = m[key]
        if "error" in r:
            print(f"  {key:<18} error: {r['error']}")
            continue
        extra = f" (model build {r['build_seconds']:.2f} s)" if "build_seconds" in r else ""
        rounds = f" [rounds: {', '.join(f'{t:.2f}' for t in r['rounds'])}]" if "rounds" in r else ""
        valid = f", schema-invalid in sample: {r['invalid_in_sample']}/{r['sample']}" if "sample" in r else ""
        print(f"  {key:<18} {r['seconds']:7.2f} s{extra}{rounds}, peak {r['peak_mb']:.0f} MB{valid}")
    if "speedup_vs_prezi3" in m:
        per_round = ", ".join(f"{x:.1f}x" for x in m["speedup_per_round"])
        print(f"  ours (orjson) is {m['speedup_vs_prezi3']:.1f}x faster than iiif-prezi3, best over best "
              f"(per round: {per_round}; goal >= 10x)")


def _print_tiles(t: dict[str, Any]) -> None:
    print(f"tiles: {t['image']}, batch of {t['batch']}")
    for key in ("ours_one", "ours_one_1thread", "dzsave_one", "ours_batch", "dzsave_batch"):
        if key in t:
            r = t[key]
            rate = f", {r['images_per_second']:.2f} images/s" if "images_per_second" in r else ""
            print(f"  {key:<18} {r['seconds']:7.2f} s{rate}, peak {r['peak_mb']:.0f} MB")
    if "ratio_one_vs_dzsave" in t:
        print(f"  one image: ours / dzsave = {t['ratio_one_vs_dzsave']:.2f} (goal <= 1.2)")
        print(f"  batch: ours / dzsave throughput = {t['throughput_vs_dzsave']:.2f}x (goal >= 1.6x)")
    else:
        print(f"  dzsave: {t['dzsave']}")


def main(argv: list[str] | None = None) -> int:
    """Run the IIIF benchmark; ``--quick`` for small sizes, ``--only=manifests`` or ``--only=tiles`` for one part."""
    args = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in args
    only = {a.split("=", 1)[1] for a in args if a.startswith("--only=")}
    if only - {"manifests", "tiles"}:
        print(f"--only= takes manifests or tiles, not {', '.join(sorted(only))}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"quick": quick, "cpus": os.cpu_count()}
    if not only or "manifests" in only:
        results["manifests"] = bench_manifests(1_000 if quick else 10_000)
        _print_manifests(results["manifests"])
    if not only or "tiles" in only:
        results["tiles"] = bench_tiles((1500, 1000) if quick else (6000, 4000), 6 if quick else 50,
                                       1 if quick else 3)
        _print_tiles(results["tiles"])
    target = ROOT / "build" / "bench" / ("iiif.json" if not only else f"iiif-{'-'.join(sorted(only))}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
