"""`python -m evals train`: learn the answerer's ranker and gate (assistant/learned.py).

Both learn from the dev split (on the corpus) and the training documents (`evals/train/`), never
from test, held-out documents or sealed batches.
1. Ranker: the candidate spans the answerer considers for each question, marked where they hold
   the gold evidence (or all gold facts); a listwise model learns to put the marked ones first.
2. Gate: with the new ranker and the gate open, the features of each best span, labelled 1 where
   the answer then holds the gold facts and 0 for a question the documents do not answer (an
   answerable question answered wrongly failed in retrieval or ranking and says nothing of that).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np

from assistant import gate
from assistant.features import SPAN_FEATURES
from assistant.learned import WEIGHTS_FILE, LogisticModel, write_models
from core.settings import Settings
from evals import runner
from evals.gold import GoldItem
from evals.metrics import facts_ok
from evals.suites import all_splits, load_splits

TRAIN_SPLITS = ("dev", "train")
TARGET = Path(__file__).resolve().parent.parent / "assistant" / WEIGHTS_FILE


def _holds(item: GoldItem, text: str) -> bool:
    flat = " ".join(text.split())
    if item.evidence and re.search(item.evidence, flat, re.IGNORECASE):
        return True
    return bool(item.facts) and all(re.search(f, flat, re.IGNORECASE) for f in item.facts)


def collect(settings: Settings, today: dt.date, out: Path, what: str) -> tuple[list, list, dict]:
    """Rows of features and labels: of every span ('ranker') or of every decision ('gate')."""
    rows: list = []
    labels: list = []
    counts: dict[str, int] = {}
    available = all_splits()
    for name, items in load_splits([n for n in TRAIN_SPLITS if n in available]).items():
        with runner.assistant_for(settings, available[name].documents, out, open_gate=True) as assistant:
            answerer = assistant.answerer
            for item in items:
                answerer.record, answerer.record_spans = [], []
                answer = assistant.ask(item.question, today=item.today or today, history=item.history)
                if what == "ranker":  # one group of spans per question that some span answers
                    seen: set[str] = set()
                    group, marks = [], []
                    for values, text in answerer.record_spans:
                        if text not in seen:
                            seen.add(text)
                            group.append([values[f] for f in SPAN_FEATURES])
                            marks.append(int(item.answerable and _holds(item, text)))
                    if any(marks):
                        rows.append(group)
                        labels.append(marks)
                else:
                    right = item.answerable and facts_ok(item, answer.model_dump(mode="json"))
                    if answerer.record and (right or not item.answerable):
                        rows.append([answerer.record[0][f] for f in gate.FEATURES])
                        labels.append(int(right))
            answerer.record = answerer.record_spans = None
        counts[name] = len(items)
    return rows, labels, counts


def fit(names: tuple[str, ...], rows: list[list[float]], labels: list[int]) -> tuple[LogisticModel, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    x, y = np.array(rows), np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    folds = cross_val_score(LogisticRegression(max_iter=2000), z, y, cv=5)
    model = LogisticRegression(max_iter=2000).fit(z, y)
    learned = LogisticModel(
        names, tuple(model.coef_[0].tolist()), float(model.intercept_[0]), tuple(mean.tolist()), tuple(scale.tolist())
    )
    print(
        f"  {len(y)} Beispiele ({int(y.sum())} positiv); kreuzvalidierte Genauigkeit {folds.mean():.3f}, "
        f"Mehrheit {max(y.mean(), 1 - y.mean()):.3f}"
    )
    for name, weight in sorted(zip(names, model.coef_[0], strict=True), key=lambda p: -abs(p[1])):
        print(f"    {name:18s} {weight:+.3f}")
    return learned, float(folds.mean())


def fit_listwise(
    names: tuple[str, ...],
    groups: list[list[list[float]]],
    marks: list[list[int]],
    l2: float = 0.01,
    steps: int = 400,
    rate: float = 0.5,
) -> LogisticModel:
    """A linear scorer trained so that, per question, a softmax over its spans puts the weight
    on the spans that hold the answer (listwise); its scores rank, its logistic is a belief."""
    xs = [np.array(g, dtype=float) for g in groups]
    everything = np.vstack(xs)
    mean, scale = everything.mean(axis=0), everything.std(axis=0)
    scale[scale == 0] = 1.0
    data = [((x - mean) / scale, np.array(m) / sum(m)) for x, m in zip(xs, marks, strict=True)]

    def top1(w: np.ndarray, part: list) -> float:
        return float(np.mean([t[np.argmax(z @ w)] > 0 for z, t in part]))

    def train(part: list) -> np.ndarray:
        w = np.zeros(everything.shape[1])
        for _ in range(steps):
            grad = l2 * w
            for z, t in part:
                s = z @ w
                p = np.exp(s - s.max())
                grad += z.T @ (p / p.sum() - t) / len(part)
            w -= rate * grad
        return w

    folds = [data[i::5] for i in range(5)]
    held = [top1(train([d for j, f in enumerate(folds) if j != i for d in f]), folds[i]) for i in range(5)]
    w = train(data)
    print(
        f"  {len(data)} Fragen, {len(everything)} Textstellen; beste Textstelle richtig: "
        f"kreuzvalidiert {np.mean(held):.3f}, auf allen {top1(w, data):.3f}"
    )
    for name, weight in sorted(zip(names, w, strict=True), key=lambda p: -abs(p[1])):
        print(f"    {name:18s} {weight:+.3f}")
    # the logistic of the listwise score is a belief that rises with it, not a calibrated
    # probability (calibrated, answers lost facts they need a second passage for: dev 0.88 -> 0.80)
    return LogisticModel(names, tuple(w.tolist()), 0.0, tuple(mean.tolist()), tuple(scale.tolist()))


def run_train(today: dt.date, out: Path, target: Path = TARGET) -> int:
    settings = Settings()
    print("Ranker (Textstellen):")
    rows, labels, counts = collect(settings, today, out, "ranker")
    ranker = fit_listwise(SPAN_FEATURES, rows, labels)
    write_models({"ranker": ranker}, counts, target)
    print("Antwortprüfung (beste Textstelle je Frage):")
    rows, labels, counts = collect(settings, today, out, "gate")
    decision, _ = fit(gate.FEATURES, rows, labels)
    write_models({"ranker": ranker, "gate": decision}, counts, target)
    print(f"Gewichte geschrieben: {target}")
    return 0
