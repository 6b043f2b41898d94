"""`python -m evals train`: learn whether the best span answers a question (assistant/gate.py).

Every question of the dev split (on the corpus) and of the training documents is answered with
the gate open; the features of the answerer's decision are recorded, labelled by whether the
answer then holds the gold facts (an unanswerable question: never). A logistic regression on
standardised features is fitted and written as the package's weights file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from assistant.gate import FEATURES, WEIGHTS_FILE, Gate
from assistant.settings import Settings
from evals import runner
from evals.metrics import facts_ok
from evals.suites import all_splits, load_splits

TRAIN_SPLITS = ("dev", "train")


def collect(settings: Settings, today: dt.date, out: Path) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    rows: list[list[float]] = []
    labels: list[int] = []
    counts: dict[str, int] = {}
    groups = load_splits([n for n in TRAIN_SPLITS if n in all_splits()])
    for name, items in groups.items():
        with runner.assistant_for(settings, all_splits()[name].documents, out, open_gate=True) as assistant:
            answerer = assistant.answerer
            for item in items:
                answerer.record = []
                answer = assistant.ask(item.question, today=item.today or today, history=item.history)
                right = item.answerable and facts_ok(item, answer.model_dump(mode="json"))
                # what is learned is whether the evidence answers: a right answer (1) against a
                # question the documents do not answer (0); an answerable question answered
                # wrongly failed in retrieval or composition and says nothing about that
                if answerer.record and (right or not item.answerable):
                    rows.append([answerer.record[0][f] for f in FEATURES])
                    labels.append(int(right))
                answerer.record = None
        counts[name] = len(items)
    return np.array(rows), np.array(labels), counts


def run_train(today: dt.date, out: Path, target: Path | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    settings = Settings()
    x, y, counts = collect(settings, today, out)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(max_iter=1000)
    folds = cross_val_score(LogisticRegression(max_iter=1000), z, y, cv=5)
    model.fit(z, y)
    gate = Gate(tuple(model.coef_[0].tolist()), float(model.intercept_[0]), tuple(mean.tolist()),
                tuple(scale.tolist()))  # fmt: skip
    target = target or Path(__file__).resolve().parent.parent / "assistant" / WEIGHTS_FILE
    target.write_text(gate.to_json({**counts, "decisions": len(y), "answering": int(y.sum())}) + "\n", "utf-8")
    print(f"{len(y)} Entscheidungen ({int(y.sum())} mit richtiger Antwort) aus {counts}")
    print(f"Kreuzvalidiert (5 Teile): Genauigkeit {folds.mean():.3f} (± {folds.std():.3f}); "
          f"immer antworten: {y.mean():.3f}, nie: {1 - y.mean():.3f}")  # fmt: skip
    for name, weight in sorted(zip(FEATURES, model.coef_[0], strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:18s} {weight:+.3f}")
    print(f"Gewichte geschrieben: {target}")
    return 0
