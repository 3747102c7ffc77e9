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
    files = _project_files()
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


def _project_files() -> list[Path]:
    return sorted(p for folder in ("examples", "tests/data") for p in (ROOT / folder).rglob("*") if p.is_file())


def test_same_answers_on_truncated_project_files(pair: tuple[Any, CompiledMatcher]) -> None:
    """A file cut short (a broken copy, a partial download): every prefix length a signature can care about."""
    seen = 0
    by_kind: dict[str, list[Path]] = {}
    for path in _project_files():  # three of each kind of file: fido itself takes ~10 ms a call
        by_kind.setdefault(path.suffix, []).append(path)
    for path in sorted(p for paths in by_kind.values() for p in paths[:3]):
        data = path.read_bytes()
        for size in sorted({0, 1, 2, 3, 4, 8, 16, 64, 512, len(data) // 2, max(0, len(data) - 1)}):
            cut = data[:size]
            theirs, ours = _both(pair, cut, cut)
            assert ours == theirs, (path, size)
            seen += bool(ours)
    assert seen > 10


def test_same_answers_when_the_buffers_differ(pair: tuple[Any, CompiledMatcher]) -> None:
    """A file larger than fido's buffer: a start and an end buffer that are different bytes."""
    fido = pair[0]
    big = b"%PDF-1.7\n" + bytes(range(256)) * 1200 + b"\ntrailer\n<<>>\n%%EOF\n"
    jpeg = (ROOT / "examples" / "hanoi-1972" / "media" / "HNM.1972.001.jpg").read_bytes()
    for data in (big, jpeg + b"\x00" * (fido.bufsize * 2) + jpeg, b"\x00" * fido.bufsize + big):
        bof, eof = data[: fido.bufsize], data[-fido.bufsize:]
        theirs, ours = _both(pair, bof, eof)
        assert ours == theirs
    assert _both(pair, big[: fido.bufsize], big[-fido.bufsize:])[1], "fido recognises the PDF"


def _signature_literals(fido: Any) -> tuple[list[bytes], list[bytes]]:
    """What real PRONOM signatures look for: literals at the start of a file, and literals near its end."""
    from heritage_ld.bags.fido_prefilter import literal_runs

    starts: set[bytes] = set()
    ends: set[bytes] = set()
    for fmt in fido.formats:
        for sig in fido.get_signatures(fmt):
            for pat in fido.get_patterns(sig):
                pos = fido.get_pos(pat)
                for run in literal_runs(fido.get_regex(pat)):
                    if pos == "BOF" and run.low == run.high:
                        starts.add(b"\x00" * run.low + run.data)
                    elif pos == "EOF":
                        ends.add(run.data)
    return sorted(starts), sorted(ends)


@pytest.fixture(scope="module")
def literals(pair: tuple[Any, CompiledMatcher]) -> tuple[list[bytes], list[bytes]]:
    starts, ends = _signature_literals(pair[0])
    assert len(starts) > 1000 and len(ends) > 50
    return starts, ends


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_same_answers_on_bytes_that_begin_like_real_signatures(
        pair: tuple[Any, CompiledMatcher], literals: tuple[list[bytes], list[bytes]], data: st.DataObject) -> None:
    """Buffers that start with a real signature's literal (the prefilter passes, the patterns decide), with
    random or signature-like bytes after it and maybe a real end-of-file literal: fido and we agree."""
    starts, ends = literals
    head = data.draw(st.sampled_from(starts))
    middle = data.draw(st.binary(max_size=512) | st.sampled_from(starts))
    tail = data.draw(st.just(b"") | st.sampled_from(ends))
    cut = data.draw(st.none() | st.integers(min_value=0, max_value=len(head) + len(middle)))
    buffer = head + middle + tail
    if cut is not None:
        buffer = buffer[:cut]
    theirs, ours = _both(pair, buffer, buffer)
    assert ours == theirs


def test_the_prefilter_skips_most_formats(pair: tuple[Any, CompiledMatcher]) -> None:
    """Why it is faster: a JPEG is tried against a small part of PRONOM's formats, an empty file against fewer."""
    fido, matcher = pair
    jpeg = matcher.candidates(b"\xff\xd8\xff\xe0")
    assert 0 < len(jpeg) < len(fido.formats) / 4
    assert set(matcher.candidates(b"")) <= set(jpeg)
    assert fido.puid_format_map["fmt/43"] in jpeg  # JPEG 1.01 is among them
    assert fido.puid_format_map["fmt/43"] not in matcher.candidates(b"%PDF-1.4")


def test_the_build_uses_the_compiled_matcher(tmp_path: Path) -> None:
    from heritage_ld.bags import identify

    found = identify.identify_one(ROOT / "examples" / "hanoi-1972" / "media" / "HNM.1972.001.jpg")
    fido = identify._fido()
    assert fido is not None
    assert getattr(fido.fido.match_formats, "__self__", None).__class__ is CompiledMatcher
    assert found.puid.startswith("fmt/")
