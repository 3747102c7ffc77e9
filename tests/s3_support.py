"""A real S3 API for tests: moto's ``moto_server`` on 127.0.0.1 (random port), with credentials in the
environment as any S3 client reads them, stopped when the tests end. Importable as ``s3_support``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from heritage_support import free_port

#: A secret the tests look for in every output: it must never appear.
SECRET = "hld-test-secret-7Qz9vX2p"


def _server_command() -> list[str]:
    # the moto installed beside this Python first (``make test``'s venv), not another one found on PATH
    beside = Path(sys.executable).with_name("moto_server")
    exe = str(beside) if beside.is_file() else (shutil.which("moto_server") or str(beside))
    if not Path(exe).exists():
        pytest.skip("moto_server is not installed (pip install 'heritage-ld[test]')")
    return [exe]


@contextmanager
def moto_s3() -> Iterator[dict[str, str]]:
    """Start ``moto_server``; yield the environment variables that point S3 clients at it."""
    port = free_port()
    proc = subprocess.Popen([*_server_command(), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield {"AWS_ACCESS_KEY_ID": "hld-test-key-id", "AWS_SECRET_ACCESS_KEY": SECRET,
               "AWS_ENDPOINT_URL": url, "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def s3fs_for(env: dict[str, str]) -> object:
    """A fresh s3fs file system for the server (not fsspec's cached instance)."""
    import s3fs

    return s3fs.S3FileSystem(key=env["AWS_ACCESS_KEY_ID"], secret=env["AWS_SECRET_ACCESS_KEY"],
                             endpoint_url=env["AWS_ENDPOINT_URL"], skip_instance_cache=True)
