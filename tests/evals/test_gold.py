"""Broken gold files are rejected before anything runs, naming file, line and field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evals.gold import GOLD_DIR, GoldError, load_gold

GOOD = {
    "id": "x-1",
    "question": "Wie hoch ist die Förderquote?",
    "answerable": True,
    "kind": "rate",
    "facts": ["95 Prozent"],
    "sources": ["sn-ki-foerderaufruf-2026"],
    "evidence": "95 Prozent",
}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "private.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _line(**changes: object) -> str:
    item = {**GOOD, **changes}
    return json.dumps({k: v for k, v in item.items() if v is not None}, ensure_ascii=False)


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        ('{"id": "x-2", "question": ', r"private\.jsonl:2: kein gültiges JSON"),
        (_line(id="x-2", question=None), r"private\.jsonl:2: Feld 'question'"),
        (_line(id="x-2", facts=["(95"]), r"private\.jsonl:2: Feld 'facts'.*regulärer Ausdruck"),
        (_line(id="x-2", evidence="[a-"), r"private\.jsonl:2: Feld 'evidence'"),
        (_line(), r"private\.jsonl:2: Feld 'id': 'x-1' doppelt \(zuerst private\.jsonl:1\)"),
        (_line(id="x-2", answerable="vielleicht"), r"private\.jsonl:2: Feld 'answerable'"),
        (_line(id="x-2", history=[{"role": "bot", "content": "x"}]), r"private\.jsonl:2: Feld 'history"),
        ("[1, 2]", r"private\.jsonl:2: ein JSON-Objekt erwartet"),
        (_line(id="x-2", expect_lead=["vielleicht"]), r"private\.jsonl:2: Feld 'expect_lead"),
    ],
)
def test_broken_gold_line_is_named(tmp_path: Path, second_line: str, expected: str) -> None:
    path = _write(tmp_path, [_line(), second_line])
    with pytest.raises(GoldError, match=expected):
        load_gold(path)


def test_external_gold_may_leave_out_sources_and_evidence(tmp_path: Path) -> None:
    path = _write(tmp_path, [_line(sources=None, evidence=None)])
    (item,) = load_gold(path)
    assert item.sources is None and item.evidence is None
    with pytest.raises(GoldError, match="Feld 'sources'/'evidence'"):
        load_gold(path, strict=True)


def test_project_gold_set_is_valid_and_balanced() -> None:
    items = load_gold(GOLD_DIR, strict=True)
    assert len(items) >= 120
    unanswerable = [i for i in items if not i.answerable]
    assert len(unanswerable) >= 0.2 * len(items)
    kinds = {i.kind for i in items}
    assert {
        "amount",
        "rate",
        "deadline",
        "date",
        "eligibility",
        "procedure",
        "rule",
        "list",
        "comparison",
        "temporal",
        "follow-up",
        "unanswerable",
    } <= kinds


def test_runner_rejects_broken_gold_before_running(tmp_path: Path) -> None:
    path = _write(tmp_path, [_line(), _line(id="x-2", facts=["(95"])])
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "evals", "run", "--gold", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Fehler in der Gold-Datei: private.jsonl:2: Feld 'facts'")
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_evidence_is_found_across_non_breaking_spaces_and_line_breaks(tmp_path: Path) -> None:
    from evals.runner import evidence_rank
    from index.chunker import Chunk
    from index.store import Hit

    [item] = load_gold(_write(tmp_path, [_line(evidence=r"bis zum 20\. Juni 2023")]))

    def hit(text: str, doc_id: str = "sn-ki-foerderaufruf-2026") -> Hit:
        return Hit(
            Chunk(
                id=text[:8],
                doc_id=doc_id,
                ordinal=0,
                section="",
                start=0,
                end=len(text),
                text=text,
                header="",
                programme=None,
                region="DE",
                kind="call",
            ),
            1.0,
        )

    hits = [hit("Frist bis zum 21. Juni 2023."), hit("Frist bis zum 20.\xa0Juni\n2023 an die gsub.")]
    assert evidence_rank(item, hits) == 2
    assert evidence_rank(item, [hit("Frist bis zum 20.\xa0Juni 2023.", doc_id="anderes-dokument")]) is None


def test_leads_of_yes_no_answers_are_scored_against_the_gold() -> None:
    from evals.gold import GoldItem
    from evals.metrics import answer_metrics

    def item(n: int, lead: list[str]) -> GoldItem:
        return GoldItem.model_validate({**GOOD, "id": f"x-{n}", "facts": ["Regel"], "expect_lead": lead})

    def answer(text: str) -> dict:
        return {"answer": text, "refused": False, "citations": [], "notices": [], "latency_ms": 1.0}

    items = [item(1, ["ja"]), item(2, ["nein"]), item(3, ["ja", "bedingt"]), item(4, ["nein"])]
    answers = {
        "x-1": answer("Ja – laut Förderrichtlinie: Regel. [1]"),
        "x-2": answer("Ja – laut Förderrichtlinie: Regel. [1]"),
        "x-3": answer("Nur unter Bedingungen – laut Förderrichtlinie: Regel. [1]"),
        "x-4": answer("Laut Förderrichtlinie: Regel. [1]"),
    }
    metrics = answer_metrics(items, answers, {})
    assert metrics["lead_rate"] == 0.5 and metrics["wrong_leads"] == 1
