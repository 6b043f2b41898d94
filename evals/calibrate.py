"""`python -m evals calibrate`: calibrate the gate on questions its models never learned from.

The gate (assistant/gate.py) learns from the same questions the ranker learned from, where the
ranker is surer of the right span than it is on new documents and new wordings: its probabilities
are too low on those. Platt scaling fixes that from data: over the dev and training questions the
weights file does not list as learned from (dev batches added since, questions on training
documents added since), the gate's logit is mapped by a logistic regression with one input,
`sigmoid(scale * logit + shift)`, to whether the open answer holds the gold facts (answerable
questions answered rightly: 1; unanswerable ones: 0). Test, held-out documents and sealed batches
are never used. A new `python -m evals train` drops the calibration; run this again after it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from assistant import gate
from assistant.learned import Calibration, read_weights, write_calibration
from core.settings import Settings
from evals.train import TARGET, collect

FOLDS = 5


def unseen_rows(
    settings: Settings, today: dt.date, learned: set[str], out: Path
) -> tuple[list[float], list[int], dict]:
    """The open gate's logit and label for every question the models did not learn from (the
    gate's training rows of `evals/train.py`: right answers and unanswerable questions)."""
    model = gate.load_gate().model
    rows, labels, counts = collect(settings, today, out, "gate", keep=lambda item: item.id not in learned)
    logits = [model.logit(dict(zip(gate.FEATURES, row, strict=True))) for row in rows]
    return logits, labels, {name: n for name, n in counts.items() if name != "questions"}


def fit(logits: list[float], labels: list[int]) -> tuple[Calibration, float, float]:
    """Platt scaling, with the cross-validated accuracy of the calibrated and the plain gate."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x, y = np.array(logits)[:, None], np.array(labels)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    held = [
        (LogisticRegression().fit(x[train], y[train]).predict(x[test]) == y[test]).mean()
        for train, test in folds.split(x, y)
    ]
    model = LogisticRegression().fit(x, y)
    calibration = Calibration(float(model.coef_[0][0]), float(model.intercept_[0]))
    return calibration, float(np.mean(held)), float(((x[:, 0] >= 0) == y).mean())


def run_calibrate(today: dt.date, out: Path, target: Path = TARGET) -> int:
    learned = set(read_weights(target).get("trained_on", {}).get("questions", []))
    if not learned:
        print("Die Gewichte nennen die Fragen nicht, aus denen sie gelernt haben; zuerst 'python -m evals train'.")
        return 1
    logits, labels, used = unseen_rows(Settings(), today, learned, out)
    if len(set(labels)) < 2 or min(labels.count(0), labels.count(1)) < FOLDS:
        print(f"Zu wenige neue Fragen zum Kalibrieren ({len(labels)}); neue Dev- oder Trainingsfragen hinzufügen.")
        return 1
    calibration, calibrated, plain = fit(logits, labels)
    print(
        f"{len(labels)} Entscheidungen ({sum(labels)} richtig beantwortbar) aus neuen Fragen {json.dumps(used)}; "
        f"Genauigkeit bisher {plain:.3f}, kalibriert (kreuzvalidiert) {calibrated:.3f}"
    )
    print(f"  Wahrscheinlichkeit = sigmoid({calibration.scale:.3f} * Logit {calibration.shift:+.3f})")
    write_calibration("gate", calibration, {**used, "decisions": len(labels)}, target)
    print(f"Kalibrierung geschrieben: {target}")
    return 0
