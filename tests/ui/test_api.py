"""The JSON API over real HTTP: the contract, streaming, CORS and framing, and a table of bad
inputs that must each give a 4xx JSON error in German while the server stays healthy."""

from __future__ import annotations

import json
import sqlite3
import time

import httpx
import pytest

pytestmark = pytest.mark.slow

ASK = "/api/v1/ask"
JSON = {"Content-Type": "application/json"}


def test_ask_returns_the_cli_contract(server: str) -> None:
    r = httpx.post(
        server + ASK, json={"question": "Wie hoch ist die Förderquote in Sachsen?", "today": "2026-11-21"}, timeout=30
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"answer_id", "question", "answer", "refused", "citations", "notices", "latency_ms", "today"} <= set(body)
    assert "retrieved" not in body
    assert "95 Prozent" in body["answer"] and body["citations"][0]["doc_id"] == "sn-ki-foerderaufruf-2026"
    debug = httpx.post(
        server + ASK, json={"question": "Wie hoch ist die Förderquote in Sachsen?", "debug": True}, timeout=30
    ).json()
    assert debug["retrieved"] and "text" in debug["retrieved"][0]


def test_follow_up_uses_history(server: str) -> None:
    body = httpx.post(
        server + ASK,
        json={
            "question": "Und wie lange laufen die Projekte dort?",
            "history": [{"role": "user", "content": "Wie hoch ist die Förderquote in Sachsen?"}],
        },
        timeout=30,
    ).json()
    assert "24 Monaten" in body["answer"]


