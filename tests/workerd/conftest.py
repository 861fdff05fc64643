"""Fixtures for the workerd smoke tests: a real ``wrangler dev`` running the Worker.

The upstream is the suite-wide mock (``mock`` in tests/conftest.py, ``tests/support/mock_openai.py``):
an aiohttp server on loopback, which sets TCP_NODELAY itself, so SSE chunks are not held back by Nagle.

The Worker runs under wrangler 3.92.0 (pinned in this folder's package.json), the last release
with Pyodide built into workerd, so everything works without network. Wrangler uploads every
``*.py`` next to ``main``, so the Worker is assembled in a temp dir from ``src/gateway``,
``src/worker_runtime`` and ``worker_entry.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WRANGLER = HERE / "node_modules" / ".bin" / "wrangler"
READY_TIMEOUT = 90.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "workerd: runs the Worker inside real workerd via wrangler dev")


def wrangler_bin() -> Path:
    """The pinned wrangler, or a test failure that says how to install it."""
    if not WRANGLER.exists():
        pytest.fail(
            f"wrangler 3.92.0 is not installed ({WRANGLER} missing). "
            "Run `make setup` or `npm ci --prefix tests/workerd` first.",
            pytrace=False,
        )
    return WRANGLER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def free_tcp_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    return free_port()


@pytest.fixture(scope="session")
def wrangler() -> Path:
    """Path of the pinned wrangler 3.92.0; fails (never skips) when it is not installed."""
    return wrangler_bin()


# --------------------------------------------------------------------------- the Worker


WRANGLER_TOML = """\
name = "gateway-workerd-test"
main = "worker_entry.py"
compatibility_date = "2024-11-01"
compatibility_flags = ["python_workers"]

[vars]
TRUSTED_CUSTOM_HOSTS = "127.0.0.1,localhost"
# A provider silent this long is cut off (gateway/limits.py); short so test_worker_hardening sees it.
UPSTREAM_IDLE_TIMEOUT = "3"

# Local (simulated) KV: the gateway's key-value store across requests (worker_runtime/kv.py).
[[kv_namespaces]]
binding = "CACHE"
id = "gateway-workerd-test-cache"
"""


def assemble_worker(target: Path) -> Path:
    """Copy the core, the adapter and the test entry into ``target`` with a test wrangler.toml."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("gateway", "worker_runtime"):
        shutil.copytree(REPO / "src" / package, target / package, ignore=ignore)
    shutil.copy(HERE / "worker_entry.py", target / "worker_entry.py")
    (target / "wrangler.toml").write_text(WRANGLER_TOML)
    return target


@dataclass
class RunningWorker:
    url: str
    cold_start_seconds: float
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wrangler_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "WRANGLER_SEND_METRICS": "false",
            "XDG_CONFIG_HOME": str(home / "config"),  # wrangler writes logs/config here, not in ~
            "NO_COLOR": "1",
            "CI": "1",
        }
    )
    return env


@pytest.fixture(scope="session")
def worker(tmp_path_factory: pytest.TempPathFactory, wrangler: Path) -> Iterator[RunningWorker]:
    app_dir = assemble_worker(tmp_path_factory.mktemp("worker"))
    # Logs and wrangler's config dir stay OUTSIDE app_dir: wrangler watches it and would reload forever.
    home = tmp_path_factory.mktemp("wrangler-home")
    port = free_port()
    log_path = home / "wrangler.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            # --persist-to: local KV state written inside app_dir would trigger a reload too
            [str(wrangler), "dev", "--ip", "127.0.0.1", "--port", str(port), "--persist-to", str(home / "state")],
            cwd=app_dir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_wrangler_env(home),
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        cold = _wait_ready(url, process, started, log_path)
        yield RunningWorker(url=url, cold_start_seconds=cold, log_path=log_path)
    finally:
        _stop(process)


def _wait_ready(url: str, process: subprocess.Popen, started: float, log_path: Path) -> float:
    """Poll until the Worker answers any HTTP response; the first one pays Pyodide's start."""
    deadline = started + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"wrangler dev exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            response = httpx.get(url + "/__workerd_ready", timeout=30.0)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code < 500:
            return time.monotonic() - started
        pytest.fail(
            f"Worker answered {response.status_code} on start:\n{response.text}\n{log_path.read_text(errors='replace')}"
        )
    pytest.fail(f"wrangler dev not ready after {READY_TIMEOUT}s:\n{log_path.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    """Kill wrangler and its workerd child: they share the session/process group we created."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
