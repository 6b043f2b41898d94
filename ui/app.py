"""One ASGI app: the JSON API, the widget script, the demo host page, and the Gradio chat page at '/'."""

from __future__ import annotations

import html
import re
import uuid
from importlib import resources
from typing import Any

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response

from assistant.answer import SOURCE_PREFIX
from assistant.models import Answer
from assistant.pipeline import Assistant, clean_question
from core.errors import FoerderlotseError
from core.settings import Settings
from index.documents import KIND_LABELS
from ui import api
from ui.admin import AdminGuard, install_admin
from ui.middleware import AccessLog, BodyLimit, RateLimit, SecurityHeaders

EXAMPLES = [
    "Bis wann konnten in Sachsen Projektvorschläge eingereicht werden?",
    "Wie hoch ist die Förderquote bei Civic Innovation?",
    "Wer ist beim BMAS-Programm antragsberechtigt?",
    "Welche Fristen laufen noch?",
]
LOADING = "Antwort wird gesucht …"
BUSY = "Der Dienst ist gerade ausgelastet. Bitte gleich noch einmal versuchen."

# High-contrast colours (WCAG 2.1 AA: text >= 4.5:1 on its background), strong focus rings, and a
# layout that keeps the question box and the chat in one screen (desktop and phone).
PAGE_CSS = """
.fl-notice { background:#fff4ce; color:#3d2c00; border-left:4px solid #8a6100; padding:.5em .75em; }
.fl-quote { color:#1f2328; }
.fl-kind { font-weight:600; font-size:inherit; }
.fl-loading { font-style:italic; }
.fl-hint { color:#8b0000; font-weight:600; margin:0; }
a.fl-ref { color:#0b4f9c; font-weight:600; text-decoration:underline; }
button.primary, .primary { background:#0b5cad !important; border-color:#0b5cad !important; color:#fff !important; }
button.primary[disabled] { background:#57606a !important; border-color:#57606a !important; cursor:wait; }
/* Gradio fades a disabled button to half opacity and animates every change; the send button shows
   its own grey while busy and changes at once, so its contrast holds at every moment. */
button.primary, button.primary[disabled] { opacity:1 !important; filter:none !important; transition:none !important; }
details summary { cursor:pointer; color:#0b4f9c; text-decoration:underline; }
#fl-head h1 { font-size:1.4rem; margin:0; }
#fl-head p { margin:.15rem 0 0; }
@media (max-width: 600px) { #fl-head p { display:none; } }  /* the question box stays in view on a phone */
textarea, input, select { font-size:16px !important; }
/* Gradio's own progress text is English ("processing | 0.6s"); the chat shows a German loading state. */
[data-testid="status-tracker"] { display:none !important; }
:focus-visible, #frage textarea:focus, #fl-programm input:focus {
  outline:3px solid #0b4f9c !important; outline-offset:2px !important; box-shadow:0 0 0 5px #ffffff !important; }
"""

# Runs in the page: German names for Gradio's own controls, the newest answer scrolled to its start
# (not to its end), [n] links that open their source, and the programme list closed when focus leaves.
PAGE_HEAD = """
<script>
(function () {
  var LABELS = {"chatbot conversation": "Gespräch", "Copy message": "Nachricht kopieren",
    "Copied message": "Nachricht kopiert",
    "Copy conversation": "Gespräch kopieren", "Copied conversation": "Gespräch kopiert",
    "Like": "Gefällt mir", "Dislike": "Gefällt mir nicht",
    "Clear": "Leeren", "Scroll down": "Nach unten", "Copy": "Kopieren", "Share": "Teilen",
    "Retry": "Erneut versuchen", "Undo": "Rückgängig", "Edit": "Bearbeiten"};
  var seen = null;
  function german() {
    document.querySelectorAll("[aria-label]").forEach(function (node) {
      var name = LABELS[node.getAttribute("aria-label")];
      if (name) node.setAttribute("aria-label", name);
    });
    document.querySelectorAll("button[title]").forEach(function (node) {
      var name = LABELS[node.getAttribute("title")];
      if (name) node.setAttribute("title", name);
    });
  }
  function scrollToNewest() {
    var bots = document.querySelectorAll("#fl-chat .message.bot, #fl-chat [data-testid=bot]");
    if (!bots.length) return;
    var last = bots[bots.length - 1];
    var key = bots.length + ":" + last.textContent.length;
    if (key === seen) return;
    seen = key;
    var box = last.parentElement;
    while (box && box !== document.body) {
      var style = getComputedStyle(box);
      if (/(auto|scroll)/.test(style.overflowY) && box.scrollHeight > box.clientHeight) break;
      box = box.parentElement;
    }
    if (!box || box === document.body) return;
    // the question too, where it leaves most of the view to the answer
    var users = document.querySelectorAll("#fl-chat .message.user, #fl-chat [data-testid=user]");
    var target = last, question = users.length ? users[users.length - 1] : null;
    if (question && last.getBoundingClientRect().top - question.getBoundingClientRect().top < box.clientHeight / 3) {
      target = question;
    }
    box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; german(); scrollToNewest(); });
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-label", "title"]});
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.fl-ref");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.open = true;
    target.scrollIntoView({block: "nearest"});
    var summary = target.querySelector("summary");
    if (summary) summary.focus();
  });
  document.addEventListener("focusout", function (event) {
    var drop = document.getElementById("fl-programm");
    if (!drop || !drop.contains(event.target)) return;
    setTimeout(function () {
      if (drop.contains(document.activeElement)) return;
      var input = drop.querySelector("input");
      if (input) input.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));
      if (input) input.blur();
    }, 0);
  });
})();
</script>
"""