def test_stream_sends_checked_sentences_then_the_answer(server: str) -> None:
    with httpx.stream(
        "POST",
        server + ASK + "/stream",
        json={"question": "Bis wann kann man in Sachsen Projektvorschläge einreichen?", "today": "2026-11-21"},
        timeout=30,
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [block for block in r.read().decode().split("\n\n") if block.strip()]
    kinds = [e.split("\n")[0].removeprefix("event: ") for e in events]
    assert kinds[-1] == "answer" and "sentence" in kinds
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert any("abgelaufen" in n for n in final["notices"])


def test_programmes_facts_ready(server: str) -> None:
    programmes = httpx.get(server + "/api/v1/programmes", params={"today": "2026-03-01"}, timeout=30).json()
    saxony = next(p for p in programmes if p["id"] == "sn-modellvorhaben")
    assert saxony["open_deadlines"] and "7. Mai 2026" in saxony["open_deadlines"][0]
    civic = next(p for p in programmes if p["id"] == "civic-innovation")
    assert civic["in_force"] is False
    facts = httpx.get(server + "/api/v1/facts", params={"programme": "sn-modellvorhaben"}, timeout=60).json()
    assert facts[0]["programme"] == "sn-modellvorhaben" and facts[0]["facts"]
    ready = httpx.get(server + "/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    spec = httpx.get(server + "/openapi.json", timeout=10).json()
    assert {
        "/api/v1/ask",
        "/api/v1/ask/stream",
        "/api/v1/programmes",
        "/api/v1/facts",
        "/api/v1/feedback",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])


def test_feedback_is_stored_without_ip_and_question_only_with_consent(server: str, assistant) -> None:
    answer_id = "0" * 31 + "1"
    r = httpx.post(
        server + "/api/v1/feedback",
        json={"answer_id": answer_id, "helpful": False, "comment": "Quelle fehlt"},
        timeout=10,
    )
    assert r.status_code == 200 and r.json() == {"stored": True}
    rows, columns = [], set()
    for path in _feedback_paths(server):  # every feedback store in this test process
        db = sqlite3.connect(path)
        rows += db.execute("SELECT * FROM feedback WHERE answer_id = ?", (answer_id,)).fetchall()
        columns |= {c[1] for c in db.execute("PRAGMA table_info(feedback)")}
    assert len(rows) == 1 and rows[0][4] is None  # no question stored without consent
    assert not any("ip" in c or "addr" in c or "agent" in c for c in columns)


def _feedback_paths(server: str):
    import gc

    from ui.feedback import FeedbackStore

    for obj in gc.get_objects():
        if isinstance(obj, FeedbackStore):
            yield obj._db.execute("PRAGMA database_list").fetchone()[2]


def test_cors_only_for_allowed_origins_and_frame_ancestors(server: str, demo_origin: str) -> None:
    q = {"question": "Wie hoch ist die Förderquote in Sachsen?"}
    allowed = httpx.post(server + ASK, json=q, headers={"Origin": demo_origin}, timeout=30)
    assert allowed.headers.get("access-control-allow-origin") == demo_origin
    foreign = httpx.post(server + ASK, json=q, headers={"Origin": "https://evil.example"}, timeout=30)
    assert "access-control-allow-origin" not in foreign.headers
    preflight = httpx.options(
        server + ASK, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers
    page = httpx.get(server + "/", follow_redirects=True, timeout=30)
    assert page.headers["content-security-policy"] == f"frame-ancestors 'self' {demo_origin}"
    widget = httpx.get(server + "/widget.js", timeout=10)
    assert widget.status_code == 200 and "attachShadow" in widget.text
    assert ".innerHTML" not in widget.text and "insertAdjacentHTML" not in widget.text


NESTED = '{"question": ' + "[" * 5000 + "]" * 5000 + "}"
BAD_INPUTS = [
    ("empty body", b"", JSON, 422),
    ("invalid JSON", b'{"question": ', JSON, 400),
    ("JSON array", b'["Wie hoch?"]', JSON, 422),
    ("JSON string", b'"Wie hoch?"', JSON, 422),
    ("missing question", b"{}", JSON, 422),
    ("question null", b'{"question": null}', JSON, 422),
    ("question number", b'{"question": 42}', JSON, 422),
    ("question object", b'{"question": {"a": 1}}', JSON, 422),
    ("empty question", b'{"question": ""}', JSON, 400),
    ("blank question", b'{"question": "   \\n\\t "}', JSON, 400),
    ("only control characters", b'{"question": "\\u0000\\u0007\\u001b"}', JSON, 400),
    ("too long question", json.dumps({"question": "Frage " * 2000}).encode(), JSON, 400),
    ("unknown field", b'{"question": "Wie hoch?", "foo": 1}', JSON, 422),
    ("unknown programme", b'{"question": "Wie hoch?", "programme": "gibtsnicht"}', JSON, 400),
    ("programme number", b'{"question": "Wie hoch?", "programme": 7}', JSON, 422),
    ("history not a list", b'{"question": "Wie hoch?", "history": "bla"}', JSON, 422),
    ("history wrong role", b'{"question": "Wie hoch?", "history": [{"role": "system", "content": "x"}]}', JSON, 422),
    ("history item not object", b'{"question": "Wie hoch?", "history": [1, 2]}', JSON, 422),
    (
        "huge history",
        json.dumps({"question": "Wie hoch?", "history": [{"role": "user", "content": "x"}] * 500}).encode(),
        JSON,
        422,
    ),
    ("bad date", b'{"question": "Wie hoch?", "today": "21.11.2026"}', JSON, 422),
    ("impossible date", b'{"question": "Wie hoch?", "today": "2026-02-30"}', JSON, 422),
    ("debug not bool", b'{"question": "Wie hoch?", "debug": "vielleicht"}', JSON, 422),
    ("1 MB body", b'{"question": "' + b"a" * 1_000_000 + b'"}', JSON, 413),
    ("deeply nested JSON", NESTED.encode(), JSON, 400),
    ("wrong content type", b'{"question": "Wie hoch?"}', {"Content-Type": "text/plain"}, 415),
    ("form body", b"question=Wie+hoch", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
]


@pytest.mark.parametrize(("name", "body", "headers", "status"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_a_german_4xx_json_error(server: str, name: str, body: bytes, headers: dict, status: int) -> None:
    r = httpx.post(server + ASK, content=body, headers=headers, timeout=30)
    assert r.status_code == status, (name, r.text[:300])
    error = r.json()["error"]
    assert error["code"] and error["message"]
    assert any(w in error["message"] for w in ("Frage", "Feld", "JSON", "Anfrage", "Programm")), error
    assert httpx.get(server + "/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/facts", {"programme": "gibtsnicht"}),
        ("/api/v1/programmes", {"today": "gestern"}),
        ("/api/v1/facts", {"today": "2026-13-01"}),
    ],
)
def test_bad_query_parameters(server: str, path: str, params: dict) -> None:
    r = httpx.get(server + path, params=params, timeout=30)
    assert 400 <= r.status_code < 500 and r.json()["error"]["message"]


def test_bad_feedback(server: str) -> None:
    for body in (
        {"answer_id": "x", "helpful": True},
        {"answer_id": "0" * 32},
        {"answer_id": "0" * 32, "helpful": True, "comment": "x" * 5000},
    ):
        r = httpx.post(server + "/api/v1/feedback", json=body, timeout=10)
        assert r.status_code == 422 and "Feld" in r.json()["error"]["message"]


@pytest.fixture()
def strict_server(assistant, tmp_path):
    """Two more apps on the same index: one answer at a time without waiting, and 3 requests/min."""
    from contextlib import ExitStack

    from ui.app import build_app
    from ui.background import running

    settings = assistant.settings.model_copy(
        update={
            "max_concurrent_answers": 1,
            "queue_timeout": 0.0,
            "rate_limit_per_minute": 0,
            "feedback_path": tmp_path / "fb.sqlite3",
        }
    )
    limited = settings.model_copy(
        update={"rate_limit_per_minute": 3, "max_concurrent_answers": 4, "queue_timeout": 5.0}
    )
    with ExitStack() as stack:
        yield [stack.enter_context(running(build_app(s, assistant))) for s in (settings, limited)]


def test_saturated_server_answers_503_with_retry_after(strict_server) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base = strict_server[0]
    q = {"question": "Welche Kosten sind bei Civic Innovation förderfähig und wie hoch ist die Förderquote?"}
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: httpx.post(base + ASK, json=q, timeout=60), range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert 200 in statuses and 503 in statuses, statuses
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "2" and "ausgelastet" in busy.json()["error"]["message"]
    assert httpx.get(base + "/healthz", timeout=5).status_code == 200


def test_rate_limit_per_client(strict_server) -> None:
    base = strict_server[1]
    codes = [httpx.get(base + "/api/v1/programmes", timeout=30).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = httpx.get(base + "/api/v1/programmes", timeout=30)
    assert int(limited.headers["retry-after"]) > 0 and limited.json()["error"]["code"] == "rate_limited"
    assert httpx.get(base + "/healthz", timeout=5).status_code == 200  # the page and probes are not limited


def test_access_log_has_no_question_text(server: str, caplog) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="foerderlotse.http")
    secret = "Meine Klientin Frau Beispiel fragt nach der Förderquote in Sachsen"
    assert httpx.post(server + ASK, json={"question": secret}, timeout=30).status_code == 200
    # the access line is written once the response has gone out: wait for it, a little
    deadline = time.monotonic() + 5
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name == "foerderlotse.http"]
        if any("path=/api/v1/ask status=200" in line for line in lines) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert any("path=/api/v1/ask status=200" in line for line in lines), lines
    assert not any("Beispiel" in line or "Förderquote" in line for line in lines)


def test_static_files_answer_head_and_demo_names_this_server(server: str) -> None:
    for path, kind in (("/widget.js", "javascript"), ("/widget.css", "text/css"), ("/demo", "text/html")):
        head = httpx.head(server + path, timeout=10)
        assert head.status_code == 200, (path, head.status_code)
        assert kind in head.headers["content-type"] and head.content == b""
        assert int(head.headers["content-length"]) == len(httpx.get(server + path, timeout=10).content)
    demo = httpx.get(server + "/demo", timeout=10).text
    assert f'<script src="{server}/widget.js"' in demo and "{{" not in demo
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in demo
    widget = httpx.get(server + "/widget.js", timeout=10).text
    assert 'parseInt("2000", 10)' in widget and "maxlength:" not in widget  # the server's limit, no silent cut


def test_facts_cache_is_bounded(served_app, server: str) -> None:
    from ui.api import BoundedCache

    cache = BoundedCache(2)
    before, served_app.state.facts_cache = served_app.state.facts_cache, cache
    try:
        days = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]
        for day in days:  # a client may send any date: each is a new key
            r = httpx.get(
                server + "/api/v1/facts", params={"programme": "sn-modellvorhaben", "today": day}, timeout=120
            )
            assert r.status_code == 200 and r.json()[0]["programme"] == "sn-modellvorhaben"
            assert len(cache) <= 2
        assert len(cache) == 2
        kept = {key[2].isoformat() for key in cache._items}
        assert kept == set(days[-2:])  # the least recently used went first
    finally:
        served_app.state.facts_cache = before


def test_stream_sends_a_sentence_before_the_model_has_finished(assistant, tmp_path) -> None:
    """A model that writes one sentence and then waits: that sentence reaches the client (checked)
    while the model is still writing; the rest follows when it goes on."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from assistant.pipeline import Assistant
    from tests.conftest import make_settings
    from tests.fake_llm import FakeLLM
    from ui.app import build_app
    from ui.background import running

    go_on, finished = threading.Event(), threading.Event()

    class SlowModel(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            n = FakeLLM.cite(body, "95 Prozent")
            m = FakeLLM.cite(body, "24 Monaten")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()

            def send(text: str | None) -> None:
                delta = {"content": text} if text is not None else {}
                chunk = {
                    "id": "x",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None if text else "stop"}],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()

            send(f"Die Förderquote beträgt bis zu 95 Prozent der zuwendungsfähigen Ausgaben. [{n}] Die ")
            go_on.wait(timeout=30)  # until the client has seen the first sentence (or 30 s)
            send(f"Förderung erfolgt als Projektförderung mit einer Laufzeit von bis zu 24 Monaten. [{m}]")
            send(None)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            finished.set()

    model = ThreadingHTTPServer(("127.0.0.1", 0), SlowModel)
    model.daemon_threads = True
    threading.Thread(target=model.serve_forever, daemon=True).start()
    settings = make_settings(
        tmp_path,
        store_path=assistant.settings.store_path,
        answerer="openai",
        llm_base_url=f"http://127.0.0.1:{model.server_address[1]}/v1",
        llm_model="fake",
        llm_timeout=60,
    )
    writer = Assistant(settings, store=assistant.store)  # the open local store is shared
    try:
        with running(build_app(settings, writer)) as base:
            question = {
                "question": "Wie hoch ist die Förderquote beim sächsischen Förderaufruf?",
                "today": "2026-11-21",
            }
            events: list[tuple[str, dict, bool]] = []
            with httpx.stream("POST", base + ASK + "/stream", json=question, timeout=60) as r:
                assert r.status_code == 200
                kind = None
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        kind = line.removeprefix("event: ")
                    elif line.startswith("data: "):
                        events.append((kind, json.loads(line.removeprefix("data: ")), finished.is_set()))
                        if kind == "sentence":
                            go_on.set()
    finally:
        go_on.set()
        model.shutdown()
        model.server_close()
    kinds = [k for k, _, _ in events]
    assert kinds == ["sentence", "sentence", "answer"], events
    first_text, model_done_then = events[0][1]["text"], events[0][2]
    assert "95 Prozent" in first_text and first_text.endswith("[1]")
    assert model_done_then is False  # sent while the model was still writing
    assert "24 Monaten" in events[1][1]["text"]
    assert events[2][1]["answer"] == f"{first_text} {events[1][1]['text']}"
