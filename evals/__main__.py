"""python -m evals run | compare | train | calibrate | metadata | bench | scale | loadtest"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from assistant.dates import parse_reference_date
from core.errors import FoerderlotseError
from evals.gold import GoldError, load_gold
from evals.suites import REPORTED, all_splits, load_splits


def _run(args: argparse.Namespace) -> int:
    from core.settings import Settings
    from evals import runner

    settings = Settings()
    today = parse_reference_date(args.today) if args.today else settings.reference_date()
    started = time.perf_counter()
    if args.gold:  # a gold file of one's own, asked of the corpus
        groups = {"gold": load_gold(Path(args.gold))}
        documents: dict[str, tuple[Path, ...]] = {"gold": ()}
    else:
        available = all_splits()
        groups = load_splits([n for n in REPORTED if n in available] if args.split == "all" else [args.split])
        documents = {name: available[name].documents for name in groups}
    answers: dict = {}
    ranks: dict = {}
    texts: dict[str, str] = {}
    manifest = None
    for extra in dict.fromkeys(documents.values()):  # one index per set of documents
        with runner.assistant_for(settings, extra, Path(args.out), strip_extra=args.without_metadata) as assistant:
            manifest = manifest or assistant.manifest
            items = [i for name, group in groups.items() if documents[name] == extra for i in group]
            got, got_ranks = runner.run_items(assistant, items, today)
            answers.update(got)
            ranks.update(got_ranks)
            texts.update({doc_id: doc.text for doc_id, doc in assistant.documents.items()})
    items = [i for group in groups.values() for i in group]
    splits = {"all": items} if len(groups) > 1 else {}
    splits.update(groups)
    report = {
        "today": today.isoformat(),
        "gold": args.gold or "evals",
        "settings": settings.model_dump(mode="json", exclude={"qdrant_api_key", "llm_api_key"}),
        "index": manifest.model_dump(mode="json") if manifest else {},
        "splits": {name: runner.summarise(group, answers, ranks, texts) for name, group in splits.items()},
        "seconds": round(time.perf_counter() - started, 2),
    }
    out = Path(args.out)
    runner.write_outputs(out, report, answers)
    print(runner.table(report))
    print(f"\n{len(items)} Fragen in {report['seconds']} s; Bericht: {out / 'report.md'}")
    if args.without_metadata:  # a comparison, not a gate: the thresholds are for the written metadata
        print("Ohne handgeschriebene Metadaten der zusätzlichen Dokumente (erschlossen); keine Schwellen geprüft.")
        return 0
    problems = runner.check_thresholds(report, Path(args.thresholds))
    for problem in problems:
        print(f"UNTER SCHWELLE: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Gold-Set beantworten und bewerten")
    run.add_argument("--gold", help="eigene Gold-Datei oder -Ordner, gefragt am Korpus (statt der Splits)")
    run.add_argument(
        "--split",
        choices=["all", "dev", "test", "heldout-docs", "sealed", "train"],
        default="all",
        help="all = dev, test, heldout-docs und der neueste versiegelte Satz",
    )
    run.add_argument("--out", default="eval-out")
    run.add_argument("--today", help="Stichtag JJJJ-MM-TT")
    run.add_argument("--thresholds", default=str(Path(__file__).parent / "thresholds.toml"))
    run.add_argument(
        "--without-metadata",
        action="store_true",
        help="Front Matter der zusätzlichen Dokumente (Held-out) entfernen: Metadaten werden erschlossen",
    )
    comp = sub.add_parser("compare", help="zwei Läufe Frage für Frage vergleichen (Vorzeichentest)")
    comp.add_argument("before", help="Ausgabeordner (oder answers.jsonl) des ersten Laufs")
    comp.add_argument("after", help="Ausgabeordner (oder answers.jsonl) des zweiten Laufs")
    train = sub.add_parser("train", help="Antwortprüfung auf dev und den Trainingsdokumenten lernen")
    train.add_argument("--out", default="eval-out")
    train.add_argument("--today", default="2026-11-21", help="Stichtag JJJJ-MM-TT")
    train.add_argument(
        "--reuse-span-models",
        action="store_true",
        help="das mitgelieferte Textstellen-Modell und die je Hälfte in --out behalten; "
        "nur Ranker und Antwortprüfung lernen",
    )
    train.add_argument(
        "--unseen-only",
        action="store_true",
        help="nur Ranker und Antwortprüfung lernen, aus den Fragen, die das mitgelieferte "
        "Textstellen-Modell nie gesehen hat (ohne Modelle je Hälfte; Minuten statt Stunden)",
    )
    calibrate = sub.add_parser("calibrate", help="Antwortprüfung an Fragen kalibrieren, die sie nie gelernt hat")
    calibrate.add_argument("--out", default="eval-out")
    calibrate.add_argument("--today", default="2026-11-21", help="Stichtag JJJJ-MM-TT")
    bench = sub.add_parser("bench", help="Index-Bau, Retrieval je Encoder und Latenz messen")
    bench.add_argument("--out", default="bench-out")
    scale = sub.add_parser("scale", help="Index-Bau, Retrieval und Latenz bis zu N Abschnitten messen")
    scale.add_argument("--chunks", type=int, nargs="+", default=[1000, 10000, 50000])
    scale.add_argument("--out", default="bench-out")
    scale.add_argument(
        "--local-up-to",
        type=int,
        default=10_000,
        help="qdrant-client-Local-Modus nur bis zu so vielen Abschnitten messen",
    )
    meta = sub.add_parser("metadata", help="Erschlossene Metadaten an den Held-out-Dokumenten messen")
    meta.add_argument("--docs", help="Ordner mit Dokumenten samt handgeschriebenem Front Matter")
    meta.add_argument("--out", help="metadata.json in diesen Ordner schreiben")
    meta.add_argument("--json", action="store_true", help="Als JSON ausgeben")
    load = sub.add_parser("loadtest", help="Server auf Loopback mit 1, 4, 16 Clients belasten")
    load.add_argument("--requests", type=int, default=400, help="Anfragen je Stufe (höchstens)")
    load.add_argument("--seconds", type=float, default=120.0, help="Zeit je Stufe (höchstens)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "compare":
            from evals.compare import run_compare

            return run_compare(Path(args.before), Path(args.after))
        if args.command == "train":
            from evals.train import run_train

            return run_train(
                parse_reference_date(args.today),
                Path(args.out),
                reuse_span_models=args.reuse_span_models,
                unseen_only=args.unseen_only,
            )
        if args.command == "calibrate":
            from evals.calibrate import run_calibrate

            return run_calibrate(parse_reference_date(args.today), Path(args.out))
        if args.command == "metadata":
            from evals.metadata import HELDOUT_DOCS, run_metadata

            docs = Path(args.docs) if args.docs else HELDOUT_DOCS
            return run_metadata(docs, Path(args.out) if args.out else None, args.json)
        if args.command == "scale":
            from evals.scale import run_scale

            return run_scale(args.chunks, Path(args.out), args.local_up_to)
        if args.command == "loadtest":
            from evals.loadtest import run_loadtest

            return run_loadtest(args.requests, args.seconds)
        from evals.bench import run_bench

        return run_bench(Path(args.out))
    except GoldError as exc:
        print(f"Fehler in der Gold-Datei: {exc}", file=sys.stderr)
        return 2
    except (FoerderlotseError, ValueError) as exc:
        print(f"Fehler: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
