"""Scoring details of the extractive answerer that the gold set only sees in aggregate."""

import pytest

from assistant.question import ALL_PARTS_CREDIT, PART_CREDIT, Slot
from index.chunker import Chunk


def _chunk(text: str, kind: str, section: str = "") -> Chunk:
    """The whole text as one chunk of a document without programme."""
    return Chunk(
        id="c",
        doc_id="d",
        ordinal=0,
        programme=None,
        region="DE",
        kind=kind,
        section=section,
        header="",
        text=text,
        start=0,
        end=len(text),
    )


def ranks_higher(types: set[str], better: str, worse: str) -> bool:
    """Whether the packaged ranker puts `better` before `worse` for a question of `types`, all
    else (coverage, rank, section) alike."""
    from assistant.features import Candidate, span_features
    from assistant.learned import load_ranker
    from assistant.question import QuestionContext

    ranker = load_ranker()
    question = QuestionContext(text="", slots=[], types=set(types))

    def logit(text: str) -> float:
        cand = Candidate("d", "guideline", None, 0, len(text), text, "", 0, (), False)
        return ranker.logit(span_features(question, cand, {}))

    return logit(better) > logit(worse)


def corpus_lexicon():
    """The general lexicon with the programme names derived from the corpus's documents."""
    from assistant.knowledge import derive_programme_names
    from assistant.lexicon import load_lexicon
    from index.documents import load_corpus
    from tests.conftest import CORPUS

    general = load_lexicon()
    return general.with_programmes(
        derive_programme_names(load_corpus(CORPUS).documents, general.regions, general.levels)
    )


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
    from assistant.question import holds_type

    assert holds_type({"count"}, "Mit dem vierten Förderaufruf schafft das Ministerium den Rahmen.")
    assert not holds_type({"count"}, "Mit dem neuen Förderaufruf schafft das Ministerium den Rahmen.")


@pytest.mark.parametrize(
    ("kind", "text", "holds"),
    [
        # a length of time, its number also written as a word, days too
        ("duration", "Geförderte Fahrzeuge sind mindestens fünf Jahre zweckentsprechend zu verwenden.", True),
        ("duration", "Ein Termin ist binnen zehn Werktagen anzubieten.", True),
        ("duration", "Die Laufzeit beträgt 24 Monate.", True),
        ("duration", "Die Pauschale beträgt 120 Euro pro Jahr und Person.", False),
        ("duration", "Sie tritt am Tag ihrer Veröffentlichung in Kraft.", False),
        # a deadline: a day of every year, or a length of time after or before an event
        ("date", "Anträge sind bis zum 15. Januar eines Jahres zu stellen.", True),
        ("date", "Die Verwendungsnachweise sind jeweils zum 30.09. vorzulegen.", True),
        ("date", "Anträge sind schriftlich zu stellen.", False),
        ("date", "Der Bericht ist spätestens sechs Wochen nach Ende des Angebots fällig.", True),
        ("date", "Der Verwendungsnachweis ist innerhalb von sechs Monaten vorzulegen.", True),
        ("date", "Die Laufzeit beträgt 24 Monate.", False),
    ],
)
def test_a_span_holds_the_figure_asked_for(kind: str, text: str, holds: bool) -> None:
    from assistant.question import holds_type

    assert holds_type({kind}, text) is holds


def test_a_flat_rate_is_a_sum_or_a_share_and_time_is_asked_as_a_length() -> None:
    from assistant.lexicon import load_lexicon

    lexicon = load_lexicon()
    assert {"amount", "percent"} <= lexicon.answer_types_of("Wie hoch ist die Sachkostenpauschale?")
    assert "amount" not in lexicon.answer_types_of("Gibt es eine Pauschale?")  # whether, not how much
    # "wie viel" with a verb of paying: a sum or a share ("bis zu 60 Prozent")
    assert {"amount", "percent"} <= lexicon.answer_types_of("Wie viel übernimmt das Land?")
    assert "percent" not in lexicon.answer_types_of("Wie viel Geld gibt es?")
    # interest is a rate: a passage without one does not say what a loan costs
    assert "percent" in lexicon.answer_types_of("was fuer zinsen nimmt die bank fuer nen kredit")
    # "Was kostet ...?" asks for a price: a passage without one does not answer it
    assert "amount" in lexicon.answer_types_of("was kostet die teilnahme am kongress")
    time = lexicon.answer_types_of("wie viel zeit haben wir für den verwendungsnachweis")
    assert "duration" in time and "amount" not in time


def test_an_age_is_asked_and_answered_as_a_number_of_years() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    assert "age" in lexicon.answer_types_of("ab welchem alter sind die angebote gedacht")
    assert "age" not in lexicon.answer_types_of("gilt mein alter antrag noch")  # "alt" as in "old"
    assert holds_type({"age"}, "Die Beratung richtet sich an Menschen ab 60 Jahren.")
    assert holds_type({"age"}, "bis zum vollendeten 27. Lebensjahr")
    assert not holds_type({"age"}, "Die Förderung beginnt im Jahr 2027.")


def test_an_amount_in_millions_is_an_amount() -> None:
    from assistant.question import holds_type

    assert holds_type({"amount"}, "Für das Programm stehen insgesamt 1,6 Millionen Euro zur Verfügung.")
    assert holds_type({"amount"}, "Das Fördervolumen beträgt 2 Mio. €.")
    assert not holds_type({"amount"}, "Rund 3 Millionen Menschen pflegen Angehörige.")


def test_a_programmes_total_is_not_answered_by_what_one_project_gets() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    total = lexicon.answer_types_of("wie viel geld hat das ministerium insgesamt für das programm bereitgestellt")
    assert total == {"amount", "total"}
    assert lexicon.answer_types_of("Wie hoch ist das Gesamtbudget des Programms?") == {"amount", "total"}
    assert "total" in lexicon.answer_types_of("wie viel geld stellt das land pro jahr insgesamt bereit")
    # what one project gets in all, and where the money comes from, are no programme's total
    assert "total" not in lexicon.answer_types_of("wie viel darf ein projekt insgesamt kosten")
    assert "total" not in lexicon.answer_types_of("aus welchem topf wird das bezahlt")
    assert holds_type(total, "Insgesamt stehen im Landeshaushalt 4,5 Millionen Euro zur Verfügung.")
    assert not holds_type(total, "Die Zuwendung beträgt höchstens 1,2 Millionen Euro je Verbund.")
    assert not holds_type(total, "Die Zuwendung beträgt insgesamt höchstens 60.000 Euro je Einrichtung.")


def test_how_high_an_own_contribution_is_may_be_a_sum_or_a_share() -> None:
    from assistant.lexicon import load_lexicon

    lexicon = load_lexicon()
    for question in ("Wie hoch müssen unsere Eigenmittel sein?", "wie viel kofinanzierung brauchen wir"):
        assert {"amount", "percent"} <= lexicon.answer_types_of(question)
    assert lexicon.answer_types_of("Dürfen Eigenmittel aus Spenden stammen?") == {"yesno"}


def test_a_choice_between_forms_of_financing_asks_for_no_figure() -> None:
    from assistant.lexicon import load_lexicon

    lexicon = load_lexicon()
    for question in (
        "Ist das eine Anteilfinanzierung oder ein fester Betrag?",
        "war das eine anteil- oder festbetragsfinanzierung",
        "ist das beim Land eine anteilfinanzierung oder fehlbedarf?",
    ):
        assert not lexicon.answer_types_of(question) & {"amount", "percent"}
    assert "amount" in lexicon.answer_types_of("wie hoch war der festbetrag pro stelle")


