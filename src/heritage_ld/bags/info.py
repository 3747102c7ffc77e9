"""``bagit.txt`` and ``bag-info.txt``: the bag declaration and its metadata (RFC 8493 §2.1.1, §2.2.2).

``bag-info.txt`` is a list of ``Label: value`` lines; a value continues on lines that start with a space or a
tab (folding). Labels may repeat and their order is kept. We write values folded at 79 characters, as the RFC
recommends, and read any folding back.
"""

from __future__ import annotations

import codecs
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "BAGIT_VERSION",
    "KNOWN_VERSIONS",
    "STANDARD_HEADERS",
    "Declaration",
    "format_declaration",
    "format_info",
    "parse_declaration",
    "parse_info",
    "split_lines",
]

#: The version we write.
BAGIT_VERSION = "1.0"

#: The BagIt versions whose rules this package knows (the drafts from 0.93, and RFC 8493).
KNOWN_VERSIONS: tuple[tuple[int, int], ...] = ((0, 93), (0, 94), (0, 95), (0, 96), (0, 97), (1, 0))

#: The reserved bag-info.txt labels of RFC 8493 §2.2.2, in the order we write them.
STANDARD_HEADERS: tuple[str, ...] = (
    "Source-Organization",
    "Organization-Address",
    "Contact-Name",
    "Contact-Phone",
    "Contact-Email",
    "External-Description",
    "Bagging-Date",
    "External-Identifier",
    "Bag-Size",
    "Payload-Oxum",
    "Bag-Group-Identifier",
    "Bag-Count",
    "Internal-Sender-Identifier",
    "Internal-Sender-Description",
    "Bag-Software-Agent",
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_VERSION_LINE = re.compile(r"^BagIt-Version: ([0-9]+)\.([0-9]+)$")
#: Digits a version number may have: more is no version anyone wrote (and ``int`` of 5,000 digits raises).
_VERSION_DIGITS = 6
_ENCODING_LINE = re.compile(r"^Tag-File-Character-Encoding: (\S+)$")
_FOLD_WIDTH = 79


def split_lines(text: str) -> list[str]:
    """Lines of a tag file, whatever the line ending (RFC 8493 §2.1: CR, LF or CRLF); no trailing empty line.

    >>> split_lines("a\\r\\nb\\rc\\n")
    ['a', 'b', 'c']
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True, slots=True)
class Declaration:
    """What ``bagit.txt`` declares, or why it could not be read."""

    version: tuple[int, int] | None
    encoding: str | None
    errors: tuple[str, ...] = ()


def parse_declaration(data: bytes) -> Declaration:
    """Read ``bagit.txt`` strictly (RFC 8493 §2.1.1): UTF-8 without BOM, exactly the two lines
    ``BagIt-Version: M.N`` and ``Tag-File-Character-Encoding: ENCODING``, one space after each colon.

    >>> parse_declaration(b"BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n")
    Declaration(version=(1, 0), encoding='UTF-8', errors=())
    >>> parse_declaration(b"BagIt-Version : 1.0\\nTag-File-Character-Encoding : UTF-8\\n").errors[0]
    "line 1 is not 'BagIt-Version: M.N'"
    """
    errors: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return Declaration(None, None, ("bagit.txt must not begin with a byte-order mark",))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Declaration(None, None, ("bagit.txt is not UTF-8",))
    lines = split_lines(text)
    version: tuple[int, int] | None = None
    encoding: str | None = None
    m = _VERSION_LINE.match(lines[0]) if lines else None
    if m and max(len(m.group(1)), len(m.group(2))) > _VERSION_DIGITS:
        digits = len(m.group(1)) + len(m.group(2))
        errors.append(f"line 1: BagIt-Version has {digits} digits, which is no BagIt version")
    elif m:
        version = (int(m.group(1)), int(m.group(2)))
    else:
        errors.append("line 1 is not 'BagIt-Version: M.N'")
    m = _ENCODING_LINE.match(lines[1]) if len(lines) > 1 else None
    if m:
        encoding = m.group(1)
        try:
            codecs.lookup(encoding)
        except LookupError:
            errors.append(f"unknown Tag-File-Character-Encoding {encoding!r}")
            encoding = None
    else:
        errors.append("line 2 is not 'Tag-File-Character-Encoding: ENCODING'")
    if len(lines) > 2:
        errors.append(f"{len(lines)} lines where 2 are expected")
    return Declaration(version, encoding, tuple(errors))


def format_declaration(version: str = BAGIT_VERSION, encoding: str = "UTF-8") -> bytes:
    """The bytes of ``bagit.txt``.

    >>> format_declaration()
    b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n'
    """
    return f"BagIt-Version: {version}\nTag-File-Character-Encoding: {encoding}\n".encode()


def parse_info(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """Read ``bag-info.txt``: ``(label, value)`` pairs in file order, and ``(line, reason)`` for bad lines.

    Folded values are unfolded (continuation whitespace becomes one space); labels and values are stripped,
    so ``Label : value`` is read as ``Label``.

    >>> parse_info("Source-Organization: Hanoi\\n  Museum\\nBag-Count: 1 of 2\\n")
    ([('Source-Organization', 'Hanoi Museum'), ('Bag-Count', '1 of 2')], [])
    """
    entries: list[tuple[str, str]] = []
    errors: list[tuple[int, str]] = []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if not entries:
                errors.append((number, "a continuation line before any label"))
                continue
            label, value = entries[-1]
            entries[-1] = (label, f"{value} {line.strip()}".strip())
            continue
        label, colon, value = line.partition(":")
        if not colon or not label.strip():
            errors.append((number, "no 'Label: value'"))
            continue
        entries.append((label.strip(), value.strip()))
    return entries, errors


def _fold(label: str, value: str) -> str:
    first = f"{label}: {value}"
    if len(first) <= _FOLD_WIDTH or " " not in value:
        return first
    lines = textwrap.wrap(first, width=_FOLD_WIDTH, subsequent_indent="  ", break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(lines)


def format_info(entries: Iterable[tuple[str, str]], order: Sequence[str] = STANDARD_HEADERS) -> bytes:
    """The bytes of ``bag-info.txt``: standard labels first in RFC order, then the others sorted by label;
    repeated labels keep their order; long values are folded at 79 characters (RFC 8493 §2.2.2).

    >>> format_info([("Contact-Name", "Nguyễn Văn A"), ("Bag-Count", "1 of 1")]).decode()
    'Contact-Name: Nguyễn Văn A\\nBag-Count: 1 of 1\\n'
    """
    rank = {label.lower(): i for i, label in enumerate(order)}
    items = [(label, " ".join(value.split())) for label, value in entries]
    for label, _ in items:
        if not label or ":" in label or label != label.strip() or any(c in label for c in "\r\n"):
            raise ValueError(f"bag-info label {label!r} is not valid")
    items.sort(key=lambda kv: (rank.get(kv[0].lower(), len(rank)), kv[0].lower() if kv[0].lower() not in rank
                                else ""))
    return "".join(_fold(label, value) + "\n" for label, value in items).encode("utf-8")
