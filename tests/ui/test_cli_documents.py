"""`foerderlotse documents`: each document's metadata, given or inferred with its quote, and warnings;
run as users run it (a subprocess), on the test documents without front matter and on the corpus."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

META_DOCS = Path(__file__).resolve().parent.parent / "index" / "meta_docs"


def documents(*args: str, corpus: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOERDERLOTSE_")}
    env["PYTHONPATH"] = str(CORPUS.parent)
    extra = ["--corpus", str(corpus)] if corpus else []
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "documents", *extra, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_inferred_fields_are_marked_with_their_quote_and_missing_ones_warned() -> None:
    done = documents(corpus=META_DOCS)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "■ th-familienzentren-richtlinie-2025 (th-familienzentren-richtlinie-2025.txt)" in out
    assert "Veröffentlicht: 14. März 2025 [erschlossen: „Vom 14. März 2025“]" in out
    assert "Gültig bis: 31. Dezember 2027 [erschlossen: „Diese Richtlinie tritt am 1. April 2025 in Kraft" in out
    assert "Frist 31. März 2027 (ab 1. Februar 2027) – Einreichung [erschlossen: „In der ersten Stufe" in out
    assert "Region: DE-HH, DE-MV, DE-SH [erschlossen: „Gefördert werden Vorhaben" in out
    news = out.split("■ paritaet-nachbarschaft-meldung")[1].split("■")[0]
    assert "⚠ Kein Herausgeber gefunden." in news and "⚠ Keine Region gefunden" in news
    assert "Fristen: –" in news


def test_json_quotes_are_the_document_text_at_their_offsets() -> None:
    done = documents("--json", corpus=META_DOCS)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["problems"] == [] and len(payload["documents"]) == 5
    for doc in payload["documents"]:
        text = (META_DOCS / doc["path"]).read_text(encoding="utf-8")
        quoted = [f for f in doc["fields"] if f["quote"]] + [d for d in doc["deadlines"] if d["quote"]]
        assert quoted, doc["id"]
        for item in quoted:
            assert text[item["start"] : item["end"]] == item["quote"]
    th = next(d for d in payload["documents"] if d["id"] == "th-familienzentren-richtlinie-2025")
    origins = {f["name"]: (f["origin"], f["value"]) for f in th["fields"]}
    assert origins["valid_from"] == ("inferred", "2025-04-01")
    assert [d["date"] for d in th["deadlines"] if d["kind"] == "submission"] == [
        "2025-06-30",
        "2025-10-31",
        "2026-10-31",
    ]


def test_front_matter_fields_are_marked_as_given() -> None:
    done = documents("--json", corpus=CORPUS)
    assert done.returncode == 0, done.stderr
    bmas = next(d for d in json.loads(done.stdout)["documents"] if d["id"].startswith("bmas-"))
    origins = {f["name"]: f["origin"] for f in bmas["fields"]}
    assert origins["valid_until"] == "given" and origins["valid_from"] == "inferred"
    assert all(d["origin"] == "given" for d in bmas["deadlines"])


def test_contradicting_dates_are_warned(tmp_path: Path) -> None:
    (tmp_path / "widerspruch.txt").write_text(
        "Richtlinie Beispielförderung\n\nVom 2. Januar 2026\n\n"
        "Anträge sind bis zum 30. Juni 2027 einzureichen.\n\n"
        "Diese Richtlinie tritt am 1. Februar 2026 in Kraft und mit Ablauf des 31. Dezember 2026 außer Kraft.\n",
        encoding="utf-8",
    )
    done = documents(corpus=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "⚠ Widerspruch: Frist 30. Juni 2027 liegt nach dem Ende der Gültigkeit (31. Dezember 2026)." in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--corpus", "gibt-es-nicht"], "Fehler: Korpus-Ordner gibt-es-nicht nicht gefunden."),
        (["--unbekannt"], "Fehler: ungültiger Aufruf"),
    ],
)
def test_bad_input_is_one_german_line(args: list[str], expected: str) -> None:
    done = documents(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().startswith(expected) and len(done.stderr.strip().splitlines()) == 1


def test_a_broken_file_is_named_and_the_others_still_listed(tmp_path: Path) -> None:
    for doc in META_DOCS.iterdir():
        shutil.copy(doc, tmp_path / doc.name)
    (tmp_path / "kaputt.docx").write_bytes(b"PK\x03\x04 kein Word")
    done = documents(corpus=tmp_path)
    assert done.returncode == 1
    assert "kaputt.docx" in done.stderr and "Word-Datei ist beschädigt" in done.stderr
    assert "5 Dokumente" in done.stdout


def test_a_reader_that_stops_early_is_no_error() -> None:
    """`foerderlotse documents | head -3`: the listing ends quietly, no 'interner Fehler'."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOERDERLOTSE_")}
    env["PYTHONPATH"] = str(CORPUS.parent)
    run = subprocess.run(
        f"{sys.executable} -m ui.cli documents --corpus {CORPUS} | head -3",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert len(run.stdout.splitlines()) == 3
    assert "Fehler" not in run.stderr and "Traceback" not in run.stderr, run.stderr