# "Laut Förderaufruf (Pressemitteilung, nicht die Richtlinie selbst): " before a sentence, as the
# answerer writes it: said once where the sentences before it already said the same.
_KINDS = "|".join(re.escape(prefix[1:]) for prefix in SOURCE_PREFIX.values())  # "aut Förderrichtlinie", ...
_ATTRIBUTION = re.compile(r"(?P<lead>(?:^|(?<=\] ))(?:[^\[\]:]{0,60}? – )?)[Ll](?P<attr>" + _KINDS + r"):\s*")


def once_per_source(text: str) -> str:
    """The source kind said once: a sentence's attribution is dropped where it repeats the one before."""
    out, last, pos = [], None, 0
    for m in _ATTRIBUTION.finditer(text):
        attr = m.group("attr")
        if attr == last:
            out.append(text[pos : m.start()])
            lead = m.group("lead")
            rest = text[m.end() : m.end() + 1]
            out.append(lead + (rest.upper() if not lead else rest))
            pos = m.end() + 1
        last = attr
    out.append(text[pos:])
    return "".join(out)


def _answer_html(text: str, key: str, known: set[int]) -> str:
    """The answer text, escaped, each [n] a link to its source below."""

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a class="fl-ref" href="#fl-{key}-{n}" aria-label="Quelle {n}">[{n}]</a>'

    return re.sub(r"\[(\d{1,3})\]", link, html.escape(once_per_source(text)))


def render_markdown(answer: Answer, key: str | None = None, *, announce: bool = True) -> str:
    """Answer, warnings and numbered citations as Markdown; all document text is escaped. Only
    the newest answer's notices are announced (role="alert"); `key` makes the source ids unique."""
    key = key or uuid.uuid4().hex[:8]
    parts = [_answer_html(answer.answer, key, {c.n for c in answer.citations})]
    role = ' role="alert"' if announce else ""
    parts += [f'<p class="fl-notice"{role}><strong>Hinweis:</strong> {html.escape(n)}</p>' for n in answer.notices]
    if answer.citations:
        parts.append("**Quellen**")
    for c in answer.citations:
        link = (
            (f' – <a href="{html.escape(c.url, quote=True)}" target="_blank" rel="noopener">Quelle öffnen</a>')
            if c.url
            else ""
        )
        section = f", Abschnitt {html.escape(c.section)}" if c.section else ""
        kind = KIND_LABELS.get(c.kind, "")
        kind_html = f'<span class="fl-kind">{html.escape(kind)}:</span> ' if kind else ""
        parts.append(
            f'<details id="fl-{key}-{c.n}"><summary>[{c.n}] {kind_html}{html.escape(c.title)}{section}</summary>\n\n'
            f'<blockquote class="fl-quote">„{html.escape(" ".join(c.quote.split()))}“{link}</blockquote>\n'
            "</details>"
        )
    return "\n\n".join(parts)


def _silenced(content: Any) -> Any:
    """A past message's notices, no longer announced."""
    if isinstance(content, str):
        return content.replace(' role="alert"', "")
    if isinstance(content, list):
        return [_silenced(part) for part in content]
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return {**content, "text": _silenced(content["text"])}
    return content


def _static(name: str) -> str:
    return resources.files("ui").joinpath(name).read_text(encoding="utf-8")


def _origin(request: Request) -> str:
    """The origin the browser used to reach this server (for the demo page's script tag)."""
    return str(request.base_url).rstrip("/")


