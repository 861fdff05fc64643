"""Shared fixtures: one mock provider and one gateway per test session, both on real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer


@pytest.fixture(scope="session")
def mock() -> Iterator[MockOpenAI]:
    server = MockOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gateway() -> Iterator[GatewayServer]:
    server = GatewayServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    """Each test starts with an empty mock log and no recorded waits."""
    if "mock" in request.fixturenames:
        request.getfixturevalue("mock").reset()
    if "gateway" in request.fixturenames:
        request.getfixturevalue("gateway").sleep.waits.clear()
