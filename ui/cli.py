"""The `foerderlotse` command: index build, ask, serve. Errors are one German line, exit != 0."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from assistant.dates import parse_reference_date
from assistant.models import Answer, Turn
from core.errors import FoerderlotseError, InvalidInput, StoreUnavailable


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own messages are English
        self.exit(2, f"Fehler: ungültiger Aufruf ({message}). Hilfe: foerderlotse --help\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="foerderlotse", description="Förderlotse: Antworten aus Förderrichtlinien.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    index = sub.add_parser("index", help="Index verwalten")
    index_sub = index.add_subparsers(dest="index_command", required=True, parser_class=_Parser)
    build = index_sub.add_parser("build", help="Index aus dem Korpus aufbauen oder aktualisieren")
    build.add_argument("--corpus", type=Path, help="Korpus-Ordner (Standard: corpus/)")
    build.add_argument("--rebuild", action="store_true", help="Index verwerfen und neu aufbauen")
    build.add_argument("--qdrant-url", help="Qdrant-Server statt lokalem Speicher")

    ask = sub.add_parser("ask", help="Eine Frage stellen")
    ask.add_argument("question", help="Die Frage auf Deutsch")
    ask.add_argument("--json", action="store_true", help="Antwort als JSON ausgeben")
    ask.add_argument("--programme", help="Nur dieses Programm (ID) berücksichtigen")
    ask.add_argument("--today", help="Stichtag JJJJ-MM-TT für Fristen und Gültigkeit")
    ask.add_argument("--history", type=Path, help="JSON-Datei mit früheren Gesprächsschritten")

    facts = sub.add_parser("facts", help="Eckdaten je Programm mit Belegen")
    facts.add_argument("--programme", help="Nur dieses Programm (ID)")
    facts.add_argument("--json", action="store_true", help="Als JSON ausgeben")
    facts.add_argument("--today", help="Stichtag JJJJ-MM-TT für Fristen und Gültigkeit")

    documents = sub.add_parser("documents", help="Dokumente mit Metadaten prüfen (angegeben oder erschlossen)")
    documents.add_argument("--corpus", type=Path, help="Korpus-Ordner (Standard: corpus/)")
    documents.add_argument("--json", action="store_true", help="Als JSON ausgeben")

    serve = sub.add_parser("serve", help="Web-Oberfläche starten")
    serve.add_argument("--host", help="Adresse (Standard 127.0.0.1)")
    serve.add_argument("--port", type=int, help="Port (Standard 7860)")
    return parser


def _settings(**overrides: object):
    from core.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "FOERDERLOTSE_" + str(err["loc"][0]).upper() if err["loc"] else "?"
        raise InvalidInput(f"Ungültige Einstellung {field}: {err['msg']}.") from exc


def _read_history(path: Path) -> list[Turn]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return TypeAdapter(list[Turn]).validate_python(raw)
    except OSError as exc:
        raise InvalidInput(f"Verlaufsdatei {path} kann nicht gelesen werden.") from exc
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(
            f"Verlaufsdatei {path} ist keine Liste von Gesprächsschritten "
            '({"role": "user"|"assistant", "content": "..."}).'
        ) from exc


def _query(programme: str | None, today) -> dict[str, str]:
    return {k: v for k, v in {"programme": programme, "today": today.isoformat()}.items() if v}


def _from_server(settings, locked: StoreUnavailable, method: str, path: str, **request: object) -> object:
    """The JSON answer of the running server that holds the index; without one, the lock's message.
    A 4xx of the server is the user's error (its German message); anything else is the server's."""
    import httpx

    from ui.local import running_server

    url = running_server(settings)
    if url is None:
        raise locked
    try:
        response = httpx.request(method, url + path, timeout=120, **request)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise StoreUnavailable(f"{locked.message} Der laufende Server ({url}) antwortet nicht.") from exc
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 400:
        message = (data or {}).get("error", {}).get("message") if isinstance(data, dict) else None
        message = message or f"Der laufende Server ({url}) antwortet mit Status {response.status_code}."
        if 400 <= response.status_code < 500:
            raise InvalidInput(message)
        raise StoreUnavailable(message)
    return data


def _print_answer(answer: Answer) -> None:
    print(answer.answer)
    for notice in answer.notices:
        print(f"\n⚠ {notice}")
    if answer.citations:
        print("\nQuellen:")
    for c in answer.citations:
        where = f", Abschnitt {c.section}" if c.section else ""
        print(f"[{c.n}] {c.title}{where}\n    „{' '.join(c.quote.split())}“")
        if c.url:
            print(f"    {c.url}")


def _today(value: str | None):
    if value is None:
        return None
    try:
        return parse_reference_date(value)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def _print_cards(cards: list, today) -> None:
    from index.dates import german_date

    for card in cards:
        print(f"■ {card.title} ({card.programme})")
        if card.valid_from or card.valid_until:
            span = " ".join(
                ([f"ab {german_date(card.valid_from)}"] if card.valid_from else [])
                + ([f"bis {german_date(card.valid_until)}"] if card.valid_until else [])
            )
            if card.in_force:
                state = "in Kraft"
            elif card.valid_from and today < card.valid_from:
                state = "noch nicht in Kraft"
            else:
                state = "nicht mehr in Kraft"
            print(f"  Richtlinie gültig {span}: {state} (Stand {german_date(today)})")
        for d in card.deadlines:
            print(f"  Frist – {d.sentence()}")
        for d in card.events:
            print(f"  Termin – {d.sentence()}")
        for fact in card.facts:
            sources = "; ".join(f"[{c.n}] {c.title}" + (f", {c.section}" if c.section else "") for c in fact.citations)
            print(f"  {fact.label}: {fact.answer}\n      Belege: {sources}")
        print()


def _documents(args: argparse.Namespace) -> int:
    """`foerderlotse documents`: each document's metadata, given or inferred (with its quote), and warnings."""
    import datetime as dt

    from index.dates import german_date
    from index.documents import KIND_LABELS, load_corpus
    from index.review import DEADLINE_LABELS, origin_label, review

    settings = _settings(corpus_dir=args.corpus)
    if not settings.corpus_dir.is_dir():
        raise InvalidInput(f"Korpus-Ordner {settings.corpus_dir} nicht gefunden.")
    loaded = load_corpus(settings.corpus_dir)
    reviews = [review(doc) for doc in loaded.documents]
    if args.json:
        payload = {
            "documents": [r.model_dump(mode="json") for r in reviews],
            "problems": [{"file": p.file, "field": p.field, "message": p.message} for p in loaded.problems],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for r in reviews:
            print(f"■ {r.id} ({r.path})")
            for f in r.fields:
                value = ", ".join(f.value) if isinstance(f.value, list) else ("–" if f.value is None else f.value)
                if f.name in {"published", "valid_from", "valid_until"} and f.value:
                    value = german_date(dt.date.fromisoformat(str(f.value)))
                elif f.name == "kind":
                    value = KIND_LABELS.get(str(f.value), value)
                quote = f": „{' '.join(f.quote.split())}“" if f.quote else ""
                print(f"  {f.label}: {value} [{origin_label(f.origin)}{quote}]")
            if not r.deadlines:
                print("  Fristen: –")
            for d in r.deadlines:
                day = german_date(dt.date.fromisoformat(d.date))
                opens = f" (ab {german_date(dt.date.fromisoformat(d.opens))})" if d.opens else ""
                quote = f": „{' '.join(d.quote.split())}“" if d.quote else ""
                print(f"  Frist {day}{opens} – {DEADLINE_LABELS.get(d.kind, d.kind)} [{origin_label(d.origin)}{quote}]")
            for w in r.warnings:
                print(f"  ⚠ {w}")
            print()
        print(f"{len(reviews)} Dokumente, {sum(bool(r.warnings) for r in reviews)} mit Warnungen.")
    for problem in loaded.problems:
        print(f"Fehler im Korpus: {problem}", file=sys.stderr)
    return 1 if loaded.problems else 0


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "documents":
        return _documents(args)
    if args.command == "index":
        from index.build import build_index

        settings = _settings(corpus_dir=args.corpus, qdrant_url=args.qdrant_url)
        report = build_index(settings, rebuild=args.rebuild, progress=True)
        for problem in report.problems:
            print(f"Fehler im Korpus: {problem}", file=sys.stderr)
        print(
            f"Index: {report.documents} Dokumente, {report.chunks} Abschnitte "
            f"({report.added} neu, {report.removed} entfernt) in {report.seconds:.1f} s."
        )
        return 0 if report.ok else 1
    if args.command == "facts":
        from assistant.cards import ProgrammeCard, programme_cards
        from assistant.pipeline import Assistant

        settings = _settings()
        today = _today(args.today) or settings.reference_date()
        try:
            assistant = Assistant(settings)
        except StoreUnavailable as exc:  # the index is held by a running server: ask it
            cards = _from_server(settings, exc, "GET", "/api/v1/facts", params=_query(args.programme, today))
            cards = TypeAdapter(list[ProgrammeCard]).validate_python(cards)
        else:
            assistant.check_programme(args.programme)
            cards = programme_cards(assistant, today, args.programme)
        if args.json:
            print(json.dumps([c.model_dump(mode="json") for c in cards], ensure_ascii=False, indent=2))
        else:
            _print_cards(cards, today)
        return 0
    if args.command == "ask":
        from assistant.pipeline import Assistant

        today = _today(args.today)
        history = _read_history(args.history) if args.history else None
        settings = _settings()
        try:
            assistant = Assistant(settings)
        except StoreUnavailable as exc:  # the index is held by a running server: ask it
            body = {"question": args.question, "programme": args.programme, "debug": True}
            body |= {"today": today.isoformat()} if today else {}
            body |= {"history": [t.model_dump() for t in history]} if history else {}
            data = _from_server(settings, exc, "POST", "/api/v1/ask", json=body)
            for citation in data.get("citations", []):  # the API leaves out what is empty
                citation.setdefault("url", None)
            answer = Answer.model_validate(data)
        else:
            answer = assistant.ask(args.question, programme=args.programme, today=today, history=history)
        if args.json:
            print(answer.model_dump_json(indent=2))
        else:
            _print_answer(answer)
        return 0
    if args.command == "serve":
        from ui.app import serve

        serve(_settings(host=args.host, port=args.port))
        return 0
    return 2


def main(argv: list[str] | None = None) -> int:
    try:
        code = run(sys.argv[1:] if argv is None else argv)
    except FoerderlotseError as exc:
        print(f"Fehler: {exc.message}", file=sys.stderr)
        code = 2 if isinstance(exc, InvalidInput) else 1
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # the reader stopped early ("| head"): nothing went wrong here
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        code = 0
    except Exception as exc:  # last line of defence: never a traceback for a user
        if os.environ.get("FOERDERLOTSE_DEBUG_TRACEBACK"):
            raise
        print(f"Fehler: unerwarteter interner Fehler ({type(exc).__name__}).", file=sys.stderr)
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
