"""The dump is gzip-compressed in a thread of its own while the next items are read: the same bytes as
compressing in place, in the same order, and an error of the writing thread is raised, not lost."""

from __future__ import annotations

import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage_ld.pipeline.steps.rdf import _Compressor


def _direct(parts: list[bytes]) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        for part in parts:
            gz.write(part)
    return raw.getvalue()


def _threaded(parts: list[bytes]) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz, _Compressor(gz) as c:
        for part in parts:
            c.write(part)
    return raw.getvalue()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=5000), max_size=30), st.integers(1, 64))
def test_the_same_bytes_as_compressing_in_place(parts: list[bytes], repeat: int) -> None:
    parts = [p * repeat for p in parts]  # up to 300 KB a part: several batches of the thread
    assert _threaded(parts) == _direct(parts)
    assert gzip.decompress(_threaded(parts)) == b"".join(parts)


def test_many_batches_stay_in_order() -> None:
    parts = [f"<s{n}> <p> <o{n}> .\n".encode() * 2000 for n in range(200)]  # ~6 MB: several batches
    assert _threaded(parts) == _direct(parts)


class _FullDisk(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(28, "No space left on device")


def test_an_error_in_the_writing_thread_is_raised() -> None:
    # (the error comes out at a later write or at the end)
    with pytest.raises(OSError, match="No space left"), \
            gzip.GzipFile(filename="", mode="wb", fileobj=_FullDisk(), mtime=0) as gz, _Compressor(gz) as c:
        for _ in range(10):
            c.write(b"x" * (1 << 20))