def test_a_smallest_sum_is_not_answered_by_a_maximum() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    least = lexicon.answer_types_of("gibts ne mindestsumme für den antrag")
    assert {"amount", "least"} <= least
    assert "least" in lexicon.answer_types_of("gibt es eine untergrenze, also mindestens so viel euro")
    assert "least" in lexicon.answer_types_of("Wie viel Geld gibt es mindestens?")
    assert {"amount", "least"} <= lexicon.answer_types_of("gibts auch ne untergrenze?")  # of money, as a maximum
    # a least number or share is no sum
    assert "least" not in lexicon.answer_types_of("wie viele partner müssen mindestens dabei sein")
    assert "least" not in lexicon.answer_types_of("wie viel müssen wir mindestens selbst zahlen")
    assert not holds_type(least, "Für Trägerverbünde sind bis zu 400.000 Euro pro Projekt möglich.")
    assert holds_type(least, "Ihr könnt zwischen 300 Euro und 5.000 Euro beantragen.")
    assert holds_type(least, "Kleinförderung: 1.000 bis 5.000 Euro für einmalige Vorhaben.")
    assert holds_type(least, "Anträge unter 500 Euro werden nicht bearbeitet.")


def test_a_question_for_a_link_needs_a_web_address() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    web = lexicon.answer_types_of("wo melde ich mich an, gibts da nen link")
    assert "web" in web
    assert "web" in lexicon.answer_types_of("Unter welcher Internetadresse finde ich die Plattform?")
    # a web page named as the source asks for what it says
    assert "web" not in lexicon.answer_types_of("laut webseite: wie viel gibt es höchstens")
    assert holds_type(web, "Anmeldung unter www.example-foerderbank.de/termine.")
    assert holds_type(web, "Die Unterlagen stehen auf foerderportal.example.de bereit.")
    assert not holds_type(web, "Fragen bitte per Mail an info@example.de.")
    assert not holds_type(web, "Die Anmeldung erfolgt bei der Förderbank.")


def test_a_question_for_a_mail_address_is_not_answered_by_a_phone_number_and_per_mail_asks_no_address() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    phone_only = "Ansprechpartnerin ist die Koordinatorin der Stadt, Telefon 0123 456-789."
    mail = lexicon.answer_types_of("welche e-mail adresse hat die koordinatorin")
    assert {"contact", "mail"} <= mail
    assert not holds_type(mail, phone_only)
    assert holds_type(mail, "Fragen an koordination@example.de.")
    phone = lexicon.answer_types_of("gibts da ne telefonnummer")
    assert {"contact", "phone"} <= phone and holds_type(phone, phone_only)
    assert not holds_type(phone, "Fragen an koordination@example.de.")
    # either answers where the question asks for both or for a contact at all
    for either in ("Telefonnummer und Mailadresse?", "Kontaktdaten der Stelle?"):
        assert not lexicon.answer_types_of(either) & {"mail", "phone"}
    # "per Mail schicken" asks how to send, not for an address
    assert "contact" not in lexicon.answer_types_of("reicht es, wenn wir die Skizze per E-Mail schicken?")
    # an address the question states itself is not the one it asks for, nor is its kind
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Fragen an koordination@example.de."])
    stated = analyse_question(
        "Ist koordination@example.de die richtige Mailadresse?", analyzer, stats, corpus_lexicon()
    )
    assert not stated.figure_types


def test_a_negated_question_prefers_the_passage_that_negates() -> None:
    from assistant.lexicon import load_lexicon

    types = load_lexicon().answer_types_of("Welche Ausgaben sind nicht förderfähig?")
    assert "negation" in types
    assert ranks_higher(
        types, "Darüber hinaus sind keine weiteren Ausgaben zuwendungsfähig.", "Folgende Ausgaben sind förderfähig:"
    )


def test_a_question_that_starts_with_a_preposition_can_ask_for_a_list() -> None:
    from assistant.lexicon import load_lexicon

    assert "list" in load_lexicon().answer_types_of("In welchen Bereichen wird gefördert?")
    assert "list" not in load_lexicon().answer_types_of("Wie hoch ist die Förderquote?")
    # "wie hoch" asks for an amount, unless the question asks for a share
    assert load_lexicon().answer_types_of("Wie hoch ist die Förderquote?") == {"percent"}
    assert load_lexicon().answer_types_of("Wie hoch ist der Zuschuss?") == {"amount"}


def test_a_single_part_of_a_compound_is_not_all_of_it() -> None:
    # "Mitarbeiter" keeps one part ("arbeit"; "mit" is a stop word): "Arbeit" alone is not it.
    slot = Slot("mitarbeit", ("arbeit",), 1.0)
    assert slot.covered({"arbeit"}) == PART_CREDIT
    assert slot.covered({"mitarbeit"}) == 1.0


def test_a_slot_is_covered_by_its_lemma() -> None:
    slot = Slot("gefordert", (), 1.0, lemma="ford")
    assert slot.covered({"ford", "projekt"}) == 1.0


def test_a_count_answers_only_next_to_what_is_counted() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question, holds_type
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    texts = ["Mit dem vierten Förderaufruf startet das Programm.", "Die Frist endet nach 12 Wochen."]
    stats = TermStats.from_texts(analyzer, texts)
    question = analyse_question("Wie viele Förderaufrufe gab es?", analyzer, stats, load_lexicon())
    assert question.counted and "count" in question.figure_types
    answerer = ExtractiveAnswerer(analyzer)
    assert answerer._counts(texts[0], question.counted)
    assert not answerer._counts(texts[1], question.counted)
    # "Wie viele gibt es?" names nothing: any count will do
    assert answerer._counts(texts[1], frozenset())
    # the noun past its adjectives counts; a percentage counts nothing
    innovations = analyse_question("Wie viele Innovationen werden gefördert?", analyzer, stats, load_lexicon())
    assert answerer._counts("Aktuell werden 21 soziale Innovationen gefördert.", innovations.counted)
    # "alle" counts the thing the question names, and only that
    regions = analyse_question("Wie viele Regionen deckt sie ab?", analyzer, stats, load_lexicon())
    assert answerer._counts("Stellen, die sich über alle Regionen Sachsens verteilen.", regions.counted)
    assert not answerer._counts("Stellen, die sich über alle Akteure verteilen.", regions.counted)
    assert not answerer._counts("über alle Regionen", frozenset())
    # the year of a date counts nothing
    proposals = analyse_question("Wie viele Projektvorschläge gingen ein?", analyzer, stats, load_lexicon())
    assert not answerer._counts("bis zum 7. Mai 2026 Projektvorschläge einreichen", proposals.counted)
    # a numeral adjective counts what its rest names ("zweistufig": two stages), not what follows it
    stages = analyse_question("Wie viele Stufen hat das Verfahren?", analyzer, stats, load_lexicon())
    assert answerer._counts("Die Auswahl erfolgt in einem zweistufigen Verfahren.", stages.counted)
    assert not answerer._counts("Die Auswahl erfolgt in einem zweistufigen Verfahren.", proposals.counted)
    assert holds_type({"count"}, "eine dreijährige Laufzeit") and not holds_type({"count"}, "ein achtsamer Umgang")
    assert answerer._counts("Es gingen 120 Projektvorschläge ein.", proposals.counted)
    staff = analyse_question("Wie viele Personalkosten gibt es?", analyzer, stats, load_lexicon())
    assert not answerer._counts("Eine Pauschale von 15 % der direkten Personalkosten.", staff.counted)


