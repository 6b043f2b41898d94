"""Key facts per programme: each fact is the answer of the normal pipeline (with its citation
enforcement) to a fixed question, restricted to the programme; not a second source of truth."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from assistant.facts import ProgrammeStatus, programme_status
from assistant.models import Citation
from assistant.pipeline import Assistant

# What a card shows, and the question whose checked answer fills each line.
FACT_QUESTIONS: list[tuple[str, str, str]] = [
    ("rate", "Förderquote", "Wie hoch ist die Förderquote in Prozent?"),
    ("amount", "Höchstbetrag", "Wie hoch ist der Höchstbetrag der Förderung in Euro?"),
    ("duration", "Laufzeit", "Wie lange ist die Laufzeit der Projekte in Monaten?"),
    ("who", "Antragsberechtigt", "Wer ist antragsberechtigt?"),
    ("where", "Antrag stellen", "Wo und wie wird der Antrag eingereicht?"),
]


class Fact(BaseModel):
    key: str
    label: str
    answer: str
    citations: list[Citation]


class ProgrammeCard(ProgrammeStatus):
    facts: list[Fact]


def programme_cards(assistant: Assistant, today: dt.date, programme: str | None = None) -> list[ProgrammeCard]:
    cards: list[ProgrammeCard] = []
    for pid in [programme] if programme else assistant.programmes:
        facts: list[Fact] = []
        for key, label, question in FACT_QUESTIONS:
            answer = assistant.ask(question, programme=pid, today=today)
            if not answer.refused:
                facts.append(Fact(key=key, label=label, answer=answer.answer, citations=answer.citations))
        cards.append(ProgrammeCard(**dict(programme_status(assistant.documents, pid, today)), facts=facts))
    return cards
