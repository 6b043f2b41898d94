"""The document admin page at /admin: upload, review, correct and remove guideline documents, and
start a rebuild, in the browser. Off unless FOERDERLOTSE_ADMIN_TOKEN is set.

Safety: login with the token (compared in constant time) gives a session cookie (HttpOnly,
SameSite=Strict, path /admin); every form carries the session's CSRF token; a request with a
foreign Origin is refused before anything else sees it, so the widget's CORS origins never reach
/admin. An upload is checked in a quarantine folder (type by content, size, text readable in a
child process with a memory and time limit) before it is moved into the corpus; nothing uploaded
is executed or served back. A removed document is moved aside, never deleted. A rebuild is the
normal index build: the served index changes only when it succeeded (generation switch).
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from index.build import build_index
from index.documents import SUPPORTED_SUFFIXES, DocumentMeta, load_corpus, load_document
from index.formats import SIDECAR_SUFFIX, find_sidecar
from index.review import FIELD_LABELS as REVIEW_LABELS
from index.review import REVIEWED, origin_label, review
from ui.middleware import TooLarge, declared_too_large, limited

COOKIE = "foerderlotse_admin"
SESSION_SECONDS = 8 * 3600
MAX_SESSIONS = 32
FORM_BYTES = 64_000  # every admin request but an upload
REMOVED_DIR = ".entfernt"  # removed documents go here, inside the corpus folder (ignored by the loader)
EDITABLE = REVIEWED  # the fields `foerderlotse documents` reviews, deadlines aside
_FORMAT = {
    "kind": "guideline, call, background",
    "region": "DE oder DE-XX",
    "published": "JJJJ-MM-TT",
    "valid_from": "JJJJ-MM-TT",
    "valid_until": "JJJJ-MM-TT",
}
FIELD_LABELS = {
    name: f"{REVIEW_LABELS[name]} ({_FORMAT[name]})" if name in _FORMAT else REVIEW_LABELS[name] for name in EDITABLE
}
# What a file's first bytes must be, by its suffix; executables never pass.
_EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
# The child process that reads an upload: the same loader the index build uses.
_READ_CHILD = (
    "import json, resource, sys\n"
    "from pathlib import Path\n"
    "limit = int(sys.argv[2])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "from index.documents import load_document\n"
    "try:\n"
    "    doc = load_document(Path(sys.argv[1]))\n"
    "except Exception as exc:\n"
    "    print(json.dumps({'error': str(exc).splitlines()[0] if str(exc) else type(exc).__name__}))\n"
    "else:\n"
    "    print(json.dumps({'id': doc.id, 'title': doc.meta.title, 'chars': len(doc.text)}))\n"
)
READ_MEMORY_BYTES = 2_000_000_000
# The admin page is never framed (not even by the widget's origins), loads nothing, posts only to itself.
ADMIN_CSP = (
    b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
READ_SECONDS = 60


class AdminError(Exception):
    """A request the admin page refuses: status and a German message for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class _Session:
    expires: float
    csrf: str


