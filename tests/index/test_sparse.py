import pytest

from index.sparse import GermanAnalyzer, SparseEncoder


def test_compound_meets_its_parts() -> None:
    analyzer = GermanAnalyzer()
    assert "verbund" in analyzer.terms("Trägerverbünde")
    assert "verbund" in analyzer.terms("Verbund")
    assert "empfang" in analyzer.terms("Zuwendungsempfänger")


def test_stop_words_dropped_and_numbers_normalised() -> None:
    analyzer = GermanAnalyzer()
    terms = analyzer.terms("Die Förderung beträgt bis zu 300.000 Euro und 500 000 Euro")
    assert "die" not in terms and "und" not in terms
    assert {"300000", "500000", "euro"} <= set(terms)


def test_spoken_articles_and_one_word_wieviele_carry_no_content() -> None:
    # "ne Frist", "nen Antrag", "mit nem Partner": spoken forms of "eine", "einen", "einem"
    terms = GermanAnalyzer().terms("Gibt es ne Frist, nen Eigenanteil oder wieviele Partner mit nem Verbund?")
    assert not {"ne", "nen", "nem", "wieviel", "wieviele"} & set(terms)
    assert {"frist", "eigenanteil", "partn", "verbund"} <= set(terms)
    # "fürs" = "für das", "sowas" = "so etwas": no content of their own
    assert GermanAnalyzer().terms("sowas fürs Projekt, fuers Team, übers Jahr") == ["projekt", "team", "jahr"]
    # a question word of the "wo-" adverbs names nothing, as "dafür" does not
    terms = GermanAnalyzer().terms("Woher kommt der Eigenanteil und wofür?")
    assert terms == GermanAnalyzer().terms("kommt der Eigenanteil") and "woh" not in terms
    # "§§ 23 und 44" names the paragraphs a question asks for in words
    assert GermanAnalyzer().terms("nach §§ 23 und 44 BHO")[0] == GermanAnalyzer().terms("Paragraphen")[0]
    assert "davon" not in GermanAnalyzer().terms("wie viel davon kommt vom Bund")
    # "selber" = "selbst"
    assert GermanAnalyzer().terms("die Träger selber") == GermanAnalyzer().terms("die Träger selbst") == ["trag"]


def test_document_vector_saturates_term_frequency() -> None:
    enc = SparseEncoder()
    once = enc.encode_document("Förderquote")
    thrice = enc.encode_document("Förderquote Förderquote Förderquote")
    assert once.indices == thrice.indices
    assert once.values[0] < thrice.values[0] < 3 * once.values[0]


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("Welche Partner wirken bei der Zukunftsplattform mit?", [("wirken", "mitwirken")]),
        ("Die SAB wählt die Projekte in einem zweistufigen Verfahren aus.", [("wählt", "auswählen")]),
        ("Läuft die Frist bald ab?", [("läuft", "ablaufen")]),
        ("und ab wann gehts mit den projekten los", [("gehts", "losgehen")]),  # "geht's": "geht es"
        ("Wann fängt das Projekt an?", [("fängt", "anfangen")]),
        ("Die Partner regeln ihre Zusammenarbeit und reichen diese mit dem Antrag ein.", [("reichen", "einreichen")]),
        ("Gefördert werden bis zu 300.000 Euro.", []),
        ("Einzelträger erhalten bis zu", []),  # "zu" after a figure's "bis": no verb before it
        # spoken German puts a phrase after the particle; a preposition before a noun is none
        ("wann gehts los mit den geförderten projekten", [("gehts", "losgehen")]),
        ("wie läuft das ab mit der auswahl", [("läuft", "ablaufen")]),
        ("ist das auch für vereine mit sitz in sachsen", []),
        # the period of an ordinal ends no clause
        ("wann gehts mit den projekten aus dem 4. aufruf los", [("gehts", "losgehen")]),
        # a noun typed in lower case is no verb
        ("welche partner machen bei der plattform mit", [("machen", "mitmachen")]),
        # a word whose joined form is no word is no verb: "außer" + "mit", a misspelt noun
        ("wer ist außer dem paritätischen noch bei der zukunftsplatform mit im boot", []),
    ],
)
def test_separable_verbs_are_joined(text: str, joined: list[tuple[str, str]]) -> None:
    assert GermanAnalyzer().separable_verbs(text) == joined


