"""Spine benchmark: index build time, hit@5 per encoder and per packaged dense model, and
median answer latency without process start-up. A script with figures, not a timed test."""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

from assistant.pipeline import Assistant
from core.settings import PACKAGED_E5, PACKAGED_MINILM, PACKAGED_USE, Settings
from evals.gold import GOLD_DIR, load_gold
from evals.metrics import retrieval_metrics
from evals.runner import MODES, run_items
from index.build import build_index


def run_bench(out: Path) -> int:
    items = [i for i in load_gold(GOLD_DIR, strict=True) if i.evidence]
    results = {}
    for model in (PACKAGED_E5, PACKAGED_USE, PACKAGED_MINILM):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(dense_model=model, store_path=Path(tmp) / "qdrant")
            report = build_index(settings)
            assistant = Assistant(settings)
            answers, item_ranks = run_items(assistant, items, today=None)
            assistant.close()
            ranks = {m: [item_ranks[i.id][m] for i in items] for m in MODES}
            latencies = [a["latency_ms"] for a in answers.values()]
            results[model] = {
                "build_seconds": round(report.seconds, 2),
                "chunks": report.chunks,
                "chunks_per_second": round(report.chunks / report.seconds, 1),
                "retrieval": retrieval_metrics(ranks),
                "ask_median_ms": round(statistics.median(latencies), 2),
            }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=2), "utf-8")
    print(f"{'model':34} {'build s':>8} {'sparse@5':>9} {'dense@5':>8} {'hybrid@5':>9} {'ask p50 ms':>11}")
    for model, r in results.items():
        ret = r["retrieval"]
        print(
            f"{model:34} {r['build_seconds']:>8} {ret['sparse']['hit@5']:>9} {ret['dense']['hit@5']:>8} "
            f"{ret['hybrid']['hit@5']:>9} {r['ask_median_ms']:>11}"
        )
    return 0
