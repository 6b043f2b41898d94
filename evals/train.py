"""`python -m evals train`: learn the answerer's span model, ranker and gate.

All three learn from the dev split (on the corpus) and the training documents (`evals/train/`),
never from test, held-out documents or sealed batches.
0. Span model (index/e5.py, evals/tune.py): e5's upper layers, fine-tuned so that a question's
   cosine is highest for the spans that answer it. Tuned once on all questions (what the product
   uses) and once on each half of the documents: ranker and gate learn from the similarities the
   layers tuned on the *other* half give, as they will be on documents the layers never saw.
1. Ranker: the candidate spans the answerer considers for each question, marked where they hold
   the gold evidence (or all gold facts); a listwise model learns to put the marked ones first.
2. Gate: with the new ranker and the gate open, the features of each best span, labelled 1 where
   the answer then holds the gold facts and 0 for a question the documents do not answer (an
   answerable question answered wrongly failed in retrieval or ranking and says nothing of that).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant import gate
from assistant.features import SPAN_FEATURES
from assistant.learned import WEIGHTS_FILE, LogisticModel, read_weights, write_models
from assistant.pipeline import Assistant
from core.settings import PACKAGED_E5, Settings
from evals import runner
from evals.gold import GoldItem
from evals.metrics import facts_ok
from evals.suites import all_splits, load_splits
from evals.tune import SpanList, frozen, tune, write
from index.dense import TUNED_E5_LAYERS
from index.e5 import load_encoder

TRAIN_SPLITS = ("dev", "train")
TARGET = Path(__file__).resolve().parent.parent / "assistant" / WEIGHTS_FILE


def _holds(item: GoldItem, text: str) -> bool:
    flat = " ".join(text.split())
    if item.evidence and re.search(item.evidence, flat, re.IGNORECASE):
        return True
    return bool(item.facts) and all(re.search(f, flat, re.IGNORECASE) for f in item.facts)


def half(item: GoldItem) -> int:
    """Which half of the documents a question belongs to (by its first source; unanswerable ones by id)."""
    return zlib.crc32((item.sources[0] if item.sources else item.id).encode()) % 2


def collect(
    settings: Settings,
    today: dt.date,
    out: Path,
    what: str,
    span_models: dict[int, str] | None = None,
    keep: Callable[[GoldItem], bool] = lambda item: True,
) -> tuple[list, list, dict]:
    """Rows of features and labels: of every span ('ranker'), of every decision ('gate'), or a
    question's spans as a `SpanList` labelled with its half ('lists'), for the questions `keep`
    accepts. `span_models` gives the span model the questions of each half are answered with (by
    default the settings' one for all)."""
    rows: list = []
    labels: list = []
    counts: dict[str, object] = {}
    learned_from: list[str] = []
    available = all_splits()
    models: dict[int | None, str] = dict(span_models) if span_models else {None: settings.span_model}
    for name, every in load_splits([n for n in TRAIN_SPLITS if n in available]).items():
        items = [i for i in every if keep(i)]
        for part, model in models.items():
            used = settings.model_copy(update={"span_model": model})
            with runner.assistant_for(used, available[name].documents, out, open_gate=True) as assistant:
                for item in (i for i in items if part is None or half(i) == part):
                    if (row := _row(assistant, item, today, what)) is not None:
                        rows.append(row[0])
                        labels.append(row[1])
                assistant.answerer.record = assistant.answerer.record_spans = None
        counts[name] = len(items)
        learned_from += [i.id for i in items]
    counts["questions"] = sorted(learned_from)  # what `python -m evals calibrate` must leave out
    return rows, labels, counts


def _row(assistant: Assistant, item: GoldItem, today: dt.date, what: str) -> tuple[Any, Any] | None:
    """One question's row and label for `what`, or None where it teaches nothing."""
    answerer = assistant.answerer
    answerer.record, answerer.record_spans = [], []
    answer = assistant.ask(item.question, today=item.today or today, history=item.history)
    if what == "gate":  # the best span's features; right answers and unanswerable questions only
        right = item.answerable and facts_ok(item, answer.model_dump(mode="json"))
        if answerer.record and (right or not item.answerable):
            return [answerer.record[0][f] for f in gate.FEATURES], int(right)
        return None
    texts: list[str] = []  # one group of spans per question, marked where they answer
    group, marks = [], []
    for values, text, _ in answerer.record_spans:
        if text not in texts:
            texts.append(text)
            group.append([values[f] for f in SPAN_FEATURES])
            marks.append(int(item.answerable and _holds(item, text)))
    if what == "lists":  # the question as the span model sees it (with a follow-up's context)
        asked = answerer.record_spans[0][2] if answerer.record_spans else item.question
        return SpanList(asked, tuple(texts), tuple(marks), item.answerable), half(item)
    return (group, marks) if any(marks) else None  # the ranker learns from questions some span answers


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


def run_train(
    today: dt.date,
    out: Path,
    target: Path = TARGET,
    layers: Path = TUNED_E5_LAYERS,
    reuse_span_models: bool = False,
    unseen_only: bool = False,
) -> int:
    settings = Settings()
    if unseen_only:
        return _refit_on_unseen(settings, today, out, target)
    other = {part: out / f"e5-spans-without-half-{part}.npz" for part in (0, 1)}
    if reuse_span_models:
        missing = [str(path) for path in other.values() if not path.is_file()]
        if missing:
            print(f"Die Textstellen-Modelle je Hälfte fehlen ({', '.join(missing)}); ohne --reuse-span-models lernen.")
            return 1
        print(f"Textstellen-Modelle: das mitgelieferte und die je Hälfte in {out} (nicht neu gelernt)")
    else:
        print("Textstellen-Modell (obere Schichten von e5), je Hälfte der Dokumente und auf allen:")
        base = settings.model_copy(update={"span_model": PACKAGED_E5})  # which spans are considered needs no span model
        lists, halves, _ = collect(base, today, out, "lists")
        encoder = load_encoder()
        states = frozen(encoder, lists)
        for part, path in other.items():
            without = [s for s, h in zip(lists, halves, strict=True) if h != part]
            write(path, encoder, tune(encoder, without, states=states))
        write(layers, encoder, tune(encoder, lists, states=states))
    span_models = {part: str(path) for part, path in other.items()}
    print("Ranker (Textstellen; Ähnlichkeiten aus dem Modell der jeweils anderen Hälfte):")
    ranker, decision, counts = _fit_ranker_and_gate(settings, today, out, target, span_models=span_models)
    if not reuse_span_models:
        counts["span_model"] = counts["questions"]
    write_models({"ranker": ranker, "gate": decision}, counts, target)
    print(f"Gewichte geschrieben: {target}" + ("" if reuse_span_models else f", {layers}"))
    return 0


def _fit_ranker_and_gate(
    settings: Settings,
    today: dt.date,
    out: Path,
    target: Path,
    span_models: dict[int, str] | None = None,
    keep: Callable[[GoldItem], bool] = lambda item: True,
) -> tuple[LogisticModel, LogisticModel, dict]:
    """The ranker, then the gate over the spans the new ranker puts first (written to `target`
    before the gate's rows are collected; the assistant reads it there when `target` is the
    packaged weights file), and what the gate learned from."""
    rows, labels, counts = collect(settings, today, out, "ranker", span_models, keep)
    ranker = fit_listwise(SPAN_FEATURES, rows, labels)
    write_models({"ranker": ranker}, counts, target)
    print("Antwortprüfung (beste Textstelle je Frage):")
    rows, labels, counts = collect(settings, today, out, "gate", span_models, keep)
    decision, _ = fit(gate.FEATURES, rows, labels)
    return ranker, decision, counts


def _refit_on_unseen(settings: Settings, today: dt.date, out: Path, target: Path) -> int:
    """Ranker and gate learn anew from the dev and training questions the packaged span model never
    learned from, with that span model: its similarities on them are those of questions it never
    saw, as they will be on new documents, with no span models per half to tune (which takes hours
    once the splits have grown). The span model and its list of questions stay as they are."""
    trained_on = read_weights(target).get("trained_on", {})
    seen = set(trained_on.get("span_model", trained_on.get("questions", [])))
    if not seen:
        print("Die Gewichte nennen die Fragen des Textstellen-Modells nicht; zuerst 'python -m evals train'.")
        return 1

    def unseen(item: GoldItem) -> bool:
        return item.id not in seen

    print(f"Ranker (Fragen, die das Textstellen-Modell nie gesehen hat; {len(seen)} gesehene bleiben außen vor):")
    ranker, decision, counts = _fit_ranker_and_gate(settings, today, out, target, keep=unseen)
    # what `python -m evals calibrate` must leave out: what any of the three models learned from
    counts["span_model"] = sorted(seen)
    counts["questions"] = sorted(seen | set(counts["questions"]))
    write_models({"ranker": ranker, "gate": decision}, counts, target)
    print(f"Gewichte geschrieben: {target}")
    return 0