def test_joined_verbs_meet_their_nouns() -> None:
    analyzer = GermanAnalyzer()
    assert analyzer.terms("auswählen")[0] == analyzer.terms("Auswahl")[0]
    assert analyzer.terms("ablaufen")[0] == analyzer.terms("Ablauf")[0]
    assert analyzer.terms("anfangen")[0] == analyzer.terms("Anfang")[0]
    assert analyzer.terms("mitwirken")[0] == analyzer.terms("Mitwirkung")[0]


def test_verb_forms_in_iert_meet_their_infinitive() -> None:
    analyzer = GermanAnalyzer()
    assert analyzer.terms("Registriert euch")[0] == analyzer.terms("registrieren")[0]
    assert analyzer.terms("finanzierte Projekte")[0] == analyzer.terms("finanzieren")[0]
    assert analyzer.terms("Kriterien")[0] == "kriteri"  # not a verb in -ieren


def test_word_forms_meet_through_their_lemma() -> None:
    analyzer = GermanAnalyzer()
    # participles and strong verbs that Snowball keeps apart
    assert analyzer.word("gefördert").lemma == analyzer.word("fördern").stem
    assert analyzer.word("gab").lemma == analyzer.word("geben").stem
    assert analyzer.word("zurückgezahlt").lemma in analyzer.terms("zurückzahlen")
    # case tells the noun from the verb form: "Ausgaben" stays the noun
    assert analyzer.word("ausgaben", capitalised=True).lemma == ""
    assert analyzer.word("ausgaben", capitalised=False).lemma == analyzer.word("ausgeben").stem
    # the lemma is an extra term of the text, after the word's own stem
    assert analyzer.terms("gefördert") == ["gefordert", analyzer.word("fördern").stem]
    # "gilt bis 31. Dezember 2024" answers "Wie lange galt ...?"
    assert analyzer.word("galt").lemma in analyzer.terms("gilt")


def test_derived_words_meet_their_base() -> None:
    from index.sparse import base_of

    analyzer = GermanAnalyzer()
    assert base_of(analyzer.terms("Prüfung")[0]) == analyzer.terms("prüfen")[0]
    assert base_of(analyzer.terms("restlichen")[0]) == analyzer.terms("Rest")[0]
    assert base_of(analyzer.terms("zeitlich")[0]) == analyzer.terms("Zeit")[0]
    assert base_of("endlich") == "endlich"  # too short to be a derivation worth trusting


def test_percent_sign_and_word_are_the_same_term() -> None:
    analyzer = GermanAnalyzer()
    assert analyzer.terms("bis zu 90 % der Ausgaben") == analyzer.terms("bis zu 90 Prozent der Ausgaben")
    assert analyzer.terms("95%") == ["95", "prozent"]


def test_a_hyphenated_compound_is_also_one_word() -> None:
    analyzer = GermanAnalyzer()
    assert analyzer.terms("Crowdfunding")[0] in analyzer.terms("Kooperationen mit Impact-Investoren, Crowd-Funding")
    assert analyzer.terms("Crowd-Funding")[:2] == ["crowd", "funding"]  # the parts stay terms of their own


def test_a_noun_is_told_by_its_capitalised_dictionary_form() -> None:
    analyzer = GermanAnalyzer()
    assert analyzer.is_noun("voraussetzungen") and analyzer.is_noun("frist") and analyzer.is_noun("projekte")
    assert not analyzer.is_noun("steckt") and not analyzer.is_noun("betreibt") and not analyzer.is_noun("erfüllen")
