"""``publish`` never reports success for nothing: redirects, error answers, stalls, lost data, leaked secrets.

Every server here is a real HTTP server on 127.0.0.1 (:mod:`.graphstore_servers`); the happy path against a
real store (the oxigraph server) is in ``test_graphstore.py``.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from heritage_ld.cli import app
from heritage_ld.errors import PublishError
from heritage_ld.model import Collection, UrlScheme
from heritage_ld.publish.graphstore import push_graphs
from heritage_ld.publish.site import write_site
from heritage_ld.publish.store import load_store

from .graphstore_servers import serving

GRAPHS = 7  # 5 items + the exhibition + the dataset description


@pytest.fixture()
def built(collection: Collection, out: Path, urls: UrlScheme) -> Path:
    write_site(collection, out, urls)
    load_store(out, urls, collection.key, [i.accession for i in collection.items])
    return out


def publish(out: Path, url: str, *options: str) -> Result:
    return CliRunner().invoke(app, ["publish", str(out), "--graph-store", url, *options])


def assert_fails_cleanly(result: Result, exit_code: int, *texts: str) -> None:
    """Exit ``exit_code``, every text in the output, no Python traceback and no stray exception."""
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert not any(line.startswith("sent ") for line in result.output.splitlines())  # no success summary
    for text in texts:
        assert text in result.output, (text, result.output)


@pytest.mark.parametrize("status", [302, 307, 308])
def test_a_redirect_is_a_failure_not_followed(built: Path, status: int) -> None:
    with serving(f"redirect-{status}") as server:
        result = publish(built, f"{server.url}/store", "--retries", "2")
    assert_fails_cleanly(result, 2, "P032", str(status), f"{server.url}/elsewhere", "https://heritage-ld.example/")
    assert [(m, p.split("?")[0]) for m, p, _ in server.requests] == [("PUT", "/store")]  # no GET, no retry


@pytest.mark.parametrize(("status", "code", "attempts"), [(500, "P033", 3), (404, "P033", 1), (401, "P034", 1)])
def test_an_error_answer_is_a_failure_and_only_5xx_is_retried(built: Path, status: int, code: str,
                                                               attempts: int) -> None:
    with serving(f"status-{status}") as server:
        result = publish(built, f"{server.url}/store", "--retries", "2")
    assert_fails_cleanly(result, 2, code, str(status), f"{server.url}/store", "https://heritage-ld.example/")
    assert [m for m, _, _ in server.requests] == ["PUT"] * attempts


@pytest.mark.parametrize("behaviour", ["blackhole", "empty"])
def test_a_store_that_keeps_nothing_fails_verification(built: Path, behaviour: str) -> None:
    with serving(behaviour) as server:
        result = publish(built, f"{server.url}/store", "--retries", "0")
    assert_fails_cleanly(result, 1, "P035", "https://heritage-ld.example/hanoi-1972/object/HNM.1972.001")
    assert result.output.count("P035") == GRAPHS  # every graph reported at once
    assert [m for m, _, _ in server.requests] == ["PUT"] * GRAPHS + ["GET"] * GRAPHS


def test_a_store_that_cannot_be_read_back_is_a_failure(built: Path) -> None:
    with serving("html") as server:
        result = publish(built, f"{server.url}/store")
    assert_fails_cleanly(result, 2, "P036", "text/html", "--sparql")


def test_verification_through_a_sparql_endpoint(built: Path, graph_store: str) -> None:
    with serving("blackhole") as server:
        result = publish(built, f"{server.url}/store", "--sparql", f"{graph_store}/query")
    assert_fails_cleanly(result, 1, "P035")
    assert result.output.count("P035") == GRAPHS
    assert [m for m, _, _ in server.requests] == ["PUT"] * GRAPHS  # counted by the SPARQL endpoint, not read back


def test_no_verify_is_the_explicit_way_out(built: Path) -> None:
    with serving("blackhole") as server:
        result = publish(built, f"{server.url}/store", "--no-verify")
    assert result.exit_code == 0, result.output
    assert "not verified" in result.output


def test_a_trickling_server_cannot_hang_publish(built: Path) -> None:
    with serving("trickle", trickle_every=0.2) as server:
        began = time.monotonic()
        result = publish(built, f"{server.url}/store", "--timeout", "1", "--retries", "1")
        took = time.monotonic() - began
    assert_fails_cleanly(result, 2, "P031", "1 s", f"{server.url}/store", "2 attempt")
    assert took < 6, f"publish took {took:.1f} s with --timeout 1 --retries 1"  # 2 x 1 s + 0.5 s backoff
    assert len(server.requests) == 2


def test_a_connection_closed_mid_answer_is_retried_then_a_failure(built: Path) -> None:
    with serving("close") as server:
        result = publish(built, f"{server.url}/store", "--retries", "1")
    assert_fails_cleanly(result, 2, "P030", f"{server.url}/store", "2 attempt")
    assert len(server.requests) == 2


def test_retries_with_backoff_then_succeeds_and_verifies(built: Path) -> None:
    with serving("flaky-2") as server:
        report = push_graphs(built, f"{server.url}/store", backoff=0.01)
    assert report.graphs == GRAPHS and report.retries == 2 and report.verified
    assert len(server.graphs) == GRAPHS


def test_retries_are_bounded(built: Path) -> None:
    with serving("status-503") as server, pytest.raises(PublishError) as caught:
        push_graphs(built, f"{server.url}/store", retries=3, backoff=0.01)
    assert [p.code for p in caught.value.problems] == ["P033"]
    assert len(server.requests) == 4


def test_credentials_in_the_url_are_used_and_never_printed(built: Path) -> None:
    token = base64.b64encode(b"alice:s3cret-pw").decode()
    with serving("status-500") as server:
        url = server.url.replace("http://", "http://alice:s3cret-pw@") + "/store"
        result = publish(built, url, "--retries", "0")
    assert_fails_cleanly(result, 2, "P033", "500")
    assert server.requests[0][2]["Authorization"] == f"Basic {token}"
    assert "s3cret-pw" not in result.output and token not in result.output

    with serving("store") as server:
        url = server.url.replace("http://", "http://alice:s3cret-pw@") + "/store"
        result = publish(built, url)
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output and f"{server.url}/store" in result.output


def test_a_password_option_is_never_printed(built: Path) -> None:
    token = base64.b64encode(b"alice:s3cret-pw").decode()
    with serving("status-400") as server:  # the body echoes the request's headers
        result = publish(built, f"{server.url}/store", "--user", "alice", "--password", "s3cret-pw")
    assert_fails_cleanly(result, 2, "P033", "400")
    assert server.requests[0][2]["Authorization"] == f"Basic {token}"
    assert "s3cret-pw" not in result.output and token not in result.output


def test_bad_options_are_usage_errors(built: Path) -> None:
    assert_fails_cleanly(publish(built, "http://127.0.0.1:1/store", "--timeout", "0"), 2, "--timeout")
    assert_fails_cleanly(publish(built, "http://a:b@127.0.0.1:1/store", "--user", "c"), 2, "--user")
    assert_fails_cleanly(publish(built, "http://[::1/store"), 2, "not a valid URL")
