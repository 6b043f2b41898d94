"""The CLI as users run it: one German line and a non-zero exit for every bad input."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from ui.background import free_port

pytestmark = pytest.mark.slow


def _front(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))


def cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOERDERLOTSE_")}
    env |= {
        "FOERDERLOTSE_STORE_PATH": str(tmp / "store"),
        "FOERDERLOTSE_CORPUS_DIR": str(CORPUS),
        "PYTHONPATH": str(CORPUS.parent),
    }
    built = cli("index", "build", env=env, cwd=tmp)
    assert built.returncode == 0, built.stderr
    assert "5 Dokumente" in built.stdout
    return tmp, env


def test_ask_json_has_the_contract_fields(workdir) -> None:
    import json

    tmp, env = workdir
    done = cli("ask", "Wie hoch ist die Förderquote in Sachsen?", "--json", "--today", "2026-11-21", env=env, cwd=tmp)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"question", "answer", "refused", "citations", "notices", "retrieved", "latency_ms"} <= set(data)
    assert {"n", "doc_id", "title", "section", "quote", "url"} <= set(data["citations"][0])
    assert {"doc_id", "chunk_id", "score", "text"} <= set(data["retrieved"][0])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ask", ""], "leer"),
        (["ask", "   "], "leer"),
        (["ask", "x" * 100_000], "zu lang"),
        (["ask", "Förderquote?", "--programme", "unbekannt"], "Unbekanntes Programm"),
        (["ask", "Förderquote?", "--today", "21.11.2026"], "Datum"),
        (["ask", "Förderquote?", "--history", "/nicht/da.json"], "Verlaufsdatei"),
        (["ask"], "ungültiger Aufruf"),
    ],
)
def test_bad_input_is_one_german_line(workdir, args: list[str], expected: str) -> None:
    tmp, env = workdir
    done = cli(*args, env=env, cwd=tmp)
    assert done.returncode != 0
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_missing_and_corrupted_index(workdir, tmp_path: Path) -> None:
    _, env = workdir
    missing = env | {"FOERDERLOTSE_STORE_PATH": str(tmp_path / "leer")}
    done = cli("ask", "Förderquote?", env=missing, cwd=tmp_path)
    assert done.returncode != 0 and "index build" in done.stderr
    broken = tmp_path / "kaputt"
    broken.mkdir()
    (broken / "meta.json").write_text("{nicht json")
    done = cli("ask", "Förderquote?", env=env | {"FOERDERLOTSE_STORE_PATH": str(broken)}, cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_broken_corpus_file_exits_non_zero_and_keeps_the_rest(workdir, corpus_copy: Path) -> None:
    tmp, env = workdir
    (corpus_copy / "defekt.md").write_text("---\nid: x\n---\nText\n")
    store = tmp / "store-broken"
    env2 = env | {"FOERDERLOTSE_CORPUS_DIR": str(corpus_copy), "FOERDERLOTSE_STORE_PATH": str(store)}
    done = cli("index", "build", env=env2, cwd=tmp)
    assert done.returncode == 1
    assert "defekt.md" in done.stderr and "5 Dokumente" in done.stdout


def test_facts_cards_cite_every_fact_and_know_the_date(workdir) -> None:
    import json

    tmp, env = workdir
    done = cli("facts", "--json", "--today", "2026-11-21", env=env, cwd=tmp)
    assert done.returncode == 0, done.stderr
    cards = {c["programme"]: c for c in json.loads(done.stdout)}
    assert set(cards) == {"civic-innovation", "sn-modellvorhaben", "sn-zukunftsplattform"}
    civic, saxony = cards["civic-innovation"], cards["sn-modellvorhaben"]
    assert civic["valid_until"] == "2024-12-31" and civic["in_force"] is False
    submission = next(d for d in saxony["deadlines"] if d["kind"] == "submission")
    assert submission["date"] == "2026-05-07" and submission["status"] == "abgelaufen"
    assert "7. Mai 2026" in submission["citation"]["quote"]
    rate = next(f for f in saxony["facts"] if f["key"] == "rate")
    assert "95 Prozent" in rate["answer"]
    # Fristen are submission deadlines; a planned start or an event is a Termin
    assert all(d["kind"] == "submission" for c in cards.values() for d in c["deadlines"])
    assert any(d["kind"] == "start" for d in saxony["events"])
    kinds = {c["doc_id"]: c["kind"] for card in cards.values() for f in card["facts"] for c in f["citations"]}
    assert kinds and set(kinds.values()) <= {"guideline", "call"}  # never a background text
    programmes = {p.stem: _front(p)["programme"] for p in CORPUS.glob("*.md")}
    for pid, card in cards.items():
        assert all(programmes[c["doc_id"]] == pid for f in card["facts"] for c in f["citations"]), pid
        for f in card["facts"]:
            assert sorted({int(n) for n in re.findall(r"\[(\d+)\]", f["answer"])}) == [
                c["n"] for c in f["citations"]
            ]  # renumbered from 1, each citation used
    text = cli("facts", "--programme", "sn-modellvorhaben", "--today", "2026-11-21", env=env, cwd=tmp).stdout
    assert "Termin – Geplanter Projektstart" in text and "Frist – Geplanter" not in text
    texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md")}
    for card in cards.values():
        for fact in card["facts"]:
            assert fact["citations"], fact
            for c in fact["citations"]:
                body = texts[c["doc_id"]]
                assert body[body.index("\n---\n") + 5 :][c["start"] : c["end"]] == c["quote"]


def test_facts_for_an_unknown_programme_is_one_line(workdir) -> None:
    tmp, env = workdir
    done = cli("facts", "--programme", "gibtsnicht", env=env, cwd=tmp)
    assert done.returncode == 2
    assert done.stderr.startswith("Fehler: Unbekanntes Programm 'gibtsnicht'")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-11-21", "Keine der hinterlegten Einreichungsfristen ist noch offen"),
        ("2026-03-01", "1 von 2 hinterlegten Einreichungsfristen noch offen"),
    ],
)
def test_which_deadlines_are_still_open(workdir, today: str, expected: str) -> None:
    import json

    tmp, env = workdir
    done = cli("ask", "Welche Fristen laufen noch?", "--json", "--today", today, env=env, cwd=tmp)
    answer = json.loads(done.stdout)
    assert any(expected in n for n in answer["notices"]), answer["notices"]
    assert {c["doc_id"] for c in answer["citations"]} == {
        "bmas-civic-innovation-richtlinie-2023",
        "sn-ki-foerderaufruf-2026",
    }
    assert "7. Mai 2026" in answer["answer"] and "20. Juni 2023" in answer["answer"]


def test_store_in_use_by_another_process_is_one_line(workdir) -> None:
    tmp, env = workdir
    from assistant.pipeline import Assistant
    from core.settings import Settings

    holder = Assistant(Settings(_env_file=None, store_path=Path(env["FOERDERLOTSE_STORE_PATH"]), corpus_dir=CORPUS))
    try:
        done = cli("ask", "Wie hoch ist die Förderquote in Sachsen?", env=env, cwd=tmp)
    finally:
        holder.close()
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "von einem anderen Förderlotse-Prozess benutzt" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert cli("ask", "Wie hoch ist die Förderquote in Sachsen?", env=env, cwd=tmp).returncode == 0


def test_damaged_store_files_are_one_line(workdir, tmp_path: Path) -> None:
    tmp, env = workdir
    store = tmp_path / "store"
    env2 = env | {"FOERDERLOTSE_STORE_PATH": str(store)}
    assert cli("index", "build", env=env2, cwd=tmp).returncode == 0
    damaged = 0
    for path in store.glob("g*/edge/**/*"):
        if path.is_file() and path.stat().st_size > 0:
            path.write_bytes(b"\x00kaputt" * 8)
            damaged += 1
    assert damaged
    done = cli("ask", "Wie hoch ist die Förderquote in Sachsen?", env=env2, cwd=tmp)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "neu aufbauen" in done.stderr


def test_ask_and_facts_work_while_serve_runs(workdir) -> None:
    """`serve` holds the index; it says where it listens, and `ask`/`facts` ask it over HTTP."""
    import json
    import select
    import time

    tmp, env = workdir
    port = free_port()
    record = Path(env["FOERDERLOTSE_STORE_PATH"] + ".server.json")
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp,
    )
    try:
        deadline, line = time.monotonic() + 240, ""
        while time.monotonic() < deadline and server.poll() is None:
            ready, _, _ = select.select([server.stdout], [], [], 1)
            if ready:
                line = server.stdout.readline()
                break
        assert f"http://127.0.0.1:{port}/" in line and "läuft" in line, (line, server.poll())
        assert record.exists()
        done = cli(
            "ask", "Wie hoch ist die Förderquote in Sachsen?", "--json", "--today", "2026-11-21", env=env, cwd=tmp
        )
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        assert "95 Prozent" in answer["answer"] and answer["citations"][0]["doc_id"] == "sn-ki-foerderaufruf-2026"
        assert answer["retrieved"] and answer["today"] == "2026-11-21"
        plain = cli("ask", "Wie hoch ist die Förderquote in Sachsen?", env=env, cwd=tmp)
        assert plain.returncode == 0 and "Quellen:" in plain.stdout and "95 Prozent" in plain.stdout
        facts = cli("facts", "--programme", "sn-modellvorhaben", "--json", env=env, cwd=tmp)
        assert facts.returncode == 0, facts.stderr
        assert json.loads(facts.stdout)[0]["programme"] == "sn-modellvorhaben"
        bad = cli("ask", "Förderquote?", "--programme", "unbekannt", env=env, cwd=tmp)  # the server's 400
        assert bad.returncode == 2 and "Unbekanntes Programm" in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not record.exists()  # the address goes with the server
