"""Scoring details of the extractive answerer that the gold set only sees in aggregate."""

from assistant.answer import ALL_PARTS_CREDIT, PART_CREDIT, Slot


def test_a_compound_is_covered_by_its_parts_as_separate_words() -> None:
    slot = Slot("auswahlverfahr", ("auswahl", "verfahr"), 1.0)
    assert slot.covered({"auswahlverfahr"}) == 1.0
    assert slot.covered({"auswahl", "verfahr", "sab"}) == ALL_PARTS_CREDIT
    assert slot.covered({"verfahr"}) == PART_CREDIT / 2
    assert slot.covered({"sab"}) == 0.0


def test_a_joined_separable_verb_still_accepts_the_bare_verb() -> None:
    slot = Slot("mitwirk", (), 1.0, alternatives=frozenset({"wirk"}))
    assert slot.covered({"mitwirk"}) == 1.0
    assert 0 < slot.covered({"wirk"}) < 1.0


def test_an_ordinal_says_how_many() -> None:
    from assistant.answer import _has_type

    assert _has_type({"count"}, "Mit dem vierten Förderaufruf schafft das Ministerium den Rahmen.")
    assert not _has_type({"count"}, "Mit dem neuen Förderaufruf schafft das Ministerium den Rahmen.")
