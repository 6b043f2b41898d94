"""German date expressions and the notices that depend on the reference date."""

from __future__ import annotations

import datetime as dt
import re

from index.dates import GERMAN_MONTHS, find_dates

# "Wie lange gilt/läuft ...?" is answered by the end of a validity or a running time: "gilt bis
# 31. Dezember 2024", "seit August 2023 bis Dezember 2028" (not by a deadline: "bis zum 7. Mai einreichen").
_DAY = rf"(?:\d{{1,2}}\.\s?)?(?:(?:{'|'.join(GERMAN_MONTHS)})\s)?(?:19|20)\d{{2}}"
RUNS_UNTIL = re.compile(rf"\b(?:gilt|gelten|galt|läuft|laufen|lief|seit\s+{_DAY})\s+bis\s+(?:zum\s+|Ende\s+)?{_DAY}\b")


# "Wird das Programm im Jahr 2027 noch gefördert?", "Gibt es das 2026 noch?": the year a question asks
# the state in (a year on its own, not part of a date).
ASKED_YEAR = re.compile(r"\b(?:(?:im\s+)?Jahre?\s+)?((?:19|20)\d{2})\b(?![.\d])", re.IGNORECASE)


# "die Richtlinie von 2023", "der Aufruf aus dem Jahr 2025": a year that says where a thing comes from
# names the thing, not the time the question asks about.
_FROM_YEAR = re.compile(r"\b(?:von|vom|aus)(?:\s+dem)?\s*$", re.IGNORECASE)


def asked_year(question: str) -> re.Match[str] | None:
    """The year a question names on its own ("im Jahr 2027"), or None; not one of a date, nor the
    year a document comes from ("gilt die Richtlinie von 2023 noch?")."""
    taken = [(d.start, d.end) for d in find_dates(question)]
    return next(
        (
            m
            for m in ASKED_YEAR.finditer(question)
            if not any(a <= m.start(1) < b for a, b in taken) and not _FROM_YEAR.search(question[: m.start()])
        ),
        None,
    )


def period_start(text: str) -> dt.date | None:
    """The first day of a running time the text states: its earliest date before the end ("seit August
    2023 bis ..." -> 1 August 2023, "tritt am 1. Januar 2027 in Kraft und gilt bis ..." -> 1 January 2027)."""
    end = period_end(text)
    if end is None:
        return None
    return min((d.date for d in find_dates(text) if d.date < end), default=None)


def period_end(text: str) -> dt.date | None:
    """The last day of a running time or validity the text states ("seit August 2023 bis
    Dezember 2028" -> 31 December 2028), or None."""
    m = RUNS_UNTIL.search(text)
    dates = find_dates(m.group()) if m else []
    if not dates:
        return None
    end = dates[-1]
    if end.precision == "month":  # to the end of that month
        following = dt.date(end.date.year + end.date.month // 12, end.date.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return end.date


def parse_reference_date(value: str) -> dt.date:
    """Parse --today / FOERDERLOTSE_TODAY; raises ValueError with a German message."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"Das Datum '{value}' ist ungültig. Erwartet wird JJJJ-MM-TT, z. B. 2026-11-21.") from exc


def days_phrase(days: int, *, dative: bool = False) -> str:
    """'noch 3 Tage' / 'in 3 Tagen'."""
    if days == 1:
        return "1 Tag"
    return f"{days} Tagen" if dative else f"{days} Tage"
