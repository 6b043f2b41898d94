"""Fine-tune e5's upper layers on the gold questions (index/e5.py), for the answerer's span similarity.

A question's candidate spans (those the answerer considers) form one list; the spans that hold
the gold evidence are its targets. The loss is listwise: a softmax over the cosines of the question
and its spans (temperature TEMPERATURE), pulled towards the marked spans. e5's lower layers stay
frozen, so their token states are worked out once and only the upper layers learn.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from index.e5 import PASSAGE, QUERY, Encoder, pool, save_tuned

FIRST_TUNED = 8  # e5 has 12 layers; the last four learn (cross-validated: 4 layers beat 2, docs/generalisation.md)
EPOCHS = 3
NEGATIVES = 12  # unmarked spans per question and step
RATE = 5e-5
TEMPERATURE = 0.05


@dataclass(frozen=True)
class SpanList:
    """One gold question with the spans the answerer considered for it, marked 1 where they answer."""

    question: str
    spans: tuple[str, ...]
    marks: tuple[int, ...]


def tune(encoder: Encoder, lists: list[SpanList], seed: int = 0):
    """Upper layers (a fresh copy of e5's) trained on `lists`; returns the layer list to save."""
    import copy

    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    lists = [s for s in lists if any(s.marks)]
    with torch.no_grad():  # the frozen lower layers' states, worked out once
        questions = {q: s for q, s in _states(encoder, sorted({s.question for s in lists}), QUERY)}
        spans = {t: s for t, s in _states(encoder, sorted({t for s in lists for t in s.spans}), PASSAGE)}
    layers = copy.deepcopy(encoder.layers)
    upper = layers[FIRST_TUNED:]
    upper.train()
    optimiser = torch.optim.AdamW(upper.parameters(), lr=RATE, weight_decay=0.01)
    started = time.monotonic()
    for epoch in range(EPOCHS):
        rng.shuffle(lists)
        total = 0.0
        for at in range(0, len(lists), 8):
            loss = torch.zeros(())
            for item in lists[at : at + 8]:
                marked = [t for t, m in zip(item.spans, item.marks, strict=True) if m]
                others = [t for t, m in zip(item.spans, item.marks, strict=True) if not m]
                rng.shuffle(others)
                texts = marked + others[:NEGATIVES]
                vectors = pool(upper, [questions[item.question]] + [spans[t] for t in texts])
                logits = vectors[1:] @ vectors[0] / TEMPERATURE
                target = torch.tensor([1.0 / len(marked)] * len(marked) + [0.0] * (len(texts) - len(marked)))
                loss = loss - (target * torch.log_softmax(logits, 0)).sum() / 8
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        mean = total / max(1.0, len(lists) / 8)
        print(f"    Epoche {epoch + 1}: Verlust {mean:.3f} ({time.monotonic() - started:.0f} s)")
    upper.eval()
    return layers


def _states(encoder: Encoder, texts: list[str], prefix: str, batch: int = 16):
    for at in range(0, len(texts), batch):
        part = texts[at : at + batch]
        yield from zip(part, encoder.lower(part, prefix, FIRST_TUNED), strict=True)


def write(path: Path, encoder: Encoder, layers) -> None:
    save_tuned(path, layers, FIRST_TUNED, encoder)
