from __future__ import annotations

from heritage_ld.bags.info import format_info, parse_declaration, parse_info


def test_long_values_are_folded_and_read_back() -> None:
    value = "Bảo tàng Hà Nội, Phạm Hùng, Mễ Trì, Nam Từ Liêm, Hà Nội, Việt Nam — " * 3
    data = format_info([("Organization-Address", value)]).decode("utf-8")
    assert all(len(line) <= 79 for line in data.splitlines())
    assert len(data.splitlines()) > 1
    assert parse_info(data)[0] == [("Organization-Address", " ".join(value.split()))]


def test_standard_labels_come_first_and_repeats_keep_order() -> None:
    data = format_info([("X-Note", "b"), ("Contact-Name", "A"), ("X-Note", "a"), ("Source-Organization", "M")])
    assert data.decode().splitlines() == ["Source-Organization: M", "Contact-Name: A", "X-Note: b", "X-Note: a"]


def test_declaration_is_strict() -> None:
    assert parse_declaration(b"BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8").errors == ()
    assert parse_declaration(b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n").errors
    assert parse_declaration(b"BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n").errors
    assert parse_declaration(b"BagIt-Version: 1.0\n").errors
    assert parse_declaration(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: NOPE-9\n").errors
