"""The fast paths of the bag path checks give exactly what the detailed checks give, for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_ld.bags import manifest as manifest_module
from heritage_ld.bags.manifest import Manifest, parse_manifest
from heritage_ld.bags.names import unsafe_reason

HEX64 = "0123456789abcdef" * 4
PIECES = st.sampled_from([HEX64, HEX64.upper(), "ab", "  ", " ", "\t", "data/", "x", "/", "..", "./", "*", "%25",
                          "%0A", "%", "~", "C:", "\\", "\x00", "é", "\n", "\r\n", "%WINDIR%"])
TEXTS = st.lists(PIECES, max_size=12).map("".join)


def _detailed_unsafe(path: str) -> str | None:
    """unsafe_reason without its quick screen: every check in order."""
    checks = [
        (not path, "an empty path"),
        ("\x00" in path, "a NUL character"),
        (path.startswith("/"), "an absolute path"),
        (path.startswith("~"), "a '~' home-directory shortcut"),
        (path.startswith("\\\\") or path.startswith("//"), "a UNC path"),
        (len(path) > 1 and path[0].isascii() and path[0].isalpha() and path[1] == ":", "a Windows drive letter"),
    ]
    for hit, reason in checks:
        if hit:
            return reason
    return None


@settings(max_examples=400)
@given(TEXTS)
def test_quick_screen_never_passes_an_unsafe_path(path: str) -> None:
    early = _detailed_unsafe(path)
    if early is not None:
        assert unsafe_reason(path) == early
    if ".." in path.split("/") or "\\" in path:
        assert unsafe_reason(path) is not None


@settings(max_examples=400)
@given(TEXTS, st.booleans(), st.sampled_from([(1, 0), (0, 97)]))
def test_manifest_fast_path_equals_line_by_line_checks(text: str, payload: bool, version: tuple[int, int]) -> None:
    fast = parse_manifest("manifest-sha256.txt", text, version=version, payload=payload)
    slow = Manifest("manifest-sha256.txt", "sha256")
    for number, line in enumerate(manifest_module.split_lines(text), start=1):
        manifest_module._parse_line(slow, line, number, 64, version, payload)
    assert fast.entries == slow.entries
    assert fast.problems == slow.problems


PATH_PIECES = st.sampled_from(["data/", "a", "é", " ", "\t", "/", "..", "./", "%25", "%", "~", "C:", "\\", "*",
                               "\x85", "\u2028", "tag.txt"])
LINES = st.tuples(st.sampled_from([HEX64, HEX64[:-1] + "A", HEX64[:60]]), st.sampled_from(["  ", " ", "   "]),
                  st.lists(PATH_PIECES, max_size=6).map("".join)).map("".join)
MANIFESTS = st.tuples(st.lists(LINES, max_size=6), st.sampled_from(["\n", "\r\n"]), st.booleans()).map(
    lambda t: t[1].join(t[0]) + (t[1] if t[2] and t[0] else ""))


@settings(max_examples=600)
@given(MANIFESTS, st.booleans())
def test_whole_text_fast_path_equals_line_by_line_checks(text: str, payload: bool) -> None:
    """Mostly well-formed manifests, so that the whole-text fast path is taken often, not just tried."""
    fast = parse_manifest("manifest-sha256.txt", text, version=(1, 0), payload=payload)
    slow = Manifest("manifest-sha256.txt", "sha256")
    for number, line in enumerate(manifest_module.split_lines(text), start=1):
        manifest_module._parse_line(slow, line, number, 64, (1, 0), payload)
    assert fast.entries == slow.entries
    assert fast.problems == slow.problems


def test_whole_text_fast_path_is_taken_for_a_clean_manifest() -> None:
    text = "".join(f"{HEX64}  data/part-{i % 3}/file {i}.bin\n" for i in range(50))
    taken = Manifest("manifest-sha256.txt", "sha256")
    assert manifest_module._parse_clean(taken, text, 64, True)
    assert len(taken.entries) == 50
    for odd in (text.replace("\n", "\r\n"), text + "\n", text.replace("file 7.bin", "file 7.bin "),
                text + f"{HEX64}  data/part-0/file 0.bin\n", text.replace("data/part-1", "data/../x", 1)):
        assert not manifest_module._parse_clean(Manifest("manifest-sha256.txt", "sha256"), odd, 64, True)


@settings(max_examples=400)
@given(st.lists(TEXTS, max_size=6))
def test_screening_many_paths_at_once_finds_what_one_by_one_finds(paths: list[str]) -> None:
    from heritage_ld.bags.names import encode_path, encode_paths, unsafe_reasons

    expected = {p: r for p in paths if (r := unsafe_reason(p)) is not None}
    assert unsafe_reasons(paths) == expected
    assert encode_paths(paths) == [encode_path(p) for p in paths]
