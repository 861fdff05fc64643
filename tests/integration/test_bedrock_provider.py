"""Bedrock end to end: the official openai and anthropic SDKs -> gateway (uvicorn, real socket) ->
the loopback Bedrock mock (``tests/support/mock_bedrock``), which verifies every SigV4 signature
for real with botocore, validates Converse and Claude bodies as AWS does and streams real AWS
event-stream frames (CRCs included).

Chat goes through Converse; ``/v1/messages`` is native (InvokeModel) for Claude models and goes
through the hub (Converse) for the others."""

from __future__ import annotations

import base64
import datetime
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import anthropic
import httpx
import httpx2
import openai
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from tests.support import mock_bedrock
from tests.support.loopback import serve
from tests.support.mock_bedrock import ACCESS_KEY, SECRET_KEY, MockBedrock
from tests.support.sdk import MESSAGES, USER, WEATHER, anthropic_client, finishes, openai_client, text_of, tool_calls
from tests.support.servers import GatewayServer

CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
NOVA = "amazon.nova-pro-v1:0"
ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"
CLAUDE_WEATHER: Any = {"name": "get_weather", "description": "Weather in a city",
                       "input_schema": WEATHER["function"]["parameters"]}
BROKEN = (anthropic.APIError, httpx2.HTTPError)


bedrock = serve(MockBedrock)


@pytest.fixture(autouse=True)
def _fresh_bedrock(bedrock: MockBedrock) -> None:
    bedrock.reset()


def aws_headers(key: str = ACCESS_KEY, secret: str = SECRET_KEY, **extra: str) -> dict[str, str]:
    return {"x-portkey-aws-access-key-id": key, "x-portkey-aws-secret-access-key": secret, **extra}


Client = Callable[..., openai.OpenAI]


@pytest.fixture
def client(gateway: GatewayServer, bedrock: MockBedrock) -> Client:
    def make(headers: dict[str, str] | None = None, api_key: str = "sk-unused", **directives: Any) -> openai.OpenAI:
        return openai_client(gateway, "bedrock", bedrock.url(**directives), api_key,
                             aws_headers() if headers is None else headers)

    return make


Sdk = Callable[..., anthropic.Anthropic]


@pytest.fixture
def sdk(gateway: GatewayServer, bedrock: MockBedrock) -> Sdk:
    def make(**directives: Any) -> anthropic.Anthropic:
        return anthropic_client(gateway, "bedrock", bedrock.url(**directives), "sk-unused", aws_headers())

    return make


def drain(stream: Any) -> tuple[list[Any], BaseException | None]:
    items: list[Any] = []
    try:
        for item in stream:
            items.append(item)
    except (openai.APIError, *BROKEN) as exc:
        return items, exc
    return items, None


# --- the mock itself, driven by botocore (no gateway) -------------------------------------------

