"""`python -m local_dev` as users run it: a subprocess on a free port, set by --port or PORT."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

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
