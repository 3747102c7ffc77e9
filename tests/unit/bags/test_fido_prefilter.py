"""The prefilter's conditions are necessary: whenever a pattern matches a buffer, all its conditions pass."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from heritage_ld.bags.fido_prefilter import Condition, Run, conditions, first_bytes, literal_runs

fido_mod = pytest.importorskip("fido.fido")
versions = pytest.importorskip("fido.versions")


def _passes(regex: bytes, anchored: bool, buffer: bytes) -> bool:
    return all(condition.check()(buffer) for condition in conditions(regex, anchored))


def _assert_sound(regex: bytes, anchored: bool, buffer: bytes) -> bool:
    """When ``regex`` matches ``buffer`` (as fido runs it), every condition passes; returns whether it matched."""
    compiled = re.compile(regex)
    matched = (compiled.match if anchored else compiled.search)(buffer) is not None
    if matched:
        assert _passes(regex, anchored, buffer), (regex, buffer[:80])
        allowed = first_bytes(regex) if anchored else None
        assert allowed is None or (buffer and buffer[0] in allowed), (regex, buffer[:8])
    return matched


def test_literal_runs_and_their_offsets() -> None:
    assert literal_runs(rb"(?s)\A\xff\xd8\xff") == (Run(0, 0, b"\xff\xd8\xff"),)
    assert literal_runs(rb"(?s)\A.{4}ftyp(?:isom|mp42)") == (Run(4, 4, b"ftyp"),)
    # a branch of one width moves the offset exactly; a bounded repeat makes it a range; an unbounded one opens it
    assert literal_runs(rb"(?s)\A(?:ab|cd)X.{0,3}Y.*Z") == (Run(2, 2, b"X"), Run(3, 6, b"Y"), Run(4, None, b"Z"))
    # lookarounds and anchors take no room; a group is read in place
    assert literal_runs(rb"(?s)\A(?!\x00)(AB)C\Z") == (Run(0, 0, b"ABC"),)


@pytest.mark.parametrize(("regex", "expected"), [
    (rb"(?i)\AGIF8", ()),                           # case-insensitive: a letter is not one byte
    (rb"(?s)\AX(?i:gif)8", (Run(0, 0, b"X"),)),      # reading stops at a case-insensitive group
    (rb"(?s)\AX(a)\1Y", (Run(0, 0, b"Xa"),)),        # and at a back reference (its width is not read)
])
def test_nothing_uncertain_becomes_a_condition(regex: bytes, expected: tuple[Run, ...]) -> None:
    assert literal_runs(regex) == expected


def test_conditions_by_kind() -> None:
    assert conditions(rb"(?s)\A%PDF-1\.[0-7]", True) == (Condition("at", b"%PDF-1."),)
    assert conditions(rb"(?s)\A.{0,3}<\?xml", True) == (Condition("within", b"<?xml", 0, 8),)
    assert conditions(rb"(?s)%%EOF.{0,4}\Z", False) == (Condition("near_end", b"%%EOF", 9),)
    assert conditions(rb"(?s)Microsoft.*PowerPoint", False) == (Condition("in", b"PowerPoint"),)
    assert conditions(rb"(?s)\A.{2}[\x01-\x1c]", True) == ()
    assert first_bytes(rb"(?s)\A(?:FORM|LIST|CAT )\x00") == frozenset(b"FLC")
    assert first_bytes(rb"(?s)\A[\x00-\x03]x") == frozenset(range(4))
    assert first_bytes(rb"(?s)\A[^\x00]x") is None and first_bytes(rb"\A\Z") is None


@pytest.mark.parametrize(("regex", "anchored", "buffers"), [
    (rb"(?s)%%EOF.{0,4}\Z", False, [b"%%EOF1234", b"x%%EOF1234", b"%%EOF12345", b"%%EOF", b"%%EO"]),
    (rb"(?s)\A.{0,3}<\?xml", True, [b"<?xml", b"abc<?xml", b"abcd<?xml", b"<?xm"]),
    (rb"(?s)\A.{4}ftyp", True, [b"1234ftyp", b"123ftyp", b"1234fty"]),
    (rb"(?s)PK\x01.{43,65531}PK\x05\x06.{18,65531}\Z", False,
     [b"PK\x01" + b"x" * 43 + b"PK\x05\x06" + b"y" * 18, b"PK\x01" + b"x" * 42 + b"PK\x05\x06" + b"y" * 18]),
])
def test_conditions_at_the_edges(regex: bytes, anchored: bool, buffers: list[bytes]) -> None:
    """Matches at the very edge of a window pass; a buffer the pattern does not match may fail them."""
    outcomes = [_assert_sound(regex, anchored, b) for b in buffers]
    assert any(outcomes) and not all(outcomes)


@pytest.fixture(scope="module")
def pronom_patterns() -> list[tuple[bytes, bool]]:
    """Every pattern of fido's PRONOM signatures (small enough to generate matches for), with its anchoring."""
    v = versions.get_local_versions()
    fido = fido_mod.Fido(quiet=True, format_files=[v.pronom_signature, v.fido_extension_signature],
                         handle_matches=lambda *a, **k: None)
    found: set[tuple[bytes, bool]] = set()
    for fmt in fido.formats:
        for sig in fido.get_signatures(fmt):
            for pat in fido.get_patterns(sig):
                regex = fido.get_regex(pat)
                if re.compile(regex).pattern and _sre_width(regex) <= 4096:
                    found.add((regex, fido.get_pos(pat) == "BOF"))
    assert len(found) > 1500
    return sorted(found)


def _sre_width(regex: bytes) -> int:
    import importlib

    parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")
    return int(min(parser.parse(regex).getwidth()[1], 1 << 30))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.filter_too_much])
@given(data=st.data())
def test_real_patterns_matches_pass_their_conditions(pronom_patterns: list[tuple[bytes, bool]],
                                                     data: st.DataObject) -> None:
    """Bytes generated to match a real PRONOM pattern (and cut at the end of the match, the tightest case for an
    end-anchored window) pass every condition of that pattern."""
    regex, anchored = data.draw(st.sampled_from(pronom_patterns))
    try:
        buffer = data.draw(st.from_regex(regex))
    except Exception:  # a construct hypothesis cannot generate for
        assume(False)
        raise
    compiled = re.compile(regex)
    found = (compiled.match if anchored else compiled.search)(buffer)
    assume(found is not None)
    for sample in {buffer, buffer[found.start():], buffer[: found.end()], buffer[found.start():found.end()]}:
        _assert_sound(regex, anchored, sample)
