"""End-to-end questions on a real index (Qdrant local mode, packaged dense model)."""

import datetime as dt
import re

import pytest

from assistant.citations import parse_marked_text
from assistant.lexicon import load_lexicon
from assistant.models import Turn
from assistant.pipeline import Assistant
from assistant.question import QuestionContext, analyse_question
from core.errors import InvalidInput
from index.sparse import GermanAnalyzer, TermStats

pytestmark = pytest.mark.slow
TODAY = dt.date(2026, 11, 21)

# (question, regex the answer must contain, document the citation must come from)
QUESTIONS = [
    ("Wie viel Geld kann ein Einzelträger in Sachsen bekommen?", r"300\.000 Euro", "sn-ki-foerderaufruf-2026"),
    ("Wie hoch ist die Förderquote in Sachsen?", r"95 Prozent", "sn-ki-foerderaufruf-2026"),
    ("Bis wann kann man in Sachsen Projektvorschläge einreichen?", r"7\. Mai 2026", "sn-ki-foerderaufruf-2026"),
    (
        "Wer ist beim Bund antragsberechtigt?",
        r"Zusammenschlüsse von juristischen Personen",
        "bmas-civic-innovation-richtlinie-2023",
    ),
    ("Wie hoch ist die Gemeinkostenpauschale?", r"15 %", "bmas-civic-innovation-richtlinie-2023"),
    (
        "Was passiert wenn die Gesamtkosten 500000 Euro übersteigen?",
        r"500 000 Euro begrenzt",
        "bmas-civic-innovation-richtlinie-2023",
    ),
    (
        "Gibt es beim BMAS ein Verbot der Doppelförderung?",
        r"Kumulationsverbot",
        "bmas-civic-innovation-richtlinie-2023",
    ),
    ("Wie hoch ist das Preisgeld beim Ideenwettbewerb?", r"20\.000 Euro", "cip-projekt-leitbild"),
    (
        "Wie viele Vollzeitstellen hat die Zukunftsplattform?",
        r"13 Vollzeitstellen",
        "paritaet-sn-zukunftsplattform-2023",
    ),
    ("Seit wann läuft die Umsetzung der Zukunftsplattform?", r"August 2023", None),
    ("Wann ist der Kongress der Sozialwirtschaft?", r"November 2025", "sozialbank-interview-ki-finanzierung"),
    (
        "Was empfiehlt die SozialBank als nächsten Schritt?",
        r"Wirtschaftlichkeitsanalyse",
        "sozialbank-interview-ki-finanzierung",
    ),
    (
        "Wie viele soziale Innovationen werden in Sachsen aktuell gefördert?",
        r"21 soziale Innovationen",
        "sn-ki-foerderaufruf-2026",
    ),
    ("Dürfen Projekte in Sachsen länger als zwei Jahre laufen?", r"24 Monaten", "sn-ki-foerderaufruf-2026"),
    # "wieviele" in one word asks the count; "ner", "nem" are spoken articles, not words to look up
    ("wieviele grundsaetze hat die civic innovation platform", r"vier Grundsätze", "cip-projekt-leitbild"),
    ("Gibt es eine Benachrichtigung, wenn man beim BMAS nicht ausgewählt wird?", r"schriftliche Mitteilung", None),
    ("Welche Förderstelle ist beim BMAS zuständig?", r"\(gsub\) mbH", "bmas-civic-innovation-richtlinie-2023"),
    # a weight asks for a share; the line of the table answers first
    (
        "Wie viel zählt die Datenbasis bei der Auswahl der BMAS-Projekte?",
        r"^Laut Förderrichtlinie: Datenbasis: [^%]*20 %\. \[1\]",
        None,
    ),
]


@pytest.mark.parametrize(("question", "fact", "doc_id"), QUESTIONS)
def test_answer_holds_the_fact_with_verbatim_citations(
    assistant: Assistant, question: str, fact: str, doc_id: str | None
) -> None:
    answer = assistant.ask(question, today=TODAY)
    assert not answer.refused, answer.answer
    assert re.search(fact, answer.answer)
    assert answer.citations
    for citation in answer.citations:
        text = assistant.documents[citation.doc_id].text
        assert text[citation.start : citation.end] == citation.quote
    if doc_id:
        assert doc_id in {c.doc_id for c in answer.citations}
    # Every sentence ends with its citation markers.
    assert re.search(r"\[\d+\]$", answer.answer)


def test_answer_names_the_kind_of_source(assistant: Assistant) -> None:
    call = assistant.ask("Wie hoch ist die Förderquote in Sachsen?", today=TODAY)
    guideline = assistant.ask("Wie hoch ist die Gemeinkostenpauschale?", today=TODAY)
    assert "Pressemitteilung, nicht die Richtlinie selbst" in call.answer
    assert guideline.answer.startswith("Laut Förderrichtlinie")


def test_unanswerable_question_is_refused(assistant: Assistant) -> None:
    for question in (
        "Wie hoch ist die Förderquote für Kitas in Bayern?",
        "Wie viel Geld bekommt ein Einzelträger in Thüringen?",
        # a guideline's end date is no length of time
        "Dürfen Projekte beim Ideenwettbewerb der Civic Innovation Platform länger als ein Jahr dauern?",
    ):
        answer = assistant.ask(question, today=TODAY)
        assert answer.refused and answer.grade in ("related", "none")
        if answer.grade == "none":  # nothing on what is asked: the refusal, no passage
            assert answer.citations == [] and "keine Angaben" in answer.answer
        else:  # passages on the topic, said to be no direct answer
            assert answer.answer.startswith("Eine direkte Antwort finde ich in den Dokumenten nicht.")
            assert answer.citations


