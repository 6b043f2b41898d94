"""The notice check reads every wording the answerer uses for a date's state on the reference date."""

import pytest

from evals.gold import GoldItem
from evals.metrics import NOTICE_PATTERNS, facts_ok


@pytest.mark.parametrize(
    ("expected", "notice"),
    [
        ("expired", "Die Frist „Einreichung der Skizzen“ ist am 7. Mai 2026 abgelaufen."),
        ("expired", "Achtung: Die Richtlinie „X“ galt bis 31. Dezember 2024 und ist nicht mehr in Kraft."),
        (
            "expired",
            "Der Termin „Kongress der Sozialwirtschaft (25.–26. November 2025)“ am 26. November 2025 liegt zurück.",
        ),
        ("open", "Die Frist „Anträge“ läuft noch bis 31. März 2027 (noch 130 Tage)."),
        ("not_started", "Die Frist „Anträge“ hat noch nicht begonnen: Einreichung erst ab 1. Februar 2027."),
        ("not_started", "Der Termin „Geplanter Projektstart“ am 1. Januar 2027 steht bevor (in 41 Tagen)."),
    ],
)
def test_each_state_is_recognised_in_its_wording(expected: str, notice: str) -> None:
    assert [kind for kind, pattern in NOTICE_PATTERNS.items() if pattern.search(notice)] == [expected]


def test_a_passed_event_is_not_a_start_ahead_nor_the_other_way_round() -> None:
    assert not NOTICE_PATTERNS["not_started"].search("Der Termin „Fachtag“ am 3. März 2026 liegt zurück.")
    assert not NOTICE_PATTERNS["expired"].search(
        "Der Termin „Projektstart“ am 1. Januar 2027 steht bevor (in 41 Tagen)."
    )


def test_a_fact_counts_where_the_answer_says_it_not_where_a_source_title_names_it() -> None:
    item = GoldItem(
        id="x-1", question="Wer betreibt die Plattform?", answerable=True, kind="who", facts=["QUARTA"], sources=["d"]
    )
    named = "Ja – Plattform QUARTA (Musterland) – laut Hintergrundtext (keine Förderrichtlinie): Sie beginnt 2023. [1]"
    said = "Laut Hintergrundtext (keine Förderrichtlinie): Das Projekt QUARTA beginnt 2023. [1]"
    assert not facts_ok(item, {"answer": named, "refused": False})
    assert facts_ok(item, {"answer": said, "refused": False})
