"""Scale benchmark: the real corpus plus synthetic distractor guidelines up to N chunks.

Distractors are built from the corpus' own sentences, shuffled into numbered sections under other
programme ids and regions, with their figures changed – text that looks like a guideline and
competes for every query. Measured per size: build time, chunks per second, retrieval hit@5 of the
gold questions (their evidence is only in the real documents), answer latency p50/p95, fact accuracy.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import time
from pathlib import Path

from assistant.pipeline import Assistant
from assistant.settings import Settings
from evals.gold import GOLD_DIR, load_gold
from evals.metrics import facts_ok, percentile, retrieval_metrics
from evals.runner import MODES, run_items
from index.build import build_index
from index.documents import load_corpus
from index.text import split_sentences

REGIONS = ["DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH", "DE-HE", "DE-MV", "DE-NI", "DE-NW", "DE-RP",
           "DE-SL", "DE-ST", "DE-SH", "DE-TH"]  # fmt: skip
SECTIONS = ["Zuwendungszweck", "Gegenstand der Förderung", "Zuwendungsempfänger", "Zuwendungsvoraussetzungen",
            "Art und Höhe der Zuwendung", "Verfahren", "Geltungsdauer"]  # fmt: skip


def synthetic_corpus(source: Path, target: Path, chunks_wanted: int, seed: int = 7) -> None:
    """Copy the real corpus and add distractor documents until about `chunks_wanted` chunks."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    docs = load_corpus(source).documents
    for path in source.glob("*.md"):
        (target / path.name).write_bytes(path.read_bytes())
    sentences = [s.text for d in docs for s in split_sentences(" ".join(d.text.split())) if len(s.text) > 40]
    per_doc = 14  # about this many chunks per distractor (7 sections of ~2 chunks at 900 characters)
    for n in range(max(0, (chunks_wanted - 101) // per_doc)):
        region = rng.choice(REGIONS)
        body = [f"Richtlinie über die Förderung sozialer Projekte Nr. {n}"]
        for k, title in enumerate(SECTIONS, 1):
            body.append(f"{k} {title}")
            picked = rng.sample(sentences, 8)
            text = " ".join(re.sub(r"\d+", lambda m: str(rng.randint(1, 99)), s) for s in picked)
            body.append(text)
        meta = (f'---\nid: synth-{n:05d}\ntitle: "Synthetische Richtlinie {n}"\nissuer: "Land {region}"\n'
                f"kind: guideline\nprogramme: synth-{n:05d}\nregion: {region}\n---\n")  # fmt: skip
        (target / f"synth-{n:05d}.md").write_text(meta + "\n\n".join(body) + "\n", encoding="utf-8")


def run_scale(sizes: list[int], out: Path) -> int:
    items = [i for i in load_gold(GOLD_DIR, strict=True) if i.evidence and not i.history]
    answerable = [i for i in items if i.answerable]
    base = Settings()
    results = []
    print(f"{'chunks':>8} {'build s':>8} {'chunks/s':>9} {'hybrid@5':>9} {'sparse@5':>9} {'dense@5':>8} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'facts':>6}")  # fmt: skip
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            synthetic_corpus(base.corpus_dir, corpus, size)
            settings = base.model_copy(update={"corpus_dir": corpus, "store_path": Path(tmp) / "store"})
            started = time.perf_counter()
            report = build_index(settings)
            build_s = time.perf_counter() - started
            assistant = Assistant(settings)
            answers, item_ranks = run_items(assistant, items, today=None)
            assistant.close()
        ranks = {m: [item_ranks[i.id][m] for i in items] for m in MODES}
        retrieval = retrieval_metrics(ranks)
        latencies = [a["latency_ms"] for a in answers.values()]
        facts = sum(facts_ok(i, answers[i.id]) for i in answerable) / len(answerable)
        row = {"chunks": report.chunks, "build_seconds": round(build_s, 1),
               "chunks_per_second": round(report.chunks / build_s, 1),
               "hit@5": {m: retrieval[m]["hit@5"] for m in MODES},
               "latency_p50_ms": percentile(latencies, 0.5), "latency_p95_ms": percentile(latencies, 0.95),
               "fact_accuracy": round(facts, 3)}  # fmt: skip
        results.append(row)
        print(f"{row['chunks']:>8} {row['build_seconds']:>8} {row['chunks_per_second']:>9} "
              f"{row['hit@5']['hybrid']:>9} {row['hit@5']['sparse']:>9} {row['hit@5']['dense']:>8} "
              f"{row['latency_p50_ms']:>7} {row['latency_p95_ms']:>7} {row['fact_accuracy']:>6}", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=2), "utf-8")
    return 0