def test_an_either_or_question_is_answered_by_either_half() -> None:
    from assistant.features import Candidate, coverage
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Ein Kredit der Bank.", "Die Zuwendung ist nicht rückzahlbar."])
    question = analyse_question("Ist das ein Kredit oder muss man es zurückzahlen?", analyzer, stats, load_lexicon())
    sides = {s.stem: s.side for s in question.slots}
    assert sides[analyzer.terms("Kredit")[0]] == 1 and sides[analyzer.terms("zurückzahlen")[0]] == 2

    def span(*cover: float) -> Candidate:
        return Candidate("d", "guideline", None, 0, 1, "x", "", 0, cover, False)

    covers = [1.0 if s.side == 2 else 0.0 for s in question.slots]
    assert coverage(question, [span(*covers)]) == 1.0  # the second half, fully
    # "oder" between two nouns joins alternatives within one question: all words count
    nouns = analyse_question("Können Vereine oder Verbände Anträge stellen?", analyzer, stats, load_lexicon())
    assert {s.side for s in nouns.slots} == {0}
    assert coverage(nouns, [span(*[1.0] + [0.0] * (len(nouns.slots) - 1))]) < 1.0


def test_a_follow_up_that_opens_with_a_conjunction_keeps_its_question_word() -> None:

    lexicon = corpus_lexicon()
    assert "who" in lexicon.answer_types_of("Und wer ist da für inhaltliche Fragen zuständig?")
    assert "list" in lexicon.answer_types_of("Okay, und welche Kosten zählen?")
    assert "who" not in lexicon.answer_types_of("Und was kostet das?")


def test_words_that_name_the_programme_are_covered_by_its_passages_and_numbers_weigh_fully() -> None:
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    lexicon = corpus_lexicon()
    stats = TermStats.from_texts(analyzer, ["Die Projekte sollen zum 1. Januar 2027 starten.", "Der vierte Aufruf."])
    question = analyse_question("Wann fangen die sächsischen Projekte an?", analyzer, stats, lexicon)
    saxon = next(s for s in question.slots if s.names)
    assert lexicon.programmes_in("sächsischen") == list(saxon.names)
    # the joined separable verb ("fangen ... an" -> "anfangen") finds its synonyms ("starten")
    start = next(s for s in question.slots if s.stem == analyzer.terms("anfangen")[0])
    assert analyzer.terms("starten")[0] in start.alternatives
    # "fünfte" is what the question is about, lower case or not
    fifth = analyse_question("Wann startet der fünfte Aufruf?", analyzer, stats, lexicon)
    starts = analyse_question("Wann startet der neue Aufruf?", analyzer, stats, lexicon)
    weight = {s.stem: s.weight for s in fifth.slots}
    assert weight[analyzer.terms("fünfte")[0]] > {s.stem: s.weight for s in starts.slots}[analyzer.terms("neue")[0]]


def test_money_in_a_yes_no_question_does_not_ask_for_an_amount() -> None:

    lexicon = corpus_lexicon()
    assert "amount" not in lexicon.answer_types_of("Gibt's Geld für Öffentlichkeitsarbeit?")
    assert "amount" in lexicon.answer_types_of("Wie viel Geld gibt es für Einzelträger?")


def test_a_word_built_on_a_known_word_is_not_corrected_as_a_typo() -> None:
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Die Finanzierung ist gesichert.", "Die Förderquote beträgt 95 Prozent."])
    lexicon = corpus_lexicon()
    built = analyse_question("Wer übernimmt die Kofinanzierung?", analyzer, stats, lexicon)
    slot = next(s for s in built.slots if "finanzier" in s.stem)
    assert slot.stem != "finanzier" and "finanzier" in slot.parts  # a part of it, not the same word
    typo = analyse_question("Wie hoch ist die Förderqoute?", analyzer, stats, lexicon)
    assert analyzer.terms("Förderquote")[0] in {s.stem for s in typo.slots}


def test_a_who_question_reads_on_into_the_next_sentence_that_says_the_same_of_another() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.features import Candidate
    from assistant.question import QuestionContext
    from index.sparse import GermanAnalyzer

    slots = [Slot("verwend", (), 2.7), Slot("pruf", (), 2.5)]

    def span(start: int, cover: tuple[float, ...], score: float) -> Candidate:
        return Candidate("d", "guideline", None, start, start + 10, "x", "", 0, cover, False, score=score)

    first, then = span(0, (1.0, 1.0), 1.0), span(11, (0.0, 1.0), 0.5)
    answerer = ExtractiveAnswerer(GermanAnalyzer(), min_support=0.45)
    who = QuestionContext("Wer darf die Verwendung prüfen?", slots, types={"who"})
    assert answerer.select(who, [first, then]) == [first, then]
    what = QuestionContext("Was gilt für die Verwendung?", slots, types=set())
    assert answerer.select(what, [first, then]) == [first]


def test_a_year_answers_when_and_more_money_asks_for_an_amount() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    assert holds_type({"date"}, "Seit 2023 ruft das Sozialministerium jährlich zur Einreichung auf.")
    assert not holds_type({"date"}, "Es gibt 2023 Projekte.")
    assert "amount" in load_lexicon().answer_types_of("Gibt es in Sachsen mehr Geld für Verbünde?")


def test_a_comparative_is_not_an_amount() -> None:
    from assistant.lexicon import load_lexicon

    types = load_lexicon().answer_types_of("Wo ist die Förderquote höher, in Sachsen oder beim BMAS?")
    assert "amount" not in types and "percent" in types
    assert "amount" in load_lexicon().answer_types_of("Welche Zuschusshöhe gilt?")


def test_a_comparison_gives_each_programme_its_best_passage_first() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.features import Candidate
    from assistant.question import QuestionContext
    from index.sparse import GermanAnalyzer

    def span(programme: str, start: int, score: float) -> Candidate:
        return Candidate(
            "d-" + programme, "guideline", programme, start, start + 5, "x", "", 0, (1.0,), False, score=score
        )

    ranked = [span("bund", 0, 1.0), span("bund", 100, 0.95), span("bund", 200, 0.9), span("land", 0, 0.5)]
    question = QuestionContext(
        "Wer wählt im Land und beim Bund aus?", [Slot("wahl", (), 1.0)], programmes=("bund", "land")
    )
    chosen = ExtractiveAnswerer(GermanAnalyzer(), min_support=0.45).select(question, ranked)
    assert [c.programme for c in chosen] == ["bund", "land", "bund"]


def test_a_who_question_prefers_the_sentence_that_says_who_is_eligible() -> None:
    assert ranks_higher(
        {"who"},
        "Antragsberechtigt sind Zusammenschlüsse von juristischen Personen.",
        "Die Antragsberechtigten werden zur Antragstellung aufgefordert.",
    )
    # a call says it with "können ... einreichen", over a date with its full stop
    assert ranks_higher(
        {"who"},
        "Interessierte Träger können ab sofort bis zum 7. Mai 2026 Vorschläge einreichen.",
        "Mit dem Förderaufruf wollen wir Träger ermutigen.",
    )


def test_a_separable_verb_is_joined_also_when_its_slot_took_the_lemma() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    # the corpus knows "laufen" and "Ablauf", not the form "läuft": the slot takes the lemma
    stats = TermStats.from_texts(analyzer, ["Projekte laufen zwei Jahre.", "Der Ablauf des Verfahrens."])
    question = analyse_question("Wie läuft das Verfahren ab?", analyzer, stats, load_lexicon())
    assert analyzer.terms("Ablauf")[0] in {s.stem for s in question.slots}


def test_a_count_may_stand_next_to_a_synonym_of_what_is_counted() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    text = "Die Zukunftsplattform wird mit insgesamt 13 Vollzeitstellen ausgestattet."
    stats = TermStats.from_texts(analyzer, [text, "Die Frist endet nach 12 Wochen."])
    question = analyse_question("Wie viele Leute arbeiten dort?", analyzer, stats, load_lexicon())
    answerer = ExtractiveAnswerer(analyzer)
    assert answerer._counts(text, question.counted)
    assert not answerer._counts("Die Frist endet nach 12 Wochen.", question.counted)


