"""Fixity verdicts on arbitrary small bags equal a plain reference: hash every manifest entry, compare.

The validator hashes files before it has read the manifests (with the algorithms the manifest file names
give), then compares, and hashes in a second round what that did not foresee (a payload file listed in a
tag manifest). This holds that machinery to the obvious definition, for folders and for .tar archives.
"""

from __future__ import annotations

import hashlib
import tarfile
from itertools import count
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage_ld.bags import validate_bag
from heritage_ld.bags.manifest import format_manifest

NAMES = ["data/a.txt", "data/b.bin", "data/sub/c.txt", "data/sub/d e.txt", "data/é.txt"]
_ids = count()


@st.composite
def bags(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    files = {n: draw(st.binary(max_size=48)) for n in names}
    payload_algorithms = draw(st.lists(st.sampled_from(["sha256", "sha512", "md5"]), min_size=1, unique=True))
    tag_algorithms = draw(st.lists(st.sampled_from(["sha256", "md5", "sha1"]), unique=True))
    return {
        "files": files,
        "payload": payload_algorithms,
        "tag": tag_algorithms,
        "cross": draw(st.booleans()),  # a payload file listed in a tag manifest too
        "tamper": draw(st.lists(st.sampled_from(names), unique=True)),
        "wrong": draw(st.lists(st.tuples(st.sampled_from(payload_algorithms), st.sampled_from(names)), unique=True)),
        "tag_wrong": draw(st.booleans()),
    }


def _write(root: Path, spec: dict[str, object]) -> None:
    files: dict[str, bytes] = spec["files"]  # type: ignore[assignment]
    root.mkdir(parents=True)
    tags = {"bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bag-info.txt": b"Source-Organization: Hanoi Museum\n"}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    wrong = set(spec["wrong"])  # type: ignore[arg-type]
    for algorithm in spec["payload"]:  # type: ignore[attr-defined]
        sums = {n: ("0" * len(hashlib.new(algorithm).hexdigest()) if (algorithm, n) in wrong
                    else hashlib.new(algorithm, d).hexdigest()) for n, d in files.items()}
        tags[f"manifest-{algorithm}.txt"] = format_manifest(sums)
    for name, data in tags.items():
        (root / name).write_bytes(data)
    for algorithm in spec["tag"]:  # type: ignore[attr-defined]
        sums = {n: hashlib.new(algorithm, d).hexdigest() for n, d in tags.items()}
        if spec["tag_wrong"]:
            sums["bag-info.txt"] = "f" * len(sums["bag-info.txt"])
        if spec["cross"]:
            first = sorted(files)[0]
            sums[first] = hashlib.new(algorithm, files[first]).hexdigest()
        (root / f"tagmanifest-{algorithm}.txt").write_bytes(format_manifest(sums))
    for name in spec["tamper"]:  # type: ignore[attr-defined]
        (root / name).write_bytes(files[name] + b"!")


def _reference(root: Path) -> set[tuple[str, str]]:
    """(manifest, path) of every entry whose file's digest differs, by reading every file once per entry."""
    out = set()
    for manifest in sorted(root.glob("*manifest-*.txt")):
        algorithm = manifest.stem.split("-", 1)[1]
        for line in manifest.read_text(encoding="utf-8").splitlines():
            checksum, path = line.split("  ", 1)
            if hashlib.new(algorithm, (root / path).read_bytes()).hexdigest() != checksum:
                out.add((manifest.name, path))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bags())
def test_fixity_verdicts_equal_the_plain_definition(tmp_path: Path, spec: dict[str, object]) -> None:
    root = tmp_path / f"bag{next(_ids)}"
    _write(root, spec)
    expected = _reference(root)
    for target in (root, _as_tar(root)):
        report = validate_bag(target, jobs=2)
        found = {(p.location.file, str(p.get("path"))) for p in report.errors if p.code == "B001"}
        assert found == expected, target
        assert [p for p in report.errors if p.code != "B001"] == [], target
        assert report.valid == (not expected)


def _as_tar(root: Path) -> Path:
    archive = root.with_suffix(".tar")
    with tarfile.open(archive, "w") as tar:
        tar.add(root, arcname=root.name)
    return archive
