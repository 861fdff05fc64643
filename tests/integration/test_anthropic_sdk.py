"""The official anthropic SDK against /v1/messages: until a provider that speaks Messages is
built, the gateway must answer a clear error the SDK surfaces, never a crash or a hang."""

from __future__ import annotations

import anthropic
import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer


@pytest.mark.parametrize(("provider", "status", "message"), [
    ("openai", 400, "messages is not supported by openai"),
    ("anthropic", 501, "Provider anthropic is not implemented by this gateway yet"),
])
def test_messages_route_answers_clear_errors(gateway: GatewayServer, mock: MockOpenAI, provider: str,
                                             status: int, message: str) -> None:
    client = anthropic.Anthropic(base_url=gateway.url, api_key="sk-ant-test", max_retries=0,
                                 default_headers={"x-portkey-provider": provider,
                                                  "x-portkey-custom-host": mock.url()})
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(model="claude-test-model", max_tokens=10,
                               messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == status
    assert caught.value.response.json()["message"] == message
    assert "sk-ant-test" not in caught.value.response.text
    with pytest.raises(anthropic.APIStatusError):
        client.messages.count_tokens(model="claude-test-model", messages=[{"role": "user", "content": "hi"}])
    assert mock.state.requests == []
