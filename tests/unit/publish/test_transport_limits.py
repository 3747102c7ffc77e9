"""``publish`` reads at most a bounded part of any answer (red-team of #11): a server answering with an endless
body held gigabytes in memory within the deadline (2.7 GB in 5 s on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from heritage_ld.errors import PublishError
from heritage_ld.publish.transport import ERROR_BYTES, RequestPolicy, parse_endpoint, send

CHUNK = b"<urn:a> <urn:b> <urn:c> .\n" * 2000  # about 50 KB


def _endless(status: int, sent: dict[str, int]) -> httpx.MockTransport:
    async def body() -> AsyncIterator[bytes]:
        while True:
            sent["bytes"] += len(CHUNK)
            yield CHUNK

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Content-Type": "application/n-triples"}, content=body())

    return httpx.MockTransport(handler)


def _send(transport: httpx.MockTransport, policy: RequestPolicy, method: str = "GET") -> httpx.Response:
    endpoint = parse_endpoint("http://127.0.0.1:9/store")

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport) as client:
            sent = await send(client, method, endpoint.url, endpoint=endpoint, graph="urn:g", policy=policy)
            return sent.response

    return anyio.run(main)


def test_an_endless_success_answer_stops_at_the_limit_with_p060() -> None:
    sent = {"bytes": 0}
    with pytest.raises(PublishError) as caught:
        _send(_endless(200, sent), RequestPolicy(timeout=30, retries=0, max_answer=1 << 20))
    assert [p.code for p in caught.value.problems] == ["P060"]
    assert caught.value.problems[0].get("method") == "GET"
    assert sent["bytes"] < 2 * (1 << 20)  # the generator was not drained: reading stopped at the limit


def test_an_endless_error_answer_is_read_only_as_far_as_its_start() -> None:
    sent = {"bytes": 0}
    with pytest.raises(PublishError) as caught:
        _send(_endless(500, sent), RequestPolicy(timeout=30, retries=1, backoff=0, max_answer=1 << 30), "PUT")
    assert [p.code for p in caught.value.problems] == ["P033"]
    assert sent["bytes"] < 2 * (ERROR_BYTES + len(CHUNK)) * 2  # two attempts, each stopped after 64 KiB


def test_an_answer_within_the_limit_is_whole_and_decoded() -> None:
    import gzip

    data = CHUNK * 3

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip", "Content-Type": "application/n-triples"},
                              content=gzip.compress(data))

    r = _send(httpx.MockTransport(handler), RequestPolicy(timeout=30, retries=0))
    assert r.content == data and r.headers["content-type"] == "application/n-triples"