def _botocore_post(url: str, body: dict[str, Any], secret: str = SECRET_KEY) -> tuple[int, Any, bytes]:
    request = AWSRequest(method="POST", url=url, data=json.dumps(body).encode(),
                         headers={"content-type": "application/json"})
    SigV4Auth(Credentials(ACCESS_KEY, secret), "bedrock", "us-east-1").add_auth(request)
    prepared = request.prepare()
    raw = urllib.request.Request(url, data=prepared.body, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(raw, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_mock_speaks_aws(bedrock: MockBedrock) -> None:
    """Guards the mock: botocore's signer is accepted, a wrong secret is refused as AWS does, and
    botocore's decoder reads its stream."""
    body = {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}
    status, _, raw = _botocore_post(bedrock.url() + f"/model/{NOVA}/converse", body)
    assert status == 200 and json.loads(raw)["output"]["message"]["content"] == [{"text": "hello from mock"}]
    status, headers, raw = _botocore_post(bedrock.url() + f"/model/{NOVA}/converse", body, secret="wrong")
    assert status == 403 and headers["x-amzn-ErrorType"].startswith("InvalidSignatureException")
    assert "signature we calculated does not match" in json.loads(raw)["message"]
    status, headers, raw = _botocore_post(bedrock.url(chunks=2, tool=1) + f"/model/{NOVA}/converse-stream", body)
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    kinds = [message.headers[":event-type"] for message in buffer]
    assert status == 200 and headers["Content-Type"] == "application/vnd.amazon.eventstream"
    assert kinds[0] == "messageStart" and kinds[-2:] == ["messageStop", "metadata"] and "contentBlockStart" in kinds


# --- chat through Converse -------------------------------------------------------------------------

def test_chat(client: Client, bedrock: MockBedrock) -> None:
    raw = client().chat.completions.with_raw_response.create(model=NOVA, messages=MESSAGES, max_tokens=50,
                                                             temperature=0.3, stop="END")
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from mock"
    assert completion.choices[0].finish_reason == "stop" and completion.model == NOVA
    assert completion.usage is not None and (completion.usage.prompt_tokens, completion.usage.completion_tokens,
                                             completion.usage.total_tokens) == (10, 5, 15)
    assert raw.headers["x-portkey-provider"] == "bedrock"
    sent = bedrock.state.requests[-1]
    assert sent.path == f"/model/{NOVA}/converse"
    assert sent.headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert "/us-east-1/bedrock/aws4_request" in sent.headers["authorization"]
    assert sent.json() == {"messages": [{"role": "user", "content": [{"text": "hi"}]}],
                           "system": [{"text": "be brief"}],
                           "inferenceConfig": {"maxTokens": 50, "temperature": 0.3, "stopSequences": ["END"]}}


def test_arn_model_is_signed_as_sent(client: Client, bedrock: MockBedrock) -> None:
    completion = client().chat.completions.create(model=ARN, messages=USER)
    assert completion.choices[0].message.content == "hello from mock"
    assert bedrock.state.requests[-1].path == "/model/" + ARN.replace("/", "%2F") + "/converse"


def test_stream(client: Client) -> None:
    chunks = list(client(chunks=3).chat.completions.create(model=NOVA, messages=MESSAGES, stream=True,
                                                            stream_options={"include_usage": True}))
    assert text_of(chunks) == "tok0 tok1 tok2 " and finishes(chunks) == ["stop"]
    usage = [chunk.usage for chunk in chunks if chunk.usage]
    assert usage and (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (10, 5)
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)


def test_stream_without_metadata_still_finishes(client: Client) -> None:
    chunks = list(client(chunks=2, nometa=1).chat.completions.create(model=NOVA, messages=USER, stream=True))
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == ["stop"]


def test_tool_call(client: Client, bedrock: MockBedrock) -> None:
    completion = client(tool=1).chat.completions.create(model=CLAUDE, messages=USER, tools=[WEATHER],
                                                        tool_choice="required")
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls or []
    assert call.id == mock_bedrock.TOOL_ID and call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    config = bedrock.state.requests[-1].json()["toolConfig"]
    assert config["toolChoice"] == {"any": {}} and config["tools"][0]["toolSpec"]["name"] == "get_weather"


def test_tool_call_streamed_and_the_results_sent_back(client: Client, bedrock: MockBedrock) -> None:
    chunks = list(client(tool=1, chunks=2).chat.completions.create(model=CLAUDE, messages=USER, tools=[WEATHER],
                                                                   stream=True))
    calls = tool_calls(chunks)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == ["tool_calls"]
    assert list(calls) == [0] and (calls[0]["id"], calls[0]["name"]) == (mock_bedrock.TOOL_ID, "get_weather")
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}
    call = {"id": calls[0]["id"], "type": "function",
            "function": {"name": "get_weather", "arguments": calls[0]["arguments"]}}
    history = [*USER, {"role": "assistant", "content": None, "tool_calls": [call]},
               {"role": "tool", "tool_call_id": calls[0]["id"], "content": "sunny"},
               {"role": "user", "content": "and tomorrow?"}]
    client().chat.completions.create(model=CLAUDE, messages=history, tools=[WEATHER])
    turns = bedrock.state.requests[-1].json()["messages"]
    assert [turn["role"] for turn in turns] == ["user", "assistant", "user"]
    assert turns[2]["content"] == [{"toolResult": {"toolUseId": mock_bedrock.TOOL_ID, "content": [{"text": "sunny"}]}},
                                   {"text": "and tomorrow?"}]


def test_thinking_and_cache_usage(client: Client) -> None:
    headers = {**aws_headers(), "x-portkey-strict-open-ai-compliance": "false"}
    completion = client(headers=headers, thinking=1, cache=1).chat.completions.create(
        model=CLAUDE, messages=USER, extra_body={"thinking": {"type": "enabled", "budget_tokens": 1024}})
    message: Any = completion.choices[0].message.to_dict()
    assert message["content"] == "hello from mock"
    assert message["content_blocks"][0] == {"type": "thinking", "thinking": mock_bedrock.THINKING,
                                            "signature": mock_bedrock.SIGNATURE}
    assert completion.usage is not None and completion.usage.prompt_tokens == 33
    assert completion.usage.prompt_tokens_details is not None
    assert completion.usage.prompt_tokens_details.cached_tokens == 20


def test_image_from_a_web_url_is_a_clear_400(client: Client, bedrock: MockBedrock) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client().chat.completions.create(model=CLAUDE, messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}])
    assert "data URI" in str(caught.value) and bedrock.state.requests == []


