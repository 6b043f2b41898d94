"""Key facts per programme: each fact is the answer of the normal pipeline (with its citation
enforcement) to a fixed question, restricted to the programme; not a second source of truth.

A card speaks for the programme: a fact rests on the programme's own guideline or call, not on a
background text about it, and not on a sentence that is about another programme. Only submission
deadlines are Fristen; a planned start or an information event is a Termin."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel

from assistant.facts import DeadlineStatus, ProgrammeStatus, programme_status
from assistant.models import Answer, Citation
from assistant.pipeline import Assistant

# What a card shows, and the question whose checked answer fills each line.
FACT_QUESTIONS: list[tuple[str, str, str]] = [
    ("rate", "Förderquote", "Wie hoch ist die Förderquote in Prozent?"),
    ("amount", "Höchstbetrag", "Wie hoch ist der Höchstbetrag der Förderung in Euro?"),
    ("duration", "Laufzeit", "Wie lange ist die Laufzeit der Projekte in Monaten?"),
    ("who", "Antragsberechtigt", "Wer ist antragsberechtigt?"),
    ("where", "Antrag stellen", "Wo und wie wird der Antrag eingereicht?"),
]
BINDING_KINDS = frozenset({"guideline", "call"})  # the documents a programme's facts may rest on
# A checked answer is "sentence [1][2] sentence [1]": every sentence ends with its markers.
_SENTENCE = re.compile(r"\s*(?P<text>.+?)\s*(?P<refs>(?:\[\d{1,3}\])+)(?=\s|$)")


class Fact(BaseModel):
    key: str
    label: str
    answer: str
    citations: list[Citation]


class ProgrammeCard(ProgrammeStatus):
    """`deadlines`: submission deadlines only (Fristen); `events`: other dates (Termine)."""

    events: list[DeadlineStatus] = []
    facts: list[Fact]


def binding_part(assistant: Assistant, answer: Answer, programme: str) -> Fact | None:
    """The sentences of an answer that rest only on the programme's guideline or call and are not
    about another programme (name another one and not this one), with their citations renumbered
    from 1; None if no sentence is left."""
    by_n = {c.n: c for c in answer.citations}
    kept: list[tuple[str, list[int]]] = []
    renumber: dict[int, int] = {}
    for m in _SENTENCE.finditer(answer.answer):
        refs = [int(n) for n in re.findall(r"\d+", m.group("refs"))]
        cited = [by_n.get(n) for n in refs]
        if any(c is None or c.kind not in BINDING_KINDS for c in cited):
            continue
        if any(assistant.documents[c.doc_id].meta.programme != programme for c in cited if c is not None):
            continue
        named = set(assistant.lexicon.programmes_named(m.group("text")))
        if named and programme not in named:  # about another programme the document mentions
            continue
        for n in refs:
            renumber.setdefault(n, len(renumber) + 1)
        kept.append((m.group("text"), refs))
    if not kept:
        return None
    text = " ".join(f"{t} " + "".join(f"[{renumber[n]}]" for n in dict.fromkeys(refs)) for t, refs in kept)
    citations = [by_n[old].model_copy(update={"n": new}) for old, new in renumber.items()]
    return Fact(key="", label="", answer=text, citations=citations)


def programme_cards(assistant: Assistant, today: dt.date, programme: str | None = None) -> list[ProgrammeCard]:
    cards: list[ProgrammeCard] = []
    for pid in [programme] if programme else assistant.programmes:
        facts: list[Fact] = []
        for key, label, question in FACT_QUESTIONS:
            answer = assistant.ask(question, programme=pid, today=today)
            if not answer.refused and (fact := binding_part(assistant, answer, pid)) is not None:
                facts.append(fact.model_copy(update={"key": key, "label": label}))
        status = programme_status(assistant.documents, pid, today)
        fields = dict(status) | {
            "deadlines": [d for d in status.deadlines if d.kind == "submission"],
            "events": [d for d in status.deadlines if d.kind != "submission"],
        }
        cards.append(ProgrammeCard(**fields, facts=facts))
    return cards
