"""Re-indexing without downtime: a build writes a new generation while the server keeps serving
the old one, the server picks the new one up without a restart, and a build that is killed
midway leaves the served index untouched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from index.build import build_index
from tests.conftest import CORPUS, make_settings
from ui.background import running

pytestmark = pytest.mark.slow

NEW_DOC = """---
id: neu-thueringen
title: "Neue Richtlinie Thüringen"
issuer: "Thüringer Ministerium"
kind: guideline
programme: th-neu
programme_title: "Neues Programm Thüringen"
region: DE-TH
---
1 Zuwendung

Die Förderquote im neuen Thüringer Programm beträgt bis zu 70 Prozent der zuwendungsfähigen Ausgaben.
"""


def _cli_build(settings, env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOERDERLOTSE_")}
    env |= {
        "FOERDERLOTSE_STORE_PATH": str(settings.store_path),
        "FOERDERLOTSE_CORPUS_DIR": str(settings.corpus_dir),
        "PYTHONPATH": str(CORPUS.parent),
        **(env_extra or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "index", "build"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture()
def live(tmp_path: Path):
    from ui.app import build_app

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = make_settings(tmp_path, corpus_dir=corpus, reload_check_seconds=0.2)
    assert build_index(settings).ok
    with running(build_app(settings), ready_path="/readyz") as base:
        yield settings, base


def _ask(base: str, question: str) -> dict:
    r = httpx.post(base + "/api/v1/ask", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_new_build_is_served_without_restart(live) -> None:
    settings, base = live
    before = httpx.get(base + "/readyz").json()["generation"]
    assert _ask(base, "Wie hoch ist die Förderquote im neuen Thüringer Programm?")["refused"]
    (settings.corpus_dir / "neu-thueringen.md").write_text(NEW_DOC, encoding="utf-8")
    build = _cli_build(settings)  # another process, while the server holds the served store
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    for _ in range(50):
        if httpx.get(base + "/readyz").json()["generation"] != before:
            break
        time.sleep(0.2)
    answer = _ask(base, "Wie hoch ist die Förderquote im neuen Thüringer Programm?")
    assert "70 Prozent" in answer["answer"] and answer["citations"][0]["doc_id"] == "neu-thueringen"
    assert httpx.get(base + "/readyz").json()["generation"] != before


def test_killed_build_leaves_the_served_index_untouched(live) -> None:
    settings, base = live
    current = (settings.store_path / "CURRENT").read_text().strip()
    for i in range(12):  # enough text that embedding takes a while
        for doc in CORPUS.glob("*.md"):
            text = doc.read_text(encoding="utf-8").replace(f"id: {doc.stem}", f"id: {doc.stem}-kopie{i}", 1)
            (settings.corpus_dir / f"{doc.stem}-kopie{i}.md").write_text(text, encoding="utf-8")
    build = _cli_build(settings)
    deadline = time.time() + 120
    while time.time() < deadline:
        fresh = [p for p in settings.store_path.iterdir() if p.is_dir() and p.name != current]
        if fresh and any(fresh[0].rglob("*")):
            break
        time.sleep(0.05)
    time.sleep(1.0)
    assert build.poll() is None, "the build finished before it could be killed"
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    assert (settings.store_path / "CURRENT").read_text().strip() == current
    assert httpx.get(base + "/readyz").json()["generation"] == current
    assert "95 Prozent" in _ask(base, "Wie hoch ist die Förderquote in Sachsen?")["answer"]


def test_server_mode_switches_aliases_atomically(tmp_path: Path) -> None:
    """The alias path of a Qdrant server, exercised on Qdrant's local mode (which implements
    collection aliases); no server can run here."""
    from qdrant_client import QdrantClient

    from index.generations import Generations

    settings = make_settings(tmp_path, qdrant_url="http://qdrant.invalid:6333")
    generations = Generations(settings)
    generations._client = QdrantClient(path=str(tmp_path / "as-server"))  # stands in for the server
    generations.client = lambda: generations._client  # type: ignore[method-assign]
    assert generations.current() is None
    names = []
    for _ in range(4):
        name = generations.new_name()
        store = generations.open(name)
        store.client.create_collection(store.collection, vectors_config={})
        store.client.create_collection(store.docs_collection, vectors_config={})
        generations.activate(name)
        generations.prune(keep={name, *names[-1:]})
        names.append(name)
        assert generations.current() == name
        aliases = {a.alias_name: a.collection_name for a in generations._client.get_aliases().aliases}
        assert aliases == {"foerderlotse": f"foerderlotse--{name}", "foerderlotse_docs": f"foerderlotse--{name}_docs"}
    left = {c.name for c in generations._client.get_collections().collections}
    assert f"foerderlotse--{names[0]}" not in left  # pruned beyond the kept generations
    assert f"foerderlotse--{names[-1]}" in left and f"foerderlotse--{names[-2]}" in left
    generations._client.close()


def test_generation_built_with_other_settings_is_not_served(live) -> None:
    settings, base = live
    before = httpx.get(base + "/readyz").json()["generation"]
    build = _cli_build(settings, {"FOERDERLOTSE_CHUNK_MAX_CHARS": "600"})
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert (settings.store_path / "CURRENT").read_text().strip() != before  # the pointer moved
    time.sleep(0.5)
    for _ in range(3):  # the server keeps serving what it can open, request after request
        assert "95 Prozent" in _ask(base, "Wie hoch ist die Förderquote in Sachsen?")["answer"]
        assert httpx.get(base + "/readyz").json()["generation"] == before
