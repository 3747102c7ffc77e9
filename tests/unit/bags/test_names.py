from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from heritage_ld.bags.names import decode_path, encode_path, unsafe_reason


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_encode_decode_round_trip(name: str) -> None:
    encoded = encode_path(name)
    assert "\n" not in encoded and "\r" not in encoded
    assert decode_path(encoded) == name


def test_percent_is_encoded_and_other_escapes_left_alone() -> None:
    assert encode_path("data/100%.txt") == "data/100%25.txt"
    assert encode_path("data/literal%0A.txt") == "data/literal%250A.txt"
    assert decode_path("data/%7Etest.txt") == "data/%7Etest.txt"


@pytest.mark.parametrize("path", [
    "../etc/passwd", "data/../../x", "/etc/passwd", "~/x", "~root/x", "C:\\Windows\\x", "c:/x",
    "\\\\server\\share\\x", "//server/share", "%HomeDrive%\\x", "data\\..\\x", "data/a\x00b", "",
])
def test_unsafe_paths_are_rejected(path: str) -> None:
    assert unsafe_reason(path) is not None


@pytest.mark.parametrize("path", ["data/a.txt", "data/~tilde-inside.txt", "data/..hidden", "metadata/item.ttl",
                                  "data/a b\tc ", "data/Hà Nội.tif"])
def test_safe_paths_are_accepted(path: str) -> None:
    assert unsafe_reason(path) is None
