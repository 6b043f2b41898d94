"""The document admin page /admin over HTTP: off without a token, login, CSRF and origin checks,
uploads checked before they reach the corpus, corrections as a sidecar, removal kept aside, and a
rebuild that the running server picks up."""

from __future__ import annotations

import html
import shutil
import time
import zlib
from pathlib import Path

import httpx
import pytest

from index.build import build_index
from tests.conftest import CORPUS, make_settings
from ui.app import build_app
from ui.background import running

pytestmark = pytest.mark.slow

TOKEN = "richtig-geheim-1234"
NEW_DOC = """---
id: th-nachbarschaft-2026
title: "Richtlinie Nachbarschaftshilfe Thüringen"
issuer: "Thüringer Ministerium für Soziales"
kind: guideline
programme: th-nachbarschaft
programme_title: "Nachbarschaftshilfe Thüringen"
region: DE-TH
---
1 Zuwendung

Die Förderquote der Nachbarschaftshilfe Thüringen beträgt bis zu 75 Prozent der zuwendungsfähigen Ausgaben.
"""


@pytest.fixture()
def site(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "bmas-civic-innovation-richtlinie-2023.md", corpus)
    settings = make_settings(
        tmp_path,
        corpus_dir=corpus,
        admin_token=TOKEN,
        admin_max_upload_bytes=50_000,
        allowed_origins="http://127.0.0.1:9",
        reload_check_seconds=0,
    )
    assert build_index(settings).ok
    app = build_app(settings)
    with running(app) as base:
        yield base, corpus, app


def _login(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/admin/login", data={"token": TOKEN})
    assert response.status_code == 303
    page = client.get("/admin")
    assert page.status_code == 200 and "Dokument hochladen" in _text(page)
    csrf = page.text.split('name=csrf value="', 1)[1].split('"', 1)[0]
    return client, csrf


def _text(response: httpx.Response) -> str:
    return html.unescape(response.text)


def _files(corpus: Path) -> set[str]:
    return {p.name for p in corpus.iterdir() if p.is_file()}


def test_admin_is_off_without_a_token(built_store: Path, assistant) -> None:
    with running(build_app(make_settings(built_store), assistant)) as base:
        assert httpx.get(base + "/admin").status_code == 404
        assert httpx.post(base + "/admin/login", data={"token": "x"}).status_code in (404, 405)


def test_login_cookie_csrf_and_origin(site) -> None:
    base, corpus, _ = site
    wrong = httpx.post(base + "/admin/login", data={"token": "falsch"})
    assert wrong.status_code == 401 and "Das Token ist falsch." in _text(wrong)
    right = httpx.post(base + "/admin/login", data={"token": TOKEN})
    cookie = right.headers["set-cookie"].lower()
    assert right.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
    assert "frame-ancestors 'none'" in right.headers["content-security-policy"]

    # no session: the login page; a session without the form's token: refused, nothing changes
    assert httpx.post(base + "/admin/rebuild", data={"csrf": "x"}).status_code == 401
    client, csrf = _login(base)
    forged = client.post("/admin/documents/bmas-civic-innovation-richtlinie-2023.md/remove", data={"csrf": "falsch"})
    assert forged.status_code == 403 and "Formular ist abgelaufen" in _text(forged)
    assert "bmas-civic-innovation-richtlinie-2023.md" in _files(corpus)

    # the widget's origin (allowed for CORS) never reaches /admin, not even a preflight
    origin = {"Origin": "http://127.0.0.1:9"}
    preflight = httpx.options(base + "/admin/rebuild", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    cross = client.post("/admin/rebuild", data={"csrf": csrf}, headers=origin)
    assert cross.status_code == 403 and "eigenen Seite" in _text(cross)
    # ... while the API still serves that origin
    api = httpx.get(base + "/api/v1/programmes", headers=origin)
    assert api.headers.get("access-control-allow-origin") == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("archiv.zip", b"PK\x03\x04" + b"x" * 100, 415, "Dateityp '.zip' wird nicht unterstützt"),
        ("programm.pdf", b"MZ\x90\x00" + b"\x00" * 200, 415, "keine Dokumentdatei"),
        ("leer.md", b"", 400, "Die Datei ist leer."),
        ("kaputt.pdf", b"<html>kein pdf</html>", 415, "ist aber kein PDF"),
        ("gross.md", b"a" * 60_000, 413, "zu groß"),
        ("kaputt.md", b"---\nid: [offen\n---\nText", 422, "lässt sich nicht als Dokument laden"),
        ("latin1.txt", "Förderung".encode("latin-1"), 415, "nicht UTF-8"),
    ],
)
def test_bad_uploads_get_a_german_message_and_change_nothing(site, name, data, status, message) -> None:
    base, corpus, _ = site
    client, csrf = _login(base)
    before = _files(corpus)
    response = client.post("/admin/upload", data={"csrf": csrf}, files={"file": (name, data)})
    assert response.status_code == status, response.text
    assert message in _text(response) and "Traceback" not in _text(response)
    assert _files(corpus) == before


