"""`python -m local_dev` as users run it: a subprocess on a free port, set by --port or PORT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.access import hash_token
from tests.support.mock_openai import MockOpenAI
from tests.support.servers import free_port


def _serve(args: list[str], env: dict[str, str], port: int) -> None:
    process = subprocess.Popen([sys.executable, "-m", "local_dev", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.text == "AI Gateway says hey!"
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize("mode", ["flag", "env"])
def test_local_dev_serves_on_the_requested_port(mode: str) -> None:
    port = free_port()
    env = {**os.environ}
    if mode == "env":
        env["PORT"] = str(port)
        _serve(["--host", "127.0.0.1", "--log-level", "warning"], env, port)
    else:
        _serve(["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env, port)


def test_a_bad_config_file_stops_start_up_with_the_validators_message(tmp_path: Path) -> None:
    bad = tmp_path / "gateway.json"
    bad.write_text(json.dumps({"configs": {"default": {"strategy": {"mode": "nope"},
                                                       "targets": [{"provider": "openai", "api_key": "k"}]}}}))
    done = subprocess.run([sys.executable, "-m", "local_dev", "--config", str(bad), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
    assert "gateway not started: config 'default': Invalid config passed: path: strategy,mode" in done.stderr
    missing = subprocess.run([sys.executable, "-m", "local_dev", "--port", str(free_port())], capture_output=True,
                             text=True, timeout=30, env={**os.environ, "GATEWAY_CONFIG_FILE": str(tmp_path / "no")})
    assert missing.returncode != 0 and "GATEWAY_CONFIG_FILE" in missing.stderr


def test_server_keys_never_reach_answers_or_logs(tmp_path: Path, mock: MockOpenAI) -> None:
    """Served with debug logging and the access log on, requests that succeed, fail upstream and are
    refused: the server-held key appears in no answer and in no line the process prints."""
    key, token = "sk-server-held-secret-7", "gw-cli-token"
    config = tmp_path / "gateway.toml"
    config.write_text(f'[configs.default]\nprovider = "openai"\napi_key = "env:SRV_KEY"\n'
                      f'custom_host = "{mock.url(status=401, fail=1)}"\n')
    port = free_port()
    env = {**os.environ, "SRV_KEY": key, "GATEWAY_TOKENS": hash_token(token)}
    process = subprocess.Popen([sys.executable, "-m", "local_dev", "--config", str(config), "--port", str(port),
                                "--log-level", "debug", "--access-log"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    answers = []
    try:
        _wait_up(port, process)
        for auth in (token, token, "wrong", None):
            headers = {"authorization": f"Bearer {auth}"} if auth else {}
            answers.append(httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", headers=headers,
                                      json={"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert [a.status_code for a in answers] == [401, 200, 401, 401]
    assert mock.state.requests[0].headers["authorization"] == f"Bearer {key}"  # it was used...
    assert all(key not in a.text for a in answers) and key not in output  # ...and never shown
    assert "POST /v1/chat/completions" in output  # the log was really captured


def _wait_up(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.1)