def _lead_for(question_text: str, passage: str, cover: float = 1.0) -> str | None:
    from assistant.answer import yes_no_lead
    from assistant.features import Candidate
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, [passage, "Die Frist endet nach 12 Wochen."])
    question = analyse_question(question_text, analyzer, stats, load_lexicon())
    span = Candidate(
        "d", "guideline", None, 0, len(passage), passage, "", 0, tuple(cover for _ in question.slots), False, score=1.0
    )
    return yes_no_lead(question, [span])


def test_a_yes_no_question_is_led_by_what_the_rule_says() -> None:
    asked = "Werden Mietkosten gefördert?"
    assert _lead_for(asked, "Mietkosten werden gefördert.") == "ja"
    assert _lead_for(asked, "Mietkosten werden nicht gefördert.") == "nein"
    assert _lead_for(asked, "Es besteht ein Förderverbot für Mietkosten.") == "nein"
    assert _lead_for(asked, "Mietkosten werden nur in begründeten Ausnahmefällen gefördert.") == "bedingt"
    assert _lead_for(asked, "Mietkosten werden gefördert, wenn sie projektbezogen sind.") == "bedingt"


def test_no_lead_where_the_passage_or_the_question_does_not_decide_it() -> None:
    asked = "Werden Mietkosten gefördert?"
    # grants one thing and excludes another; a double negation; too little of the question covered
    assert _lead_for(asked, "Mietkosten werden gefördert, ohne Nebenkosten.") is None
    assert _lead_for(asked, "Mietkosten sind nicht ausgeschlossen.") is None
    assert _lead_for(asked, "Mietkosten werden gefördert.", cover=0.5) is None
    # a negated question ("Gibt es ein Verbot ...?"), a question about the state on the reference
    # date ("noch"), a question for a figure, an open question
    assert _lead_for("Gibt es ein Verbot für Mietkosten?", "Es besteht ein Verbot für Mietkosten.") is None
    assert _lead_for("Können wir noch Mietkosten einreichen?", "Mietkosten können eingereicht werden.") is None
    assert _lead_for("Gibt es mehr Geld für Mietkosten?", "Für Mietkosten gibt es 500 Euro.") is None
    assert _lead_for("Welche Mietkosten werden gefördert?", "Mietkosten werden gefördert.") is None


def test_promoting_a_source_moves_its_sentences_first_and_renumbers() -> None:
    from assistant.answer import promoted, with_lead
    from assistant.models import Draft, DraftSentence, Source

    sources = [Source(n=1, doc_id="a", start=0, end=1, quote="A"), Source(n=2, doc_id="b", start=0, end=1, quote="B")]
    draft = Draft(
        sentences=[DraftSentence(text="Laut X: A.", refs=[1]), DraftSentence(text="Laut Y: B.", refs=[2])],
        sources=sources,
    )
    moved = with_lead(promoted(draft, lambda s: s.doc_id == "b"), "nein")
    assert [(s.text, s.refs) for s in moved.sentences] == [("Nein – laut Y: B.", [1]), ("Laut X: A.", [2])]
    assert [(s.n, s.doc_id) for s in moved.sources] == [(1, "b"), (2, "a")]


def test_a_condition_word_the_question_asks_about_does_not_make_the_answer_conditional() -> None:
    passage = "Voraussetzung für eine Förderung ist eine Satzung."
    assert _lead_for("Ist eine Satzung eine Voraussetzung für die Förderung?", passage) == "ja"
    assert _lead_for("Wird eine Satzung gefördert?", passage) == "bedingt"


def test_a_figure_in_the_question_must_be_the_passages_own() -> None:
    passage = "Einzelträger können eine Förderung von bis zu 300.000 Euro erhalten."
    assert _lead_for("Kann ein Einzelträger 400.000 Euro bekommen?", passage) is None
    assert _lead_for("Kann ein Einzelträger 300.000 Euro bekommen?", passage) == "ja"


def test_no_lead_where_the_passage_names_only_a_relative_of_what_is_asked() -> None:
    from assistant.answer import LEAD_SUPPORT, yes_no_lead
    from assistant.features import Candidate, coverage
    from assistant.question import SYNONYM_CREDIT, QuestionContext

    # "Können Einzelträger gefördert werden?" - "Trägerverbünde werden gefördert." covers the
    # weightiest word only through the lexicon's group of kinds of Träger
    question = QuestionContext(
        "Können Einzelträger gefördert werden?",
        [Slot("einzeltrag", (), 4.0), Slot("gefordert", (), 3.9)],
        types={"yesno"},
    )

    def span(*cover: float) -> Candidate:
        return Candidate(
            "d", "guideline", None, 0, 10, "Trägerverbünde werden gefördert.", "", 0, cover, False, score=1.0
        )

    assert coverage(question, [span(SYNONYM_CREDIT, 1.0)]) >= LEAD_SUPPORT  # enough of the question ...
    assert yes_no_lead(question, [span(SYNONYM_CREDIT, 1.0)]) is None  # ... but not what it is about
    assert yes_no_lead(question, [span(1.0, 1.0)]) == "ja"


def test_how_long_is_answered_by_a_running_time_or_the_end_of_a_validity() -> None:
    from assistant.question import holds_type

    assert holds_type({"duration"}, "Die Projekte haben eine Laufzeit von bis zu 24 Monaten.")
    assert holds_type({"duration"}, "Die Richtlinie tritt in Kraft und gilt bis 31. Dezember 2024.")
    assert holds_type({"duration"}, "Das Land fördert SINN seit August 2023 bis Dezember 2028.")
    # a deadline is no duration: "Wie lange dauert die Bearbeitung?" is not answered by it
    assert not holds_type({"duration"}, "Projektvorschläge können bis zum 7. Mai 2026 eingereicht werden.")


def test_a_comparison_splits_into_halves_only_where_they_ask_different_things() -> None:

    lexicon = corpus_lexicon()
    halves = lexicon.clauses("Bis wann konnte man in Sachsen einreichen und wer ist beim BMAS antragsberechtigt?")
    assert halves == {
        "sn-modellvorhaben": "Bis wann konnte man in Sachsen einreichen",
        "civic-innovation": "wer ist beim BMAS antragsberechtigt?",
    }
    # one question about both programmes: no halves
    assert lexicon.clauses("Wo ist die Förderquote höher, in Sachsen oder beim BMAS?") == {}
    assert lexicon.clauses("Ist das Auswahlverfahren in Sachsen und beim BMAS jeweils zweistufig?") == {}
    # the first programme named by several words ("bmas civic innovation") goes on with nothing of its own
    assert (
        lexicon.clauses("wo ist die förderquote höher, beim bmas civic innovation oder beim sächsischen ki aufruf")
        == {}
    )
    assert lexicon.clauses("Wie hoch ist die Förderquote in Sachsen?") == {}
    # the second half's question word may follow a preposition
    assert set(
        lexicon.clauses("Wann ist die Infoveranstaltung in Sachsen und bis wann galt die Richtlinie beim BMAS?")
    ) == {"sn-modellvorhaben", "civic-innovation"}


def test_a_light_verb_is_not_a_word_of_the_question() -> None:

    lexicon = corpus_lexicon()
    assert lexicon.light_verbs_in("Wer kann einen Antrag stellen?") == {"stellen"}
    assert lexicon.light_verbs_in("Werden neue Stellen gefördert?") == frozenset()  # the noun
    assert lexicon.light_verbs_in("Wen muss man stellen?") == frozenset()  # no noun it goes with
    assert lexicon.light_verbs_in("Muss man mit dem Partner einen Vertrag machen?") == {"machen"}
    assert lexicon.without_light_verbs("Kann man Anträge für neue Stellen stellen?").split() == [
        "Kann",
        "man",
        "Anträge",
        "für",
        "neue",
        "Stellen",
        "?",
    ]


