"""The served app over real HTTP on a loopback port."""

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from assistant.pipeline import Assistant
from ui.app import build_app, render_markdown

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(assistant: Assistant):
    port = _free_port()
    config = uvicorn.Config(build_app(assistant.settings, assistant), host="127.0.0.1", port=port,
                            log_level="warning")  # fmt: skip
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


def test_health_and_page_are_served(server: str) -> None:
    assert httpx.get(server + "/healthz").json() == {"status": "ok"}
    page = httpx.get(server + "/", follow_redirects=True)
    assert page.status_code == 200 and "<html" in page.text.lower()


def test_rendered_answer_escapes_document_text(assistant: Assistant) -> None:
    answer = assistant.ask("Wie hoch ist die Förderquote in Sachsen?")
    hostile = answer.model_copy(update={"answer": "<img src=x onerror=alert(1)> [1]"})
    html = render_markdown(hostile)
    assert "<img" not in html and "&lt;img" in html
    assert "[1]" in html and "95 Prozent" in html