def test_an_abbreviation_in_the_question_must_be_named_by_the_passage(assistant: Assistant) -> None:
    # the BMFSFJ is named in the corpus, but no passage on a funding rate names it
    assert assistant.ask("Welche Förderquote gilt beim BMFSFJ?", today=TODAY).refused
    answer = assistant.ask("Was hat das BMFSFJ mit Civic Coding zu tun?", today=TODAY)
    assert not answer.refused and any("BMFSFJ" in c.quote for c in answer.citations)
    # "KI" has other wordings ("Künstliche Intelligenz"); a question in capitals has no abbreviations
    assert not assistant.ask("Ersetzt KI laut Sozialministerin Köpping die Soziale Arbeit?", today=TODAY).refused
    assert not assistant.ask("WIE HOCH IST DIE FÖRDERQUOTE IN SACHSEN?", today=TODAY).refused


def test_a_comparison_searches_as_deep_for_each_programme_as_a_question_alone(assistant: Assistant) -> None:
    query = assistant.query_for("Ist das Auswahlverfahren in Sachsen und beim BMAS jeweils zweistufig?", None, None)
    assert len(query.programmes) == 2 and not query.clauses  # one question asked of both
    hits = assistant.retriever.search(query)
    assert len(hits) == 2 * assistant.settings.top_k
    # the guideline's "Die Auswahl der Projekte erfolgt über ein zweistufiges Verfahren ..."
    assert any(h.chunk.programme == "civic-innovation" and "zweistufiges Verfahren" in h.chunk.text for h in hits)


def test_a_type_word_is_matched_with_its_umlauts() -> None:
    from dataclasses import replace

    from assistant.lexicon import load_lexicon
    from assistant.question import analyse_question
    from index.sparse import GermanAnalyzer, TermStats

    analyzer = GermanAnalyzer()
    stats = TermStats.from_texts(analyzer, ["Die Datenbasis zählt 20 %.", "Der Bund zahlt die Förderquote."])
    # stems fold umlauts: a share answers "zählt" (weighs), not "zahlt" where only the first is a
    # type word (the packaged lexicon has both: a share also answers "wie viel Prozent zahlt ...")
    lexicon = replace(load_lexicon(), type_words={"percent": ["zählt", "zählen"]})
    pays = analyse_question("Wer zahlt die höhere Förderquote?", analyzer, stats, lexicon)
    weighs = analyse_question("Wie viel zählt die Datenbasis?", analyzer, stats, lexicon)
    stem = analyzer.terms("zahlt")[0]
    assert not next(s for s in pays.slots if stem in (s.stem, s.lemma)).typed  # pays: no weight asked
    assert next(s for s in weighs.slots if stem in (s.stem, s.lemma)).typed


def test_a_follow_up_that_names_nothing_goes_on_with_the_issuer(assistant: Assistant) -> None:
    history = [Turn(role="user", content="Ist Crowdfunding laut SozialBank eine Option?")]
    answer = assistant.ask("Und welche ersten Schritte empfiehlt sie?", today=TODAY, history=history)
    assert not answer.refused and {c.doc_id for c in answer.citations} == {"sozialbank-interview-ki-finanzierung"}
    assert "Zieldefinition" in answer.answer


def test_a_question_for_things_the_documents_never_name_is_refused(assistant: Assistant) -> None:
    # the SozialBank names the KfW and "Förderdarlehen", never interest
    assert assistant.ask("Welche Zinsen berechnet die KfW für Förderdarlehen?", today=TODAY).refused
    assert not assistant.ask("Welche drei Dinge sind laut SozialBank besonders wichtig?", today=TODAY).refused


def test_expired_deadline_and_guideline_are_said_plainly(assistant: Assistant) -> None:
    answer = assistant.ask("Bis wann kann man in Sachsen Projektvorschläge einreichen?", today=TODAY)
    assert any("am 7. Mai 2026 abgelaufen" in n for n in answer.notices)
    early = assistant.ask("Bis wann kann man in Sachsen Projektvorschläge einreichen?", today=dt.date(2026, 5, 1))
    assert any("läuft noch bis 7. Mai 2026 (noch 6 Tage)" in n for n in early.notices)
    old = assistant.ask("Wie hoch ist die Gemeinkostenpauschale?", today=TODAY)
    assert any("nicht mehr in Kraft" in n for n in old.notices)


def test_follow_up_inherits_the_programme(assistant: Assistant) -> None:
    history = [Turn(role="user", content="Wie hoch ist die Förderquote in Sachsen?")]
    answer = assistant.ask("Und wie lange laufen die Projekte dort?", history=history, today=TODAY)
    assert "24 Monaten" in answer.answer


def test_a_follow_up_stays_with_the_programme_the_last_question_was_answered_from(assistant: Assistant) -> None:
    # neither question names a programme: the first is about one (only its guideline has that flat rate)
    history = [Turn(role="user", content="Wie viel Prozent der Personalkosten beträgt die Gemeinkostenpauschale?")]
    turn = assistant._prepare("Und wer darf einen Antrag stellen?", None, TODAY, history, "hybrid")
    assert turn.context.programmes == ("civic-innovation",)
    answer = assistant.ask("Und wer darf einen Antrag stellen?", history=history, today=TODAY)
    assert {c.doc_id for c in answer.citations} == {"bmas-civic-innovation-richtlinie-2023"}
    # a question that both programmes answer is about neither
    history = [Turn(role="user", content="Wie hoch ist die Förderquote?")]
    assert assistant._prepare("Und bis wann?", None, TODAY, history, "hybrid").context.programmes == ()


