"""The compiled fido matcher gives exactly fido's own answers (same formats, same signatures, same order)."""

from __future__ import annotations

import io
import os
import zlib
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_ld.bags.fido_match import CompiledMatcher

fido_mod = pytest.importorskip("fido.fido")
versions = pytest.importorskip("fido.versions")

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def pair() -> tuple[Any, CompiledMatcher]:
    v = versions.get_local_versions()
    fido = fido_mod.Fido(quiet=True, format_files=[v.pronom_signature, v.fido_extension_signature],
                         handle_matches=lambda *a, **k: None)
    return fido, CompiledMatcher(fido)


def _answers(fido: Any, matches: list[tuple[Any, str]]) -> list[tuple[str, str]]:
    return [(fido.get_puid(fmt), name) for fmt, name in matches]


def _both(pair: tuple[Any, CompiledMatcher], bof: bytes, eof: bytes) -> tuple[list[tuple[str, str]], ...]:
    fido, matcher = pair
    with redirect_stderr(io.StringIO()):
        theirs = _answers(fido, fido.match_formats(bof, eof))
    return theirs, _answers(fido, matcher.match_formats(bof, eof))


def _buffers(fido: Any, path: Path) -> tuple[bytes, bytes]:
    with path.open("rb") as fh:
        bof, eof, _ = fido.get_buffers(fh, os.stat(path).st_size, seekable=True)
    return bof, eof


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


SAMPLES = {
    "png": _png(),
    "pdf": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "xml": b'<?xml version="1.0" encoding="UTF-8"?>\n<root/>\n',
    "html": b"<!DOCTYPE html><html><head><title>x</title></head><body></body></html>",
    "zip": b"PK\x05\x06" + b"\x00" * 18,
    "tiff": b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64,
    "bibtex": b"@article{key, title={A {nested} title}}\n" * 3,
    "empty": b"",
}


def test_same_answers_on_the_project_files(pair: tuple[Any, CompiledMatcher]) -> None:
    files = sorted(p for folder in ("examples", "tests/data") for p in (ROOT / folder).rglob("*") if p.is_file())
    assert len(files) > 50
    matched = 0
    for path in files:
        theirs, ours = _both(pair, *_buffers(pair[0], path))
        assert ours == theirs, path
        matched += bool(ours)
    assert matched > 20  # the comparison covers files fido recognises, not only misses


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_same_answers_on_samples(pair: tuple[Any, CompiledMatcher], name: str) -> None:
    data = SAMPLES[name]
    theirs, ours = _both(pair, data, data[-1024:])
    assert ours == theirs
    if name in ("png", "pdf", "gif"):
        assert ours, f"fido recognises a {name}"


@settings(max_examples=40, deadline=None)
@given(prefix=st.sampled_from(sorted(SAMPLES)), tail=st.binary(max_size=2048))
def test_same_answers_on_generated_bytes(pair: tuple[Any, CompiledMatcher], prefix: str, tail: bytes) -> None:
    data = SAMPLES[prefix] + tail
    assert _both(pair, data, data[-4096:])[1] == _both(pair, data, data[-4096:])[0]


def test_the_build_uses_the_compiled_matcher(tmp_path: Path) -> None:
    from heritage_ld.bags import identify

    found = identify.identify_one(ROOT / "examples" / "hanoi-1972" / "media" / "HNM.1972.001.jpg")
    fido = identify._fido()
    assert fido is not None
    assert getattr(fido.fido.match_formats, "__self__", None).__class__ is CompiledMatcher
    assert found.puid.startswith("fmt/")
