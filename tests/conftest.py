"""Shared fixtures: isolated settings, one real index (Qdrant local mode) per test session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from core.settings import Settings
from index.build import build_index
from ui.background import free_port, running

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "corpus-seeds"
TODAY = "2026-11-21"


def guideline_text(
    doc_id: str,
    title: str,
    programme: str,
    programme_title: str,
    text: str,
    *,
    issuer: str = "Ministerium für Soziales und Integration Musterland",
    kind: str = "guideline",
    region: str = "DE",
) -> str:
    """A document written for a test: complete front matter, then `text`."""
    return f"""---
id: {doc_id}
title: "{title}"
issuer: "{issuer}"
kind: {kind}
programme: {programme}
programme_title: "{programme_title}"
region: {region}
published: null
valid_from: null
valid_until: null
deadlines: []
url: null
source_file: null
note: "Test document written for this test."
---
{text}
"""


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FOERDERLOTSE_* setting of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("FOERDERLOTSE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def make_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "corpus_dir": CORPUS,
        "store_path": tmp / "qdrant",
        "feedback_path": tmp / "feedback.sqlite3",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def assistant_on(tmp: Path, documents: dict[str, str], *, with_corpus: bool) -> Iterator[Assistant]:
    """An assistant on a new index of `documents` (file name -> text), beside the corpus's or alone."""
    corpus = tmp / "corpus"
    if with_corpus:
        shutil.copytree(CORPUS, corpus)
    else:
        corpus.mkdir()
    for name, text in documents.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp, corpus_dir=corpus)
    assert build_index(settings).ok
    helper = Assistant(settings)
    try:
        yield helper
    finally:
        helper.close()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("index")
    report = build_index(make_settings(tmp))
    assert report.ok and report.chunks > 50
    return tmp


@pytest.fixture(scope="session")
def assistant(built_store: Path) -> Assistant:
    helper = Assistant(make_settings(built_store))
    yield helper
    helper.close()


@pytest.fixture(scope="session")
def demo_origin() -> str:
    """Origin of the Verband's demo page (served on a second loopback port)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def served_app(assistant: Assistant, demo_origin: str, tmp_path_factory: pytest.TempPathFactory):
    """The whole app (API, widget, page, demo) as `server` serves it."""
    from ui.app import build_app

    settings = assistant.settings.model_copy(
        update={
            "allowed_origins": demo_origin,
            "feedback_path": tmp_path_factory.mktemp("feedback") / "feedback.sqlite3",
        }
    )
    return build_app(settings, assistant)


@pytest.fixture(scope="session")
def server(served_app) -> Iterator[str]:
    """The whole app (API, widget, page) served by uvicorn on a loopback port."""
    with running(served_app) as base:
        yield base


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
