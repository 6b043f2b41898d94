"""Submission windows that open later and guidelines that enter into force later: said plainly."""

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.facts import programme_status
from assistant.pipeline import Assistant
from index.documents import Deadline, DocumentMeta
from tests.conftest import assistant_on

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 11, 21)

UPCOMING = """---
id: be-quartier-digital-2027
title: "Richtlinie Digitale Teilhabe im Quartier"
issuer: "Senatsverwaltung für Integration, Arbeit und Soziales"
kind: guideline
programme: be-quartier-digital
programme_title: "Digitale Teilhabe im Quartier (Berlin)"
region: DE-BE
published: 2026-11-02
valid_from: 2027-01-01
valid_until: 2029-12-31
deadlines:
  - date: 2027-03-31
    opens: 2027-02-01
    kind: submission
    purpose: "Einreichung der Projektskizzen"
---
Richtlinie Digitale Teilhabe im Quartier

1 Zuwendungszweck

Gefördert werden Nachbarschaftsprojekte, die älteren Menschen digitale Teilhabe im Quartier ermöglichen.

2 Verfahren

Projektskizzen können vom 1. Februar 2027 bis zum 31. März 2027 bei der Senatsverwaltung eingereicht werden.

3 Inkrafttreten

Diese Richtlinie tritt am 1. Januar 2027 in Kraft und gilt bis 31. Dezember 2029.
"""


@pytest.fixture(scope="module")
def upcoming(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    with assistant_on(
        tmp_path_factory.mktemp("upcoming"), {"be-quartier-digital-2027.md": UPCOMING}, with_corpus=False
    ) as helper:
        yield helper


QUESTION = "Bis wann können Projektskizzen für Digitale Teilhabe im Quartier eingereicht werden?"


def test_a_window_that_opens_later_is_not_called_open(upcoming: Assistant) -> None:
    answer = upcoming.ask(QUESTION, today=TODAY)
    assert not answer.refused and "31. März 2027" in answer.answer
    assert any(
        "hat noch nicht begonnen: Einreichung erst ab 1. Februar 2027 (in 72 Tagen), bis 31. März 2027" in n
        for n in answer.notices
    ), answer.notices
    assert any("gilt erst ab 1. Januar 2027 und ist noch nicht in Kraft" in n for n in answer.notices)
    assert not any("läuft noch" in n or "abgelaufen" in n for n in answer.notices)


def test_the_same_window_is_open_and_then_passed(upcoming: Assistant) -> None:
    during = upcoming.ask(QUESTION, today=dt.date(2027, 3, 1))
    assert any("läuft noch bis 31. März 2027 (noch 30 Tage)" in n for n in during.notices), during.notices
    assert not any("noch nicht" in n for n in during.notices)
    after = upcoming.ask(QUESTION, today=dt.date(2027, 4, 1))
    assert any("am 31. März 2027 abgelaufen" in n for n in after.notices)


def test_status_and_overview_know_the_window(upcoming: Assistant) -> None:
    before = programme_status(upcoming.documents, "be-quartier-digital", TODAY)
    assert not before.in_force and before.valid_from == dt.date(2027, 1, 1)
    [deadline] = before.deadlines
    assert deadline.status == "noch_nicht_offen" and deadline.citation is not None
    assert deadline.sentence() == (
        "Einreichung der Projektskizzen: noch nicht begonnen, Einreichung vom 1. Februar 2027 bis 31. März 2027."
    )
    assert programme_status(upcoming.documents, "be-quartier-digital", dt.date(2027, 2, 10)).in_force
    overview = upcoming.ask("Welche Fristen laufen noch?", today=TODAY)
    assert any(
        "Keine der hinterlegten Einreichungsfristen ist noch offen. 1 weitere beginnt erst später." in n
        for n in overview.notices
    ), overview.notices
    # The cited passage is the sentence that states the window, without the heading above it.
    assert overview.citations[0].quote.startswith("Projektskizzen können vom 1. Februar 2027")
    assert any("Einreichung erst ab 1. Februar 2027" in n for n in overview.notices)


def test_a_window_that_closes_before_it_opens_is_rejected() -> None:
    with pytest.raises(ValidationError, match="Fristbeginn"):
        Deadline(date=dt.date(2027, 1, 1), opens=dt.date(2027, 2, 1), purpose="Einreichung")
    with pytest.raises(ValidationError, match="valid_from"):
        DocumentMeta(
            id="abc-doc",
            title="Titel",
            issuer="Amt",
            kind="guideline",
            region="DE",
            valid_from=dt.date(2028, 1, 1),
            valid_until=dt.date(2027, 1, 1),
        )


def test_corpus_file_with_such_a_window_is_reported_by_name(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.md").write_text(UPCOMING.replace("opens: 2027-02-01", "opens: 2027-05-01"), "utf-8")
    from index.documents import load_corpus

    problems = load_corpus(corpus).problems
    assert [p.file for p in problems] == ["broken.md"] and "Fristbeginn" in problems[0].message


def test_a_yes_no_question_about_the_window_is_answered_for_the_reference_date(upcoming: Assistant) -> None:
    still = "Können wir noch Projektskizzen für Digitale Teilhabe im Quartier einreichen?"
    over = "Ist die Frist für Projektskizzen für Digitale Teilhabe im Quartier schon abgelaufen?"
    during, after, before = (dt.date(2027, 3, 1), dt.date(2027, 4, 1), TODAY)
    assert upcoming.ask(still, today=during).answer.startswith("Ja – laut Förderrichtlinie: Projektskizzen können")
    assert upcoming.ask(still, today=after).answer.startswith("Nein – laut Förderrichtlinie: Projektskizzen können")
    assert upcoming.ask(over, today=after).answer.startswith("Ja – ")
    assert upcoming.ask(over, today=during).answer.startswith("Nein – ")
    # before the window opens neither "Ja" nor "Nein" is right: the notice says when it opens
    not_yet = upcoming.ask(still, today=before)
    assert not_yet.answer.startswith("Laut Förderrichtlinie") and any(
        "noch nicht begonnen" in n for n in not_yet.notices
    )
