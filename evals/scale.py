"""Scale benchmark: the real corpus, then synthetic distractor guidelines up to N chunks.

Distractors are built from the corpus' own sentences, shuffled into numbered sections under other
programme ids and regions, with their figures changed – text that looks like a guideline and
competes for every query. They are labelled synthetic in the report.

Per engine and size, in a fresh process (so that its peak memory is its own): build time and
chunks per second, retrieval alone and full answer latency p50/p95 for the gold questions, hybrid
hit@5 (their evidence is only in the real documents), fact accuracy, and peak memory (max RSS).
Engines: Qdrant Edge (default embedded), qdrant-client's local mode (exhaustive search in Python;
only up to `local_up_to` chunks, beyond it a run takes hours) and a Qdrant server where
FOERDERLOTSE_QDRANT_URL is set.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import resource
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from evals.metrics import percentile

REGIONS = [
    "DE-BW",
    "DE-BY",
    "DE-BE",
    "DE-BB",
    "DE-HB",
    "DE-HH",
    "DE-HE",
    "DE-MV",
    "DE-NI",
    "DE-NW",
    "DE-RP",
    "DE-SL",
    "DE-ST",
    "DE-SH",
    "DE-TH",
]
SECTIONS = [
    "Zuwendungszweck",
    "Gegenstand der Förderung",
    "Zuwendungsempfänger",
    "Zuwendungsvoraussetzungen",
    "Art und Höhe der Zuwendung",
    "Verfahren",
    "Geltungsdauer",
]
REAL = 0  # size "0" stands for the real corpus alone


def synthetic_corpus(source: Path, target: Path, chunks_wanted: int, seed: int = 7) -> None:
    """Copy the real corpus and add distractor documents until about `chunks_wanted` chunks."""
    from index.documents import load_corpus
    from index.text import split_sentences

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
        meta = (
            f'---\nid: synth-{n:05d}\ntitle: "Synthetische Richtlinie {n}"\nissuer: "Land {region}"\n'
            f"kind: guideline\nprogramme: synth-{n:05d}\nregion: {region}\n---\n"
        )
        (target / f"synth-{n:05d}.md").write_text(meta + "\n\n".join(body) + "\n", encoding="utf-8")


def measure(engine: str, size: int) -> dict[str, Any]:
    """One engine at one corpus size; meant to run in its own process."""
    from assistant.pipeline import Assistant
    from core.settings import Settings
    from evals.gold import GOLD_DIR, load_gold
    from evals.metrics import facts_ok
    from evals.runner import evidence_rank
    from index.build import build_index

    items = [i for i in load_gold(GOLD_DIR, strict=True) if not i.history]
    base = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = base.corpus_dir
        if size != REAL:
            corpus = Path(tmp) / "corpus"
            synthetic_corpus(base.corpus_dir, corpus, size)
        update: dict[str, Any] = {"corpus_dir": corpus, "store_path": Path(tmp) / "store"}
        if engine == "server":  # a collection of its own on the server, removed afterwards
            update["collection"] = f"foerderlotse-bench-{uuid.uuid4().hex[:8]}"
        else:
            update |= {"qdrant_url": None, "embedded_engine": engine}
        settings = base.model_copy(update=update)
        started = time.perf_counter()
        report = build_index(settings)
        build_s = time.perf_counter() - started
        assistant = Assistant(settings)
        try:
            retrieval_ms, answer_ms, ranks, facts = [], [], [], []
            for item in items:
                query = assistant.query_for(item.question, None, None)
                t0 = time.perf_counter()
                hits = assistant.retriever.search(query)
                retrieval_ms.append((time.perf_counter() - t0) * 1000)
                answer = assistant.ask(item.question, today=item.today)
                answer_ms.append(answer.latency_ms)
                if item.evidence:
                    ranks.append(evidence_rank(item, hits))
                if item.answerable:
                    facts.append(facts_ok(item, answer.model_dump(mode="json")))
        finally:
            assistant.close()
            if engine == "server":
                from index.generations import Generations

                generations = Generations(settings)
                for name in {c.name for c in generations.client().get_collections().collections}:
                    if name.startswith(settings.collection):
                        generations.client().delete_collection(name)
                generations.close()
    return {
        "engine": engine,
        "corpus": "real" if size == REAL else "real + synthetic",
        "chunks": report.chunks,
        "build_seconds": round(build_s, 1),
        "chunks_per_second": round(report.chunks / build_s, 1),
        "retrieval_p50_ms": percentile(retrieval_ms, 0.5),
        "retrieval_p95_ms": percentile(retrieval_ms, 0.95),
        "answer_p50_ms": percentile(answer_ms, 0.5),
        "answer_p95_ms": percentile(answer_ms, 0.95),
        "hybrid_hit@5": round(sum(1 for r in ranks if r and r <= 5) / len(ranks), 3),
        "fact_accuracy": round(sum(facts) / len(facts), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "questions": len(items),
    }


COLUMNS = (
    "engine",
    "corpus",
    "chunks",
    "build_seconds",
    "chunks_per_second",
    "retrieval_p50_ms",
    "retrieval_p95_ms",
    "answer_p50_ms",
    "answer_p95_ms",
    "hybrid_hit@5",
    "fact_accuracy",
    "peak_rss_mb",
)


def run_scale(sizes: list[int], out: Path, local_up_to: int = 10_000) -> int:
    engines = ["edge", "local"] + (["server"] if os.environ.get("FOERDERLOTSE_QDRANT_URL") else [])
    runs = [(e, s) for e in engines for s in [REAL, *sizes] if e != "local" or s <= local_up_to]
    out.mkdir(parents=True, exist_ok=True)
    print(" | ".join(COLUMNS))
    results = []
    for engine, size in runs:
        # A fresh process per run: peak memory is that run's, and no store stays open.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            row = pool.submit(measure, engine, size).result()
        results.append(row)
        print(" | ".join(str(row[c]) for c in COLUMNS), flush=True)
        (out / "scale.json").write_text(json.dumps(results, indent=2), "utf-8")
    plot(results, out / "scale.png")
    return 0


def plot(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for n, engine in enumerate(dict.fromkeys(r["engine"] for r in results)):
        rows = sorted((r for r in results if r["engine"] == engine), key=lambda r: r["chunks"])
        x, color = [r["chunks"] for r in rows], f"C{n}"
        axes[0].plot(x, [r["answer_p95_ms"] for r in rows], marker="o", color=color, label=f"{engine}: Antwort p95")
        axes[0].plot(
            x,
            [r["retrieval_p95_ms"] for r in rows],
            marker="x",
            linestyle="--",
            color=color,
            label=f"{engine}: Retrieval p95",
        )
        axes[1].plot(x, [r["chunks_per_second"] for r in rows], marker="o", color=color, label=engine)
        axes[2].plot(x, [r["peak_rss_mb"] for r in rows], marker="o", color=color, label=engine)
    axes[0].axhline(400, color="grey", linewidth=0.8, linestyle=":")
    titles = ("Latenz p95 (ms)", "Index-Bau (Abschnitte/s)", "Spitzen-Speicher (MB RSS)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log" if ax is axes[0] else "linear")
        ax.set_xlabel("Abschnitte (über 101: synthetische Distraktoren)")
        ax.set_title(title)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