def test_a_maximum_is_of_money_unless_the_question_asks_for_another_figure() -> None:
    from index.sparse import GermanAnalyzer

    lexicon = corpus_lexicon()
    assert "amount" in lexicon.answer_types_of("Was bekommt ein Verbund maximal?")
    types = lexicon.answer_types_of("Wie lange dürfen die Projekte höchstens dauern?")
    assert "duration" in types and "amount" not in types
    # a duration answers "Projektdauer" and "Laufzeit", not each of their parts
    typed = lexicon.typed_terms({"duration"}, GermanAnalyzer())
    assert GermanAnalyzer().terms("Laufzeit")[0] in typed and "projekt" not in typed


def test_a_level_of_government_beside_a_named_programme_is_its_funder() -> None:

    lexicon = corpus_lexicon()
    assert lexicon.programmes_in("Wie viel Geld bekommt SINN vom Sozialministerium?") == ["sn-zukunftsplattform"]
    # two joined, or both named by a Land or a level only: a comparison
    assert len(lexicon.programmes_in("Welche Quote gilt für Modellvorhaben in Sachsen und welche beim Bund?")) == 2
    assert len(lexicon.programmes_in("Wie hoch ist die Förderquote in Sachsen und beim Bund?")) == 2
    # a passage names a programme by its own words, not by a Land or a level
    assert lexicon.programmes_named("Mit dem Projekt SINN fördert das Sozialministerium ...") == [
        "sn-zukunftsplattform"
    ]
    assert lexicon.programmes_named("Förderprogramme auf Bundes- und Länderebene in Sachsen") == []


def test_a_word_the_lemmatiser_knows_is_not_taken_for_a_typo() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Die Förderquote wird beschrieben.", "Der Bericht ist erstellt."])
    stems = [s.stem for s in analyse_question("Wer hat das geschrieben?", analyzer, stats, load_lexicon()).slots]
    assert analyzer.word("beschrieben").stem not in stems
    # nor a word that a longer word of the corpus is built on
    stats = TermStats.from_texts(analyzer, ["Die Förderquote erschließen.", "Mit dem Teilprojektpartner."])
    stems = [
        s.stem for s in analyse_question("Schließen die Projektpartner ab?", analyzer, stats, load_lexicon()).slots
    ]
    assert analyzer.word("erschließen").stem not in stems and analyzer.word("teilprojektpartner").stem not in stems
    typo = [s.stem for s in analyse_question("Wie hoch ist die Förderqoute?", analyzer, stats, load_lexicon()).slots]
    assert analyzer.word("förderquote").stem in typo


def test_a_short_word_with_two_letters_swapped_is_the_corpus_word() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Der Antrag ist schriftlich zu stellen.", "Die Frist endet bald."])
    stems = [s.stem for s in analyse_question("wo geht der antarg hin", analyzer, stats, load_lexicon()).slots]
    assert analyzer.word("antrag").stem in stems and "antarg" not in stems
    assert stats.swapped("frsit") == analyzer.word("frist").stem and stats.swapped("abcd") is None
    # nor a word OpenThesaurus knows: "Obergrenze" is no "begrenzt" (close by letters)
    stats = TermStats.from_texts(analyzer, ["Die Zuwendung ist auf 500 000 Euro begrenzt.", "Die begrenzte Zeit."])
    stems = [s.stem for s in analyse_question("Gibt es eine Obergrenze?", analyzer, stats, load_lexicon()).slots]
    assert analyzer.word("obergrenze", True).stem in stems and not set(stems) & set(stats.df)


def test_a_running_time_answers_when_something_begins_or_ends() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["SINN wird seit August 2023 bis Dezember 2028 gefördert.", "Förderung"])
    question = analyse_question("Wann endet die Förderung von SINN?", analyzer, stats, load_lexicon())
    ends = next(s for s in question.slots if s.running)
    assert ends.covered({"sinn"}, runs=True) == 1.0 and ends.covered({"sinn"}) == 0.0
    # "Förderung" is met by "fördert" (Snowball keeps the -er of the noun only)
    funding = next(s for s in question.slots if s.stem == analyzer.word("förderung", True).stem)
    assert funding.covered(set(analyzer.terms("fördert"))) > 0


def test_a_signature_block_is_one_span_that_means_the_signing() -> None:
    from assistant.spans import evidence_spans

    text = (
        "Diese Richtlinie gilt bis 31. Dezember 2024.\n\nBerlin, den 28. März 2023\n\nBundesministerium\n"
        "für Arbeit und Soziales\n\nIm Auftrag\nH. Muster\n\n1\nEine Fußnote, die nicht dazugehört."
    )
    chunk = _chunk(text, "guideline", section="9")
    signed = [s for s in evidence_spans(chunk) if s.implied]
    assert len(signed) == 1 and signed[0].text.startswith("Berlin, den") and signed[0].text.endswith("H. Muster")


def test_a_lexicon_phrase_in_the_question_is_met_by_its_group() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Einzelträger können 300.000 Euro erhalten.", "Partner im Verbund."])
    question = analyse_question("Geht ein Projekt auch ohne Partner?", analyzer, stats, load_lexicon())
    partner = next(s for s in question.slots if s.stem == analyzer.word("partner", True).stem)
    assert 0 < partner.covered(set(analyzer.terms("Einzelträger"))) < 1


def test_a_length_of_time_the_question_states_asks_for_one() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question, holds_type
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Eine Laufzeit von bis zu 24 Monaten.", "Sie gilt bis 31. Dezember 2024."])
    question = analyse_question("Dürfen Projekte länger als zwei Jahre dauern?", analyzer, stats, load_lexicon())
    assert "span" in question.types and "duration" not in question.types
    year = next(s for s in question.slots if s.stem == analyzer.terms("Jahre")[0])
    assert year.covered(set(), has_type=True) == 1.0  # any stated length answers "zwei Jahre"
    assert holds_type(question.types, "Eine Laufzeit von bis zu 24 Monaten.")
    assert not holds_type(question.types, "Sie gilt bis 31. Dezember 2024.")  # an end date is no length


def test_the_number_of_things_a_which_question_asks_for_is_no_word_to_find() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Drei Ministerien bündeln ihre Kräfte.", "Die zwei Stufen."])
    which = analyse_question("Welche drei Ministerien stecken dahinter?", analyzer, stats, load_lexicon())
    assert analyzer.terms("drei")[0] not in {s.stem for s in which.slots}
    # elsewhere a number is what the question is about
    other = analyse_question("Gibt es drei Ministerien?", analyzer, stats, load_lexicon())
    assert analyzer.terms("drei")[0] in {s.stem for s in other.slots}
    # an ordinal says which ones, not how many: "Welche ersten Schritte ...?"
    first = analyse_question("Welche ersten Schritte gibt es?", analyzer, stats, load_lexicon())
    assert analyzer.terms("ersten")[0] in {s.stem for s in first.slots}


def test_a_list_inside_a_sentence_is_seen_as_one() -> None:
    from assistant.features import _ENUMERATES

    assert _ENUMERATES.search(
        "aus verschiedenen Sektoren (öffentliche Verwaltung, Wirtschaft, Zivilgesellschaft, Wissenschaft)"
    )
    assert _ENUMERATES.search("Datenschutz, Barrierefreiheit, Gender Mainstreaming und Nachhaltigkeit")
    assert not _ENUMERATES.search(
        "Finanzierung, Technologie und sozialer Auftrag"
    )  # three things, one comma: too weak a sign
    assert not _ENUMERATES.search(
        "Gefördert werden ausschließlich interdisziplinäre und/oder sektorenübergreifende Projektverbünde."
    )


def test_a_yes_no_question_on_a_share_asks_whether_not_how_much() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Der Eigenanteil kann auch aus kommunalen Mitteln kommen."])
    whether = analyse_question("Darf der Eigenanteil aus kommunalen Mitteln kommen?", analyzer, stats, load_lexicon())
    assert "percent" not in whether.types and "yesno" in whether.types
    share = analyse_question("Wie hoch ist der Eigenanteil?", analyzer, stats, load_lexicon())
    assert "percent" in share.types


