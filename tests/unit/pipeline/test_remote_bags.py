"""A build into a remote OUT (fsspec's memory file system) writes its bags straight to the store: none in the
working copy, ledger rows recorded, unchanged bags untouched, metadata merged on the store (history kept), a
changed payload refused without --replace, withdrawn bags kept or pruned."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from heritage_ld.bags.remote import validate_store_bag
from heritage_ld.errors import UsageError
from heritage_ld.pipeline import BuildOptions
from heritage_ld.pipeline.remote import build_catalogue
from heritage_ld.storage import Store
from heritage_ld.synth import write_synthetic_catalogue
from heritage_support import read_rows, write_rows

_n = itertools.count()




def test_bags_go_straight_to_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    catalogue = tmp_path / "cat"
    write_synthetic_catalogue(catalogue, items=3, media_size="8KB")
    url = f"memory://remote-bags-{os.getpid()}-{next(_n)}/out"
    cache = tmp_path / "cache"
    options = BuildOptions(tiles=False)

    def build(**kw: object) -> dict[str, object]:
        report = build_catalogue(str(catalogue), url, cache=cache, only=["rdf", "iiif", "bags"],
                                 options=kw.pop("options", options), **kw)  # type: ignore[arg-type]
        return report.results["bags"].data

    first = build()
    assert first["written"] == 3
    store = Store.from_url(url)
    bags = sorted({rel.split("/")[0] for rel in store.listing("bags")})
    assert len(bags) == 3
    for name in bags:
        assert validate_store_bag(store.child(f"bags/{name}")).valid
    tree = next((cache / "out").iterdir()) / "tree"
    assert not (tree / "bags").exists()
    assert build().get("unchanged") == 3  # the ledger knows: not even listed

    fields, rows = read_rows(catalogue)
    rows[0]["title@en"] += " (corrected)"
    write_rows(catalogue, fields, rows)
    updated = build()
    assert updated.get("updated") == 1 and updated.get("unchanged") == 2
    events = store.read_bytes(f"bags/{bags[0]}/metadata/premis-events.ttl").decode()
    assert "metadata modification" in events and "creation" in events
    assert validate_store_bag(store.child(f"bags/{bags[0]}")).valid

    master = catalogue / rows[1]["master"].split("|")[0]
    master.write_bytes(master.read_bytes() + b"\0")  # a new scan: the payload changed
    with pytest.raises(UsageError, match="--replace"):
        build()
    assert build(options=BuildOptions(tiles=False, replace=True)).get("written") == 1
    assert validate_store_bag(store.child(f"bags/{bags[1]}")).valid

    write_rows(catalogue, fields, rows[1:])
    kept = build()
    assert kept["withdrawn_kept"] == (rows[0]["accession"],)
    assert store.exists(f"bags/{bags[0]}/bagit.txt")
    pruned = build(options=BuildOptions(tiles=False, prune_bags=True))
    assert pruned["pruned"] == (rows[0]["accession"],)
    assert store.listing(f"bags/{bags[0]}") == {}
