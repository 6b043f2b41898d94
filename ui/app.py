"""One ASGI app: FastAPI for the endpoints, the Gradio chat page mounted at '/'."""

from __future__ import annotations

import html
import threading

import gradio as gr
from fastapi import FastAPI

from assistant.errors import FoerderlotseError
from assistant.models import Answer
from assistant.pipeline import Assistant
from assistant.settings import Settings

EXAMPLES = [
    "Bis wann konnten in Sachsen Projektvorschläge eingereicht werden?",
    "Wie hoch ist die Förderquote bei Civic Innovation?",
    "Wer ist beim BMAS-Programm antragsberechtigt?",
]


def render_markdown(answer: Answer) -> str:
    """Answer, warnings and numbered citations as Markdown; all document text is escaped."""
    parts = [html.escape(answer.answer)]
    parts += [f"> ⚠️ **Hinweis:** {html.escape(n)}" for n in answer.notices]
    if answer.citations:
        parts.append("**Quellen**")
    for c in answer.citations:
        link = f" – [Quelle öffnen]({c.url})" if c.url else ""
        section = f", Abschnitt {html.escape(c.section)}" if c.section else ""
        parts.append(
            f"<details><summary>[{c.n}] {html.escape(c.title)}{section}</summary>\n\n"
            f"> „{html.escape(' '.join(c.quote.split()))}“{link}\n</details>"
        )
    return "\n\n".join(parts)


def build_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    assistant = assistant or Assistant(settings)
    lock = threading.Lock()  # the embedded Qdrant client is used by one thread at a time
    app = FastAPI(title="Förderlotse", version="0.1.0")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def respond(message: str, history: list, programme: str | None) -> str:
        try:
            with lock:
                answer = assistant.ask(message, programme=programme or None)
        except FoerderlotseError as exc:
            return f"**Fehler:** {html.escape(exc.message)}"
        return render_markdown(answer)

    with gr.Blocks(title="Förderlotse") as page:
        gr.Markdown("# Förderlotse\nFragen zu Förderrichtlinien – jede Aussage mit Quelle.")
        programme = gr.Dropdown(
            choices=[("Alle Programme", "")] + [(p, p) for p in assistant.programmes],
            value="", label="Programm",
        )
        gr.ChatInterface(
            respond, additional_inputs=[programme], examples=[[e, ""] for e in EXAMPLES],
            chatbot=gr.Chatbot(label="Gespräch", height=520),
            textbox=gr.Textbox(placeholder="Ihre Frage …", label="Frage"),
        )
    return gr.mount_gradio_app(app, page, path="/")


def serve(settings: Settings) -> None:
    import uvicorn

    uvicorn.run(build_app(settings), host=settings.host, port=settings.port, log_level="warning")