def test_a_neighbour_that_only_names_the_programme_is_not_joined() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.features import Candidate
    from assistant.question import QuestionContext
    from index.sparse import GermanAnalyzer

    def span(start: int, cover: tuple[float, float, float], score: float) -> Candidate:
        return Candidate("d", "background", "p", start, start + 10, "x", "", 0, cover, False, score=score)

    best, names_it, adds = span(12, (1.0, 0.0, 0.5), 1.0), span(0, (0.0, 0.0, 1.0), 0.5), span(24, (0.0, 1.0, 0.0), 0.3)
    question = QuestionContext(
        "Was gibt es beim Ideenwettbewerb der Plattform außer Preisgeld?",
        [Slot("ideenwettbewerb", (), 4.0), Slot("preisgeld", (), 1.0), Slot("plattform", (), 0.5, context=True)],
    )
    answerer = ExtractiveAnswerer(GermanAnalyzer(), min_support=0.45, max_sentences=1)
    assert answerer.select(question, [best, names_it]) == [best]
    assert answerer.select(question, [best, adds]) == [best, adds]  # one that adds to what is asked is


def test_the_next_sentence_that_points_back_is_joined() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.features import Candidate
    from assistant.question import QuestionContext
    from index.sparse import GermanAnalyzer

    rule = "Die Bemessung muss entweder auf Ausgabenbasis oder auf Kostenbasis erfolgen."
    both, other = "Eine Vermischung beider Formen ist nicht möglich.", "Die Förderquote beträgt 90 Prozent."

    def span(start: int, text: str, cover: tuple[float, float], score: float) -> Candidate:
        return Candidate("d", "guideline", "p", start, start + len(text), text, "", 0, cover, False, score=score)

    best = span(0, rule, (1.0, 1.0), 1.0)
    question = QuestionContext(
        "Dürfen wir teils nach Ausgaben und teils nach Kosten abrechnen?",
        [Slot("ausgab", (), 2.0), Slot("kost", (), 2.0)],
    )
    answerer = ExtractiveAnswerer(GermanAnalyzer(), min_support=0.45, max_sentences=1)
    points_back = span(len(rule) + 1, both, (0.0, 0.0), 0.4)
    assert answerer.select(question, [best, points_back]) == [best, points_back]
    assert answerer.select(question, [best, span(len(rule) + 1, other, (0.0, 0.0), 0.4)]) == [best]


def test_a_compound_of_corpus_words_is_no_typo_and_an_unknown_head_is_unknown() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Der Projektleiter berichtet seit Mai.", "Das Projekt der Arbeit."])
    slots = analyse_question("Was steht auf der Projektseite?", analyzer, stats, load_lexicon()).slots
    assert analyzer.word("projektleiter").stem not in {s.stem for s in slots}
    # "Arbeitsagentur": the corpus knows "Arbeit", not "Agentur"; the word is as unknown as any
    slots = analyse_question("Was macht die Arbeitsagentur?", analyzer, stats, load_lexicon()).slots
    slot = next(s for s in slots if s.stem == analyzer.word("arbeitsagentur").stem)
    assert slot.weight == stats.mean_idf and slot.parts == ()
    assert slot.covered(set(analyzer.terms("Die Arbeit"))) == 0.0


def test_a_question_of_nothing_but_names_weighs_them_as_what_is_asked() -> None:
    from assistant.question import CONTEXT_WEIGHT, QuestionContext

    names = QuestionContext("Was ist SINN?", [Slot("sinn", (), 0.9, names=frozenset({"p"}), context=True)])
    slot = names.naming_only().slots[0]
    assert slot.weight == 0.9 / CONTEXT_WEIGHT and not slot.context and not slot.names
    asked = QuestionContext("Wie hoch ist die Quote bei SINN?", [*names.slots, Slot("quot", (), 2.0)])
    assert asked.naming_only() is asked
    # asking for a figure of the programme ("Gilt SINN noch?"), they stay its name: any of its
    # passages that holds the figure answers, named or not
    valid = QuestionContext("Gilt SINN noch?", names.slots, types={"date", "yesno"})
    assert valid.naming_only() is valid


def test_a_contact_block_is_one_span_that_says_whom_to_contact() -> None:
    from assistant.spans import CONTACT, evidence_spans

    text = (
        "Sie haben Fragen? Sprechen Sie uns an.\n\nErika Muster\nProjektleitung\nVerein für Beispiele e. V.\n\n"
        "Tel.: 0351 - 123 45\nE-Mail: erika@example.org\n\nDer nächste Absatz ist ein ganzer Satz."
    )
    chunk = _chunk(text, "background")
    blocks = [s for s in evidence_spans(chunk) if s.implied == CONTACT]
    assert len(blocks) == 1 and blocks[0].text.startswith("Erika Muster") and blocks[0].text.endswith("example.org")


def test_why_asks_for_a_reason_and_a_therefore_reads_the_one_before() -> None:
    from assistant.answer import REFERS_BACK
    from assistant.features import SPAN_FEATURES, Candidate, span_features
    from assistant.lexicon import load_lexicon
    from assistant.question import QuestionContext

    types = load_lexicon().answer_types_of("Warum ist die Finanzierung so wichtig?")
    assert "reason" in types
    # the reason is a feature of the span; how much it counts is learned (few "Warum" questions
    # in the training data give it little weight so far)
    question = QuestionContext(text="", slots=[], types=types)
    text = "Sie ist wichtig, weil die Anfangsinvestitionen hoch sind."
    cand = Candidate("d", "guideline", None, 0, len(text), text, "", 0, (), False)
    assert "reason_given" in SPAN_FEATURES and span_features(question, cand, {})["reason_given"] == 1.0
    assert REFERS_BACK.search("Deshalb fördert das BMAS ausschließlich Verbundprojekte.")


def test_a_word_of_the_lexicon_is_not_taken_for_a_typo() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Ein Anspruch besteht nicht.", "Sprechen Sie uns an."])
    stems = {s.stem for s in analyse_question("Wen kann ich ansprechen?", analyzer, stats, load_lexicon()).slots}
    assert analyzer.terms("Anspruch")[0] not in stems
    assert analyzer.terms("wen")[0] not in stems  # a question word, like "wer"


def test_a_figure_stands_for_the_word_it_answers_not_for_its_synonyms() -> None:
    from assistant.question import SYNONYM_CREDIT

    # "Wie viel Eigenanteil ...?": an amount answers the part "Anteil", not the synonym "Anteil"
    slot = Slot("eigenanteil", ("eig", "anteil"), 1.0, typed=frozenset({"anteil"}), alternatives=frozenset({"anteil"}))
    assert slot.covered({"einzeltrag", "euro"}, has_type=True) < SYNONYM_CREDIT
    assert slot.covered({"anteil", "euro"}, has_type=True) == SYNONYM_CREDIT  # said in the passage
    assert Slot("forderquot", (), 1.0, typed=frozenset({"forderquot"})).covered({"prozent"}, has_type=True) == 1.0


def test_a_question_or_a_headline_in_capitals_is_no_evidence() -> None:
    from assistant.spans import evidence_spans

    text = (
        "PLATTFORM FÜR SOZIALE INNOVATION KOMMT.\n\nSie haben Fragen zur Plattform? Sprechen Sie uns an.\n\n"
        "Zunächst sollten Sie ein Ziel festlegen: Welches Problem soll die KI lösen? Dann folgt der Plan."
    )
    chunk = _chunk(text, "background")
    spans = [s.text for s in evidence_spans(chunk)]
    assert spans == [
        "Sprechen Sie uns an.",
        "Zunächst sollten Sie ein Ziel festlegen: Welches Problem soll die KI lösen?",
        "Dann folgt der Plan.",
    ]