# --- auth variants -------------------------------------------------------------------------------

def test_wrong_secret_keeps_awss_403(client: Client) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client(headers=aws_headers(secret="not-the-secret")).chat.completions.create(model=NOVA, messages=USER)
    body = caught.value.response.json()
    assert caught.value.status_code == 403 and body["provider"] == "bedrock"
    assert body["error"]["message"].startswith("bedrock error: The request signature we calculated does not match")
    assert "not-the-secret" not in caught.value.response.text


def test_unknown_key_is_403(client: Client) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client(headers=aws_headers(key="AKIDUNKNOWN")).chat.completions.create(model=NOVA, messages=USER)
    assert "security token included in the request is invalid" in caught.value.response.json()["error"]["message"]


def test_session_token(client: Client, bedrock: MockBedrock) -> None:
    headers = aws_headers(mock_bedrock.SESSION_KEY, mock_bedrock.SESSION_SECRET,
                          **{"x-portkey-aws-session-token": mock_bedrock.SESSION_TOKEN})
    assert client(headers=headers).chat.completions.create(model=NOVA, messages=USER).choices[0].message.content
    assert bedrock.state.requests[-1].headers["x-amz-security-token"] == mock_bedrock.SESSION_TOKEN
    with pytest.raises(openai.PermissionDeniedError):
        client(headers=aws_headers(mock_bedrock.SESSION_KEY, mock_bedrock.SESSION_SECRET)).chat.completions.create(
            model=NOVA, messages=USER)


def test_region_is_in_the_signature(client: Client) -> None:
    headers = aws_headers(**{"x-portkey-aws-region": "eu-west-1"})
    assert client(headers=headers, region="eu-west-1").chat.completions.create(model=NOVA, messages=USER).choices
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client(headers=headers).chat.completions.create(model=NOVA, messages=USER)  # the mock expects us-east-1
    assert "scoped to a valid region" in caught.value.response.json()["error"]["message"]


def test_bedrock_api_key(client: Client, bedrock: MockBedrock) -> None:
    headers = {"x-portkey-aws-auth-type": "apiKey"}
    bearer = client(headers=headers, api_key=mock_bedrock.API_KEY)
    completion = bearer.chat.completions.create(model=NOVA, messages=USER)
    assert completion.choices[0].message.content == "hello from mock"
    sent = bedrock.state.requests[-1].headers
    assert sent["authorization"] == f"Bearer {mock_bedrock.API_KEY}" and "x-amz-date" not in sent