class Sessions:
    """Logged-in browsers: a bounded set of random ids with an expiry and a CSRF token each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}

    def open(self) -> tuple[str, str]:
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._sessions = {k: v for k, v in self._sessions.items() if v.expires > now}
            while len(self._sessions) >= MAX_SESSIONS:  # the oldest goes
                self._sessions.pop(min(self._sessions, key=lambda k: self._sessions[k].expires))
            self._sessions[sid] = _Session(now + SESSION_SECONDS, csrf)
        return sid, csrf

    def csrf_of(self, sid: str | None) -> str | None:
        with self._lock:
            session = self._sessions.get(sid or "")
            if session is None or session.expires <= time.monotonic():
                return None
            return session.csrf

    def close(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


@dataclass
class BuildState:
    running: bool = False
    started: str | None = None
    finished: str | None = None
    ok: bool | None = None
    summary: str = ""
    problems: list[str] = field(default_factory=list)


class Builds:
    """One rebuild at a time, in a background thread; the last one's outcome is kept."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.state = BuildState()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self.state.running:
                raise AdminError(409, "Ein Neuaufbau läuft bereits. Bitte warten, bis er fertig ist.")
            self.state = BuildState(running=True, started=_now())
            self._thread = threading.Thread(target=self._run, name="admin-rebuild", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        state = BuildState(started=self.state.started)
        try:
            report = build_index(self.settings)
        except Exception as exc:  # shown on the page; the served index stays as it was
            state.ok, state.summary = False, f"Neuaufbau fehlgeschlagen: {getattr(exc, 'message', None) or exc}"
        else:
            state.ok = report.ok
            state.problems = [str(p) for p in report.problems]
            state.summary = (
                f"{report.documents} Dokumente, {report.chunks} Abschnitte ({report.added} neu, "
                f"{report.removed} entfernt) in {report.seconds:.0f} s."
            )
        state.finished = _now()
        with self._lock:
            self.state = state


def _now() -> str:
    return dt.datetime.now().strftime("%d.%m.%Y %H:%M:%S")


# -- checking an upload ---------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A plain file name for the corpus folder, or an AdminError."""
    base = Path(name.replace("\\", "/")).name.strip()
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "ohne Endung"
        raise AdminError(
            415, f"Dateityp '{shown}' wird nicht unterstützt. Erlaubt sind PDF, DOCX, HTML, TXT und Markdown (.md)."
        )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80]
    if not stem:
        raise AdminError(400, "Der Dateiname ist leer oder besteht nur aus Sonderzeichen.")
    return stem + suffix


def check_content(suffix: str, data: bytes, limit: int) -> None:
    """The bytes are what the suffix says and small enough; raises an AdminError otherwise."""
    if not data.strip():
        raise AdminError(400, "Die Datei ist leer.")
    if len(data) > limit:
        raise AdminError(413, f"Die Datei ist zu groß (höchstens {limit // 1_000_000} MB).")
    if data.startswith(_EXECUTABLE):
        raise AdminError(415, "Das ist keine Dokumentdatei (ein Programm oder Skript).")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise AdminError(415, "Die Datei endet auf .pdf, ist aber kein PDF.")
    elif suffix == ".docx":
        _check_docx(data, limit)
    else:
        if b"\x00" in data:
            raise AdminError(415, f"Die Datei endet auf {suffix}, enthält aber keinen Text.")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise AdminError(415, "Die Textdatei ist nicht UTF-8-kodiert. Bitte als UTF-8 speichern.") from None


def _check_docx(data: bytes, limit: int) -> None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise AdminError(415, "Die Datei endet auf .docx, ist aber kein Word-Dokument.") from None
    if "word/document.xml" not in names:
        raise AdminError(415, "Die Datei endet auf .docx, ist aber kein Word-Dokument.")
    if unpacked > 20 * limit:
        raise AdminError(413, "Das Word-Dokument ist entpackt zu groß.")


def read_in_child(path: Path) -> dict:
    """Load the document as the index build would, in a child process with a memory and time
    limit, so that a file that unpacks to gigabytes cannot take the server down."""
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            [sys.executable, "-c", _READ_CHILD, str(path), str(READ_MEMORY_BYTES)],
            capture_output=True,
            text=True,
            timeout=READ_SECONDS,
            cwd=root,
        )
    except subprocess.TimeoutExpired:
        raise AdminError(422, "Die Datei ließ sich nicht in angemessener Zeit lesen.") from None
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise AdminError(422, "Die Datei lässt sich nicht lesen (beschädigt oder entpackt zu groß).")
    result = json.loads(lines[-1])
    if "error" in result:
        raise AdminError(422, f"Die Datei lässt sich nicht als Dokument laden: {result['error']}")
    return result