def test_a_polite_frame_asks_the_question_it_holds(assistant: Assistant) -> None:
    from assistant.question import unframed

    assert unframed("Können Sie mir sagen, wie hoch die Quote ist?") == "wie hoch die Quote ist?"
    assert unframed("kannst du mir bitte die Nummer nennen") == "die Nummer nennen"
    assert unframed("Können wir noch einreichen?") == "Können wir noch einreichen?"
    # no "Ja" for a question that asks how high, and the share it asks for first
    question = "Können Sie mir sagen, wie hoch die Förderquote bei den Modellvorhaben für soziale Innovationen ist?"
    answer = assistant.ask(question, today=TODAY)
    assert not answer.answer.startswith(("Ja", "Nein")) and "95 Prozent" in answer.answer.split("[1]")[0]
    # "ob ..." is the yes/no question it holds
    held = "Können Sie mir sagen, ob Einzelträger in Sachsen eine Förderung erhalten können?"
    assert "yesno" in assistant._prepare(held, None, TODAY, None, "hybrid").context.types
    # an earlier polite question is read as this one: a follow-up inherits the share it asked for
    history = [Turn(role="user", content="Können Sie mir sagen, wie hoch die Förderquote in Sachsen ist?")]
    types = assistant._prepare("Wie ist das beim Bund?", None, TODAY, history, "hybrid").context.types
    assert "percent" in types and "yesno" not in types


def test_an_elliptical_follow_up_asks_the_earlier_question_again(assistant: Assistant) -> None:
    history = [Turn(role="user", content="Wie hoch ist die Förderquote in Sachsen?")]
    answer = assistant.ask("Wie ist das beim Bund?", history=history, today=TODAY)
    assert "90 %" in answer.answer
    assert {c.doc_id for c in answer.citations} == {"bmas-civic-innovation-richtlinie-2023"}
    # a follow-up that asks something of its own keeps to it
    turn = assistant._prepare("Und wer darf dort einen Antrag stellen?", None, TODAY, history, "hybrid")
    assert not any("forderquot" in s.stem for s in turn.context.slots)


def test_who_may_apply_is_answered_by_who_is_eligible(assistant: Assistant) -> None:
    eligible = "Antragsberechtigt sind Zusammenschlüsse"
    assert eligible in assistant.ask("Wer kann beim Bund einen Antrag stellen?", today=TODAY).answer
    history = [Turn(role="user", content="Wie hoch ist die Förderquote beim BMAS?")]
    assert eligible in assistant.ask("Und wer darf dort einen Antrag stellen?", history=history, today=TODAY).answer


def test_a_follow_up_that_refers_back_with_a_pronoun_keeps_the_subject(assistant: Assistant) -> None:
    history = [Turn(role="user", content="Wer ist beim BMAS die Bewilligungsbehörde?")]
    turn = assistant._prepare("Und wo sitzt die?", None, TODAY, history, "hybrid")
    assert any(s.stem.startswith("bewilligungsbehord") for s in turn.context.slots)
    turn = assistant._prepare("Und wo kann man das einreichen?", None, TODAY, history, "hybrid")
    assert not any(s.stem.startswith("bewilligungsbehord") for s in turn.context.slots)


def test_how_much_of_an_earlier_share_is_a_share(assistant: Assistant) -> None:
    # "davon" refers back to the rate asked before: a part of it is a share, not a sum of money
    history = [Turn(role="user", content="Wie hoch ist die Förderquote beim BMAS?")]
    turn = assistant._prepare("Und wie viel davon kommt vom Bund?", None, TODAY, history, "hybrid")
    assert "percent" in turn.context.types
    assert any(s.stem.startswith("forderquot") for s in turn.context.slots)


def test_a_comparison_says_which_half_the_documents_leave_open(assistant: Assistant) -> None:
    answer = assistant.ask(
        "Wie viele Mitarbeiter hat die SAB in Sachsen und wie lange galt die Richtlinie beim BMAS?", today=TODAY
    )
    assert "31. Dezember 2024" in answer.answer
    assert (
        "Zu „Wie viele Mitarbeiter hat die SAB in Sachsen“ enthalten die hinterlegten Förderdokumente "
        "keine Angaben." in answer.notices
    )
    both = assistant.ask(
        "Wie lange laufen die Projekte in Sachsen und wie lange galt die BMAS-Richtlinie?", today=TODAY
    )
    assert not any(n.startswith("Zu „") for n in both.notices)
    # a question both programmes share, answered for one of them only
    one = assistant.ask("Wie lange laufen Projekte in Sachsen und wie lange beim Bund?", today=TODAY)
    assert one.answer.startswith("Modellvorhaben") and "24 Monaten" in one.answer.split("[1]")[0]


def test_a_land_no_document_is_about_is_not_answered_from_a_federal_guideline(assistant: Assistant) -> None:
    answer = assistant.ask("Wie hoch ist die Förderquote in Niedersachsen?", today=TODAY)
    assert answer.refused and answer.citations == []
    assert any(
        n.startswith("Zu Niedersachsen enthalten die hinterlegten Dokumente kein eigenes Förderprogramm")
        and "Civic Innovation Platform" in n
        for n in answer.notices
    )
    # a passage that names the Land answers; so does the federal programme asked by name
    assert "Kronenstraße 6" in assistant.ask("In welcher Berliner Straße sitzt die gsub?", today=TODAY).answer
    named = assistant.ask(
        "Können auch Vereine aus Bayern bei der Civic Innovation Platform einen Antrag stellen?", today=TODAY
    )
    assert not named.refused and "Verein" in named.answer