def test_a_pdf_that_unpacks_to_gigabytes_is_refused(site) -> None:
    base, corpus, _ = site
    client, csrf = _login(base)
    stream = zlib.compress(b"0" * 400_000_000, 9)  # a page content stream of 400 MB, 400 KB packed
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
        b"4 0 obj<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>stream\n" + stream + b"\nendstream"
        b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=120, cookies=client.cookies) as big:
        response = big.post("/admin/upload", data={"csrf": csrf}, files={"file": ("bombe.pdf", pdf)})
    assert response.status_code in (413, 422), response.text
    assert time.monotonic() - started < 90
    assert "bombe.pdf" not in _files(corpus)


def test_upload_correct_rebuild_and_remove(site) -> None:
    base, corpus, app = site
    client, csrf = _login(base)
    uploaded = client.post(
        "/admin/upload", data={"csrf": csrf}, files={"file": ("Nachbarschaft Thüringen.md", NEW_DOC.encode())}
    )
    assert uploaded.status_code == 303
    assert "Nachbarschaft-Th-ringen.md" in _files(corpus)
    again = client.post("/admin/upload", data={"csrf": csrf}, files={"file": ("Nachbarschaft Thüringen.md", b"x")})
    assert again.status_code == 409 and "gibt es schon" in _text(again)

    page = client.get("/admin").text
    assert "Richtlinie Nachbarschaftshilfe Thüringen" in page

    # a correction with a wrong date: refused, no sidecar; a good one: written as the sidecar
    target = "/admin/documents/Nachbarschaft-Th-ringen.md/meta"
    bad = client.post(target, data={"csrf": csrf, "valid_until": "31.12.2027"})
    assert bad.status_code == 422 and "Gültig bis" in _text(bad)
    assert not (corpus / "Nachbarschaft-Th-ringen.meta.yaml").exists()
    good = client.post(target, data={"csrf": csrf, "valid_until": "2027-12-31"})
    assert good.status_code == 303
    assert "valid_until: '2027-12-31'" in (corpus / "Nachbarschaft-Th-ringen.meta.yaml").read_text(encoding="utf-8")

    # rebuild: a second start while the first runs is refused; the server then answers from the new document
    first = client.post("/admin/rebuild", data={"csrf": csrf})
    second = client.post("/admin/rebuild", data={"csrf": csrf})
    assert first.status_code == 303
    assert second.status_code == 409 and "läuft bereits" in _text(second)
    app.state.admin_builds.wait(300)
    assert "Letzter Neuaufbau" in client.get("/admin").text
    answer = httpx.post(
        base + "/api/v1/ask",
        json={"question": "Wie hoch ist die Förderquote der Nachbarschaftshilfe Thüringen?", "today": "2026-11-21"},
        timeout=60,
    ).json()
    assert "75 Prozent" in answer["answer"], answer

    removed = client.post("/admin/documents/Nachbarschaft-Th-ringen.md/remove", data={"csrf": csrf})
    assert removed.status_code == 303
    assert "Nachbarschaft-Th-ringen.md" not in _files(corpus)
    kept = list((corpus / ".entfernt").rglob("Nachbarschaft-Th-ringen.md"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == NEW_DOC
    missing = client.post("/admin/documents/gibt-es-nicht.md/remove", data={"csrf": csrf})
    assert missing.status_code == 404 and "gibt es nicht" in _text(missing)


def test_a_plain_guideline_without_metadata_is_shown_with_quotes_and_answered_after_a_rebuild(site) -> None:
    base, corpus, app = site
    client, csrf = _login(base)
    text = Path(__file__).resolve().parent.parent / "index" / "meta_docs" / "th-familienzentren-richtlinie-2025.txt"
    uploaded = client.post(
        "/admin/upload", data={"csrf": csrf}, files={"file": ("familienzentren.txt", text.read_bytes())}
    )
    assert uploaded.status_code == 303, _text(uploaded)
    page = _text(client.get("/admin"))
    section = page.split("familienzentren.txt", 1)[1].split("</section>", 1)[0]
    assert "2025-06-30" in section and "bis zum 30. Juni 2025 (Ausschlussfrist)" in section
    assert "erschlossen" in section.lower()

    # after one rebuild, its deadline is answered with the notice, citing the document's own sentence
    assert client.post("/admin/rebuild", data={"csrf": csrf}).status_code == 303
    app.state.admin_builds.wait(300)
    answer = httpx.post(
        base + "/api/v1/ask",
        json={
            "question": "Bis wann mussten Anträge für die Familienzentren in Thüringen gestellt werden?",
            "today": "2026-11-21",
        },
        timeout=60,
    ).json()
    assert "30. Juni 2025" in answer["answer"], answer
    assert any("abgelaufen" in n or "vorbei" in n for n in answer["notices"]), answer["notices"]
