"""The CLI as users run it: one German line and a non-zero exit for every bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
        env=env, cwd=cwd, timeout=300,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOERDERLOTSE_")}
    env |= {"FOERDERLOTSE_STORE_PATH": str(tmp / "store"), "FOERDERLOTSE_CORPUS_DIR": str(CORPUS),
            "PYTHONPATH": str(CORPUS.parent)}  # fmt: skip
    built = cli("index", "build", env=env, cwd=tmp)
    assert built.returncode == 0, built.stderr
    assert "5 Dokumente" in built.stdout
    return tmp, env


def test_ask_json_has_the_contract_fields(workdir) -> None:
    import json

    tmp, env = workdir
    done = cli("ask", "Wie hoch ist die Förderquote in Sachsen?", "--json", "--today", "2026-11-21",
               env=env, cwd=tmp)  # fmt: skip
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