def test_a_land_no_document_is_about_says_where_not_what(assistant: Assistant) -> None:
    # the SozialBank's congress in Berlin names the Land, but says nothing of foundations or loans there
    for question in ("Welche Stiftung fördert Vereine in Berlin?", "Welche Bank vergibt Mikrokredite in Berlin?"):
        answer = assistant.ask(question, today=TODAY)
        assert answer.refused and any("Berlin" in n for n in answer.notices)
    answer = assistant.ask("Wann ist der Kongress der Sozialwirtschaft in Berlin?", today=TODAY)
    assert not answer.refused and "November 2025" in answer.answer


def test_an_address_answers_where_an_organisation_sits(assistant: Assistant) -> None:
    assert "Kronenstraße 6" in assistant.ask("Welche Adresse hat die gsub?", today=TODAY).answer
    history = [Turn(role="user", content="Wer ist die Bewilligungsbehörde beim BMAS?")]
    assert "Kronenstraße 6" in assistant.ask("Wo hat die ihren Sitz?", history=history, today=TODAY).answer
    assert assistant.ask("Wo hat die SAB ihren Sitz?", today=TODAY).refused  # no address of it in the documents


def test_a_running_time_in_the_passage_answers_whether_it_still_runs(assistant: Assistant) -> None:
    from assistant.dates import period_end, period_start

    assert period_end("seit August 2023 bis Dezember 2028 zusätzlich") == dt.date(2028, 12, 31)
    assert period_start("seit August 2023 bis Dezember 2028 zusätzlich") == dt.date(2023, 8, 1)
    assert period_start("Sie tritt am 1. Januar 2027 in Kraft und gilt bis 31. Dezember 2029.") == dt.date(2027, 1, 1)
    assert period_start("Diese Richtlinie gilt bis 31. Dezember 2024.") is None
    assert period_end("Diese Richtlinie gilt bis 31. Dezember 2024.") == dt.date(2024, 12, 31)
    assert period_end("können bis zum 7. Mai 2026 einreichen") is None  # a deadline, not a running time
    # SINN is mentioned in the Saxon call, whose own deadline has passed: the running time decides
    still = assistant.ask("Wird SINN noch gefördert?", today=TODAY)
    assert still.answer.startswith("Ja – ")
    assert not any("SAB" in n for n in still.notices)  # the call's own deadline is not SINN's
    assert assistant.ask("Wird SINN noch gefördert?", today=dt.date(2029, 1, 10)).answer.startswith("Nein – ")
    # a year the question names is when: the running time decides for that year, not for today
    from assistant.dates import asked_year

    assert asked_year("Wird SINN im Jahr 2027 noch gefördert?").group(1) == "2027"
    assert asked_year("Gilt die Frist bis 7. Mai 2026 noch?") is None  # a date, not a year of its own
    # the year a document comes from names it: the state on the reference date decides
    assert asked_year("gilt die civic innovation richtlinie von 2023 eigentlich noch") is None
    assert asked_year("Gilt der Aufruf aus dem Jahr 2026 noch?") is None
    answer = assistant.ask("Gilt die Civic-Innovation-Richtlinie von 2023 noch?", today=TODAY)
    assert answer.answer.startswith("Nein – ") and "31. Dezember 2024" in answer.answer
    assert assistant.ask("Wird SINN im Jahr 2027 noch gefördert?", today=TODAY).answer.startswith("Ja – ")
    assert assistant.ask("Wird SINN auch 2030 noch gefördert?", today=TODAY).answer.startswith("Nein – ")
    assert assistant.ask("Galt die BMAS-Richtlinie im Jahr 2024 noch?", today=TODAY).answer.startswith("Ja – ")
    # "läuft" in a question about the state is answered by a running time or validity
    assert assistant.ask("Läuft die Zukunftsplattform SINN noch?", today=TODAY).answer.startswith("Ja – ")
    assert assistant.ask("Läuft die Civic-Innovation-Richtlinie noch?", today=TODAY).answer.startswith("Nein – ")


def test_a_state_question_with_other_words_is_answered_by_the_passage_stating_the_date(assistant: Assistant) -> None:
    # "überlegen" and "einreichen" find no passage; the best one states the end of the validity
    answer = assistant.ask(
        "gilt die civic innovation richtlinie vom bmas eigentlich noch? wir ueberlegen was einzureichen", today=TODAY
    )
    assert answer.answer.startswith("Nein – ") and "31. Dezember 2024" in answer.answer
    answer = assistant.ask("kann man sich beim sms ki-aufruf fuer die soziale arbeit jetzt noch bewerben", today=TODAY)
    assert answer.answer.startswith("Nein – ") and "7. Mai 2026" in answer.answer
    # a thing of the programme whose best passage is no date: the programme's deadline does not answer
    other = assistant.ask("gibt es den geschlossenen community bereich auf der cip seite noch", today=TODAY)
    assert not other.answer.startswith(("Ja", "Nein")) and "20. Juni 2023" not in other.answer


