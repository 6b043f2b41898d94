"""`python -m evals compare BEFORE AFTER`: two runs of `python -m evals run` judged question by question.

A change that answers more and refuses less can leave the number of right outcomes where it was
(the gate's variants in docs/generalisation.md did). This counts, per split, the questions with a
right outcome (an answerable one answered with its gold facts, an unanswerable one refused) in
each run, the questions the second run won and lost, and a two-sided sign test over those that
changed: the chance of a split at least as uneven if the change made no difference. Only dev
names the questions that changed; the other splits give counts.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from evals.gold import GoldItem
from evals.metrics import right_outcome
from evals.suites import all_splits, load_splits

NAMED = ("dev",)  # the splits whose changed questions are listed by id


def sign_test(wins: int, losses: int) -> float:
    """Two-sided sign test: the chance of at most min(wins, losses) of the changed questions on
    one side if each went either way with one half."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _answers(run: Path) -> dict[str, dict[str, Any]]:
    """A run's answers by question id (from its output folder or its answers.jsonl)."""
    path = run / "answers.jsonl" if run.is_dir() else run
    try:
        with path.open(encoding="utf-8") as lines:
            return {a["id"]: a for a in map(json.loads, lines)}
    except OSError as exc:
        raise ValueError(f"keine Antworten eines Laufs unter {path} ('python -m evals run --out ...')") from exc
    except (json.JSONDecodeError, TypeError, KeyError) as exc:
        raise ValueError(f"{path} ist keine answers.jsonl eines Laufs") from exc


def compare(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], splits: dict[str, list[GoldItem]]
) -> list[dict[str, Any]]:
    """Per split answered in both runs: right outcomes before and after, won and lost questions."""
    rows = []
    for name, items in splits.items():
        both = [i for i in items if i.id in before and i.id in after]
        if not both:
            continue
        was = {i.id: right_outcome(i, before[i.id]) for i in both}
        now = {i.id: right_outcome(i, after[i.id]) for i in both}
        won = [i.id for i in both if now[i.id] and not was[i.id]]
        lost = [i.id for i in both if was[i.id] and not now[i.id]]
        rows.append(
            {
                "split": name,
                "questions": len(both),
                "before": sum(was.values()),
                "after": sum(now.values()),
                "won": won,
                "lost": lost,
                "p": sign_test(len(won), len(lost)),
            }
        )
    return rows


def run_compare(before: Path, after: Path) -> int:
    splits = load_splits(list(all_splits()))
    rows = compare(_answers(before), _answers(after), splits)
    if not rows:
        print("Die beiden Läufe haben keine gemeinsamen Fragen eines Splits.")
        return 1
    print("| Split | Fragen | richtig vorher | richtig nachher | gewonnen | verloren | p (Vorzeichentest) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['split']} | {r['questions']} | {r['before']} | {r['after']} | {len(r['won'])} | {len(r['lost'])} "
            f"| {r['p']:.3f} |"
        )
    for r in rows:
        if r["split"] in NAMED and (r["won"] or r["lost"]):
            print(f"{r['split']}: gewonnen {', '.join(r['won']) or '-'}; verloren {', '.join(r['lost']) or '-'}")
    return 0
