"""Shared fixtures: isolated settings, one real index (Qdrant local mode) per test session."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from assistant.settings import Settings
from index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "corpus-seeds"
TODAY = "2026-11-21"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FOERDERLOTSE_* setting of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("FOERDERLOTSE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def make_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"corpus_dir": CORPUS, "store_path": tmp / "qdrant",
                                 "feedback_path": tmp / "feedback.sqlite3", **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_origin() -> str:
    """Origin of the Verband's demo page (served on a second loopback port)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def server(assistant: Assistant, demo_origin: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The whole app (API, widget, page) served by uvicorn on a loopback port."""
    import httpx
    import uvicorn

    from ui.app import build_app

    settings = assistant.settings.model_copy(update={
        "allowed_origins": demo_origin,
        "feedback_path": tmp_path_factory.mktemp("feedback") / "feedback.sqlite3",
    })  # fmt: skip
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(build_app(settings, assistant), host="127.0.0.1", port=port,
                                        log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
