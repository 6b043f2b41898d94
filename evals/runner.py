"""Runs gold items through the real pipeline and writes answers, report and plots."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.pipeline import Assistant
from core.errors import CorpusError
from core.settings import Settings
from evals.gold import GoldItem
from evals.metrics import answer_metrics, facts_ok, lead_of, per_kind, retrieval_metrics
from evals.suites import BLIND, combined_corpus
from index.build import build_index

MODES = ("sparse", "dense", "hybrid")
HEADLINE = ("fact_accuracy", "citation_precision", "citation_recall", "refusal_recall", "notice_rate", "hybrid_hit@5")


def evidence_rank(item: GoldItem, hits: list) -> int | None:
    """Rank of the first hit that holds the evidence. Gold regexes are written in plain text, so
    the chunk's whitespace is normalised first ("20.\xa0Juni", a line break inside a sentence),
    as it is in answers."""
    pattern = re.compile(item.evidence or "", re.IGNORECASE)
    for rank, hit in enumerate(hits, 1):
        text = " ".join(hit.chunk.text.split())
        if (not item.sources or hit.chunk.doc_id in item.sources) and pattern.search(text):
            return rank
    return None


@contextmanager
def assistant_for(
    settings: Settings, extra: tuple[Path, ...], out: Path, *, open_gate: bool = False, strip_extra: bool = False
) -> Iterator[Assistant]:
    """The assistant on the corpus, or on the corpus plus `extra` document folders: those get an
    index of their own beside the served one (built once, rebuilt when a document changed)."""
    if not extra:
        assistant = Assistant(settings, open_gate=open_gate)
    else:
        name = "-".join(p.parent.name for p in extra) + ("-inferred" if strip_extra else "")
        corpus = combined_corpus(settings.corpus_dir, extra, out / "corpora" / name, strip_extra=strip_extra)
        settings = settings.model_copy(
            update={"corpus_dir": corpus, "store_path": settings.store_path.parent / f"eval-{name}"}
        )
        report = build_index(settings)
        if report.problems:
            raise CorpusError("; ".join(str(p) for p in report.problems))
        assistant = Assistant(settings, open_gate=open_gate)
    try:
        yield assistant
    finally:
        assistant.close()


def run_items(
    assistant: Assistant, items: list[GoldItem], today: dt.date | None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int | None]]]:
    answers: dict[str, dict[str, Any]] = {}
    ranks: dict[str, dict[str, int | None]] = {}
    for item in items:
        answer = assistant.ask(item.question, today=item.today or today, history=item.history)
        answers[item.id] = {"id": item.id, **answer.model_dump(mode="json")}
        wrong = not answer.refused and not facts_ok(item, answers[item.id])
        if item.answerable and item.evidence and (wrong or answer.refusal_reason == "gate"):
            # answered wrongly or refused by the gate: which span won, where the right one ranked, and why
            answers[item.id]["explain"] = assistant.explain(
                item.question, item.evidence, today=item.today or today, history=item.history
            )
        if item.evidence:
            query = assistant.query_for(item.question, None, item.history)
            ranks[item.id] = {
                mode: evidence_rank(item, assistant.retriever.search(query, mode=mode, limit=10)) for mode in MODES
            }
    return answers, ranks


def summarise(items: list[GoldItem], answers: dict, ranks: dict, texts: dict[str, str]) -> dict:
    metrics = answer_metrics(items, answers, texts)
    retrieval = retrieval_metrics({m: [ranks[i.id][m] for i in items if i.id in ranks] for m in MODES})
    metrics["hybrid_hit@5"] = retrieval["hybrid"]["hit@5"]
    failures = []
    for item in items:
        a = answers[item.id]
        if item.answerable and not facts_ok(item, a):
            rank = ranks.get(item.id, {}).get("hybrid")
            cause = (
                ("wrong refusal" if a["refused"] else "answer composition") if rank and rank <= 5 else "retrieval miss"
            )
            failures.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "cause": cause,
                    "question": item.question,
                    "facts": item.facts,
                    "answer": a["answer"],
                    "reason": a.get("refusal_reason"),
                    "explain": a.get("explain"),
                }
            )
        elif not item.answerable and not a["refused"]:
            failures.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "cause": "missing refusal",
                    "question": item.question,
                    "facts": [],
                    "answer": a["answer"],
                }
            )
        elif item.expect_lead and lead_of(a) not in (None, *item.expect_lead):
            failures.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "cause": "wrong lead",
                    "question": item.question,
                    "facts": item.expect_lead,
                    "answer": a["answer"],
                }
            )
    return {"metrics": metrics, "retrieval": retrieval, "per_kind": per_kind(items, answers), "failures": failures}


def check_thresholds(report: dict, path: Path) -> list[str]:
    """Headline metrics below their minimum, as readable lines."""
    limits = tomllib.loads(path.read_text(encoding="utf-8"))
    problems = []
    for split, minimums in limits.items():
        if split not in report["splits"]:
            continue
        metrics = report["splits"][split]["metrics"]
        for name, minimum in minimums.items():
            if name.startswith("max_"):
                value = metrics.get(name[4:])
                if value is not None and value > minimum:
                    problems.append(f"{split}: {name[4:]} = {value} > {minimum} (um {value - minimum:.4f})")
                continue
            value = metrics.get(name)
            if value is None or value < minimum:
                gap = "" if value is None else f" (um {minimum - value:.4f})"
                problems.append(f"{split}: {name} = {value} < {minimum}{gap}")
    return problems


def write_outputs(out: Path, report: dict, answers: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "answers.jsonl").open("w", encoding="utf-8") as fh:
        for a in answers.values():
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    (out / "report.md").write_text(render_markdown(report), "utf-8")
    plot(out, report, answers)


def table(report: dict) -> str:
    splits = list(report["splits"])
    names = list(report["splits"][splits[0]]["metrics"])
    rows = ["| metric | " + " | ".join(splits) + " |", "|---|" + "---|" * len(splits)]
    for name in names:
        rows.append(f"| {name} | " + " | ".join(str(report["splits"][s]["metrics"][name]) for s in splits) + " |")
    return "\n".join(rows)


def render_markdown(report: dict) -> str:
    lines = [
        "# Förderlotse evaluation",
        "",
        f"Reference date: {report['today']}  ",
        f"Settings: `{json.dumps(report['settings'], ensure_ascii=False)}`  ",
        f"Index: `{json.dumps(report['index'], ensure_ascii=False)}`",
        "",
        "## Headline",
        "",
        table(report),
        "",
    ]
    for split, data in report["splits"].items():
        lines += [
            f"## {split}: retrieval ablation (evidence in top k)",
            "",
            "| mode | hit@1 | hit@5 | MRR |",
            "|---|---|---|---|",
        ]
        lines += [f"| {m} | {v['hit@1']} | {v['hit@5']} | {v['mrr']} |" for m, v in data["retrieval"].items()]
        lines += ["", f"## {split}: per kind", "", "| kind | items | metric | score |", "|---|---|---|---|"]
        lines += [f"| {k} | {v['items']} | {v['metric']} | {v['score']} |" for k, v in data["per_kind"].items()]
        lines += ["", f"## {split}: failures ({len(data['failures'])})", ""]
        if split in BLIND or split == "all":  # blind splits stay blind: causes only, no questions
            causes = Counter(
                f"{f['cause']} ({f['reason']})" if f["cause"] == "wrong refusal" and f.get("reason") else f["cause"]
                for f in data["failures"]
            )
            lines += [f"- {cause}: {n}" for cause, n in sorted(causes.items())] + [""]
            continue
        for f in data["failures"]:
            lines.append(
                f"- **{f['id']}** ({f['kind']}, {f['cause']}): {f['question']}  \n"
                f"  expected: `{f['facts']}`  \n  answer: {f['answer'][:300]}"
            )
            if f.get("reason"):
                lines.append(f"  refusal reason: `{f['reason']}`")
            gate = (f.get("explain") or {}).get("gate")
            if gate and f.get("reason") == "gate":
                shares = ", ".join(f"{k} {v:+.2f}" for k, v in gate["shares"].items())
                lines.append(f"  gate: probability {gate['probability']} ({shares})")
            for role, span in (f.get("explain") or {}).items():
                if span and role != "gate":
                    shares = ", ".join(f"{k} {v:+}" for k, v in span["shares"].items())
                    lines.append(f"  {role} span (rank {span['rank']}): {span['text'][:100]} ({shares})")
        lines.append("")
    return "\n".join(lines)


def plot(out: Path, report: dict, answers: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    split = "all" if "all" in report["splits"] else next(iter(report["splits"]))
    data = report["splits"][split]
    kinds = list(data["per_kind"])
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(kinds, [data["per_kind"][k]["score"] or 0 for k in kinds], color="#2b6cb0")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fact accuracy (refusal recall for unanswerable)")
    ax.set_title(f"Accuracy per kind ({split})")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(out / "accuracy_per_kind.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([a["latency_ms"] for a in answers.values()], bins=30, color="#2f855a")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Answer latency")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    metrics = ("hit@1", "hit@5", "mrr")
    width = 0.25
    for i, mode in enumerate(MODES):
        values = [data["retrieval"][mode][m] or 0 for m in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=mode)
    ax.set_xticks([x + width for x in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.05)
    ax.legend()
    ax.set_title(f"Retrieval ablation ({split})")
    fig.tight_layout()
    fig.savefig(out / "retrieval_ablation.png", dpi=110)
    plt.close(fig)
