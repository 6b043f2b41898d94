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


VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def _tab(browser, width: int, height: int):
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="de-DE", is_mobile=phone, has_touch=phone
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, tab, errors


@pytest.fixture()
def page(browser):
    context, tab, errors = _tab(browser, 1200, 900)
    yield tab
    context.close()
    assert not errors, errors


@pytest.fixture(params=list(VIEWPORTS))
def sized(browser, request):
    """A tab at 1280x800 (desktop) or 390x844 (phone, with touch and the mobile viewport rules)."""
    width, height = VIEWPORTS[request.param]
    context, tab, errors = _tab(browser, width, height)
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
    field = _widget_field(page)
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


# -- the page at both sizes: what a new user sees -------------------------------------------------
SAXONY_DEADLINE = "Bis wann kann man in Sachsen Projektvorschläge einreichen?"


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


def _newest_answer(page):
    return page.locator("#fl-chat .message.bot").last


def _wait_answered(page, answers: int = 1) -> None:
    """Until the chat holds `answers` answers, none of them still loading, and the button is back."""
    page.wait_for_function(
        "n => document.querySelectorAll('#fl-chat .message.bot').length === n"
        " && !document.querySelector('#fl-chat .fl-loading')"
        " && !document.querySelector('#fl-senden').disabled",
        arg=answers,
        timeout=60_000,
    )


def test_page_keeps_question_box_and_answer_start_in_view(sized, server: str, served_app) -> None:
    page = sized
    page.goto(server + "/")
    box = page.locator("#frage textarea")
    box.wait_for()
    assert _in_view(page, box), box.bounding_box()
    store = served_app.state.gate._store  # held by the test: the answer waits, the loading state shows
    store.acquire()
    try:
        box.fill(SAXONY_DEADLINE)
        box.press("Enter")
        loading = page.locator("#fl-chat .fl-loading")
        loading.wait_for(timeout=10_000)
        assert "Antwort wird gesucht" in loading.inner_text()
        assert page.locator("#fl-senden").is_disabled()
        assert page.locator("#fl-chat .message.user").last.inner_text().strip() == SAXONY_DEADLINE
        assert "processing" not in page.locator("body").inner_text().lower()
    finally:
        store.release()
    _wait_answered(page)
    answer = _newest_answer(page)
    assert "Mai 2026" in answer.inner_text()
    page.wait_for_timeout(300)  # the scroll follows the next frame
    start = answer.locator("p, span").first
    chat = page.locator("#fl-chat [role=log]").first
    top, frame = start.bounding_box()["y"], chat.bounding_box()
    assert frame["y"] - 1 <= top <= frame["y"] + frame["height"] - 20, (top, frame)
    assert _in_view(page, box) and box.input_value() == ""
    assert page.locator("#fl-senden").is_enabled()
    page.screenshot(path=str(OUT / f"page-{page.viewport_size['width']}.png"))


def test_page_says_why_a_question_is_not_sent(sized, server: str) -> None:
    page = sized
    page.goto(server + "/")
    box = page.locator("#frage textarea")
    box.wait_for()
    page.locator("#fl-senden").click()
    hint = page.locator("#fl-hinweis .fl-hint")
    hint.wait_for(timeout=10_000)
    assert "Bitte geben Sie eine Frage ein" in hint.inner_text()
    assert page.locator("#fl-chat .message").count() == 0
    long = "Wie hoch ist die Förderquote? " * 80  # 2400 characters, over the limit of 2000
    box.fill(long)
    box.press("Enter")
    page.get_by_text(re.compile("höchstens 2000")).wait_for(timeout=10_000)
    assert "zu lang" in hint.inner_text()
    assert box.input_value() == long  # nothing cut, nothing lost
    assert page.locator("#fl-chat .message").count() == 0
    assert _in_view(page, hint)


def test_page_links_sources_names_kind_once_and_announces_only_the_newest_notice(page, server: str) -> None:
    page.goto(server + "/")
    box = page.locator("#frage textarea")
    for n in (1, 2):  # the same deadline twice: two answers with notices
        box.fill(SAXONY_DEADLINE)
        box.press("Enter")
        _wait_answered(page, n)
    answers = page.locator("#fl-chat .message.bot")
    assert answers.count() == 2
    newest = answers.last
    alerts = page.locator("#fl-chat [role=alert]")
    assert alerts.count() == newest.locator(".fl-notice").count() >= 1
    assert newest.locator("[role=alert]").count() == alerts.count()
    assert answers.first.locator(".fl-notice").count() >= 1 and answers.first.locator("[role=alert]").count() == 0
    text = newest.locator("p").first.inner_text()
    assert text.count("Laut Förderaufruf") <= 1 and text.count("[") >= 2, text
    assert "Förderaufruf (Pressemitteilung)" in newest.locator("summary").first.inner_text()
    link = newest.locator("a.fl-ref").first
    number = link.inner_text().strip("[]")
    link.click()
    opened = newest.locator("details[open]")
    opened.wait_for(timeout=5_000)
    assert opened.locator("summary").inner_text().startswith(f"[{number}]")
    assert opened.locator("blockquote").inner_text().strip()