def test_missing_credentials_and_assumed_role(client: Client, bedrock: MockBedrock) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(headers={}).chat.completions.create(model=NOVA, messages=USER)
    assert "needs AWS credentials" in str(caught.value)
    with pytest.raises(openai.APIStatusError) as role:
        client(headers={"x-portkey-aws-auth-type": "assumedRole"}).chat.completions.create(model=NOVA, messages=USER)
    assert role.value.status_code == 501 and bedrock.state.requests == []


def test_config_mode(gateway: GatewayServer, bedrock: MockBedrock) -> None:
    config = {"provider": "bedrock", "aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY,
              "aws_region": "ap-south-1", "custom_host": bedrock.url(region="ap-south-1", name="cfg")}
    client = openai_client(gateway, api_key="sk-unused", headers={"x-portkey-config": json.dumps(config)})
    assert client.chat.completions.create(model=NOVA, messages=USER).choices[0].message.content == "hello from cfg"


# --- errors and broken streams -------------------------------------------------------------------

def test_throttling_status_is_kept(client: Client) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client(status=429).chat.completions.create(model=NOVA, messages=USER)
    body = caught.value.response.json()
    assert body["error"]["message"] == "bedrock error: mock failure 429" and body["provider"] == "bedrock"
    assert SECRET_KEY not in caught.value.response.text


@pytest.mark.parametrize(("directive", "words"), [("corrupt", "CRC"), ("exception", "Too many tokens"),
                                                  ("cut", "")])
def test_broken_stream_raises(client: Client, directive: str, words: str) -> None:
    stream = client(chunks=5, **{directive: 2}).chat.completions.create(model=NOVA, messages=USER, stream=True)
    chunks, error = drain(stream)
    assert isinstance(error, openai.APIError) and not isinstance(error, openai.APIConnectionError)
    assert words in str(error) and SECRET_KEY not in str(error.body)
    assert text_of(chunks) == "tok0 tok1 " and finishes(chunks) == []


# --- embeddings ----------------------------------------------------------------------------------

def test_embeddings(client: Client, bedrock: MockBedrock) -> None:
    titan = client().embeddings.create(model="amazon.titan-embed-text-v2:0", input="hello", dimensions=3)
    assert titan.data[0].embedding == [0.1, 0.2, 0.3] and titan.usage.prompt_tokens == 7
    assert bedrock.state.requests[-1].json() == {"inputText": "hello", "dimensions": 3}
    cohere = client().embeddings.create(model="cohere.embed-english-v3", input=["a", "b"])
    assert [item.embedding for item in cohere.data] == [[0.5, 0.0], [0.5, 1.0]]
    assert bedrock.state.requests[-1].json() == {"texts": ["a", "b"], "input_type": "search_document"}
    with pytest.raises(openai.BadRequestError) as caught:
        client().embeddings.create(model="amazon.titan-embed-text-v2:0", input=["a", "b"])
    assert "one input per request" in str(caught.value)


# --- /v1/messages with the anthropic SDK ---------------------------------------------------------

def test_messages_native_for_claude(sdk: Sdk, bedrock: MockBedrock) -> None:
    message = sdk(name="claude").messages.create(model=CLAUDE, max_tokens=64, system="be brief", messages=USER,
                                                 metadata={"user_id": "u1"})
    assert message.content[0].text == "hello from claude"  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn" and message.usage.input_tokens == 10
    sent = bedrock.state.requests[-1]
    assert sent.path == f"/model/{CLAUDE}/invoke"
    assert sent.json() == {"anthropic_version": "bedrock-2023-05-31", "messages": USER, "system": "be brief",
                           "max_tokens": 64}


