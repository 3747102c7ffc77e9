"""A tile set sent to a store from a stream (a remote catalogue's master read once from its store) has the
bytes of the same set made from the file, whatever the image: a plain JPEG (copied as full/max), a PNG and a
turned JPEG (decoded twice), large enough for several levels."""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

import pytest
from PIL import Image

from heritage_ld.errors import FormatError
from heritage_ld.iiif.tiles import write_tiles_to_store
from heritage_ld.storage import Store

_n = itertools.count()


def _images() -> dict[str, bytes]:
    noise = Image.frombytes("RGB", (1300, 900), os.urandom(1300 * 900 * 3))
    out: dict[str, bytes] = {}
    for name, fmt, extra in (("plain.jpg", "JPEG", {}), ("a.png", "PNG", {}),
                             ("turned.jpg", "JPEG", {"exif": _exif_orientation(6)})):
        buffer = io.BytesIO()
        noise.save(buffer, fmt, **extra)
        out[name] = buffer.getvalue()
    return out


def _exif_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def _stored(url: str) -> dict[str, bytes]:
    store = Store.from_url(url)
    return {rel: store.read_bytes(rel) for rel in store.listing()}


def test_the_same_set_from_a_stream_as_from_the_file(tmp_path: Path) -> None:
    base = f"memory://tiles-stream-{os.getpid()}-{next(_n)}"
    for name, data in _images().items():
        path = tmp_path / name
        path.write_bytes(data)
        service = f"https://example.org/iiif/image/{name}"
        from_file = write_tiles_to_store(path, Store.from_url(f"{base}/file/{name}"), service)
        stream = io.BytesIO(data)
        stream.seek(100)  # wherever it stands, it is read from its start
        from_stream = write_tiles_to_store(stream, Store.from_url(f"{base}/stream/{name}"), service, name=name)
        assert (from_stream.width, from_stream.height, from_stream.files) == \
            (from_file.width, from_file.height, from_file.files)
        a, b = _stored(f"{base}/file/{name}"), _stored(f"{base}/stream/{name}")
        assert len(a) > 10 and a == b, name
    turned = _stored(f"{base}/stream/turned.jpg")
    assert b'"width":900' in turned["info.json"].replace(b" ", b"")  # EXIF orientation applied


def test_a_damaged_stream_is_i003_under_its_name(tmp_path: Path) -> None:
    data = _images()["plain.jpg"]
    with pytest.raises(FormatError, match=r"I003.*s3://museum/cat/media/a\.jpg"):
        write_tiles_to_store(io.BytesIO(data[: len(data) // 3]), Store.from_url(f"memory://tiles-bad-{next(_n)}/x"),
                             "https://example.org/iiif/image/a", name="s3://museum/cat/media/a.jpg")
