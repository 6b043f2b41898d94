"""Umlauts typed as ae/oe/ue/ss are read back where the word with umlauts is known, never otherwise."""

from assistant.lexicon import load_lexicon
from assistant.spelling import Umlauts

DOCUMENT = "Antragsberechtigt sind gemeinnützige Träger. Die Förderquote beträgt 80 Prozent. www.foerderbank.de"


def test_unknown_words_are_read_with_their_umlauts_and_keep_their_case():
    umlauts = Umlauts.from_texts([DOCUMENT])
    assert umlauts.restore("Wie hoch ist die Foerderquote fuer gemeinnuetzige Traeger?") == (
        "Wie hoch ist die Förderquote für gemeinnützige Träger?"
    )


def test_known_words_and_words_without_a_known_reading_stay_as_typed():
    umlauts = Umlauts.from_texts([DOCUMENT])
    typed = "Ist das aktuell noch die Quelle, zuerst die neue Steuer? Xyzaeq"
    assert umlauts.restore(typed) == typed


def test_a_web_address_in_the_documents_does_not_make_its_spelling_a_word():
    # "foerderbank" occurs only inside the address: the question's word is still read as "Förderbank"
    assert Umlauts.from_texts([DOCUMENT + " Förderbank"]).restore("foerderbank") == "förderbank"


def test_a_restored_question_is_recognised_as_asking_yes_or_no_and_who():
    umlauts, lexicon = Umlauts.from_texts([DOCUMENT]), load_lexicon()
    assert "yesno" not in lexicon.answer_types_of("koennen wir das beantragen")
    assert "yesno" in lexicon.answer_types_of(umlauts.restore("koennen wir das beantragen"))
    assert "who" in lexicon.answer_types_of(umlauts.restore("fuer wen ist das programm"))


def test_an_unknown_compound_is_read_with_the_umlauts_that_split_it_into_known_parts():
    umlauts = Umlauts.from_texts([DOCUMENT])
    assert umlauts.restore("duerfen wir honorarkraefte bezahlen") == "dürfen wir honorarkräfte bezahlen"
    # a known word or one no reading splits stays as typed
    assert umlauts.restore("die neue Steuer, Xyzaeq") == "die neue Steuer, Xyzaeq"