def test_a_line_without_a_colon_introduces_the_numbered_or_lettered_items_below_it() -> None:
    from assistant.spans import evidence_spans

    text = (
        "5.4 Zuwendungsfähig sind Personalausgaben.\n"
        "5.5 Nicht zuwendungsfähig sind\n"
        "1. Personalkosten für hauptamtlich Beschäftigte,\n"
        "2. Geschenke und Preise.\n"
        "6 Verfahren\n"
        "Anträge sind bis zum 31. März zu stellen."
    )
    spans = evidence_spans(_chunk(text, "guideline"))
    lists = [s.text for s in spans if s.is_list]
    # the whole list with what it is (not the section number), the items as evidence of their own
    assert lists == [
        "Nicht zuwendungsfähig sind\n1. Personalkosten für hauptamtlich Beschäftigte,\n2. Geschenke und Preise."
    ]
    assert {"Personalkosten für hauptamtlich Beschäftigte,", "Geschenke und Preise."} <= {s.text for s in spans}
    assert "6 Verfahren" not in {s.text for s in spans}  # a heading stays one
    assert "Nicht zuwendungsfähig sind" not in {s.text for s in spans}  # it says nothing without its items
    lettered = evidence_spans(_chunk("Nicht gefördert werden\na) Rücklagen,\nb) Zinsen.\nDas gilt immer.", "guideline"))
    assert [s.text for s in lettered if s.is_list] == ["Nicht gefördert werden\na) Rücklagen,\nb) Zinsen."]


def test_a_which_question_for_a_kind_of_thing_the_corpus_never_names_is_unheard() -> None:
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Die KfW vergibt Kredite.", "Drei Dinge sind wichtig: Vertrauen."])
    lexicon = corpus_lexicon()
    unheard = [
        s.stem for s in analyse_question("Welche Zinsen verlangt die KfW?", analyzer, stats, lexicon).slots if s.unheard
    ]
    assert unheard == [analyzer.word("zinsen", True).stem]
    # a kind the corpus names, a placeholder noun, or an unknown word elsewhere in the question: asked as usual
    for question in (
        "Welche Kredite vergibt die KfW?",
        "Welche drei Dinge sind wichtig?",
        "Vergibt die KfW Kredite mit Zinsen?",
    ):
        assert not any(s.unheard for s in analyse_question(question, analyzer, stats, lexicon).slots)


def test_a_word_the_corpus_never_uses_stands_for_its_thesaurus_synonyms_the_corpus_uses() -> None:
    from assistant.lexicon import load_lexicon, load_thesaurus
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    assert "geld" in load_thesaurus().synonyms("Kohle")  # OpenThesaurus: "Kohle (ugs.)" ~ "Geld"
    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Es gibt Geld für Träger.", "Die Frist endet im Mai."])
    question = analyse_question("Wie viel Kohle kriegen Träger?", analyzer, stats, load_lexicon())
    coal = next(s for s in question.slots if s.stem == analyzer.terms("Kohle")[0])
    assert analyzer.terms("Geld")[0] in coal.alternatives and not coal.unknown
    # a word the corpus uses keeps to itself: no thesaurus words are added to it
    carrier = next(s for s in question.slots if s.stem == analyzer.terms("Träger")[0])
    assert analyzer.terms("Geld")[0] not in carrier.alternatives


def test_frequencies_ends_and_times_of_day_are_the_figures_their_questions_ask_for() -> None:
    from assistant.question import holds_type

    assert holds_type({"frequency"}, "Jede Beratungsstelle bietet zweimal wöchentlich eine offene Sprechstunde an.")
    assert holds_type({"frequency"}, "Die Jury tagt einmal pro Quartal.")
    assert not holds_type({"frequency"}, "Die Jury wählt die Projekte aus.")
    assert holds_type(
        {"duration"}, "Diese Richtlinie tritt am 1. April 2026 in Kraft und am 31. Dezember 2029 außer Kraft."
    )
    assert not holds_type({"duration"}, "Diese Richtlinie tritt am 1. April 2026 in Kraft.")
    assert holds_type({"date"}, "Freie Plätze werden täglich bis 19 Uhr gemeldet.")
    assert holds_type({"date"}, "Die Beratung ist dienstags und donnerstags erreichbar.")


def test_a_contact_question_wants_a_number_or_an_address_and_why_wants_no_figure() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import holds_type

    lexicon = load_lexicon()
    assert "contact" in lexicon.answer_types_of("hat die auch ne mailadresse")
    assert "contact" in lexicon.answer_types_of("Wie erreiche ich die Bewilligungsstelle?")
    assert "contact" not in lexicon.answer_types_of("Deckt die Pauschale auch Telefonkosten ab?")
    assert "contact" in lexicon.answer_types_of("welche telefonnumer hat die projektleitung")  # one slip
    assert holds_type({"contact"}, "Telefon 0228 3821-2417, E-Mail foerderung@example.org")
    # an address hidden from robots, a number after "Tel.:" with spaced dashes
    assert holds_type({"contact"}, "E-Mail: anna.beispiel(at)example.org")
    assert holds_type({"contact"}, "Tel.: 0176 - 123 456 78")
    assert not holds_type({"contact"}, "Laufzeit 2026 - 2028")
    assert not holds_type({"contact"}, "Die Zuwendung beträgt bis zu 100.000 Euro.")
    # "so viel Geld" in a question for a reason asks for no sum
    assert lexicon.answer_types_of("warum braucht man am anfang so viel geld") == {"reason"}


@pytest.mark.slow
def test_a_sentence_that_announces_a_list_is_quoted_with_its_list(tmp_path) -> None:
    from tests.conftest import assistant_on, guideline_text

    text = """Was bezahlen wir?

Aus dem Zuschuss könnt ihr zum Beispiel bezahlen:
- Honorare für Referentinnen und Referenten,
- Raummieten für Treffen und Veranstaltungen,
- Material und Druckkosten.

Wie viel Geld gibt es?

Ihr könnt zwischen 300 Euro und 5.000 Euro beantragen.
"""
    call = guideline_text(
        "kleine-bruecken-2027",
        "Förderangebot Kleine Brücken",
        "kleine-bruecken",
        "Kleine Brücken",
        text,
        issuer="Stiftung Musterstadt",
        kind="call",
    )
    with assistant_on(tmp_path, {"kleine-bruecken.md": call}, with_corpus=False) as helper:
        answer = helper.ask("Was kann man von dem Zuschuss alles bezahlen?")
        assert not answer.refused, answer.answer
        assert "Honorare" in answer.answer and "Raummieten" in answer.answer


@pytest.mark.slow
def test_a_question_for_the_largest_quotes_the_row_with_the_largest_figure(tmp_path) -> None:
    from tests.conftest import assistant_on, guideline_text

    text = """## 7 Auswahlverfahren

Die Anträge werden von einer Jury nach folgenden Kriterien bewertet.

Kriterium Gewichtung
Fachliche Qualität des Konzepts und Bezug zur Zielgruppe 25 %
Beteiligung der Nachbarschaft und Kooperation im Quartier 45 %
Wirtschaftlichkeit und Finanzierungsplan 20 %
Nachhaltigkeit über die Förderdauer hinaus 10 %

## 8 Höhe der Förderung

Die Zuwendung beträgt bis zu 30.000 Euro je Projekt.
"""
    guideline = guideline_text("quartier-2027", "Richtlinie Quartiersarbeit", "quartier", "Quartiersarbeit", text)
    with assistant_on(tmp_path, {"quartier.md": guideline}, with_corpus=False) as helper:
        answer = helper.ask("welches kriterium hat bei der auswahl das groesste gewicht")
        assert not answer.refused, answer.answer
        assert "Beteiligung der Nachbarschaft" in answer.answer and "45 %" in answer.answer
        # without a superlative the question is not about one row
        assert "most" not in helper.lexicon.answer_types_of("Nach welchen Kriterien wird ausgewählt?")


