"""The page and the widget in a real Chromium (Debian's package, driven by Playwright): cited
answers, warnings, citations that open, the widget on a foreign host page, hostile text shown as
text, keyboard-only use. Screenshots go to test-output/."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
OUT = ROOT / "test-output"
HOSTILE = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():  # a missing browser is a failure, never a skip
        pytest.fail("Chromium fehlt: 'apt-get install -y chromium' (make test tut das als root/mit sudo).")
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo(server: str, demo_origin: str) -> Iterator[str]:
    """The Verband's page, from a second loopback port, embedding the widget with one tag."""
    page = (ROOT / "ui" / "demo" / "index.html").read_text(encoding="utf-8").replace("{{FOERDERLOTSE_URL}}", server)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    port = urlparse(demo_origin).port
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield demo_origin + "/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="de-DE")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


def _ask_on_page(page, question: str) -> None:
    box = page.locator("#frage textarea")
    box.fill(question)
    box.press("Enter")


def test_page_shows_cited_answer_warning_and_opens_citation(page, server: str) -> None:
    page.goto(server + "/")
    _ask_on_page(page, "Bis wann kann man in Sachsen Projektvorschläge einreichen?")
    notice = page.locator(".fl-notice").first
    notice.wait_for(timeout=30_000)
    assert "abgelaufen" in notice.inner_text()
    assert "[1]" in page.locator(".message-wrap, [role=log]").first.inner_text()
    summary = page.locator("details summary").first
    summary.click()
    quote = page.locator("details[open] blockquote").first
    quote.wait_for()
    assert "7. Mai 2026" in quote.inner_text()
    page.screenshot(path=str(OUT / "page.png"), full_page=True)


def test_page_shows_hostile_question_as_text(page, server: str) -> None:
    page.goto(server + "/")
    _ask_on_page(page, HOSTILE + " Wie hoch ist die Förderquote in Sachsen?")
    page.get_by_text(re.compile("Laut Förderaufruf|Dazu enthalten")).last.wait_for(timeout=30_000)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert page.get_by_text(HOSTILE, exact=False).count() >= 1  # shown as text


def _open_widget(page, demo: str):
    page.goto(demo)
    bubble = page.locator("#foerderlotse-widget .bubble")
    bubble.wait_for()
    return bubble


def _widget_ask(page, question: str, expect: str) -> None:
    bots = page.locator("#foerderlotse-widget .msg.bot")
    before = bots.count()
    field = page.locator("#foerderlotse-widget #fl-input")
    field.fill(question)
    field.press("Enter")
    bots.nth(before).wait_for(timeout=30_000)
    assert expect in bots.nth(before).inner_text()


def test_widget_on_foreign_host_keeps_the_conversation(page, demo: str) -> None:
    _open_widget(page, demo).click()
    _widget_ask(page, "Wie hoch ist die Förderquote in Sachsen?", "95 Prozent")
    _widget_ask(page, "Und wie lange laufen die Projekte dort?", "24 Monaten")  # follow-up
    answers = page.locator("#foerderlotse-widget .msg.bot .sources")
    assert answers.count() == 2
    answers.last.locator("summary").first.click()
    assert "24 Monaten" in answers.last.locator("blockquote").first.inner_text()
    # Host styles do not reach into the widget.
    colour = page.locator("#foerderlotse-widget form button").evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(10, 92, 54)"  # data-accent="#0a5c36", not the host's hotpink
    page.screenshot(path=str(OUT / "widget.png"))


def test_widget_renders_hostile_server_and_user_text_as_text(page, demo: str) -> None:
    hostile_answer = {
        "answer_id": "0" * 32,
        "question": "x",
        "answer": HOSTILE + " Antwort [1]",
        "refused": False,
        "notices": [HOSTILE],
        "latency_ms": 1,
        "today": "2026-11-21",
        "citations": [
            {
                "n": 1,
                "doc_id": "d",
                "title": HOSTILE,
                "section": HOSTILE,
                "quote": HOSTILE,
                "url": "javascript:window.__xss=2",
                "kind": "call",
                "start": 0,
                "end": 1,
            }
        ],
    }
    page.route(
        "**/api/v1/ask",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body=json.dumps(hostile_answer),
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    _open_widget(page, demo).click()
    _widget_ask(page, HOSTILE + " Frage", "Antwort")
    page.locator("#foerderlotse-widget summary").first.click()
    assert page.evaluate("window.__xss") is None
    shadow_imgs = page.evaluate(
        "document.getElementById('foerderlotse-widget').shadowRoot.querySelectorAll('img').length"
    )
    assert shadow_imgs == 0
    assert page.locator("#foerderlotse-widget a[href^=javascript]").count() == 0
    assert HOSTILE in page.locator("#foerderlotse-widget .msg.user").last.inner_text()


def test_widget_works_with_the_keyboard_alone(page, demo: str) -> None:
    _open_widget(page, demo)
    active = (
        "() => { const r = document.getElementById('foerderlotse-widget').shadowRoot; "
        "const a = r.activeElement; return a ? (a.id || a.className || a.tagName) : null; }"
    )
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "bubble"
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "fl-input"  # focus moves into the dialog
    page.keyboard.type("Wie hoch ist die Förderquote in Sachsen?")
    page.keyboard.press("Enter")
    page.locator("#foerderlotse-widget .sources").first.wait_for(timeout=30_000)
    for _ in range(8):  # focus stays trapped inside the open panel
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "() => { const r = document.getElementById('foerderlotse-widget').shadowRoot;"
            " return r.querySelector('.panel').contains(r.activeElement); }"
        )
        assert inside
    live = page.locator("#foerderlotse-widget [aria-live=polite]")
    assert live.count() == 1
    page.keyboard.press("Escape")
    assert page.locator("#foerderlotse-widget .panel").is_hidden()
    assert page.evaluate(active) == "bubble"


def test_page_feedback_is_stored(page, server: str) -> None:
    import sqlite3

    from tests.ui.test_api import _feedback_paths

    page.goto(server + "/")
    _ask_on_page(page, "Wie hoch ist die Förderquote in Sachsen?")
    page.locator(".fl-quote, details summary").first.wait_for(timeout=30_000)
    paths = list(_feedback_paths(server))
    before = sum(sqlite3.connect(p).execute("SELECT COUNT(*) FROM feedback").fetchone()[0] for p in paths)
    buttons = page.locator("button[aria-label]").evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    like = page.get_by_role("button", name=re.compile(r"^(like|gefällt)", re.IGNORECASE)).last
    assert like.count(), buttons
    like.click()
    for _ in range(50):
        after = sum(sqlite3.connect(p).execute("SELECT COUNT(*) FROM feedback").fetchone()[0] for p in paths)
        if after > before:
            break
        page.wait_for_timeout(100)
    assert after == before + 1