def build_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    served = api.Served(settings, assistant)
    app = FastAPI(
        title="Förderlotse",
        version="0.1.0",
        description="Antworten aus Förderrichtlinien, jede Aussage mit wörtlichem Beleg.",
    )
    gate = api.install(app, settings, served)  # one gate for API and page: one store lock
    widget_js = _static("static/widget.js").replace("{{MAX_QUESTION_CHARS}}", str(settings.max_question_chars))
    widget_css, demo_page = _static("static/widget.css"), _static("demo/index.html")
    cached = {"Cache-Control": "public, max-age=300"}

    @app.get("/healthz", summary="Prozess läuft")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_script() -> Response:
        return Response(widget_js, media_type="application/javascript; charset=utf-8", headers=cached)

    @app.api_route("/widget.css", methods=["GET", "HEAD"], include_in_schema=False)
    def widget_style() -> Response:
        return Response(widget_css, media_type="text/css; charset=utf-8", headers=cached)

    @app.api_route("/demo", methods=["GET", "HEAD"], include_in_schema=False)
    def demo(request: Request) -> HTMLResponse:
        return HTMLResponse(demo_page.replace("{{FOERDERLOTSE_URL}}", html.escape(_origin(request), quote=True)))

    titles = served.assistant.answerer.programme_titles

    def start(message: str, history: list[dict]) -> tuple[Any, ...]:
        """Step 1, at once: the question checked, shown in the chat with a German loading state."""
        try:
            text = clean_question(message, settings.max_question_chars)
        except FoerderlotseError as exc:  # empty or too long: said, and the question stays in the box
            hint = f'<p class="fl-hint" role="alert">{html.escape(exc.message)}</p>'
            return gr.update(), history, gr.update(), hint, None
        history = [{**m, "content": _silenced(m["content"])} for m in history]
        shown = [
            *history,
            {"role": "user", "content": html.escape(text)},  # the user's words shown as text
            {"role": "assistant", "content": f'<p class="fl-loading" role="status">{LOADING}</p>'},
        ]
        return gr.update(interactive=False), shown, gr.update(interactive=False, value="Bitte warten …"), "", text

    def finish(pending: str | None, history: list[dict], programme: str | None) -> tuple[Any, ...]:
        """Step 2: the answer replaces the loading state; the box is cleared and usable again."""
        if pending is None:
            return gr.update(), history, gr.update()
        try:
            with gate.slot() as current:
                answer = current.ask(pending, programme=programme or None)
            content = render_markdown(answer)
        except api.Saturated:
            content = f'<p class="fl-notice" role="alert"><strong>Fehler:</strong> {BUSY}</p>'
        except FoerderlotseError as exc:
            content = f'<p class="fl-notice" role="alert"><strong>Fehler:</strong> {html.escape(exc.message)}</p>'
        history = [*history[:-1], {"role": "assistant", "content": content}]
        return gr.update(value="", interactive=True), history, gr.update(value="Fragen", interactive=True)

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
            "Hinweise zu Fristen und Gültigkeit stehen gelb hervorgehoben.",
            elem_id="fl-head",
        )
        programme = gr.Dropdown(
            choices=[("Alle Programme", "")] + [(titles.get(p, p), p) for p in served.assistant.programmes],
            value="",
            label="Programm",
            elem_id="fl-programm",
            filterable=False,
        )
        chatbot = gr.Chatbot(
            label="Gespräch",
            show_label=False,
            buttons=["copy"],
            elem_id="fl-chat",
            height="calc(100dvh - 360px)",
            min_height=220,
            autoscroll=False,
            feedback_options=("Like", "Dislike"),
        )
        hint = gr.HTML("", elem_id="fl-hinweis")  # above the box: in view with it
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                placeholder="Ihre Frage …", label="Frage", elem_id="frage", scale=5, min_width=180, lines=1
            )
            send = gr.Button("Fragen", variant="primary", scale=1, min_width=90, elem_id="fl-senden")
        pending = gr.State(None)
        consent = gr.Checkbox(False, label="Meine Frage darf mit der Bewertung gespeichert werden")
        gr.Examples(EXAMPLES, inputs=[question], label="Beispielfragen")
        for trigger in (question.submit, send.click):
            trigger(
                start,
                [question, chatbot],
                [question, chatbot, send, hint, pending],
                queue=False,
                show_progress="hidden",
            ).then(finish, [pending, chatbot, programme], [question, chatbot, send], show_progress="hidden")
        chatbot.like(record_feedback, [chatbot, consent], None)

    app.state.admin_builds = install_admin(app, settings)  # before the page takes '/'
    app = gr.mount_gradio_app(app, page, path="/", css=PAGE_CSS, head=PAGE_HEAD, footer_links=[])
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
    """Serve the app; says where it listens once it does. Other local commands find it there."""
    import signal
    import socket
    import sys

    import uvicorn

    from ui.local import local_url, remove_record, write_record

    app = build_app(settings)  # opens the index first: a locked or missing index fails here
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise FoerderlotseError(
            f"Adresse {settings.host}:{settings.port} ist nicht verfügbar ({exc.strerror or exc}). "
            "Anderen Port wählen: foerderlotse serve --port …",
            code="address_unavailable",
        ) from exc
    url = local_url(settings.host, settings.port)
    write_record(settings, url)
    print(
        f"Förderlotse läuft auf {url}/ (Schnittstelle {url}/api/v1, Widget-Beispiel {url}/demo). Beenden mit Strg+C.",
        flush=True,
    )
    # uvicorn shuts down on SIGTERM and then raises it again: end with SystemExit, not the default
    # handler, so that the record below is removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    finally:
        remove_record(settings)
        sock.close()