def test_a_follow_up_after_the_same_preposition_asks_the_last_question_of_its_new_thing() -> None:
    from assistant.question import parallel_question

    earlier = "Wie viel gibt es im Wohnungslosen-Aufruf maximal für eine Tagesaufenthaltsstätte?"
    assert parallel_question("und für streetwork?", earlier) == (
        "Wie viel gibt es im Wohnungslosen-Aufruf maximal für streetwork?"
    )
    # "fürs" and "für", "bei" and "beim" are one preposition; the phrase ends before the next one
    assert parallel_question("und fürs jugendhaus?", "wie hoch war der festbetrag für streetwork im kreis görlitz") == (
        "wie hoch war der festbetrag fürs jugendhaus im kreis görlitz"
    )
    assert parallel_question("und bei tagesstruktur?", "wie viel gibt es pro monat beim zuverdienst in dresden") == (
        "wie viel gibt es pro monat bei tagesstruktur in dresden"
    )
    # no such follow-up, or nothing after that preposition in the last question
    assert parallel_question("Und bis wann?", earlier) is None
    assert parallel_question("und mit partnern?", earlier) is None


def test_a_count_of_people_answers_next_to_a_synonym_from_openthesaurus() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    texts = ["Nachts sind mindestens zwei Personen im Dienst.", "Gefördert werden bis zu drei Fahrzeuge."]
    stats = TermStats.from_texts(analyzer, texts)
    question = analyse_question("wieviele leute müssen nachts im dienst sein", analyzer, stats, load_lexicon())
    answerer = ExtractiveAnswerer(analyzer)
    assert answerer._counts(texts[0], question.counted)  # "Leute" ~ "Personen"
    assert not answerer._counts(texts[1], question.counted)


def test_spoken_shorthand_is_no_word_to_look_up() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Einzelträger erhalten bis zu 300.000 Euro.", "Trägerverbünde"])
    # "max" is "maximal", "vs." joins a comparison: neither is a word the documents must hold
    question = analyse_question(
        "wie viel gibts max fürs projekt, einzelträger vs. verbünde", analyzer, stats, load_lexicon()
    )
    stems = {s.stem for s in question.slots}
    assert not {"max", "vs", "fur", "furs"} & stems
    assert analyzer.terms("Einzelträger")[0] in stems


def test_a_cap_and_a_period_are_asked_in_plain_words() -> None:
    from assistant.lexicon import load_lexicon

    lexicon = load_lexicon()
    # "Obergrenze" asks for a maximum (of money); "von wann bis wann" for a running time
    assert "amount" in lexicon.answer_types_of("was ist da die obergrenze pro projekt")
    assert "duration" in lexicon.answer_types_of("von wann bis wann laeuft das projekt")


def test_how_much_of_a_thing_that_is_no_money_is_answered_by_a_count_of_it() -> None:
    from assistant.answer import ExtractiveAnswerer
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    texts = ["Die Plattform wird mit 13 Vollzeitstellen ausgestattet.", "Gefördert werden bis zu 5.000 Euro."]
    stats = TermStats.from_texts(analyzer, texts)
    answerer = ExtractiveAnswerer(analyzer)
    for question in ("Wie viel Personal hat die Plattform?", "wie viel personal hat die plattform"):
        staff = analyse_question(question, analyzer, stats, load_lexicon())
        assert {"amount", "count"} <= staff.figure_types
        assert answerer._counts(texts[0], staff.counted)
    # money, and a verb after "wie viel", ask for an amount only
    for question in ("Wie viel Geld gibt es?", "wie viel bekommt man", "wie viel kohle gibts", "wie viel muessen wir"):
        assert analyse_question(question, analyzer, stats, load_lexicon()).figure_types == {"amount"}


def test_what_a_traeger_pays_itself_is_its_own_share() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer, lexicon = GermanAnalyzer(), load_lexicon()
    stats = TermStats.from_texts(analyzer, ["Der Eigenanteil beträgt 10 Prozent.", "Gefördert werden 5.000 Euro."])
    # "wie viel" asks for an amount, unless the question asks for a share
    assert lexicon.answer_types_of("Wie viel müssen wir selbst stemmen?") & {"amount", "percent"} == {"percent"}
    # ... whichever verb says how it is paid
    assert lexicon.answer_types_of("wie viel muessen wir selber zuschiessen") & {"amount", "percent"} == {"percent"}
    assert lexicon.answer_types_of("wieviel prozent übernimmt das land") & {"amount", "percent"} == {"percent"}
    assert lexicon.answer_types_of("Wie viel Geld gibt es?") & {"amount", "percent"} == {"amount"}
    # without "wie viel" it asks whether, and how the rest is paid, not for a figure
    assert not lexicon.answer_types_of("und den rest muessen wir selber stemmen?") & {"amount", "percent"}
    slots = analyse_question("und den rest muessen wir selber stemmen?", analyzer, stats, lexicon).slots
    stemmen = next(s for s in slots if s.stem == analyzer.terms("stemmen")[0])
    assert analyzer.terms("Eigenanteil")[0] in stemmen.alternatives


def test_a_programmes_name_with_one_slip_still_names_it() -> None:
    from assistant.lexicon import _one_slip

    lexicon = corpus_lexicon()
    for question in ("Wie viel Personal hat die Zukunfsplattform?", "wer ist bei der zukunftsplatform dabei"):
        assert lexicon.programmes_in(question) == ["sn-zukunftsplattform"]
    # two slips, or a German word one slip from a name ("Plattform" beside "Platform"), name nothing
    assert lexicon.programmes_in("Wer betreibt die Zukunftspaltfrom?") == []
    assert lexicon.programmes_in("Gibt es eine Plattform?") == []
    assert _one_slip("zukunftsplattfrom", "zukunftsplattform") and not _one_slip(
        "beratungsstelle", "wohnberatungsstelle"
    )


def test_an_adding_noch_asks_whether_not_until_when() -> None:
    from assistant.lexicon import load_lexicon

    lexicon = load_lexicon()
    assert "date" in lexicon.answer_types_of("Können wir noch einen Antrag stellen?")
    assert "date" in lexicon.answer_types_of("Gilt die Richtlinie auch noch 2028?")
    for question in (
        "Dürfen wir zusätzlich noch EU-Mittel beantragen?",
        "Wir haben schon angefangen, können wir trotzdem noch beantragen?",
        "Dürfen wir noch andere Landesmittel beantragen?",
    ):
        assert "date" not in lexicon.answer_types_of(question)


def test_a_state_question_naming_its_documents_date_still_asks_for_the_state() -> None:
    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    lexicon = load_lexicon()
    # "irgendwann" is no "wann": a yes/no question, not one for a date
    assert "date" not in lexicon.answer_types_of("Muss man das Geld irgendwann zurückzahlen?")
    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Die Richtlinie vom 2. Februar 2025 gilt bis 31. Dezember 2027."])
    # the date names the guideline; whether one can still apply is asked
    state = analyse_question(
        "Kann ich nach der Richtlinie vom Februar 2025 noch was beantragen?", analyzer, stats, lexicon
    )
    assert "date" in state.types and state.asks_state
    # a date stated in a question not about the state is not the one it asks for
    stated = analyse_question("Was gilt nach der Richtlinie vom Februar 2025?", analyzer, stats, lexicon)
    assert "date" not in stated.types and not stated.asks_state
    # the state in a year the question names is no state on the reference date
    assert not analyse_question("Gilt die Richtlinie im Jahr 2027 noch?", analyzer, stats, lexicon).asks_state
