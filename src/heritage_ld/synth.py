"""Synthetic catalogues of any size, for scale tests and benchmarks.

:func:`write_synthetic_catalogue` writes a catalogue folder in the format of ``docs/catalogue.md`` (the same
``collection.toml`` keys and ``items.csv`` columns as the Hanoi example): three sections, people and groups,
places with coordinates, Getty AAT materials, EDTF dates of every shape the model knows, Vietnamese and English
text, and real image files of about the asked size. It is fast (images are encoded once per run, then each
item's file is the same image with the item's own accession number written into a comment segment, so every
file is valid and has its own checksum) and deterministic: the same arguments give byte-identical output.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

__all__ = ["MEDIA_FORMATS", "SyntheticCatalogue", "parse_size", "write_synthetic_catalogue"]

#: What ``media`` may be: JPEG masters, TIFF masters, TIFF masters with JPEG access copies, or no files.
MEDIA_FORMATS = ("jpeg", "tiff", "tiff+jpeg", "none")

_UNITS = {"": 1, "B": 1, "K": 1000, "KB": 1000, "KIB": 1024, "M": 1000**2, "MB": 1000**2, "MIB": 1024**2,
          "G": 1000**3, "GB": 1000**3, "GIB": 1024**3}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
_FILES_PER_FOLDER = 1000
_BASE_IMAGES = 8
_TIFF_TAG = b"heritage-ld synthetic item ........................"

_COLUMNS = ("accession", "kind", "section", "title@vi", "title@en", "description@vi", "description@en", "date",
            "creator", "source", "source_type", "place", "place_made", "subject", "material", "technique",
            "height_cm", "width_cm", "rights", "master", "access", "identifier")
_SECTIONS = (("silence", "Khoảnh khắc lặng im", "The Silence Moment"), ("confront", "Đối đầu", "Confront"),
             ("peace", "Hòa bình", "Peace"))
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
_MIDDLE = ("Văn", "Thị", "Quang", "Minh", "Đức")
_GIVEN = ("Anh", "Bình", "Cường", "Dũng", "Hà", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phương", "Sơn",
          "Thảo", "Tuấn")
_GROUPS = (("hanoi-museum", "Bảo tàng Hà Nội", "Hanoi Museum"),
           ("hanoi-archives", "Trung tâm Lưu trữ lịch sử Hà Nội", "Hanoi Historical Archives Centre"),
           ("vna", "Thông tấn xã Việt Nam", "Vietnam News Agency"),
           ("hanoi-dcs", "Sở Văn hóa và Thể thao Hà Nội", "Hanoi Department of Culture and Sports"))
# Approximate district centres (WGS 84); the places are illustrative.
_PLACES = (("hoan-kiem", "Hoàn Kiếm", "Hoan Kiem", 21.0288, 105.8525), ("ba-dinh", "Ba Đình", "Ba Dinh", 21.0340, 105.8140),
           ("dong-da", "Đống Đa", "Dong Da", 21.0180, 105.8290), ("hai-ba-trung", "Hai Bà Trưng", "Hai Ba Trung", 21.0060, 105.8570),
           ("long-bien", "Long Biên", "Long Bien", 21.0360, 105.8890), ("dong-anh", "Đông Anh", "Dong Anh", 21.1367, 105.8480),
           ("gia-lam", "Gia Lâm", "Gia Lam", 21.0160, 105.9400), ("thanh-xuan", "Thanh Xuân", "Thanh Xuan", 20.9930, 105.8140),
           ("cau-giay", "Cầu Giấy", "Cau Giay", 21.0330, 105.7950), ("tay-ho", "Tây Hồ", "Tay Ho", 21.0700, 105.8180))
_SUBJECTS = (("air-defence", "Phòng không", "Air defence"), ("shelters", "Hầm trú ẩn", "Air-raid shelters"),
             ("evacuation", "Sơ tán", "Evacuation"), ("b-52", "Máy bay B-52", "B-52 bombers"),
             ("reconstruction", "Tái thiết", "Reconstruction"), ("daily-life", "Đời sống thường ngày", "Daily life"))
# Getty AAT (http://vocab.getty.edu/aat/…): the same terms as the Hanoi example.
_MATERIALS = (("gelatin-silver-print", "Ảnh in bạc gelatin", "Gelatin silver print", "300128695"),
              ("paper", "Giấy", "Paper", "300014109"), ("ink", "Mực", "Ink", "300015012"),
              ("steel", "Thép", "Steel", "300133751"), ("aluminium", "Nhôm", "Aluminium", "300011015"))
_KINDS = (("photograph", "Ảnh", "Photograph"), ("document", "Tài liệu", "Document"), ("artifact", "Hiện vật", "Artifact"))
_RIGHTS = ("", "", "", "http://rightsstatements.org/vocab/InC/1.0/")
_SOURCE_TYPES = ("museum", "archive", "individual", "donation")


@dataclass(frozen=True, slots=True)
class SyntheticCatalogue:
    """What :func:`write_synthetic_catalogue` wrote."""

    path: Path
    items: int
    media_files: int
    media_bytes: int


def parse_size(value: str | int) -> int:
    """A byte count from ``"64KB"``, ``"1.5MB"``, ``"512KiB"`` or a plain number (K/M/G are powers of 1000).

    >>> parse_size("64KB"), parse_size("1MiB"), parse_size(300)
    (64000, 1048576, 300)
    """
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"size must not be negative: {value}")
        return value
    m = _SIZE.match(value)
    unit = m.group(2).upper() if m else ""
    if not m or unit not in _UNITS:
        raise ValueError(f"not a size: {value!r} (expected a number with an optional unit such as 64KB, 2MB or 512KiB)")
    return int(float(m.group(1)) * _UNITS[unit])


def write_synthetic_catalogue(
    out: str | Path, *, items: int = 300, media_size: str | int = "64KB", media: str = "jpeg", seed: int = 0
) -> SyntheticCatalogue:
    """Write a valid catalogue with ``items`` items and media files of about ``media_size`` bytes into ``out``.

    Args:
        out: the catalogue folder to create (it may exist but must not already hold a catalogue).
        items: how many items (rows in ``items.csv``).
        media_size: size of each master file, e.g. ``"64KB"``; JPEG files are padded to exactly this size
            when the smallest image is smaller. ``"0"`` writes no media (like ``media="none"``).
        media: one of :data:`MEDIA_FORMATS`.
        seed: the same seed gives byte-identical output.

    Returns:
        A summary of what was written.

    Raises:
        ValueError: a bad size, count or media format, or ``out`` already holds a catalogue.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_synthetic_catalogue(tmp, items=5, media_size="4KB").media_files
    5
    """
    if items < 1:
        raise ValueError(f"items must be at least 1, not {items}")
    if media not in MEDIA_FORMATS:
        raise ValueError(f"media must be one of {', '.join(MEDIA_FORMATS)}, not {media!r}")
    size = parse_size(media_size)
    if size == 0:
        media = "none"
    root = Path(out)
    if (root / "collection.toml").exists() or (root / "items.csv").exists():
        raise ValueError(f"{root} already holds a catalogue; choose an empty folder")
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    (root / "collection.toml").write_text(_collection_toml(items, rng), encoding="utf-8")
    rows = _rows(items, media, random.Random(seed + 1))
    tally = [0, 0]  # files, bytes
    with (root / "items.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        # one pass: each row's media are written as the row is, so memory stays flat at any size
        writer.writerows(rows if media == "none" else _with_media(root, rows, size, media, seed, tally))
    return SyntheticCatalogue(root, items, tally[0], tally[1])


# -- collection.toml ----------------------------------------------------------------------------------------


def _toml(value: str) -> str:
    # A JSON string is a valid TOML basic string (TOML 1.0 §String: the same escapes, \uXXXX included).
    return json.dumps(value, ensure_ascii=False)


def _persons() -> list[tuple[str, str, str]]:
    out = []
    for i in range(30):
        vi = f"{_FAMILY[i % 10]} {_MIDDLE[i % 5]} {_GIVEN[(i * 7) % 15]}"
        en = _ascii(vi)
        out.append((f"p{i:02d}-" + en.lower().replace(" ", "-"), vi, en))
    return out


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _collection_toml(items: int, rng: random.Random) -> str:
    lines = [
        "# A synthetic catalogue written by heritage_ld.synth (heritage-ld example synth); the content is illustrative.",
        "[collection]", 'key = "synthetic"', 'kind = "exhibition"',
        'base_url = "https://heritage-ld.example/synthetic"',
        f"title.vi = {_toml(f'Triển lãm thử nghiệm ({items} hiện vật)')}",
        f"title.en = {_toml(f'Synthetic exhibition ({items} items)')}",
        'summary.en = "A generated catalogue for scale tests, shaped like the Hanoi 1972 example."',
        'date = "2022-12/2023-03"', 'organizers = ["hanoi-dcs"]', 'publisher = "hanoi-museum"', 'venue = "hoan-kiem"',
        'rights = "http://rightsstatements.org/vocab/InC-EDU/1.0/"',
        'credit.vi = "Ảnh: Bảo tàng Hà Nội"', 'credit.en = "Photo: Hanoi Museum"', 'languages = ["vi", "en"]', "",
    ]
    for key, vi, en in _SECTIONS:
        lines += ["[[sections]]", f'key = "{key}"', f"title.vi = {_toml(vi)}", f"title.en = {_toml(en)}", ""]
    for key, vi, en in _GROUPS:
        lines += [f"[agents.{key}]", 'kind = "group"', f"name.vi = {_toml(vi)}", f"name.en = {_toml(en)}", ""]
    for key, vi, en in _persons():
        lines += [f"[agents.{key}]", 'kind = "person"', f"name.vi = {_toml(vi)}", f"name.en = {_toml(en)}", ""]
    for key, vi, en, lat, lon in _PLACES:
        lines += [f"[places.{key}]", f"name.vi = {_toml(vi)}", f"name.en = {_toml(en)}", f"lat = {lat}", f"lon = {lon}", ""]
    for key, vi, en in _SUBJECTS:
        lines += [f"[subjects.{key}]", f"label.vi = {_toml(vi)}", f"label.en = {_toml(en)}", ""]
    for key, vi, en, aat in _MATERIALS:
        lines += [f"[materials.{key}]", f"label.vi = {_toml(vi)}", f"label.en = {_toml(en)}",
                  f'same_as = ["http://vocab.getty.edu/aat/{aat}"]', ""]
    lines += ["[techniques.photography]", 'label.vi = "Nhiếp ảnh"', 'label.en = "Photography"',
              'same_as = ["http://vocab.getty.edu/aat/300054225"]', ""]
    return "\n".join(lines)


# -- items.csv ----------------------------------------------------------------------------------------------


def _date(rng: random.Random) -> str:
    """An EDTF date of one of the shapes the catalogue accepts (day, month, interval, open, ~, ?)."""
    day = rng.randint(1, 31)
    shape = rng.randrange(7)
    if shape == 0:
        return f"1972-12-{day:02d}"
    if shape == 1:
        return "1972-12-18/1972-12-29"
    if shape == 2:
        return f"1972-{rng.randint(1, 12):02d}"
    if shape == 3:
        return "1972~"
    if shape == 4:
        return f"1972-12-{min(day, 29):02d}/.."
    if shape == 5:
        return "1972-12?"
    return f"1973-{rng.randint(1, 12):02d}-{min(day, 28):02d}"


def _rows(items: int, media: str, rng: random.Random) -> Iterator[dict[str, str]]:
    persons = _persons()
    width = max(6, len(str(items)))
    for i in range(1, items + 1):
        acc = f"SYN.{i:0{width}d}"
        kind, kind_vi, kind_en = _KINDS[0] if rng.random() < 0.7 else rng.choice(_KINDS[1:])
        section = _SECTIONS[min(2, (i - 1) * 3 // items)][0]
        subject = rng.choice(_SUBJECTS)
        place = rng.choice(_PLACES)
        person = rng.choice(persons)
        group = rng.choice(_GROUPS)
        source_type = rng.choice(_SOURCE_TYPES)
        source = person[0] if source_type in ("individual", "donation") else group[0]
        material = {"photograph": "gelatin-silver-print", "document": "paper|ink"}.get(kind) or rng.choice(
            ("steel", "aluminium"))
        role = {"photograph": "photographer", "document": "author"}.get(kind)
        row = {
            "accession": acc, "kind": kind, "section": section,
            "title@vi": f"{kind_vi}: {subject[1]} – {place[1]} (số {i})",
            "title@en": f"{kind_en}: {subject[2]} – {place[2]} (no. {i})",
            "description@vi": f"{kind_vi} thuộc chủ đề “{subject[1]}” ở {place[1]}, mục {i} của danh mục thử nghiệm.",
            "description@en": f"A {kind} on the subject “{subject[2]}” in {place[2]}, entry {i} of a synthetic catalogue.",
            "date": _date(rng), "creator": f"{person[0]}:{role}" if role else "", "source": source,
            "source_type": source_type, "place": place[0], "place_made": "hoan-kiem" if kind == "document" else "",
            "subject": subject[0], "material": material, "technique": "photography" if kind == "photograph" else "",
            "height_cm": f"{rng.randint(9, 60)}", "width_cm": f"{rng.randint(12, 80)}", "rights": rng.choice(_RIGHTS),
            "master": "", "access": "", "identifier": f"OLD-{i:06d}" if i % 10 == 0 else "",
        }
        if media != "none":
            folder = f"media/{(i - 1) // _FILES_PER_FOLDER:03d}"
            ext = "jpg" if media == "jpeg" else "tif"
            row["master"] = f"{folder}/{acc}.{ext}"
            if media == "tiff+jpeg":
                row["access"] = f"{folder}/{acc}.jpg"
        yield row


# -- media --------------------------------------------------------------------------------------------------


def _base_image(seed: int, index: int, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(seed * 1009 + index)
    w, h = size
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    ramp = Image.linear_gradient("L").resize((w, h)).rotate(90 * (index % 4))
    grey = Image.blend(ramp, noise, 0.12)
    tint = 12 + index * 3
    return Image.merge("RGB", (grey.point(lambda v: min(255, v + tint)), grey, grey.point(lambda v: max(0, v - tint))))


def _encode(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, format="JPEG", quality=80)
    else:  # uncompressed TIFF with a fixed-length description the items overwrite (TIFF 6.0 tag 270)
        img.save(buf, format="TIFF", tiffinfo={270: _TIFF_TAG.decode("ascii")})
    return buf.getvalue()


def _fit(target: int, fmt: str, seed: int, index: int, side: int = 64) -> tuple[bytes, int]:
    """An encoded base image no larger than ``target`` bytes (not much smaller when it can be helped), and its
    height; ``side`` is the height to try first (the previous base image's)."""
    if fmt == "tiff":
        side = max(8, int((max(target - 400, 192) / 3) ** 0.5))
        return _encode(_base_image(seed, index, (side * 4 // 3, side * 3 // 4)), fmt), side
    data = _encode(_base_image(seed, index, (side * 4 // 3, side)), fmt)
    for _ in range(4):  # scale the area by the size ratio; JPEG size grows about linearly with area
        if len(data) >= target * 0.85:
            break
        side = max(16, min(8000, int(side * (target * 0.9 / len(data)) ** 0.5)))
        data = _encode(_base_image(seed, index, (side * 4 // 3, side)), fmt)
    while len(data) > target and side > 16:
        side = max(16, int(side * 0.85))
        data = _encode(_base_image(seed, index, (side * 4 // 3, side)), fmt)
    return data, side


def _fit_all(target: int, fmt: str, seed: int) -> list[bytes]:
    out: list[bytes] = []
    side = 64
    for k in range(_BASE_IMAGES):
        data, side = _fit(target, fmt, seed, k, side)
        out.append(data)
    return out


def _personalise_jpeg(base: bytes, accession: str, target: int) -> bytes:
    """``base`` with COM segments (JPEG ITU T.81 §B.2.4.5) after SOI naming the item, padded to ``target`` bytes."""
    text = f"heritage-ld synthetic item {accession}".encode()
    name = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
    segments = []
    pad = target - len(base) - len(name)
    while pad > 4:
        n = min(pad - 4, 65533)
        segments.append(b"\xff\xfe" + (n + 2).to_bytes(2, "big") + b" " * n)
        pad -= n + 4
    return base[:2] + b"".join(segments) + name + base[2:]


def _personalise_tiff(base: bytes, accession: str) -> bytes:
    label = f"heritage-ld synthetic item {accession}".encode()[: len(_TIFF_TAG)].ljust(len(_TIFF_TAG), b" ")
    return base.replace(_TIFF_TAG, label, 1)


def _with_media(
    root: Path, rows: Iterator[dict[str, str]], size: int, media: str, seed: int, tally: list[int]
) -> Iterator[dict[str, str]]:
    """Yield each row after writing its media files; count files and bytes in ``tally``."""
    fmt = "jpeg" if media == "jpeg" else "tiff"
    bases = _fit_all(size, fmt, seed)
    access_size = max(size // 4, 2000)
    access = _fit_all(access_size, "jpeg", seed) if media == "tiff+jpeg" else []
    made: set[Path] = set()
    for n, row in enumerate(rows):
        base = bases[n % _BASE_IMAGES]
        data = _personalise_jpeg(base, row["accession"], size) if fmt == "jpeg" else _personalise_tiff(base, row["accession"])
        outputs = [(row["master"], data)]
        if access:
            outputs.append((row["access"], _personalise_jpeg(access[n % _BASE_IMAGES], row["accession"], access_size)))
        for rel, blob in outputs:
            path = root / rel
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(blob)
            tally[0] += 1
            tally[1] += len(blob)
        yield row
