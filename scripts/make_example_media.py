"""Make the placeholder media files of the Hanoi 1972 example, deterministically.

The example's ``items.csv`` names every master and access file; this script draws a recognisable placeholder
for each (a sepia print for a photograph, a typed or handwritten page for a document, an object on a grey
backdrop for an artifact, each captioned with its accession number and short title) and writes TIFF masters
(Deflate-compressed), JPEG access copies (quality 80) and small hand-written PDFs. Nothing in the files depends
on the clock or the machine, so re-running the script gives identical bytes (``tests/unit/test_example_media.py``
checks this).

    python scripts/make_example_media.py                      # rewrite examples/hanoi-1972/media/
    python scripts/make_example_media.py --out /tmp/media-check  # write elsewhere (same relative paths)
"""

from __future__ import annotations

import argparse
import csv
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hanoi-1972"

#: Image sizes (width, height) picked per item by a checksum of its accession number: some are larger than
#: one 512-pixel tile at more than one scale factor, some portrait, some landscape.
PHOTO_SIZES = ((900, 600), (1200, 800), (1600, 1200), (1024, 768), (800, 1000), (1400, 1000))
DOCUMENT_SIZE = (850, 1200)
ARTIFACT_SIZES = ((1000, 1000), (1200, 900), (900, 1200))


@dataclass(frozen=True)
class Record:
    """The few fields of an items.csv row the placeholders need."""

    accession: str
    kind: str
    title: str
    date: str
    masters: tuple[str, ...]
    access: tuple[str, ...]


def ascii_text(text: str) -> str:
    """Text the built-in bitmap font can draw: diacritics removed, other non-ASCII replaced.

    >>> ascii_text("Hà Nội – “1972”")
    'Ha Noi - "1972"'
    """
    text = text.replace("đ", "d").replace("Đ", "D").replace("–", "-").replace("“", '"').replace("”", '"')
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "replace").decode("ascii")