def test_page_programme_titles_focus_and_german_names(page, server: str) -> None:
    page.goto(server + "/")
    chooser = page.locator("#fl-programm input")
    chooser.wait_for()
    chooser.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    names = options.all_inner_texts()
    assert any("Modellvorhaben für soziale Innovationen (Sachsen)" in n for n in names), names
    assert not any(re.search(r"\bsn-|civic-innovation", n) for n in names), names
    page.keyboard.press("Tab")  # the list closes when focus moves on; it does not cover the chat
    page.wait_for_timeout(300)
    assert page.get_by_role("option").count() == 0
    box = page.locator("#frage textarea")
    box.focus()
    ring = box.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }")
    assert ring[0] == "solid" and float(ring[1].removesuffix("px")) >= 3, ring
    _ask_on_page(page, "Wie hoch ist die Förderquote in Sachsen?")
    _wait_answered(page)
    page.wait_for_timeout(300)
    labels = page.evaluate("[...document.querySelectorAll('[aria-label]')].map(n => n.getAttribute('aria-label'))")
    english = {"chatbot conversation", "Copy message", "Like", "Dislike", "Copy conversation"}
    assert not english & set(labels), labels
    assert page.get_by_role("log", name="Gespräch").count() == 1
    assert page.get_by_role("button", name="Gefällt mir", exact=True).count() >= 1


# -- the widget: hints, the answer's start, phone sizes, the demo page served by the app ------------
def _widget_field(page):
    return page.locator("#foerderlotse-widget #fl-input")


def test_widget_says_the_limit_instead_of_cutting(sized, server: str) -> None:
    page = sized
    _open_widget(page, server + "/demo").click()
    field = _widget_field(page)
    field.press("Enter")
    hint = page.locator("#foerderlotse-widget #fl-hint")
    assert "Bitte geben Sie eine Frage ein" in hint.inner_text()
    long = "Wie hoch ist die Förderquote? " * 80
    field.fill(long)
    assert field.input_value() == long  # no maxlength: nothing cut while typing
    field.press("Enter")
    assert "höchstens 2000" in hint.inner_text() and "zu lang" in hint.inner_text()
    assert field.input_value() == long
    assert page.locator("#foerderlotse-widget .msg.user").count() == 0
    assert field.evaluate("e => getComputedStyle(e).fontSize") == "16px"  # iOS does not zoom
    assert _in_view(page, hint)


def test_widget_demo_page_fits_a_phone_and_shows_the_answer_start(sized, server: str) -> None:
    page = sized
    page.goto(server + "/demo")
    width = page.viewport_size["width"]
    assert page.evaluate("window.innerWidth") == width  # the viewport meta: no 980 px desktop layout
    bubble = page.locator("#foerderlotse-widget .bubble")
    bubble.click()
    panel = page.locator("#foerderlotse-widget .panel")
    assert _in_view(page, panel)
    field = _widget_field(page)
    field.fill("Bis wann kann man in Sachsen Projektvorschläge einreichen?")
    field.press("Enter")
    answer = page.locator("#foerderlotse-widget .msg.bot .sources").last.locator("xpath=..")
    answer.wait_for(timeout=60_000)
    page.wait_for_timeout(100)
    log = page.locator("#foerderlotse-widget .log").bounding_box()
    start = answer.locator("p").first.bounding_box()
    assert log["y"] <= start["y"] <= log["y"] + log["height"] - 20, (start, log)
    assert page.locator("#foerderlotse-widget .loading").count() == 0
    page.screenshot(path=str(OUT / f"widget-{width}.png"))


def test_widget_announces_only_the_newest_error(page, demo: str) -> None:
    page.route(
        "**/api/v1/ask",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"error": {"code": "busy", "message": "Der Dienst ist gerade ausgelastet."}}),
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    _open_widget(page, demo).click()
    field = _widget_field(page)
    for n in (1, 2):
        field.fill("Wie hoch ist die Förderquote in Sachsen?")
        field.press("Enter")
        page.locator("#foerderlotse-widget .msg.error").nth(n - 1).wait_for(timeout=10_000)
        page.locator("#foerderlotse-widget form button:not([disabled])").wait_for()
    errors = page.locator("#foerderlotse-widget .msg.error")
    assert errors.count() == 2
    assert page.locator("#foerderlotse-widget [role=alert]").count() == 1
    assert errors.last.get_attribute("role") == "alert"
    assert field.input_value() == "Wie hoch ist die Förderquote in Sachsen?"  # kept to send again


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def _serious_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now (open shadow roots included)."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ("
        "{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_page_has_no_serious_accessibility_violations(sized, server: str) -> None:
    page = sized
    page.goto(server)
    _ask_on_page(page, "Wie hoch ist die Förderquote bei Civic Innovation?")
    _wait_answered(page)
    assert _serious_violations(page) == []


def test_send_button_keeps_its_contrast_while_busy_and_does_not_fade(page, server: str) -> None:
    # Gradio fades a disabled button to half opacity and animates the way back; a check of the page
    # right after an answer then caught the button mid-fade below the contrast minimum.
    page.goto(server)
    button = page.locator("#fl-senden")
    button.wait_for()
    style = "b => { const s = getComputedStyle(b); return [s.opacity, s.transitionDuration, s.backgroundColor]; }"
    assert button.evaluate(style)[:2] == ["1", "0s"]
    button.evaluate("b => { b.disabled = true; }")
    opacity, duration, background = button.evaluate(style)
    assert (opacity, duration) == ("1", "0s")
    assert background == "rgb(87, 96, 106)"  # the busy grey, 6.4:1 against the white label


def test_widget_has_no_serious_accessibility_violations(sized, server: str) -> None:
    page = sized
    _open_widget(page, server + "/demo").click()
    field = _widget_field(page)
    field.fill("Wie hoch ist die Förderquote bei Civic Innovation?")
    field.press("Enter")
    page.locator("#foerderlotse-widget .msg.bot .sources").last.wait_for(timeout=60_000)
    assert _serious_violations(page) == []


def test_the_accessibility_check_finds_what_it_should(page) -> None:
    """The check above can fail: a button without a name and an image without alt are reported."""
    page.set_content('<html lang="de"><body><main><button></button><img src="x.png"></main></body></html>')
    assert {v["id"] for v in _serious_violations(page)} >= {"button-name", "image-alt"}
