"""Shared fixtures: isolated settings, one real index (Qdrant local mode) per test session."""

from __future__ import annotations

import os
import shutil
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
    values: dict[str, object] = {"corpus_dir": CORPUS, "store_path": tmp / "qdrant", **overrides}
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


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
