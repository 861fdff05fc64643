"""The Redis backend with a real redis-server: two gateway processes share one cache (a miss on one,
a hit on the other), entries expire in Redis by ``max_age``, and a Redis that is down or unreachable
costs nothing but the cache (a warning, no failed or slow request)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local_dev.redis_store import PREFIX, RedisStore, shown
from tests.support.mock_openai import MockOpenAI
from tests.support.redis_server import RedisServer
from tests.support.servers import GatewayServer, free_port

REPO = Path(__file__).resolve().parents[2]
CHAT: Any = {"model": "gpt-4o", "messages": [{"role": "user", "content": "shared cache"}]}


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    yield server
    server.stop()


class GatewayProcess:
    """``python -m local_dev`` in its own process, as an operator runs it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local_dev", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}:{REPO}", **env},
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gateway process did not start:\n" + log.read_text())
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()


def send(url: str, mock: MockOpenAI, body: Any = CHAT, max_age: int = 60) -> httpx.Response:
    config = {"provider": "openai", "api_key": "sk-shared", "custom_host": mock.url(),
              "cache": {"mode": "simple", "max_age": max_age}}
    return httpx.post(url + "/v1/chat/completions", json=body, timeout=20,
                      headers={"x-portkey-config": json.dumps(config), "authorization": "Bearer sk-shared"})


def test_two_gateway_processes_share_the_cache(redis: RedisServer, mock: MockOpenAI, tmp_path: Path) -> None:
    one = GatewayProcess({"REDIS_URL": redis.url}, tmp_path / "one.log")
    two = GatewayProcess({"REDIS_URL": redis.url}, tmp_path / "two.log")
    try:
        first = send(one.url, mock)
        second = send(two.url, mock)
        assert first.status_code == second.status_code == 200
        assert (first.headers["x-portkey-cache-status"], second.headers["x-portkey-cache-status"]) == ("MISS", "HIT")
        assert len(mock.state.requests) == 1 and second.json() == first.json()
        stream = send(two.url, mock, {**CHAT, "stream": True})
        assert stream.headers["x-portkey-cache-status"] == "HIT" and stream.text.rstrip().endswith("[DONE]")
    finally:
        one.stop()
        two.stop()


def test_entries_expire_in_redis_by_max_age(redis: RedisServer) -> None:
    async def scenario() -> tuple[bytes | None, int]:
        store = RedisStore(redis.url)
        await store.put("k", b"value", 7)
        value = await store.get("k")
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(redis.url)
        ttl = await client.ttl(PREFIX + "k")
        await client.aclose()
        await store.delete("k")
        assert await store.get("k") is None
        await store.close()
        return value, ttl

    value, ttl = asyncio.run(scenario())
    assert value == b"value" and 0 < ttl <= 7


def test_an_unreachable_redis_costs_only_the_cache(mock: MockOpenAI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "local_dev.redis")
    gateway = GatewayServer({"REDIS_URL": f"redis://:s3cret@127.0.0.1:{free_port()}/0"}).start()
    try:
        started = time.monotonic()
        answers = [send(gateway.url, mock) for _ in range(3)]
        elapsed = time.monotonic() - started
    finally:
        gateway.stop()
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["x-portkey-cache-status"] for a in answers] == ["MISS"] * 3
    assert elapsed < 3 and len(mock.state.requests) == 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "local_dev.redis"]
    assert len(warnings) == 1 and "unreachable" in warnings[0] and "s3cret" not in warnings[0]


def test_redis_going_down_mid_way(redis: RedisServer, mock: MockOpenAI) -> None:
    gateway = GatewayServer({"REDIS_URL": redis.url}).start()
    try:
        assert send(gateway.url, mock).headers["x-portkey-cache-status"] == "MISS"
        assert send(gateway.url, mock).headers["x-portkey-cache-status"] == "HIT"
        redis.stop()
        after = send(gateway.url, mock)
        assert after.status_code == 200 and after.headers["x-portkey-cache-status"] == "MISS"
    finally:
        gateway.stop()


def test_passwords_never_reach_the_logs() -> None:
    assert shown("redis://user:pw@host:6380/1") == "redis://user:***@host:6380/1"
    assert shown("redis://host:6379") == "redis://host:6379"
