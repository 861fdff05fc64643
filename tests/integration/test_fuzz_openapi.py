"""schemathesis drives the running gateway from the OpenAPI document it serves at ``/openapi.json``:
valid and invalid bodies, headers and path parameters for every described operation, through
uvicorn over a real socket to a loopback mock that answers anything. The gateway must answer every
one without a 5xx, with JSON on errors, and in seconds.

Bounded (about 1,100 requests: ``FUZZ_API_EXAMPLES`` per operation, default 8, plus the boundary
cases of the three body routes) and deterministic, so it belongs in ``make test`` (15-30 s on the
2-core machine); raise the variable for a longer local hunt.

Every upstream call stays on loopback: ``x-portkey-custom-host`` points each case at the mock, and
the gateway's transport refuses any other host (a case that tried would fail the test with a 503).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from gateway.http import Body, Headers
from gateway.openapi import document
from gateway.ports import HttpTransport, TransportError, UpstreamResponse
from gateway.providers import get_provider
from gateway.providers.catalog import VALID_PROVIDERS_ORDERED
from tests.support.loopback import LoopbackServer
from tests.support.mock_lenient import lenient_handler
from tests.support.servers import GatewayServer

EXAMPLES = int(os.environ.get("FUZZ_API_EXAMPLES", "8"))
SLOW = 10.0  # seconds: any answer slower than this counts as a hang (the mock answers at once)


def _mocked() -> frozenset[str]:
    """Providers the lenient mock can stand in for: those whose bodies pass through as OpenAI's,
    and Anthropic (the mock speaks Messages on its paths). Others are fuzzed as openai."""
    slugs = {slug for slug in VALID_PROVIDERS_ORDERED if (p := get_provider(slug)) is not None
             and not p.translations and p.build_url is None and p.dynamic_base is None and p.sign is None
             and p.authorize is None}
    return frozenset(slugs | {"anthropic"})


MOCKED = _mocked()


class LoopbackOnly:
    """The gateway's transport, refusing every host but 127.0.0.1: a fuzzer must not reach out."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner = inner

    async def send(self, method: str, url: str, headers: Headers, body: Body | None) -> UpstreamResponse:
        if urlsplit(url).hostname != "127.0.0.1":
            raise TransportError(f"test transport: {url} is not on loopback", connect=True)
        return await self.inner.send(method, url, headers, body)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[GatewayServer, LoopbackServer]]:
    mock = LoopbackServer(lenient_handler).start()
    gateway = GatewayServer().start()
    bounded = gateway.app.gateway.transport
    bounded.inner = LoopbackOnly(bounded.inner)  # type: ignore[attr-defined]
    yield gateway, mock
    gateway.stop()
    mock.stop()


def _schema(phase: str) -> schemathesis.BaseSchema:
    """The document the gateway serves (a test below checks the served one is this one), loaded at
    import, as schemathesis's lazy fixture loader does not run under pytest 9.2. Two phases:
      * fuzzing: every operation, ``EXAMPLES`` valid and ``EXAMPLES`` invalid cases each;
      * coverage: schemathesis's boundary cases (each header and field missing, mistyped, empty,
        at its limits), on the three body routes only: the headers are the same on every route, and
        their boundary cases on all 30 operations would be 4,000 requests for nothing new."""
    loaded = schemathesis.openapi.from_dict(document())
    loaded.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE,
                                           schemathesis.GenerationMode.NEGATIVE],
                                    max_examples=EXAMPLES, deterministic=True, database="none")
    phases = loaded.config.phases
    phases.coverage.unexpected_methods = set()  # PUT/PATCH/... on every path: 404s, never a new path
    if phase == "fuzzing":
        phases.coverage.enabled = False
        return loaded
    phases.fuzzing.enabled = False
    return loaded.include(path=["/v1/chat/completions", "/v1/messages", "/v1/embeddings"])


fuzzing = _schema("fuzzing")
coverage = _schema("coverage")


def test_the_document_is_served_at_its_documented_path(servers: tuple[GatewayServer, LoopbackServer]) -> None:
    answer = httpx.get(servers[0].url + "/openapi.json")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.json() == document()
    assert "/v1/chat/completions" in answer.json()["paths"]


@fuzzing.parametrize()
def test_fuzzed_requests_get_no_5xx_and_no_hang(case: schemathesis.Case,
                                                servers: tuple[GatewayServer, LoopbackServer]) -> None:
    _call(case, servers)


@coverage.parametrize()
def test_boundary_requests_get_no_5xx_and_no_hang(case: schemathesis.Case,
                                                  servers: tuple[GatewayServer, LoopbackServer]) -> None:
    _call(case, servers)


def _call(case: schemathesis.Case, servers: tuple[GatewayServer, LoopbackServer]) -> None:
    gateway, mock = servers
    headers = dict(case.headers or {})
    headers["x-portkey-custom-host"] = mock.base + "/v1"
    if headers.get("x-portkey-provider", "openai") not in MOCKED:
        headers["x-portkey-provider"] = "openai"  # a provider the mock cannot speak for would 502, rightly
    case.headers = headers
    started = time.monotonic()
    response = case.call(base_url=gateway.url, timeout=SLOW + 5)
    elapsed = time.monotonic() - started
    assert elapsed < SLOW, f"{case.method} {case.path} took {elapsed:.1f} s"
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400 and case.path != "/":
        assert response.headers["content-type"][0].startswith("application/json"), response.text
        assert "Traceback" not in response.text

