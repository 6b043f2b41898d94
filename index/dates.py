"""German date expressions found in a text ('7. Mai 2026', '07.05.2026', '2026-05-07', 'August 2023').

The lowest layer that reads dates: metadata inference (index/) and the answerer (assistant/) both use it.
"""

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
# A day and month without a year ('1. Februar', '01.02.'): the year comes from context.
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTH_RE})\b(?!\s+\d{{4}})", re.IGNORECASE)
NUMERIC_DAY_MONTH = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(?!\d)")

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


@dataclass(frozen=True)
class DayMonth:
    """A day and month without a year, at [start, end) of a text."""

    start: int
    end: int
    day: int
    month: int

    def in_year(self, year: int) -> dt.date | None:
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return None


def find_days_without_year(text: str) -> list[DayMonth]:
    """Days named without a year: '1. Februar', '15.03.' (dates with a year are not returned)."""
    found = [
        DayMonth(m.start(), m.end(), int(m.group(1)), MONTHS[m.group(2).lower()]) for m in DAY_MONTH.finditer(text)
    ]
    found += [
        DayMonth(m.start(), m.end(), int(m.group(1)), int(m.group(2)))
        for m in NUMERIC_DAY_MONTH.finditer(text)
        if 1 <= int(m.group(2)) <= 12 and not re.match(r"\d", text[m.end() : m.end() + 1])
    ]
    return sorted((f for f in found if 1 <= f.day <= 31), key=lambda f: f.start)


def german_date(day: dt.date) -> str:
    return f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}"