def test_a_bare_when_follow_up_gets_the_programmes_deadline(assistant: Assistant) -> None:
    history = [Turn(role="user", content="Welche Kooperationen stehen in Sachsen im Fokus?")]
    answer = assistant.ask("Und bis wann?", history=history, today=TODAY)
    assert "7. Mai 2026" in answer.answer
    assert any("am 7. Mai 2026 abgelaufen" in n for n in answer.notices)
    # without an earlier turn there is nothing to ask about
    assert assistant.ask("Und bis wann?", today=TODAY).refused


@pytest.mark.parametrize("question", ["", "   \n\t ", "x" * 100_000, None, "\x00\x01\x02", 42])
def test_bad_questions_get_a_german_message(assistant: Assistant, question: object) -> None:
    with pytest.raises(InvalidInput) as info:
        assistant.ask(question)
    assert "Frage" in info.value.message


def test_control_characters_inside_a_question_are_cleaned(assistant: Assistant) -> None:
    answer = assistant.ask("Wie hoch ist die\x00 Förderquote\x07 in Sachsen?", today=TODAY)
    assert "\x00" not in answer.question and "95 Prozent" in answer.answer


def test_unknown_programme_is_rejected(assistant: Assistant) -> None:
    with pytest.raises(InvalidInput, match="Unbekanntes Programm"):
        assistant.ask("Wie hoch ist die Förderquote?", programme="gibt-es-nicht")
    ok = assistant.ask("Wie hoch ist die Förderquote?", programme="civic-innovation", today=TODAY)
    assert {c.doc_id for c in ok.citations} <= {"bmas-civic-innovation-richtlinie-2023", "cip-projekt-leitbild"}


def test_a_sentence_that_points_back_comes_with_the_one_before(assistant: Assistant) -> None:
    answer = assistant.ask(
        "Muss beim BMAS neben dem Hauptantragsteller noch ein Teilprojektpartner beteiligt sein?", today=TODAY
    )
    assert "oben Genannten" in answer.answer
    before, after = answer.answer.index("Projektverbünde"), answer.answer.index("oben Genannten")
    assert before < after  # in reading order, each with its citation
    cited = [c.quote for c in answer.citations]
    pointing = next(i for i, q in enumerate(cited) if "oben Genannten" in q)
    assert pointing > 0 and "Projektverbünde" in cited[pointing - 1]  # the one it points back to, right before


def test_a_yes_no_question_gets_ja_or_nein_before_the_cited_rule(assistant: Assistant) -> None:
    yes = assistant.ask("Werden wir vor dem Antrag auf Subventionsbetrug hingewiesen?", today=TODAY)
    assert re.match(r"Ja – laut Förderrichtlinie: .*Strafbarkeit des Subventionsbetrugs.*\[1\]", yes.answer)
    no = assistant.ask("Kann man Ausgabenbasis und Kostenbasis mischen?", today=TODAY)
    assert no.answer.startswith("Nein – laut Förderrichtlinie: ")
    assert "Vermischung beider Formen ist nicht möglich" in no.answer
    for answer in (yes, no):  # the lead passed the same enforcement: every quote is verbatim
        for citation in answer.citations:
            assert assistant.documents[citation.doc_id].text[citation.start : citation.end] == citation.quote


def test_an_answer_from_several_programmes_names_each_and_says_the_question_named_none(assistant: Assistant) -> None:
    answer = assistant.ask("Wie hoch ist die Förderquote?", today=TODAY)
    titles = assistant.answerer.programme_titles
    cited = {assistant.documents[c.doc_id].meta.programme for c in answer.citations}
    assert len(cited) > 1
    for sentence in parse_marked_text(answer.answer):
        assert any(titles[p] in sentence.text.split(" – laut ")[0] for p in cited)
    assert any(n.startswith("Ihre Frage kann ich keinem einzelnen Förderprogramm") for n in answer.notices)
    # a question that names its programme is answered from it, without the notice
    named = assistant.ask("Wie hoch ist die Förderquote beim sächsischen KI-Aufruf?", today=TODAY)
    assert not any(n.startswith("Ihre Frage kann ich keinem einzelnen Förderprogramm") for n in named.notices)
    assert named.answer.startswith("Laut ")


def test_a_source_of_no_programme_is_named_by_its_issuer(assistant: Assistant) -> None:
    query = assistant.query_for("Was rät die SozialBank zu KI-Projekten?", None, None)
    assert ("doc_id", ["sozialbank-interview-ki-finanzierung"]) in query.filters
    # a bank's interview states no funding rate: not the rate of a programme found elsewhere
    assert assistant.ask("Wie viel Prozent Förderung gibt die SozialBank?", today=TODAY).refused
    sachsen = assistant.query_for("Wie hoch ist die Förderquote in Sachsen?", None, None)
    assert all(name != "doc_id" for name, _ in sachsen.filters)
    # the issuer's name says where to look, like a programme's: every passage of its documents
    # has it, so the passage on what is asked comes first (not one that merely names the bank)
    examples = assistant.ask("Welche Beispiele für KI in der Sozialwirtschaft nennt die SozialBank?", today=TODAY)
    assert examples.answer.startswith("Laut Hintergrundtext (keine Förderrichtlinie): Beispiele sind")


