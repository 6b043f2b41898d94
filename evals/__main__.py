"""python -m evals run | bench | scale | loadtest"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from assistant.dates import parse_reference_date
from assistant.errors import FoerderlotseError
from evals.gold import GOLD_DIR, GoldError, load_gold


def _run(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant
    from assistant.settings import Settings
    from evals import runner

    gold_path = Path(args.gold) if args.gold else GOLD_DIR
    items = load_gold(gold_path, strict=gold_path.resolve() == GOLD_DIR.resolve())
    if args.split != "all":
        items = [i for i in items if i.split == args.split]
        if not items:
            raise GoldError(f"keine Gold-Fragen im Split '{args.split}'")
    settings = Settings()
    today = parse_reference_date(args.today) if args.today else settings.reference_date()
    started = time.perf_counter()
    assistant = Assistant(settings)
    answers, ranks = runner.run_items(assistant, items, today)
    texts = runner.corpus_texts(settings.corpus_dir)
    splits = {"all": items} if args.split == "all" else {}
    for name in sorted({i.split for i in items}):
        splits[name] = [i for i in items if i.split == name]
    report = {
        "today": today.isoformat(),
        "gold": str(gold_path.name),
        "settings": settings.model_dump(mode="json", exclude={"qdrant_api_key"}),
        "index": assistant.manifest.model_dump(mode="json"),
        "splits": {name: runner.summarise(group, answers, ranks, texts) for name, group in splits.items()},
        "seconds": round(time.perf_counter() - started, 2),
    }
    out = Path(args.out)
    runner.write_outputs(out, report, answers)
    print(runner.table(report))
    print(f"\n{len(items)} Fragen in {report['seconds']} s; Bericht: {out / 'report.md'}")
    problems = runner.check_thresholds(report, Path(args.thresholds))
    for problem in problems:
        print(f"UNTER SCHWELLE: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="Gold-Set beantworten und bewerten")
    run.add_argument("--gold", help="Gold-Datei oder -Ordner (Standard: evals/gold)")
    run.add_argument("--split", choices=["dev", "test", "all"], default="all")
    run.add_argument("--out", default="eval-out")
    run.add_argument("--today", help="Stichtag JJJJ-MM-TT")
    run.add_argument("--thresholds", default=str(Path(__file__).parent / "thresholds.toml"))
    bench = sub.add_parser("bench", help="Index-Bau, Retrieval je Encoder und Latenz messen")
    bench.add_argument("--out", default="bench-out")
    scale = sub.add_parser("scale", help="Index-Bau, Retrieval und Latenz bis zu N Abschnitten messen")
    scale.add_argument("--chunks", type=int, nargs="+", default=[1000, 10000, 50000])
    scale.add_argument("--out", default="bench-out")
    scale.add_argument("--local-up-to", type=int, default=10_000,
                       help="qdrant-client-Local-Modus nur bis zu so vielen Abschnitten messen")
    load = sub.add_parser("loadtest", help="Server auf Loopback mit 1, 4, 16 Clients belasten")
    load.add_argument("--requests", type=int, default=400, help="Anfragen je Stufe (höchstens)")
    load.add_argument("--seconds", type=float, default=120.0, help="Zeit je Stufe (höchstens)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
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