def read_records(catalogue: Path) -> Iterator[Record]:
    """The rows of ``catalogue/items.csv`` that have media files."""
    with (catalogue / "items.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            masters = tuple(p.strip() for p in (row.get("master") or "").split("|") if p.strip())
            access = tuple(p.strip() for p in (row.get("access") or "").split("|") if p.strip())
            if masters:
                yield Record(row["accession"], row["kind"], row.get("title@en") or row["accession"],
                             row.get("date") or "", masters, access)


def _pick(options: tuple[tuple[int, int], ...], key: str) -> tuple[int, int]:
    return options[zlib.crc32(key.encode()) % len(options)]


def _caption(img: Image.Image, lines: list[str], *, scale: int, ink: int | tuple[int, int, int]) -> None:
    """Draw ``lines`` at the bottom left in the built-in bitmap font, enlarged ``scale`` times (no anti-aliasing)."""
    font = ImageFont.load_default_imagefont()
    width = max(int(font.getlength(line)) for line in lines) + 4
    line_h = 12
    mask = Image.new("L", (width, line_h * len(lines) + 2), 0)
    d = ImageDraw.Draw(mask)
    for i, line in enumerate(lines):
        d.text((2, 1 + i * line_h), line, fill=255, font=font)
    mask = mask.resize((mask.width * scale, mask.height * scale), Image.Resampling.NEAREST)
    y = img.height - mask.height - 3 * scale
    img.paste(ink, (3 * scale, y), mask)


def draw_photograph(rec: Record, size: tuple[int, int], page: int = 1) -> Image.Image:
    """A sepia print: a vertical gradient sky, rooftops and a round shape, and a caption band."""
    w, h = size
    seed = zlib.crc32(f"{rec.accession}/{page}".encode())
    grey = Image.linear_gradient("L").resize((w, h))
    grey = grey.point(lambda v: 70 + v * 150 // 255)
    img = Image.merge("RGB", (grey.point(lambda v: min(255, v + 30)), grey.point(lambda v: v + 10), grey))
    d = ImageDraw.Draw(img)
    # rooftops along a street, heights from the seed
    x, i = 0, 0
    while x < w:
        bw = w // 12 + (seed >> (i % 24)) % (w // 10)
        bh = h // 5 + (seed >> ((i * 3) % 24)) % (h // 3)
        d.rectangle((x, h - bh - h // 8, x + bw, h - h // 8), fill=(60 + i % 3 * 12, 48, 38))
        x += bw + 6
        i += 1
    r = min(w, h) // 8
    cx, cy = w // 4 + seed % (w // 2), h // 5
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(235, 220, 190), width=max(2, r // 10))
    d.rectangle((0, h - h // 8, w, h), fill=(40, 32, 26))
    _caption(img, [rec.accession, ascii_text(rec.title)[:60]], scale=max(2, w // 400), ink=(240, 228, 200))
    return img


def draw_document(rec: Record, size: tuple[int, int], page: int = 1) -> Image.Image:
    """A page scan: off-white paper, a heading band and lines standing for typed or handwritten text."""
    w, h = size
    seed = zlib.crc32(f"{rec.accession}/{page}".encode())
    img = Image.new("L", (w, h), 232)
    d = ImageDraw.Draw(img)
    d.rectangle((w // 6, h // 12, w - w // 6, h // 12 + 18), fill=90)
    y, i = h // 6, 0
    while y < h - h // 5:
        length = w * 2 // 3 - (seed >> (i % 20)) % (w // 3)
        d.line((w // 10, y, w // 10 + length, y), fill=110, width=4)
        y += 26
        i += 1
    _caption(img, [f"{rec.accession} p.{page}", ascii_text(rec.title)[:48]], scale=2, ink=40)
    return img


def draw_artifact(rec: Record, size: tuple[int, int], page: int = 1) -> Image.Image:
    """An object photographed on a grey backdrop: a shaded ellipse or a jagged plate, with a scale bar."""
    w, h = size
    seed = zlib.crc32(f"{rec.accession}/{page}".encode())
    img = Image.linear_gradient("L").rotate(90).resize((w, h)).point(lambda v: 150 + v // 4).convert("RGB")
    d = ImageDraw.Draw(img)
    if seed % 2:
        d.ellipse((w // 5, h // 4, w * 4 // 5, h * 3 // 4), fill=(86, 92, 78), outline=(40, 44, 36), width=8)
        d.ellipse((w // 3, h // 3, w * 2 // 3, h // 2), fill=(110, 118, 100))
    else:
        pts = [(w // 5 + (seed >> k) % (w // 6), h // 4 + k * h // 14) for k in range(0, 8)]
        pts += [(w * 4 // 5 - (seed >> k) % (w // 6), h * 3 // 4 - k * h // 14) for k in range(0, 8)]
        d.polygon(pts, fill=(168, 170, 176), outline=(70, 70, 74))
    for k in range(10):  # a 10-step scale bar
        d.rectangle((w // 10 + k * w // 40, h - h // 6, w // 10 + (k + 1) * w // 40, h - h // 6 + 10),
                    fill=(0, 0, 0) if k % 2 else (255, 255, 255))
    _caption(img, [rec.accession, ascii_text(rec.title)[:60]], scale=2, ink=(20, 20, 20))
    return img


def make_pdf(rec: Record, description: str = "") -> bytes:
    """A minimal valid one-page PDF 1.4 (A4, Helvetica) with the item's title, written by hand (ISO 32000-1 §7.5)."""
    lines = [rec.title, f"{rec.accession}   {rec.date}", "", *_wrap(description, 80), "",
             "Illustrative reproduction for the heritage-ld Hanoi 1972 example."]
    text = ["BT", "/F1 16 Tf", "72 770 Td", "18 TL"]
    for i, line in enumerate(lines):
        escaped = _pdf_string(line).decode("ascii")
        text.append(f"({escaped}) Tj T*" if i else f"({escaped}) Tj /F1 11 Tf T*")
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _pdf_string(rec.title) + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    """The inside of a PDF literal string (ISO 32000-1 §7.3.4.2): ASCII, with backslash and parentheses escaped."""
    return ascii_text(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("ascii")


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def draw(rec: Record, page: int) -> Image.Image:
    """The placeholder image of page ``page`` (1-based) of an item."""
    if rec.kind == "document":
        return draw_document(rec, DOCUMENT_SIZE, page)
    if rec.kind == "artifact":
        return draw_artifact(rec, _pick(ARTIFACT_SIZES, rec.accession), page)
    return draw_photograph(rec, _pick(PHOTO_SIZES, rec.accession), page)


def write_media(catalogue: Path, out: Path) -> list[Path]:
    """Write every media file of ``catalogue/items.csv`` under ``out`` (same relative paths); return them sorted."""
    descriptions = {}
    with (catalogue / "items.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            descriptions[row["accession"]] = row.get("description@en") or ""
    written: list[Path] = []
    for rec in read_records(catalogue):
        images = [m for m in rec.masters if not m.endswith(".pdf")]
        for page, rel in enumerate(rec.masters, start=1):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.endswith(".pdf"):
                target.write_bytes(make_pdf(rec, descriptions[rec.accession]))
            else:
                _save(draw(rec, images.index(rel) + 1), target)
            written.append(target)
            if page <= len(rec.access):
                access = out / rec.access[page - 1]
                _save(draw(rec, images.index(rel) + 1) if rel in images else draw(rec, 1), access)
                written.append(access)
    return sorted(written)


def _save(img: Image.Image, target: Path) -> None:
    suffix = target.suffix.lower()
    if suffix in (".tif", ".tiff"):
        img.save(target, format="TIFF", compression="tiff_deflate", dpi=(300, 300))
    elif suffix in (".jpg", ".jpeg"):
        img.convert("RGB").save(target, format="JPEG", quality=80, dpi=(150, 150))
    else:
        raise ValueError(f"no placeholder writer for {target.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalogue", nargs="?", type=Path, default=EXAMPLE, help="the catalogue folder")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: the catalogue folder)")
    args = parser.parse_args(argv)
    files = write_media(args.catalogue, args.out or args.catalogue)
    total = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
