"""Whether the best evidence answers the question: a learned decision, not a hand-set threshold.

The `gate` model (assistant/learned.py) over general features of the question and its best span:
how much of the question the span covers, with and without the words that name the programme;
the ranker's belief in it and its lead over the next span; whether it holds the figure asked for;
how much of the question the corpus does not know. Answer where the probability is at least one half;
the probability is the model's, calibrated on questions neither the ranker nor the gate learned from
(`python -m evals calibrate`), where the weights file holds such a calibration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from assistant.features import Candidate, coverage
from assistant.learned import Calibration, LogisticModel, load_calibration, load_model
from assistant.question import QuestionContext

FEATURES = (
    "coverage",  # share of the question's weighted words the span covers
    "coverage_asked",  # ... of the words that carry the question (not the programme's name)
    "ranker",  # the ranker's logit for the span
    "lead",  # ... minus the next span's
    "has_type",  # holds the figure asked for (an amount, a date, ...)
    "asks_figure",  # the question asks for a figure
    "unknown_share",  # weighted share of question words the corpus never uses
    "heaviest_missing",  # the largest weight share of one word the span does not cover
    "dense",  # the e5 similarity of the best span and the question
    "dense_best",  # the highest e5 similarity of any span
    "slots_log",  # log of the number of question words
)


def features(question: QuestionContext, ranked: Sequence[Candidate]) -> dict[str, float]:
    """The features of the best span `ranked[0]` for the question (ranked best first)."""
    top = ranked[0]
    slots = question.slots
    total = sum(s.weight for s in slots) or 1.0
    missing = [s.weight / total for i, s in enumerate(slots) if top.slot_cover[i] < 0.5]
    return {
        "coverage": coverage(question, [top]),
        "coverage_asked": coverage(question, [top], context=False),
        "ranker": top.logit,
        "lead": top.logit - ranked[1].logit if len(ranked) > 1 else 0.0,
        "has_type": float(top.has_type),
        "asks_figure": float(bool(question.figure_types)),
        "unknown_share": sum(s.weight for s in slots if s.unknown) / total,
        "heaviest_missing": max(missing, default=0.0),
        "dense": top.dense,
        "dense_best": max(c.dense for c in ranked),
        "slots_log": math.log1p(len(slots)),
    }


class Gate:
    def __init__(self, model: LogisticModel, calibration: Calibration | None = None) -> None:
        self.model = model
        self.calibration = calibration or Calibration()

    def probability(self, values: dict[str, float]) -> float:
        """The probability that the best span answers, calibrated where a calibration exists."""
        return self.calibration.probability(self.model.logit(values))

    def answers(self, question: QuestionContext, ranked: Sequence[Candidate]) -> bool:
        return self.probability(features(question, ranked)) >= 0.5


def load_gate() -> Gate:
    return Gate(load_model("gate", FEATURES), load_calibration("gate"))