def test_messages_native_stream_with_tool_use(sdk: Sdk, bedrock: MockBedrock) -> None:
    with sdk(tool=1, chunks=2).messages.stream(model=CLAUDE, max_tokens=64, messages=USER,
                                               tools=[CLAUDE_WEATHER]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "tok0 tok1 " and [block.type for block in final.content] == ["text", "tool_use"]
    assert final.content[1].input == {"city": "Paris"} and final.stop_reason == "tool_use"  # type: ignore[union-attr]
    assert bedrock.state.requests[-1].path == f"/model/{CLAUDE}/invoke-with-response-stream"


def test_messages_native_stream_exception(sdk: Sdk) -> None:
    events, error = drain(sdk(chunks=5, exception=2).messages.create(model=CLAUDE, max_tokens=64, messages=USER,
                                                                      stream=True))
    assert isinstance(error, anthropic.APIError) and "Too many requests" in str(error)
    assert [event.type for event in events][:2] == ["message_start", "content_block_start"]


def test_messages_native_betas(gateway: GatewayServer, bedrock: MockBedrock) -> None:
    client = anthropic_client(gateway, "bedrock", bedrock.url(), "sk-unused", aws_headers())
    client.beta.messages.create(model=CLAUDE, max_tokens=8, messages=USER, betas=["context-1m-2025-08-07"])
    assert bedrock.state.requests[-1].json()["anthropic_beta"] == ["context-1m-2025-08-07"]


def test_messages_count_tokens_for_claude(sdk: Sdk, bedrock: MockBedrock) -> None:
    count = sdk().messages.count_tokens(model=CLAUDE, messages=USER, system="be brief")
    sent = bedrock.state.requests[-1]
    assert sent.path == "/model/anthropic.claude-sonnet-4-20250514-v1:0/count-tokens"
    body = json.loads(base64.b64decode(sent.json()["input"]["invokeModel"]["body"]))
    assert body == {"anthropic_version": "bedrock-2023-05-31", "messages": USER, "system": "be brief", "max_tokens": 10}
    assert count.input_tokens == len(base64.b64decode(sent.json()["input"]["invokeModel"]["body"])) // 4


def test_messages_for_other_models_go_through_converse(sdk: Sdk, bedrock: MockBedrock) -> None:
    message = sdk(name="nova").messages.create(model=NOVA, max_tokens=64, system="be brief", messages=USER)
    assert message.content[0].text == "hello from nova"  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn" and message.usage.output_tokens == 5
    sent = bedrock.state.requests[-1]
    assert sent.path == f"/model/{NOVA}/converse"
    assert sent.json()["system"] == [{"text": "be brief"}]
    with sdk(chunks=3, tool=1).messages.stream(model=NOVA, max_tokens=64, messages=USER,
                                               tools=[CLAUDE_WEATHER]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "tok0 tok1 tok2 " and final.stop_reason == "tool_use"
    assert final.content[-1].input == {"city": "Paris"}  # type: ignore[union-attr]
    assert bedrock.state.requests[-1].path == f"/model/{NOVA}/converse-stream"


def test_messages_errors_in_anthropic_shape(sdk: Sdk) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        sdk(status=429).messages.create(model=CLAUDE, max_tokens=8, messages=USER)
    body = caught.value.response.json()
    assert body["type"] == "error" and body["error"]["type"] == "rate_limit_error"
    assert body["error"]["message"] == "bedrock error: mock failure 429"


def test_date_is_now(bedrock: MockBedrock, client: Client) -> None:
    client().chat.completions.create(model=NOVA, messages=USER)
    stamp = bedrock.state.requests[-1].headers["x-amz-date"]
    sent = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert abs((datetime.datetime.now(datetime.UTC) - sent).total_seconds()) < 120


def test_proxy_is_signed_as_sent(gateway: GatewayServer, bedrock: MockBedrock) -> None:
    """``/v1/*`` that is no gateway route passes through to Bedrock, signed over the path as sent
    (the client's ``%3A`` goes out as ``:``, as aiohttp sends it)."""
    headers = {"x-portkey-provider": "bedrock", "x-portkey-custom-host": bedrock.url(name="proxy"), **aws_headers()}
    body = {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}
    response = httpx.post(f"{gateway.url}/v1/model/amazon.nova-pro-v1%3A0/converse", headers=headers, json=body,
                          timeout=20)
    assert response.status_code == 200, response.text
    assert response.json()["output"]["message"]["content"] == [{"text": "hello from proxy"}]
    assert bedrock.state.requests[-1].path == f"/model/{NOVA}/converse"
