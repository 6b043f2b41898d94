"""Whether the best evidence answers the question: a learned decision, not a hand-set threshold.

A logistic model over general features of the question and its best span (how much of the
question the span covers, with and without the words that name the programme; whether it holds
the figure asked for; the rank of its chunk; its lead over the next span; how much of the
question the corpus does not know). It is trained on the dev split and the training documents by
`python -m evals train`; its weights are a data file of the package, checked when loaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import FoerderlotseError

if TYPE_CHECKING:
    from assistant.answer import Candidate, QuestionContext

FEATURES = (
    "coverage",  # share of the question's weighted words the span covers
    "coverage_asked",  # ... of the words that carry the question (not the programme's name)
    "has_type",  # holds the figure asked for (an amount, a date, ...)
    "asks_figure",  # the question asks for a figure
    "rank_inverse",  # 1 / (1 + rank of its chunk in retrieval)
    "lead",  # its score minus the next span's
    "unknown_share",  # weighted share of question words the corpus never uses
    "unheard",  # the question asks for things of a kind the corpus never names
    "named_missing",  # an abbreviation of the question the span does not name
    "heaviest_missing",  # the largest weight share of one word the span does not cover
    "slots_log",  # log of the number of question words
    "is_list",
)
WEIGHTS_FILE = "data/answerability.json"
RETRAIN = "Neu trainieren mit 'python -m evals train'."


class GateError(FoerderlotseError):
    """The trained weights are missing, corrupt or from another feature set."""


def features(question: QuestionContext, ranked: Sequence[Candidate]) -> dict[str, float]:
    """The features of the best span `ranked[0]` for the question (ranked best first)."""
    from assistant.answer import coverage

    top = ranked[0]
    slots = question.slots
    total = sum(s.weight for s in slots) or 1.0
    missing = [s.weight / total for i, s in enumerate(slots) if top.slot_cover[i] < 0.5]
    return {
        "coverage": coverage(question, [top]),
        "coverage_asked": coverage(question, [top], context=False),
        "has_type": float(top.has_type),
        "asks_figure": float(bool(question.figure_types)),
        "rank_inverse": 1.0 / (1 + top.rank),
        "lead": top.score - (ranked[1].score if len(ranked) > 1 else 0.0),
        "unknown_share": sum(s.weight for s in slots if s.unknown) / total,
        "unheard": float(any(s.unheard for s in slots)),
        "named_missing": float(any(s.named and not top.slot_cover[i] for i, s in enumerate(slots))),
        "heaviest_missing": max(missing, default=0.0),
        "slots_log": math.log1p(len(slots)),
        "is_list": float(top.is_list),
    }


@dataclass(frozen=True)
class Gate:
    """A logistic model: answer where the probability that the span answers is at least one half."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def probability(self, values: dict[str, float]) -> float:
        terms = zip(self.weights, FEATURES, self.mean, self.scale, strict=True)
        z = self.bias + sum(w * (values[name] - m) / s for w, name, m, s in terms)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, question: QuestionContext, ranked: Sequence[Candidate]) -> bool:
        return self.probability(features(question, ranked)) >= 0.5

    def to_json(self, trained_on: dict[str, int]) -> str:
        return json.dumps({"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
                           "mean": list(self.mean), "scale": list(self.scale), "trained_on": trained_on},
                          indent=2)  # fmt: skip


def load_gate(path: Path | None = None) -> Gate:
    """The packaged weights (or those at `path`); a clear German message where they cannot serve."""
    where = str(path) if path else f"assistant/{WEIGHTS_FILE}"
    try:
        source = path or resources.files("assistant").joinpath(WEIGHTS_FILE)
        raw = source.read_text("utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise GateError(f"Die Gewichte der Antwortprüfung fehlen ({where}). {RETRAIN}") from exc
    try:
        data = json.loads(raw)
        if data["features"] != list(FEATURES):
            raise GateError(f"Die Gewichte der Antwortprüfung ({where}) passen nicht zu den Merkmalen dieser "
                            f"Version (erwartet: {', '.join(FEATURES)}). {RETRAIN}")  # fmt: skip
        gate = Gate(tuple(map(float, data["weights"])), float(data["bias"]), tuple(map(float, data["mean"])),
                    tuple(map(float, data["scale"])))  # fmt: skip
    except GateError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise GateError(f"Die Gewichte der Antwortprüfung ({where}) sind beschädigt. {RETRAIN}") from exc
    n = len(FEATURES)
    if not (len(gate.weights) == len(gate.mean) == len(gate.scale) == n) or any(s <= 0 for s in gate.scale) \
            or not all(math.isfinite(v) for v in (*gate.weights, gate.bias, *gate.mean)):  # fmt: skip
        raise GateError(f"Die Gewichte der Antwortprüfung ({where}) sind beschädigt. {RETRAIN}")
    return gate