def test_a_quoted_event_says_whether_it_lies_behind_or_ahead(assistant: Assistant) -> None:
    question = "Wann findet die digitale Informationsveranstaltung in Sachsen statt?"
    after = assistant.ask(question, today=TODAY)
    assert "26. Februar 2026" in after.answer
    assert (
        "Der Termin „Digitale Informationsveranstaltung zum Förderaufruf“ am 26. Februar 2026 liegt zurück."
        in after.notices
    )
    before = assistant.ask(question, today=dt.date(2026, 2, 20))
    assert any(n.endswith("am 26. Februar 2026 steht bevor (in 6 Tagen).") for n in before.notices)
    on_the_day = assistant.ask(question, today=dt.date(2026, 2, 26))
    assert any(n.endswith("am 26. Februar 2026 ist heute.") for n in on_the_day.notices)


def test_when_a_document_appeared_comes_from_its_metadata_with_the_passage_that_states_it(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("Wann wurde die Civic-Innovation-Richtlinie veröffentlicht?", today=TODAY)
    assert answer.answer == "Laut Förderrichtlinie: Vom 28. März 2023. [1]"
    assert answer.citations[0].quote == "Vom 28. März 2023"
    # "veröffentlicht" without "wann" is not a question for the date of a document
    other = assistant.ask("Wird die Liste der geförderten Projekte beim BMAS veröffentlicht?", today=TODAY)
    assert "28. März 2023" not in other.answer


def test_a_comparison_whose_halves_ask_different_things_answers_each_half(assistant: Assistant) -> None:
    question = "Bis wann konnte man in Sachsen Projektvorschläge einreichen und wer ist beim Bund antragsberechtigt?"
    answer = assistant.ask(question, today=TODAY)
    assert "7. Mai 2026" in answer.answer and "Zusammenschlüsse von juristischen Personen" in answer.answer
    assert {c.doc_id for c in answer.citations} == {"sn-ki-foerderaufruf-2026", "bmas-civic-innovation-richtlinie-2023"}


def test_the_search_reads_a_separable_verb_as_the_joined_word(assistant: Assistant) -> None:
    # "Wo reicht man ... ein?" searches "einreichen" and, asking where, the places one submits to
    from index.sparse import term_index

    query = assistant.retriever._sparse_query("Wo reicht man beim BMAS ein?")
    analyzer = assistant.sparse.analyzer
    for word in ("einreichen", "Postfach"):
        assert term_index(analyzer.terms(word)[0]) in query.indices


def test_a_word_the_documents_never_use_searches_for_its_synonyms(assistant: Assistant) -> None:
    # "Pressearbeit" is not in the documents; its OpenThesaurus synonym "Öffentlichkeitsarbeit" is
    from assistant.retrieval import Query

    question = "Können wir Pressearbeit über Civic Innovation abrechnen?"
    turn = assistant._prepare(question, None, TODAY, None, "sparse")
    assert any("Öffentlichkeitsarbeit" in h.chunk.text for h in turn.hits[:5])
    plain = assistant.retriever.search(Query(text=turn.text), mode="sparse")
    assert not any("Öffentlichkeitsarbeit" in h.chunk.text for h in plain[:5])


def test_a_refusal_says_why(assistant: Assistant) -> None:
    reasons = {
        q: assistant.ask(q, today=TODAY)
        for q in (
            "Wie hoch ist die Förderquote in Niedersachsen?",  # a Land no document is about
            "Welche Förderquote gilt beim BMFSFJ?",  # an abbreviation no passage that answers names
            "Was kostet ein Kaffee in der Kantine?",  # nothing the documents answer
            "Wie viel Geld bekommt ein Einzelträger in Sachsen?",  # answered: no reason
        )
    }
    got = {q: (a.grade, a.refusal_reason) for q, a in reasons.items()}
    assert got["Wie hoch ist die Förderquote in Niedersachsen?"] == ("none", "region")
    assert got["Welche Förderquote gilt beim BMFSFJ?"][1] == "abbreviation"
    assert got["Was kostet ein Kaffee in der Kantine?"][0] == "none"
    assert got["Wie viel Geld bekommt ein Einzelträger in Sachsen?"] == ("answered", None)


def test_a_programme_no_document_has_is_not_answered_from_another_and_the_covered_ones_are_named(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("Wie hoch ist die Förderquote im Förderprogramm Quartiersglück?", today=TODAY)
    assert answer.refused and answer.grade == "none" and answer.refusal_reason == "programme"
    notice = next(n for n in answer.notices if "Quartiersglück" in n)
    assert "Modellvorhaben für soziale Innovationen (Sachsen)" in notice and "Civic Innovation Platform" in notice
    # a programme the documents do know by that name is answered
    assert not assistant.ask("Wie hoch ist die Förderquote im Programm Modellvorhaben?", today=TODAY).refused


def test_a_refusal_about_a_named_programme_still_says_where_it_stands(assistant: Assistant) -> None:
    """No passage answers, yet the programme is named: its guideline being out of force is said."""
    question = "Was kostet ein Parkplatz bei Civic Innovation?"
    answer = assistant.ask(question, today=TODAY)
    assert answer.refused and not answer.citations
    assert any("nicht mehr in Kraft" in n and "31. Dezember 2024" in n for n in answer.notices), answer.notices
    # the same question on a day the guideline was in force: nothing to warn about
    assert not assistant.ask(question, today=dt.date(2024, 6, 1)).notices


def test_a_refusal_quotes_passages_on_what_is_asked_where_words_weigh_the_same(assistant: Assistant) -> None:
    # "Druckkosten" and "Öffentlichkeitsarbeit" weigh the same and the corpus never says "Flyer": the
    # documents are not said to hold nothing (grade "none"); the passage on public relations is quoted
    answer = assistant.ask("Darf man beim Bund Druckkosten für Flyer zur Öffentlichkeitsarbeit abrechnen?", today=TODAY)
    assert answer.grade in ("answered", "related")
    assert any("Öffentlichkeitsarbeit" in c.quote for c in answer.citations)


def test_a_deadline_notice_comes_before_the_notices_of_quoted_events(assistant: Assistant) -> None:
    answer = assistant.ask("Bis wann kann man in Sachsen Projektvorschläge einreichen?", today=TODAY)
    deadline = [i for i, n in enumerate(answer.notices) if "am 7. Mai 2026 abgelaufen" in n]
    events = [i for i, n in enumerate(answer.notices) if n.startswith("Der Termin")]
    assert deadline, answer.notices
    assert all(deadline[0] < i for i in events), answer.notices


@pytest.mark.parametrize(
    "question",
    [
        "Wie hoch ist die Förderquote beim BMAS?",
        "wie viel kohle gibts max pro projekt bei civic innovation",
        "Wie hoch ist das Gesamtbudget des BMAS für die Richtlinie?",
        "Welche Partner sind bei der Zukunftsplattform dabei?",
    ],
)
def test_the_reports_gate_decision_is_the_one_the_answer_took(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question, today=TODAY)
    gate = assistant.explain(question, r"\w", today=TODAY)["gate"]
    if answer.refusal_reason == "figure_missing":  # no passage holds the figure asked for: no gate to ask
        assert gate is None
        return
    assert gate is not None and len(gate["shares"]) == 5
    if answer.refusal_reason in (None, "gate"):
        assert (gate["probability"] < 0.5) == (answer.refusal_reason == "gate")


def test_a_passage_that_names_the_asked_thing_may_state_it_as_a_rule_instead_of_a_figure(assistant: Assistant) -> None:
    # "Welches Datum" asks for a date; the guideline says which date counts, without giving one
    rule = assistant.ask("Welches Datum zählt, wenn man die Unterlagen per Post an die gsub schickt?", today=TODAY)
    assert not rule.refused and "Datum des schriftlichen Posteingangs" in rule.answer.split("[1]")[0]
    # a figure no passage gives, of a thing no passage names, is still not answered
    assert assistant.ask("Wie hoch ist der Zinssatz bei der SozialBank?", today=TODAY).refused


def test_a_compound_whose_head_the_documents_use_is_a_kind_of_thing_they_name(assistant: Assistant) -> None:
    # "Querschnittsthemen": the documents speak of "Themen", so the gate decides, not "never named"
    themes = assistant.ask("Welche Querschnittsthemen müssen alle Vorhaben berücksichtigen?", today=TODAY)
    assert themes.refusal_reason != "unheard"
    # "Stipendien" are a kind of thing the documents never name
    assert assistant.ask("Welche Stipendien vergibt die SozialBank?", today=TODAY).refusal_reason == "unheard"
    # "Zinsen" ask for a rate, which no passage of the bank gives
    assert assistant.ask("Welche Zinsen verlangt die SozialBank?", today=TODAY).refusal_reason == "figure_missing"


def test_the_how_manyth_question_asks_for_an_ordinal(assistant: Assistant) -> None:
    # "der wievielte" asks how many there were, as "wie viele" does: "mit dem vierten Förderaufruf"
    from assistant.question import analyse_question

    text = "der wievielte aufruf ist das in sachsen"
    context = analyse_question(text, assistant.sparse.analyzer, assistant.stats, assistant.lexicon)
    assert "count" in context.types
    answer = assistant.ask(text, today=TODAY)
    assert not answer.refused and "vierten" in answer.answer


def _analysed(question: str, texts: list[str]) -> QuestionContext:
    """A question as analysed against a small corpus of `texts`, with the packaged lexicon."""
    analyzer = GermanAnalyzer()
    return analyse_question(question, analyzer, TermStats.from_texts(analyzer, texts), load_lexicon())


def test_a_date_answers_the_verb_of_running_or_being_valid() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Die Antragsfrist läuft bis zum 31. März 2027.", "Sie galt ab 2024."]
    for question, verb in (("Bis wann läuft die Antragsfrist?", "läuft"), ("Und ab wann galt sie?", "galt")):
        slot = next(s for s in _analysed(question, texts).slots if analyzer.terms(verb)[0] in (s.stem, s.lemma))
        assert slot.typed and slot.covered(frozenset({"2027"}), has_type=True) == 1.0
    # a running time is no such answer: "Wie lange laufen die Projekte?" needs the word itself
    lasting = _analysed("Wie lange laufen die Projekte?", texts)
    assert not any(s.typed for s in lasting.slots if analyzer.terms("laufen")[0] in (s.stem, s.lemma))


def test_a_form_of_a_stop_word_is_no_word_of_the_question() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Telefon: 0351 123", "Unserer Meinung nach hast du recht."]
    stems = {s.stem for s in _analysed("hast du da auch ne telefonnummer?", texts).slots}
    assert analyzer.terms("hast")[0] not in stems and analyzer.terms("telefonnummer")[0] in stems
    stems = {s.stem for s in _analysed("Gilt das für unserer Verein?", texts).slots}
    assert analyzer.terms("unserer")[0] not in stems


def test_an_ordinal_before_a_programmes_name_says_which_call_not_what_is_asked() -> None:
    texts = ["Mit dem vierten Förderaufruf startet das Programm.", "Die Projekte starten im vierten Quartal."]
    called = {s.stem: s for s in _analysed("Wann starten die Projekte beim vierten Förderaufruf?", texts).slots}
    assert called["forderaufruf"].context and called["viert"].context
    quarter = {s.stem: s for s in _analysed("Starten die Projekte im vierten Quartal?", texts).slots}
    assert not quarter["viert"].context
    # a number does so too ("aus dem 4. Förderaufruf"), not one before another noun
    called = {s.stem: s for s in _analysed("Wann starten die Projekte aus dem 4. Förderaufruf?", texts).slots}
    assert called["4"].context
    quarter = {s.stem: s for s in _analysed("Starten die Projekte in 4 Quartalen?", texts).slots}
    assert not quarter["4"].context


def test_spoken_forms_are_read_as_the_words_they_stand_for() -> None:
    from assistant.lexicon import load_lexicon

    analyzer = GermanAnalyzer()
    texts = ["Die Projekte sollen am 1. Januar starten.", "Das Projekt geht los."]
    stems = {s.stem for s in _analysed("is das projekt schon losgehn", texts).slots}
    assert "is" not in stems and analyzer.terms("losgehen")[0] in stems
    assert "negation" in load_lexicon().answer_types_of("wird das nich gefördert")


def test_a_form_of_address_before_a_name_is_no_word_of_the_question() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Anna Beispiel, Projektleitung, Tel. 0351 123", "Beratung für Frauen in Not."]
    stems = {s.stem for s in _analysed("welche nummer hat frau beispiel", texts).slots}
    assert analyzer.terms("frau")[0] not in stems and analyzer.terms("beispiel")[0] in stems
    # "der Herr von der Bank" is someone of the bank, not a word to find
    stems = {s.stem for s in _analysed("welche programme nennt der herr von der bank", texts).slots}
    assert analyzer.terms("herr")[0] not in stems
    stems = {s.stem for s in _analysed("welche programme nennt der typ von der bank", texts).slots}
    assert analyzer.terms("typ")[0] not in stems and analyzer.terms("bank")[0] in stems
    # "Frauen" is no form of address
    assert analyzer.terms("frauen")[0] in {s.stem for s in _analysed("Gibt es Beratung für Frauen?", texts).slots}


def test_the_verb_of_asking_for_a_name_and_spoken_fillers_are_no_words_of_the_question() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Die Ministerin Anna Beispiel stellte den Aufruf vor.", "Das heißt, die Frist endet."]
    for question in ("wie heisst die ministerin", "Wie heißt die Ministerin?"):
        stems = {s.stem for s in _analysed(question, texts).slots}
        assert stems == {analyzer.terms("Ministerin")[0]}
    # nor the spoken "rein" of "was muss in den Aufruf rein?"
    assert {s.stem for s in _analysed("was muss in den aufruf rein", texts).slots} == {analyzer.terms("Aufruf")[0]}


def test_a_preposition_is_no_word_of_the_question() -> None:
    analyzer = GermanAnalyzer()
    stems = {s.stem for s in _analysed("Wen kann ich wegen der Plattform anrufen?", ["Der Weg zur Plattform."]).slots}
    assert analyzer.terms("wegen")[0] not in stems and analyzer.terms("Plattform")[0] in stems
    stems = {s.stem for s in _analysed("wer macht außer dem Verband noch mit", ["Der Verband und die Stadt."]).slots}
    assert analyzer.terms("außer")[0] not in stems and analyzer.terms("Verband")[0] in stems


def test_a_figure_answers_the_verb_of_paying_in_a_question_for_it() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Die Förderquote beträgt 95 Prozent.", "Der Bund übernimmt die Kosten."]
    share = _analysed("Und wie viel Prozent übernimmt das Land?", texts)
    pays = next(s for s in share.slots if analyzer.terms("übernimmt")[0] in (s.stem, s.lemma))
    assert pays.covered(frozenset({"95", "prozent"}), has_type=True) == 1.0
    assert pays.covered(frozenset({"bund", "kost"}), has_type=False) < 1.0
    # a question that asks no figure keeps the verb as a word to find
    assert not any(s.typed for s in _analysed("Welche Kosten übernimmt das Land?", texts).slots)
    # "tragen" is no such verb: its stem is that of "Träger" typed without its umlaut
    applicants = _analysed("Wie viel bekommen Traeger?", texts)
    assert not any(s.typed for s in applicants.slots if s.stem == analyzer.terms("Träger")[0])


def test_a_frequency_answers_the_question_word_of_how_often() -> None:
    analyzer = GermanAnalyzer()
    weekly = "Die Treffen finden einmal pro Woche statt."
    often = next(
        s for s in _analysed("Wie oft treffen sich die Paten?", [weekly, "Oft fehlt Geld."]).slots if s.stem == "oft"
    )
    assert often.covered(frozenset(analyzer.terms(weekly)), has_type=True) == 1.0


def test_a_question_typed_in_lower_case_weighs_its_verbs_as_a_cased_one_does() -> None:
    analyzer = GermanAnalyzer()
    texts = ["Alle Voraussetzungen", "erfüllen", "Rechtsanspruch", "Frist", "Projekt"]

    def weights(question: str) -> dict[str, float]:
        return {s.stem: s.weight for s in _analysed(question, texts).slots}

    lower = weights("haben wir nen rechtsanspruch wenn wir alle voraussetzungen erfüllen")
    cased = weights("Haben wir einen Rechtsanspruch, wenn wir alle Voraussetzungen erfüllen?")
    verb, noun = analyzer.terms("erfüllen")[0], analyzer.terms("Voraussetzungen")[0]
    assert lower[verb] == cased[verb] < lower[noun] == cased[noun]
