"""Two runs compared question by question: right outcomes, won and lost questions, a sign test."""

import json
from pathlib import Path

import pytest

from evals.__main__ import main
from evals.compare import compare, sign_test
from evals.gold import GoldItem


def test_the_sign_test_tells_a_tie_from_a_clear_win() -> None:
    assert sign_test(3, 3) == 1.0 and sign_test(0, 0) == 1.0
    assert sign_test(8, 0) == pytest.approx(2 / 2**8)
    assert sign_test(6, 5) > 0.5 > sign_test(10, 1)


def _answer(item: GoldItem, right: bool) -> dict:
    if not item.answerable:  # a right outcome for an unanswerable question is a refusal
        return {"id": item.id, "answer": "Dazu keine Angaben.", "refused": right}
    return {"id": item.id, "answer": "bis zu 90 % der Ausgaben" if right else "etwas anderes", "refused": False}


def _item(n: int, answerable: bool) -> GoldItem:
    facts = ["90 (?:%|Prozent)"] if answerable else []
    return GoldItem(
        id=f"dev-{n:03d}", question="Wie hoch ist die Förderquote?", answerable=answerable, kind="rate", facts=facts
    )


def test_a_comparison_counts_right_outcomes_and_names_what_changed_in_dev(tmp_path: Path, capsys, monkeypatch) -> None:
    asked = [_item(n, answerable=n < 3) for n in range(5)]
    dev = [*asked, _item(9, answerable=True)]  # one the runs did not answer does not count
    before = {i.id: _answer(i, right=n != 0) for n, i in enumerate(asked)}  # the first one wrong
    after = {i.id: _answer(i, right=n != len(asked) - 1) for n, i in enumerate(asked)}  # the last one wrong
    rows = compare(before, after, {"dev": dev})
    assert rows == [
        {
            "split": "dev",
            "questions": 5,
            "before": 4,
            "after": 4,
            "won": [asked[0].id],
            "lost": [asked[-1].id],
            "p": 1.0,
        }
    ]
    for name, answers in (("before", before), ("after", after)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "answers.jsonl").write_text("\n".join(json.dumps(a) for a in answers.values()))
    monkeypatch.setattr("evals.compare.load_splits", lambda names: {"dev": dev})
    assert main(["compare", str(tmp_path / "before"), str(tmp_path / "after")]) == 0
    said = capsys.readouterr().out
    assert "| dev | 5 | 4 | 4 | 1 | 1 | 1.000 |" in said and asked[0].id in said


def test_a_run_that_is_not_there_is_one_german_line_and_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["compare", str(tmp_path / "fehlt"), str(tmp_path / "auch")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: keine Antworten eines Laufs") and len(err.strip().splitlines()) == 1
