"""The span model's tuning (evals/tune.py) on a tiny made-up set, with e5's real layers."""

from __future__ import annotations

import numpy as np

from evals import tune
from index.e5 import PASSAGE, QUERY, load_encoder

SPANS = (
    "Die Förderquote beträgt bis zu 80 Prozent der zuwendungsfähigen Ausgaben.",
    "Anträge sind bis zum 31. März 2026 bei der Bewilligungsstelle einzureichen.",
    "Antragsberechtigt sind gemeinnützige Träger der freien Wohlfahrtspflege.",
)
ASKED = "wie viel prozent zahlt das land dazu"
UNANSWERED = "wie hoch ist der zinssatz für das darlehen"


def _gap(encoder) -> float:
    """How far the answering span's cosine for the answered question lies above the best cosine
    any span gets for the question the spans do not answer."""
    spans = encoder.embed(list(SPANS), PASSAGE)
    asked, unanswered = encoder.embed([ASKED, UNANSWERED], QUERY)
    return float(spans[0] @ asked - (spans @ unanswered).max())


def test_tuning_learns_the_answer_and_that_an_unanswered_question_has_none(tmp_path, monkeypatch):
    monkeypatch.setattr(tune, "EPOCHS", 12)
    base = load_encoder()
    lists = [
        tune.SpanList(ASKED, SPANS, (1, 0, 0)),
        tune.SpanList(UNANSWERED, SPANS, (0, 0, 0), answerable=False),
        tune.SpanList("wer kriegt das geld", SPANS, (0, 0, 0)),  # answerable, no span holds it: left out
    ]
    path = tmp_path / "tuned.npz"
    tune.write(path, base, tune.tune(base, lists))
    tuned = base.with_tuned(path)
    spans = tuned.embed(list(SPANS), PASSAGE)
    assert int(np.argmax(spans @ tuned.embed([ASKED], QUERY)[0])) == 0
    assert _gap(tuned) > _gap(base) + 0.02
