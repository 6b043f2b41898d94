"""One ASGI app: the JSON API, the widget script, and the Gradio chat page mounted at '/'."""

from __future__ import annotations

import html
import uuid
from importlib import resources

import gradio as gr
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response

from assistant.models import Answer
from assistant.pipeline import Assistant
from core.errors import FoerderlotseError
from core.settings import Settings
from ui import api
from ui.admin import AdminGuard, install_admin
from ui.middleware import AccessLog, BodyLimit, RateLimit, SecurityHeaders

EXAMPLES = [
    "Bis wann konnten in Sachsen Projektvorschläge eingereicht werden?",
    "Wie hoch ist die Förderquote bei Civic Innovation?",
    "Wer ist beim BMAS-Programm antragsberechtigt?",
    "Welche Fristen laufen noch?",
]

# High-contrast colours (WCAG 2.1 AA: text >= 4.5:1 on its background).
PAGE_CSS = """
.fl-notice { background:#fff4ce; color:#3d2c00; border-left:4px solid #8a6100; padding:.5em .75em; }
.fl-quote { color:#1f2328; }
button.primary, .primary { background:#0b5cad !important; border-color:#0b5cad !important; color:#fff !important; }
details summary { cursor:pointer; color:#0b4f9c; text-decoration:underline; }
details summary:focus-visible { outline:3px solid #0b4f9c; outline-offset:2px; }
"""


def render_markdown(answer: Answer) -> str:
    """Answer, warnings and numbered citations as Markdown; all document text is escaped."""
    parts = [html.escape(answer.answer)]
    parts += [
        f'<p class="fl-notice" role="alert"><strong>Hinweis:</strong> {html.escape(n)}</p>' for n in answer.notices
    ]
    if answer.citations:
        parts.append("**Quellen**")
    for c in answer.citations:
        link = (
            (f' – <a href="{html.escape(c.url, quote=True)}" target="_blank" rel="noopener">Quelle öffnen</a>')
            if c.url
            else ""
        )
        section = f", Abschnitt {html.escape(c.section)}" if c.section else ""
        parts.append(
            f"<details><summary>[{c.n}] {html.escape(c.title)}{section}</summary>\n\n"
            f'<blockquote class="fl-quote">„{html.escape(" ".join(c.quote.split()))}“{link}</blockquote>\n'
            "</details>"
        )
    return "\n\n".join(parts)


def _static(name: str) -> str:
    return resources.files("ui").joinpath(f"static/{name}").read_text(encoding="utf-8")


def build_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    served = api.Served(settings, assistant)
    app = FastAPI(
        title="Förderlotse",
        version="0.1.0",
        description="Antworten aus Förderrichtlinien, jede Aussage mit wörtlichem Beleg.",
    )
    gate = api.install(app, settings, served)  # one gate for API and page: one store lock
    widget_js, widget_css = _static("widget.js"), _static("widget.css")

    @app.get("/healthz", summary="Prozess läuft")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/widget.js", include_in_schema=False)
    def widget_script() -> Response:
        return Response(
            widget_js,
            media_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    @app.get("/widget.css", include_in_schema=False)
    def widget_style() -> Response:
        return Response(
            widget_css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=300"}
        )

    def answer_markdown(message: str, programme: str | None) -> str:
        try:
            with gate.slot() as current:
                answer = current.ask(message, programme=programme or None)
        except api.Saturated:
            return "**Fehler:** Der Dienst ist gerade ausgelastet. Bitte gleich noch einmal versuchen."
        except FoerderlotseError as exc:
            return f"**Fehler:** {html.escape(exc.message)}"
        return render_markdown(answer)

    def submit(message: str, history: list[dict], programme: str | None) -> tuple[str, list[dict]]:
        if not message or not message.strip():
            return "", history
        # The user's words are shown as text too: escaped before Gradio renders the message.
        return "", [
            *history,
            {"role": "user", "content": html.escape(message)},
            {"role": "assistant", "content": answer_markdown(message, programme)},
        ]

    def record_feedback(data: gr.LikeData, history: list, consent: bool) -> None:
        question = None
        if consent and isinstance(data.index, int) and data.index > 0:
            earlier = history[data.index - 1]
            question = html.unescape(earlier["content"]) if isinstance(earlier, dict) else None
        app.state.feedback.add(
            uuid.uuid4().hex, bool(data.liked), None, question if isinstance(question, str) else None
        )

    with gr.Blocks(title="Förderlotse") as page:
        gr.Markdown(
            "# Förderlotse\nFragen zu Förderrichtlinien – jede Aussage mit wörtlichem Beleg. "
            "Hinweise zu abgelaufenen Fristen und Richtlinien stehen gelb hervorgehoben."
        )
        programme = gr.Dropdown(
            choices=[("Alle Programme", "")] + [(p, p) for p in served.assistant.programmes],
            value="",
            label="Programm",
        )
        chatbot = gr.Chatbot(label="Gespräch", height=520, feedback_options=("Like", "Dislike"))
        with gr.Row():
            question = gr.Textbox(placeholder="Ihre Frage …", label="Frage", elem_id="frage", scale=5)
            send = gr.Button("Fragen", variant="primary", scale=1)
        gr.Examples(EXAMPLES, inputs=[question], label="Beispielfragen")
        consent = gr.Checkbox(False, label="Meine Frage darf mit der Bewertung gespeichert werden")
        question.submit(submit, [question, chatbot, programme], [question, chatbot])
        send.click(submit, [question, chatbot, programme], [question, chatbot])
        chatbot.like(record_feedback, [chatbot, consent], None)

    app.state.admin_builds = install_admin(app, settings)  # before the page takes '/'
    app = gr.mount_gradio_app(app, page, path="/", css=PAGE_CSS, footer_links=[])
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(SecurityHeaders, origins=settings.origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    app.add_middleware(AccessLog)
    if settings.admin_token is not None:  # outermost: no CORS origin ever reaches /admin
        app.add_middleware(AdminGuard, upload_limit=settings.admin_max_upload_bytes)
    return app


def serve(settings: Settings) -> None:
    import uvicorn

    uvicorn.run(build_app(settings), host=settings.host, port=settings.port, log_level="warning")
