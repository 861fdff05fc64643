"""The console's routes inside real workerd: the same core answers the session check, and the live log
and metrics say clearly that they are off (here: no token set; with one, 501 at the edge). The page's
files are Workers static assets (``[assets]`` in wrangler.toml), which the dry-run bundle covers."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.workerd


def test_console_session_and_off_switches_in_workerd(worker) -> None:  # type: ignore[no-untyped-def]
    session = httpx.get(worker.url + "/public/auth/session", timeout=30)
    assert session.status_code == 200, session.text
    body = session.json()
    assert body["runtime"] == "Cloudflare Workers" and body["admin_token_set"] is False
    assert body["live_log"] is False and body["metrics"] is False and "openai" in body["providers"]
    feed = httpx.get(worker.url + "/log/stream", timeout=30)
    assert feed.status_code == 403 and "ADMIN_TOKEN" in feed.json()["message"]
    metrics = httpx.get(worker.url + "/metrics", timeout=30)
    assert metrics.status_code == 404 and "METRICS_TOKEN" in metrics.json()["message"]
    assert httpx.post(worker.url + "/public/auth", json={"admin_token": "x"}, timeout=30).status_code == 403
