"""Fine-tune e5's upper layers on the gold questions (index/e5.py), for the answerer's span similarity.

A question's candidate spans (those the answerer considers) form one list; the spans that hold
the gold evidence are its targets. The loss is listwise: a softmax over the cosines of the question
and its spans (temperature TEMPERATURE), pulled towards the marked spans. A question the documents
do not answer has one more choice in its list, "none of them", a cosine learned along with the
layers: so the similarity learns what answers a question, not only what is about its topic, and the
gate reads it on an absolute scale. e5's lower layers stay frozen, so their token states are worked
out once (`frozen`) and only the upper layers learn.
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
NONE_RATE = 1e-3  # the "none of them" cosine is one number; it learns faster than the layers


@dataclass(frozen=True)
class SpanList:
    """One gold question with the spans the answerer considered for it, marked 1 where they answer;
    `answerable` is False for a question the documents do not answer."""

    question: str
    spans: tuple[str, ...]
    marks: tuple[int, ...]
    answerable: bool = True


@dataclass(frozen=True)
class Frozen:
    """e5's lower-layer token states of questions and spans, by text."""

    questions: dict
    spans: dict


def frozen(encoder: Encoder, lists: list[SpanList]) -> Frozen:
    """The lower layers' states of every question and span in `lists`, worked out once for all tunings."""
    import torch

    with torch.no_grad():
        return Frozen(
            dict(_states(encoder, sorted({s.question for s in lists}), QUERY)),
            dict(_states(encoder, sorted({t for s in lists for t in s.spans}), PASSAGE)),
        )


def tune(encoder: Encoder, lists: list[SpanList], seed: int = 0, states: Frozen | None = None):
    """Upper layers (a fresh copy of e5's) trained on `lists`; returns the layer list to save."""
    import copy

    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    # an answerable question none of whose spans holds the answer failed in retrieval: nothing to learn
    lists = [s for s in lists if any(s.marks) or (not s.answerable and s.spans)]
    states = states or frozen(encoder, lists)
    layers = copy.deepcopy(encoder.layers)
    upper = layers[FIRST_TUNED:]
    upper.train()
    none = torch.nn.Parameter(torch.tensor(0.85))
    optimiser = torch.optim.AdamW(
        [{"params": upper.parameters()}, {"params": [none], "lr": NONE_RATE, "weight_decay": 0.0}],
        lr=RATE,
        weight_decay=0.01,
    )
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
                vectors = pool(upper, [states.questions[item.question]] + [states.spans[t] for t in texts])
                logits = torch.cat([vectors[1:] @ vectors[0], none[None]]) / TEMPERATURE
                target = torch.zeros(len(texts) + 1)
                if marked:
                    target[: len(marked)] = 1.0 / len(marked)
                else:  # the documents do not answer: "none of them"
                    target[-1] = 1.0
                loss = loss - (target * torch.log_softmax(logits, 0)).sum() / 8
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
        mean = total / max(1.0, len(lists) / 8)
        seconds = time.monotonic() - started
        print(f"    Epoche {epoch + 1}: Verlust {mean:.3f}, Kosinus „keine“ {none.item():.3f} ({seconds:.0f} s)")
    upper.eval()
    return layers


def _states(encoder: Encoder, texts: list[str], prefix: str, batch: int = 16):
    for at in range(0, len(texts), batch):
        part = texts[at : at + batch]
        yield from zip(part, encoder.lower(part, prefix, FIRST_TUNED), strict=True)


def write(path: Path, encoder: Encoder, layers) -> None:
    save_tuned(path, layers, FIRST_TUNED, encoder)
