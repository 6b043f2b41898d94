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
from evals import runner
from evals.metrics import facts_ok
from evals.suites import all_splits, load_splits
from evals.train import TARGET, TRAIN_SPLITS

FOLDS = 5


def unseen_rows(
    settings: Settings, today: dt.date, learned: set[str], out: Path
) -> tuple[list[float], list[int], dict]:
    """The open gate's logit and label for every question the models did not learn from (where it
    teaches something: a right answer, or an unanswerable question that reached the gate)."""
    model = gate.load_gate().model
    logits: list[float] = []
    labels: list[int] = []
    used: dict[str, int] = {}
    available = all_splits()
    for name, items in load_splits([n for n in TRAIN_SPLITS if n in available]).items():
        new = [i for i in items if i.id not in learned]
        with runner.assistant_for(settings, available[name].documents, out, open_gate=True) as assistant:
            for item in new:
                assistant.answerer.record = []
                answer = assistant.ask(item.question, today=item.today or today, history=item.history)
                record = assistant.answerer.record
                right = item.answerable and facts_ok(item, answer.model_dump(mode="json"))
                if record and (right or not item.answerable):
                    logits.append(model.logit(record[0]))
                    labels.append(int(right))
            assistant.answerer.record = None
        used[name] = len(new)
    return logits, labels, used


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
