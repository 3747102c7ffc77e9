"""Signed, expiring tokens and their key, kept in a private file of the output folder."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from heritage_ld.publish.tokens import KEY_FILE, BadToken, TokenSigner, load_key

NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_a_token_round_trips_until_it_expires() -> None:
    signer = TokenSigner(b"s" * 32, ttl=timedelta(minutes=5))
    token, expires = signer.sign({"o": 2, "q": {"metadataPrefix": "oai_dc"}}, now=NOW)
    assert expires == NOW + timedelta(minutes=5)
    assert signer.verify(token, now=NOW + timedelta(minutes=4)) == {"o": 2, "q": {"metadataPrefix": "oai_dc"}}
    with pytest.raises(BadToken):
        signer.verify(token, now=NOW + timedelta(minutes=5, seconds=1))
    with pytest.raises(BadToken):
        TokenSigner(b"t" * 32).verify(token, now=NOW)


@pytest.mark.parametrize("token", ["", "x", "a.b", "a.b.c", "v1.@@@.@@@", "v1..", "v1.e30.AAAA", "é" * 40,
                                   "v1." + "A" * 5000 + ".AAAA"])
def test_junk_is_a_bad_token(token: str) -> None:
    with pytest.raises(BadToken):
        TokenSigner(b"s" * 32).verify(token, now=NOW)


def test_the_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    key = load_key(tmp_path)
    assert len(key) == 32 and load_key(tmp_path) == key
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_a_read_only_folder_gets_a_key_for_this_process(tmp_path: Path) -> None:
    missing = tmp_path / "not-a-folder"
    assert len(load_key(missing)) == 32
    assert not missing.exists()
