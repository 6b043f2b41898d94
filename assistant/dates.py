"""German date expressions and the notices that depend on the reference date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from index.text import MONTHS

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH_RE})\s+(\d{{4}})\b", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\s+(\d{{4}})\b", re.IGNORECASE)

GERMAN_MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


# "Wie lange gilt/läuft ...?" is answered by the end of a validity or a running time: "gilt bis
# 31. Dezember 2024", "seit August 2023 bis Dezember 2028" (not by a deadline: "bis zum 7. Mai einreichen").
_DAY = rf"(?:\d{{1,2}}\.\s?)?(?:(?:{'|'.join(GERMAN_MONTHS)})\s)?(?:19|20)\d{{2}}"
RUNS_UNTIL = re.compile(rf"\b(?:gilt|gelten|galt|läuft|laufen|lief|seit\s+{_DAY})\s+bis\s+(?:zum\s+|Ende\s+)?{_DAY}\b")


# "Wird SINN im Jahr 2027 noch gefördert?", "Gibt es SINN 2026 noch?": the year a question asks
# the state in (a year on its own, not part of a date).
ASKED_YEAR = re.compile(r"\b(?:(?:im\s+)?Jahre?\s+)?((?:19|20)\d{2})\b(?![.\d])", re.IGNORECASE)


def asked_year(question: str) -> re.Match[str] | None:
    """The year a question names on its own ("im Jahr 2027"), or None; not one of a date."""
    taken = [(d.start, d.end) for d in find_dates(question)]
    return next((m for m in ASKED_YEAR.finditer(question) if not any(a <= m.start(1) < b for a, b in taken)), None)


def period_start(text: str) -> dt.date | None:
    """The first day of a running time the text states ("seit August 2023 bis ..." -> 1 August 2023)."""
    m = RUNS_UNTIL.search(text)
    if not m or not m.group().startswith("seit"):
        return None
    dates = find_dates(m.group())
    return dates[0].date if len(dates) >= 2 else None


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


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    date: dt.date
    precision: str  # "day" or "month"


def find_dates(text: str) -> list[FoundDate]:
    """All dates in a German text: '7. Mai 2026', '07.05.2026', '2026-05-07', 'August 2023'."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], y: int, mo: int, d: int, precision: str) -> None:
        if any(s <= m.start() < e for s, e in taken):
            return
        try:
            found.append(FoundDate(m.start(), m.end(), dt.date(y, mo, d), precision))
            taken.append((m.start(), m.end()))
        except ValueError:
            return

    for m in DAY_MONTH_YEAR.finditer(text):
        add(m, int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)), "day")
    for m in NUMERIC_DATE.finditer(text):
        add(m, int(m.group(3)), int(m.group(2)), int(m.group(1)), "day")
    for m in ISO_DATE.finditer(text):
        add(m, int(m.group(1)), int(m.group(2)), int(m.group(3)), "day")
    for m in MONTH_YEAR.finditer(text):
        add(m, int(m.group(2)), MONTHS[m.group(1).lower()], 1, "month")
    return sorted(found, key=lambda f: f.start)


def german_date(day: dt.date) -> str:
    return f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}"


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
