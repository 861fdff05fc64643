"""The console in a real browser: Debian's Chromium, headless, driven by Playwright (the Python package,
pointed at /usr/bin/chromium; it never downloads a browser). A chat completion is sent from the page to
a mock provider through the gateway, its answer is seen streaming in, and the request then appears in the
live-log table. Screenshots go to tests/artifacts/ (gitignored) for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mock_openai import MockOpenAI
from tests.support.servers import GatewayServer

ADMIN = "browser-admin-token-0123456789"
KEY = "sk-browser-secret-key-abcdefghij"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make setup` (as root it runs "
                    "`apt-get install -y chromium`)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def console() -> Iterator[GatewayServer]:
    server = GatewayServer({"ADMIN_TOKEN": ADMIN}).start()
    yield server
    server.stop()


def test_try_it_streams_an_answer_that_then_shows_in_the_live_log(browser, console: GatewayServer,  # type: ignore[no-untyped-def]
                                                                  mock: MockOpenAI) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(console.url) else outside.append(request.url))
    try:
        page.goto(console.url + "/public")
        assert page.url == console.url + "/public/"
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#custom-host", mock.url(chunks=6, gap=0.25))
        page.fill("#api-key", KEY)
        page.fill("#prompt", "Say hello")
        assert "$OPENAI_API_KEY" in page.inner_text("#snippet") and KEY not in page.inner_text("#snippet")
        page.click("#send")
        page.wait_for_selector("#answer:has-text('tok1')")  # (the page's CSP forbids eval'd waits)
        partial = page.inner_text("#answer")
        assert "tok5" not in partial  # seen while it was still arriving
        page.wait_for_selector("#answer-status.ok", timeout=15_000)
        assert page.inner_text("#answer").strip() == "tok0 tok1 tok2 tok3 tok4 tok5"
        headers = page.inner_text("#answer-headers")
        assert "x-portkey-provider\topenai" in headers and "x-portkey-retry-attempt-count\t0" in headers
        assert page.inner_text("#t-status") == "200" and page.inner_text("#t-ttfb").endswith("ms")
        page.screenshot(path=str(ARTIFACTS / "console-try-it.png"), full_page=True)

        page.click("#tab-logs")
        page.fill("#admin-token", ADMIN)
        page.click("#sign-in button[type=submit]")
        row = page.wait_for_selector("#log-table tbody tr")
        cells = row.inner_text().split("\t")
        assert cells[1:4] == ["POST", "/v1/chat/completions", "200"] and cells[6] == "openai"
        assert page.inner_text("#feed-state") == "live"
        page.screenshot(path=str(ARTIFACTS / "console-live-log.png"), full_page=True)
        row.click()
        detail = page.wait_for_selector("#detail[open]")
        assert "[REDACTED]" in detail.inner_text() and KEY not in page.content()
        page.screenshot(path=str(ARTIFACTS / "console-detail.png"))
        assert errors == [] and outside == []
    finally:
        page.close()


def test_without_a_token_the_page_says_how_to_set_one(browser, gateway: GatewayServer) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    try:
        page.goto(gateway.url + "/public/#logs")
        page.wait_for_selector("body[data-ready=true]")
        assert page.is_visible("#logs-off") and not page.is_visible("#sign-in")
        assert "ADMIN_TOKEN" in page.inner_text("#logs-off")
        assert page.inner_text("#session-state") == "no admin token"
    finally:
        page.close()
