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


def test_a_negated_question_prefers_the_passage_that_negates() -> None:
    from assistant.answer import _type_bonus
    from assistant.lexicon import load_lexicon

    types = load_lexicon().answer_types_of("Welche Ausgaben sind nicht förderfähig?")
    assert "negation" in types
    negated = _type_bonus(types, "Darüber hinaus sind keine weiteren Ausgaben zuwendungsfähig.")
    affirmed = _type_bonus(types, "Folgende Ausgaben sind förderfähig:")
    assert negated > affirmed


def test_a_question_that_starts_with_a_preposition_can_ask_for_a_list() -> None:
    from assistant.lexicon import load_lexicon

    assert "list" in load_lexicon().answer_types_of("In welchen Bereichen wird gefördert?")
    assert "list" not in load_lexicon().answer_types_of("Wie hoch ist die Förderquote?")