# -- the page -------------------------------------------------------------------------------------

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
section{border-top:1px solid #ccc;margin-top:1rem}h3{font-size:1.05rem}input,select,button{font:inherit;font-size:16px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box}
button{padding:.3rem .8rem}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.error{background:#fde7e9;border-left:4px solid #b3261e;padding:.5rem}
.ok{background:#e6f4ea;border-left:4px solid #137333;padding:.5rem}
.warn{color:#8a4b00}details{margin:.5rem 0}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – Förderlotse</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


def _login_page(message: str = "", status: int = 200) -> HTMLResponse:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return _page(
        "Anmeldung",
        "<h1>Förderlotse: Dokumente verwalten</h1>"
        f"{error}<form method=post action=/admin/login>"
        "<label for=token>Admin-Token</label><input id=token name=token type=password required autofocus "
        "autocomplete=current-password><p><button type=submit>Anmelden</button></p></form>",
        status,
    )


def _hidden(csrf: str) -> str:
    return f'<input type=hidden name=csrf value="{html.escape(csrf)}">'


def _quote(quote: str | None) -> str:
    return f"<details><summary>Beleg</summary><q>{html.escape(quote)}</q></details>" if quote else ""


def _documents_html(settings: Settings, csrf: str) -> str:
    corpus = load_corpus(settings.corpus_dir)
    rows = []
    for doc in corpus.documents:
        meta, seen = doc.meta, review(doc)
        path = html.escape(doc.path)
        shown = "".join(
            f"<li>{html.escape(f.label)}: <strong>{html.escape(str(f.value) if f.value is not None else '–')}"
            f"</strong> <small>({html.escape(origin_label(f.origin))})</small>{_quote(f.quote)}</li>"
            for f in seen.fields
        )
        deadlines = "".join(
            f"<li>{html.escape(d.purpose)}: <strong>{html.escape(d.date)}</strong>"
            f"{' (ab ' + html.escape(d.opens) + ')' if d.opens else ''} "
            f"<small>({html.escape(origin_label(d.origin))})</small>{_quote(d.quote)}</li>"
            for d in seen.deadlines
        )
        warned = "".join(f'<li class="warn">{html.escape(w)}</li>' for w in seen.warnings)
        fields = "".join(
            f'<p><label for="{path}-{name}">{FIELD_LABELS[name]}</label>'
            f'<input type=text id="{path}-{name}" name="{name}" '
            f'value="{html.escape(str(getattr(meta, name) or ""))}"></p>'
            for name in EDITABLE
        )
        rows.append(
            f"<section><h3>{html.escape(meta.title)}</h3><p><small>{path}</small></p>"
            f"<ul>{shown}</ul><p>Fristen:</p><ul>{deadlines or '<li>keine</li>'}</ul>"
            + (f"<ul>{warned}</ul>" if warned else "")
            + f'<details><summary>Angaben korrigieren</summary><form method=post action="/admin/documents/'
            f'{path}/meta">{_hidden(csrf)}{fields}<button type=submit>Speichern</button></form></details>'
            f'<form method=post action="/admin/documents/{path}/remove">{_hidden(csrf)}'
            f'<button type=submit aria-label="{html.escape(meta.title)} entfernen">Entfernen</button></form>'
            "</section>"
        )
    problems = "".join(f"<li>{html.escape(str(p))}</li>" for p in corpus.problems)
    listing = "".join(rows) or "<p>Im Dokumentordner liegen noch keine Dokumente.</p>"
    return listing + (f'<h2>Dateien mit Problemen</h2><ul class="warn">{problems}</ul>' if problems else "")


def _build_html(builds: Builds, csrf: str) -> str:
    state = builds.state
    if state.running:
        status = f"<p>Neuaufbau läuft seit {html.escape(state.started or '')}.</p>"
    elif state.ok is None:
        status = "<p>Seit dem Start des Servers wurde kein Neuaufbau gestartet.</p>"
    else:
        cls = "ok" if state.ok else "error"
        problems = "".join(f"<li>{html.escape(p)}</li>" for p in state.problems)
        status = (
            f'<p class="{cls}">Letzter Neuaufbau ({html.escape(state.finished or "")}): '
            f"{html.escape(state.summary)}</p>" + (f"<ul>{problems}</ul>" if problems else "")
        )
    return (
        f"<h2>Index</h2>{status}<form method=post action=/admin/rebuild>{_hidden(csrf)}"
        "<button type=submit>Index neu aufbauen</button></form>"
        "<p><small>Der bisherige Index bleibt in Betrieb, bis der Neuaufbau erfolgreich war.</small></p>"
    )


# -- wiring -----------------------------------------------------------------------------------------


class AdminGuard:
    """In front of everything for /admin: refuses a foreign Origin (so no CORS origin reaches
    it), strips CORS headers from its responses, and bounds the request body."""

    def __init__(self, app: ASGIApp, upload_limit: int) -> None:
        self.app, self.upload_limit = app, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["path"] == "/admin" or scope["path"].startswith("/admin/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1")
        if origin and urlsplit(origin).netloc != host:
            await _plain(send, 403, "Die Verwaltung ist nur von ihrer eigenen Seite aus erreichbar.")
            return
        limit = self.upload_limit + FORM_BYTES if scope["path"] == "/admin/upload" else FORM_BYTES
        if declared_too_large(headers.get(b"content-length"), limit):
            await _plain(send, 413, f"Die Anfrage ist zu groß (höchstens {limit // 1_000_000 or 1} MB).")
            return

        async def without_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-") and k.lower() != b"content-security-policy"
                ] + [(b"content-security-policy", ADMIN_CSP), (b"x-frame-options", b"DENY")]
            await send(message)

        try:
            await self.app(scope, limited(receive, limit), without_cors)
        except TooLarge:
            await _plain(send, 413, f"Die Anfrage ist zu groß (höchstens {limit // 1_000_000 or 1} MB).")


async def _plain(send: Send, status: int, message: str) -> None:
    body = _page("Fehler", f'<p class="error" role="alert">{html.escape(message)}</p>', status).body
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_admin(app: FastAPI, settings: Settings) -> Builds | None:
    """Add the /admin routes when an admin token is set (before the page is mounted at '/'), and
    return its rebuild runner (or None). `AdminGuard` goes around everything else, last."""
    if settings.admin_token is None:
        return None
    token = settings.admin_token.get_secret_value()
    sessions = Sessions()
    builds = Builds(settings)

    def session_csrf(request: Request) -> str | None:
        return sessions.csrf_of(request.cookies.get(COOKIE))

    def require(request: Request, csrf: str) -> None:
        expected = session_csrf(request)
        if expected is None:
            raise AdminError(401, "Bitte zuerst anmelden.")
        if not hmac.compare_digest(expected, csrf or ""):
            raise AdminError(403, "Das Formular ist abgelaufen. Bitte die Seite neu laden und noch einmal senden.")

    @app.exception_handler(AdminError)
    async def _refused(request: Request, exc: AdminError) -> Response:
        if exc.status == 401:
            return _login_page(exc.message, 401)
        back = '<p><a href="/admin">Zurück zur Übersicht</a></p>'
        return _page("Fehler", f'<p class="error" role="alert">{html.escape(exc.message)}</p>{back}', exc.status)

    @app.get("/admin", include_in_schema=False)
    def overview(request: Request, done: str | None = None) -> Response:
        csrf = session_csrf(request)
        if csrf is None:
            return _login_page()
        notice = f'<p class="ok" role="status">{html.escape(done[:200])}</p>' if done else ""
        body = (
            "<h1>Förderlotse: Dokumente verwalten</h1>"
            f"{notice}"
            f"<form method=post action=/admin/logout>{_hidden(csrf)}<button type=submit>Abmelden</button></form>"
            "<h2>Dokument hochladen</h2>"
            f'<form method=post action=/admin/upload enctype="multipart/form-data">{_hidden(csrf)}'
            "<label for=file>Datei (PDF, DOCX, HTML, TXT, Markdown; höchstens "
            f"{settings.admin_max_upload_bytes // 1_000_000} MB)</label> "
            f'<input id=file name=file type=file required accept="{",".join(SUPPORTED_SUFFIXES)}"> '
            "<button type=submit>Hochladen</button></form>"
            "<h2>Dokumente</h2>" + _documents_html(settings, csrf) + _build_html(builds, csrf)
        )
        return _page("Dokumente verwalten", body)

    @app.post("/admin/login", include_in_schema=False)
    def login(token_given: str = Form("", alias="token")) -> Response:
        if not hmac.compare_digest(token_given.encode("utf-8"), token.encode("utf-8")):
            time.sleep(0.5)  # slows guessing down
            return _login_page("Das Token ist falsch.", 401)
        sid, _ = sessions.open()
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(
            COOKIE, sid, max_age=SESSION_SECONDS, path="/admin", httponly=True, samesite="strict", secure=False
        )
        return response

    @app.post("/admin/logout", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")) -> Response:
        require(request, csrf)
        sessions.close(request.cookies.get(COOKIE))
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    @app.post("/admin/upload", include_in_schema=False)
    def upload(request: Request, file: UploadFile, csrf: str = Form("")) -> Response:
        require(request, csrf)
        name = safe_name(file.filename or "")
        target = settings.corpus_dir / name
        if target.exists():
            raise AdminError(409, f"Eine Datei '{name}' gibt es schon. Bitte erst entfernen oder umbenennen.")
        data = file.file.read(settings.admin_max_upload_bytes + 1)
        check_content(target.suffix, data, settings.admin_max_upload_bytes)
        with tempfile.TemporaryDirectory(prefix="foerderlotse-upload-") as quarantine:
            staged = Path(quarantine) / name
            staged.write_bytes(data)
            found = read_in_child(staged)
            known = {d.id: d.path for d in load_corpus(settings.corpus_dir).documents}
            if found["id"] in known:
                raise AdminError(409, f"Die Dokument-ID '{found['id']}' hat schon {known[found['id']]}.")
            settings.corpus_dir.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), target)
        return RedirectResponse(f"/admin?done=Hochgeladen: {name}. Jetzt den Index neu aufbauen.", status_code=303)

    def corpus_file(name: str) -> Path:
        path = settings.corpus_dir / Path(name).name
        if Path(name).name != name or not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise AdminError(404, f"Das Dokument '{name}' gibt es nicht.")
        return path

    @app.post("/admin/documents/{name}/remove", include_in_schema=False)
    def remove(request: Request, name: str, csrf: str = Form("")) -> Response:
        require(request, csrf)
        path = corpus_file(name)
        aside = settings.corpus_dir / REMOVED_DIR / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        aside.mkdir(parents=True)
        for part in (path, path.with_name(path.stem + SIDECAR_SUFFIX)):
            if part.exists():
                shutil.move(str(part), aside / part.name)
        return RedirectResponse(
            f"/admin?done=Entfernt: {name} (aufbewahrt unter {REMOVED_DIR}/). Jetzt den Index neu aufbauen.",
            status_code=303,
        )

    @app.post("/admin/documents/{name}/meta", include_in_schema=False)
    async def correct(request: Request, name: str) -> Response:
        form = await request.form()
        require(request, str(form.get("csrf", "")))
        path = corpus_file(name)
        try:  # the one file, as the index build would load it
            doc, existing = load_document(path), find_sidecar(path) or {}
        except (ValueError, ValidationError):
            raise AdminError(409, f"'{name}' lässt sich gerade nicht laden; siehe 'Dateien mit Problemen'.") from None
        changes = {k: v for k in EDITABLE if k in form and (v := str(form.get(k, "")).strip())}
        try:
            DocumentMeta.model_validate({**doc.meta.model_dump(mode="json"), **existing, **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "-"
            raise AdminError(422, f"Feld '{FIELD_LABELS.get(where, where)}': {first['msg']}") from None
        sidecar = {**existing, **changes}
        side = path.with_name(path.stem + SIDECAR_SUFFIX)
        staged = side.with_name(side.name + ".tmp")
        staged.write_text(yaml.safe_dump(sidecar, allow_unicode=True, sort_keys=False), encoding="utf-8")
        staged.replace(side)
        return RedirectResponse(f"/admin?done=Gespeichert: {name}. Jetzt den Index neu aufbauen.", status_code=303)

    @app.post("/admin/rebuild", include_in_schema=False)
    def rebuild(request: Request, csrf: str = Form("")) -> Response:
        require(request, csrf)
        builds.start()
        return RedirectResponse("/admin?done=Neuaufbau gestartet.", status_code=303)

    return builds
