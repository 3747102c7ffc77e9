"""OCFL objects over arbitrary sequences of states: every version reads back as the state that was added, a
repeated state adds no version, each content is stored once, and both validators (ours, ocfl-py) accept it."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocfl.validator import Validator

from heritage_ld.ocfl import add_version, init_storage_root, read_inventory, validate_object

PATHS = ["data/a.tif", "data/b.jpg", "data/sub/c.txt", "metadata/item.ttl", "metadata/é x.json"]
CONTENTS = [b"", b"1972", b"Kham Thien", b"Hanoi" * 50]

states = st.lists(st.dictionaries(st.sampled_from(PATHS), st.sampled_from(CONTENTS), max_size=5),
                  min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states)
def test_versions_read_back_and_validate(sequence: list[dict[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = init_storage_root(base / "ocfl")
        heads: list[str] = []
        previous: dict[str, bytes] | None = None
        for n, state in enumerate(sequence):
            folder = base / f"src{n}"
            files = {}
            for logical, data in state.items():
                path = folder / logical
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                files[logical] = path
            result = add_version(root, "info:hnm/1972", files)
            assert result.created is (state != previous)
            heads.append(result.head)
            previous = state
        inventory = read_inventory(result.path)
        assert inventory is not None
        distinct = [s for i, s in enumerate(sequence) if i == 0 or s != sequence[i - 1]]
        assert list(inventory["versions"]) == [f"v{i + 1}" for i in range(len(distinct))]
        for i, state in enumerate(distinct):
            recorded = inventory["versions"][f"v{i + 1}"]["state"]
            back = {p: (result.path / inventory["manifest"][d][0]).read_bytes() for d, ps in recorded.items()
                    for p in ps}
            assert back == state
        stored = [p for p in result.path.glob("v*/content/**/*") if p.is_file()]
        assert len(stored) == len({hashlib.sha512(p.read_bytes()).hexdigest() for p in stored})  # each once
        assert validate_object(result.path).valid
        validator = Validator(check_digests=True)
        assert validator.validate_object(str(result.path)), validator.log.codes
