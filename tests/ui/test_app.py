"""The served app over real HTTP on a loopback port."""

import httpx
import pytest

from assistant.pipeline import Assistant
from ui.app import render_markdown

pytestmark = pytest.mark.slow


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
