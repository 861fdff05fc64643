"""Clients for the integration tests: the official SDKs pointed at the gateway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.sdk import openai_client
from tests.support.servers import GatewayServer


@pytest.fixture
def client_for(gateway: GatewayServer, mock: MockOpenAI) -> Callable[..., openai.OpenAI]:
    """An OpenAI SDK client routed through the gateway to a mock scenario."""

    def make(provider: str = "openai", headers: dict[str, str] | None = None, **directives: Any) -> openai.OpenAI:
        return openai_client(gateway, provider, mock.url(**directives), "sk-test-key", headers)

    return make


@pytest.fixture
def client(client_for: Callable[..., openai.OpenAI]) -> openai.OpenAI:
    return client_for()
