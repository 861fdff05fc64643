"""Issue 2 end to end: the official openai SDK -> gateway (uvicorn, real socket) -> mock provider."""

from __future__ import annotations

import io

import openai
import pytest

from tests.support.mock_openai import MockOpenAI

MESSAGES = [{"role": "user", "content": "hi"}]


def test_chat_completion_reaches_provider_with_key_and_mapped_body(client: openai.OpenAI, mock: MockOpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", messages=MESSAGES, temperature=5,  # clamped to 2 as upstream does
        extra_body={"unknown_param": 1})
    completion = raw.parse()
    assert completion.choices[0].message.content == "hello from mock"
    assert raw.headers["x-portkey-provider"] == "openai"
    assert raw.headers["x-portkey-last-used-option-index"] == "config"
    assert raw.headers["x-portkey-retry-attempt-count"] == "0"
    assert raw.headers["x-portkey-cache-status"] == "DISABLED"
    assert raw.headers["x-portkey-trace-id"] == ""
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk-test-key"
    assert sent.json() == {"model": "gpt-4o", "messages": MESSAGES, "temperature": 2}


def test_streamed_chat_arrives_chunk_by_chunk(client_for, mock: MockOpenAI) -> None:  # type: ignore[no-untyped-def]
    client = client_for(chunks=4, gap=0.05)
    pieces = [c.choices[0].delta.content for c in client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True)]
    assert pieces == ["", "tok0 ", "tok1 ", "tok2 ", "tok3 ", None]
    assert mock.state.stream_finished == 1


def test_completions_embeddings_images(client: openai.OpenAI, mock: MockOpenAI) -> None:
    assert client.completions.create(model="gpt-3.5-turbo-instruct", prompt="x").choices[0].text == "done by mock"
    assert [d.index for d in client.embeddings.create(model="e", input=["a", "b"]).data] == [0, 1]
    client.images.generate(prompt="a cat", model="dall-e-3", size="1024x1024")
    image_body = mock.state.requests[-1].json()
    assert image_body == {"prompt": "a cat", "model": "dall-e-3", "size": "1024x1024"}


def test_speech_binary_passes_intact(client: openai.OpenAI) -> None:
    audio = client.audio.speech.create(model="tts-1", voice="alloy", input="hi").content
    assert audio == b"ID3" + bytes(range(256)) * 64


@pytest.mark.parametrize("kind", ["transcriptions", "translations"])
def test_audio_multipart_passes_intact(client: openai.OpenAI, mock: MockOpenAI, kind: str) -> None:
    payload = bytes(range(256)) * 400
    api = getattr(client.audio, kind)
    api.create(model="whisper-1", file=("a.wav", payload))
    sent = mock.state.requests[-1]
    assert sent.path == f"/v1/audio/{kind}"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert payload in sent.body
    assert sent.headers["content-length"] == str(len(sent.body)) and "transfer-encoding" not in sent.headers


def test_image_edit_multipart(client: openai.OpenAI, mock: MockOpenAI) -> None:
    client.images.edit(image=("i.png", b"\x89PNG" + b"0" * 5000), prompt="hat", model="gpt-image-1")
    sent = mock.state.requests[-1]
    assert sent.path == "/v1/images/edits" and b"\x89PNG" + b"0" * 5000 in sent.body


def test_files_lifecycle(client: openai.OpenAI, mock: MockOpenAI) -> None:
    content = b'{"custom_id": "1"}\n' * 2000
    created = client.files.create(file=("batch.jsonl", io.BytesIO(content)), purpose="batch")
    assert created.id == "file-1"
    assert content in mock.state.requests[-1].body
    client.files.list()
    client.files.retrieve("file-1")
    assert client.files.content("file-1").content == b"line1\nline2\n" * 1000
    client.files.delete("file-1")
    seen = [(r.method, r.path) for r in mock.state.requests]
    assert seen == [("POST", "/v1/files"), ("GET", "/v1/files"), ("GET", "/v1/files/file-1"),
                    ("GET", "/v1/files/file-1/content"), ("DELETE", "/v1/files/file-1")]


def _calls(mock: MockOpenAI) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in mock.state.requests]


def test_batches(client: openai.OpenAI, mock: MockOpenAI) -> None:
    for call in (lambda: client.batches.create(input_file_id="f", endpoint="/v1/chat/completions",
                                                completion_window="24h"),
                 lambda: client.batches.list(), lambda: client.batches.retrieve("b1"),
                 lambda: client.batches.cancel("b1")):
        try:
            call()
        except Exception:  # noqa: BLE001 - the mock's echo is not a Batch; the routes are asserted below
            pass
    assert _calls(mock) == [("POST", "/v1/batches"), ("GET", "/v1/batches"), ("GET", "/v1/batches/b1"),
                            ("POST", "/v1/batches/b1/cancel")]
    assert mock.state.requests[0].json()["input_file_id"] == "f"


def test_responses_and_fine_tuning(client: openai.OpenAI, mock: MockOpenAI) -> None:
    calls = [lambda: client.responses.create(model="gpt-4o", input="hi", extra_body={"custom": 1}),
             lambda: client.responses.retrieve("r1"), lambda: client.responses.delete("r1"),
             lambda: client.responses.input_items.list("r1"),
             lambda: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="f"),
             lambda: client.fine_tuning.jobs.list(), lambda: client.fine_tuning.jobs.retrieve("j1"),
             lambda: client.fine_tuning.jobs.cancel("j1")]
    for call in calls:
        try:
            call()
        except Exception:  # noqa: BLE001 - the echo body is not the SDK's model; routes are asserted below
            pass
    assert _calls(mock) == [
        ("POST", "/v1/responses"), ("GET", "/v1/responses/r1"), ("DELETE", "/v1/responses/r1"),
        ("GET", "/v1/responses/r1/input_items"), ("POST", "/v1/fine_tuning/jobs"),
        ("GET", "/v1/fine_tuning/jobs"), ("GET", "/v1/fine_tuning/jobs/j1"),
        ("POST", "/v1/fine_tuning/jobs/j1/cancel")]
    assert mock.state.requests[0].json() == {"model": "gpt-4o", "input": "hi", "custom": 1}


def test_models_list_is_proxied(client: openai.OpenAI, mock: MockOpenAI) -> None:
    client.models.list()
    assert _calls(mock) == [("GET", "/v1/models")]


def test_provider_error_is_normalised(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(status=429)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    body = caught.value.body
    assert caught.value.status_code == 429
    assert body["message"] == "openai error: mock failure 429"  # type: ignore[index]
    assert caught.value.response.json()["provider"] == "openai"
