"""Metadata inference measured on documents with hand-written metadata: the front matter is taken
off, the text's metadata inferred (index/infer.py), and the dates compared with the hand-written ones.

Per field, precision (inferred values that are right) and recall (hand-written values found):
validity (valid_from, valid_until), submission deadlines, window openings (`opens`); published,
events and project starts are reported beside them. Nothing is tuned on the held-out documents.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from index.documents import DocumentMeta, merge_metadata, split_front_matter
from index.infer import infer_metadata

HELDOUT_DOCS = Path(__file__).parent / "heldout" / "docs"
HEADLINE = ("valid_from", "valid_until", "submission", "opens")
FIELDS = (*HEADLINE, "published", "event", "start")


def _values(meta: DocumentMeta | dict, field: str) -> set[dt.date]:
    """The dates one field holds, as a set (scalar fields give at most one)."""
    if isinstance(meta, dict):
        meta = DocumentMeta.model_validate(meta)
    if field in {"valid_from", "valid_until", "published"}:
        value = getattr(meta, field)
        return {value} if value else set()
    if field == "opens":
        return {d.opens for d in meta.deadlines if d.kind == "submission" and d.opens}
    return {d.date for d in meta.deadlines if d.kind == field}


def compare(path: Path) -> dict[str, dict[str, object]]:
    """Per field: the hand-written dates, the inferred ones, and how many agree."""
    data, body = split_front_matter(path.read_text(encoding="utf-8"))
    if data is None:
        raise ValueError(f"{path.name}: keine handgeschriebenen Metadaten (Front Matter) zum Vergleich.")
    gold = DocumentMeta.model_validate(data)
    meta = merge_metadata(infer_metadata(body, path.stem), {}, {})  # as a file without metadata loads
    out = {}
    for field in FIELDS:
        want, got = _values(gold, field), _values(meta, field)
        out[field] = {
            "gold": sorted(d.isoformat() for d in want),
            "inferred": sorted(d.isoformat() for d in got),
            "correct": len(want & got),
        }
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def measure(docs_dir: Path = HELDOUT_DOCS) -> dict:
    """Precision and recall per field and over the headline fields, with each document's details."""
    paths = sorted(docs_dir.glob("*.md"))
    if not paths:
        raise ValueError(f"Keine Dokumente in {docs_dir}.")
    per_doc = {p.stem: compare(p) for p in paths}
    fields: dict[str, dict] = {}
    for field in FIELDS:
        correct = sum(d[field]["correct"] for d in per_doc.values())
        inferred = sum(len(d[field]["inferred"]) for d in per_doc.values())
        gold = sum(len(d[field]["gold"]) for d in per_doc.values())
        fields[field] = {
            "precision": _ratio(correct, inferred),
            "recall": _ratio(correct, gold),
            "correct": correct,
            "inferred": inferred,
            "gold": gold,
        }
    total = {k: sum(fields[f][k] for f in HEADLINE) for k in ("correct", "inferred", "gold")}
    overall = {
        "precision": _ratio(total["correct"], total["inferred"]),
        "recall": _ratio(total["correct"], total["gold"]),
        **total,
    }
    return {"documents": len(paths), "fields": fields, "overall": overall, "per_document": per_doc}


def table(report: dict) -> str:
    def shown(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    rows = [
        f"Metadaten aus dem Text erschlossen ({report['documents']} Dokumente, Front Matter entfernt)",
        "| Feld | Präzision | Recall | richtig | erschlossen | handgeschrieben |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in [*report["fields"].items(), ("gesamt (Gültigkeit, Fristen, Fristbeginn)", report["overall"])]:
        scores = f"{shown(f['precision'])} | {shown(f['recall'])}"
        rows.append(f"| {name} | {scores} | {f['correct']} | {f['inferred']} | {f['gold']} |")
    return "\n".join(rows)


def run_metadata(docs_dir: Path, out: Path | None, as_json: bool) -> int:
    report = measure(docs_dir)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metadata.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2) if as_json else table(report))
    return 0
