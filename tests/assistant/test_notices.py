"""A deadline rule that recurs every year is said once in the notices, not once per year."""

import datetime as dt

from assistant.pipeline import _one_per_rule
from index.documents import Deadline

RULE = "Anträge sind jeweils bis zum 31. Oktober des Vorjahres einzureichen."
YEARLY = [Deadline(date=dt.date(year, 10, 31), kind="submission", purpose=RULE) for year in (2025, 2026, 2027, 2028)]
OTHER = Deadline(date=dt.date(2026, 3, 1), kind="event", purpose="Informationsveranstaltung")


def test_a_yearly_rule_gives_its_next_closing_day_and_other_deadlines_stay() -> None:
    kept = _one_per_rule([*YEARLY, OTHER], dt.date(2026, 11, 21))
    assert [(d.date, d.purpose) for d in kept] == [(dt.date(2026, 3, 1), OTHER.purpose), (dt.date(2027, 10, 31), RULE)]


def test_when_every_year_has_passed_the_last_one_is_said() -> None:
    assert [d.date for d in _one_per_rule(YEARLY, dt.date(2029, 1, 1))] == [dt.date(2028, 10, 31)]


def test_on_the_closing_day_itself_that_day_is_said() -> None:
    assert [d.date for d in _one_per_rule(YEARLY, dt.date(2026, 10, 31))] == [dt.date(2026, 10, 31)]
