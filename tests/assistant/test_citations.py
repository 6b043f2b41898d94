from assistant.citations import enforce, figures, parse_marked_text
from assistant.models import Draft, DraftSentence, Source
from index.documents import Document, DocumentMeta

TEXT = "Einzelträger können eine Förderung von bis zu 300.000 Euro erhalten. Die Frist endet am 7. Mai 2026."
DOC = Document(
    meta=DocumentMeta(id="test-doc", title="Test", issuer="Testamt", kind="call", region="DE"),
    text=TEXT,
    path="test.md",
)
LOOKUP = {"test-doc": DOC}.get
FIRST = Source(n=1, doc_id="test-doc", start=0, end=68, quote=TEXT[:68])
SECOND = Source(n=2, doc_id="test-doc", start=69, end=len(TEXT), quote=TEXT[69:])


def test_supported_sentence_survives_and_is_renumbered() -> None:
    draft = Draft(sentences=[DraftSentence(text="Bis zum 7. Mai 2026.", refs=[2])], sources=[FIRST, SECOND])
    result = enforce(draft, LOOKUP)
    assert [s.refs for s in result.sentences] == [[1]]
    assert result.citations[0].quote == TEXT[69:]


def test_sentence_without_citation_is_removed() -> None:
    draft = Draft(sentences=[DraftSentence(text="Bis zu 300.000 Euro.", refs=[])], sources=[FIRST])
    assert enforce(draft, LOOKUP).refused


def test_invented_or_misattributed_figure_is_removed() -> None:
    draft = Draft(
        sentences=[
            DraftSentence(text="Es gibt bis zu 400.000 Euro.", refs=[1]),
            DraftSentence(text="Einzelträger erhalten bis zu 300.000 Euro.", refs=[2]),
            DraftSentence(text="Einzelträger erhalten bis zu 300.000 Euro.", refs=[1]),
        ],
        sources=[FIRST, SECOND],
    )
    result = enforce(draft, LOOKUP)
    assert [s.text for s in result.sentences] == ["Einzelträger erhalten bis zu 300.000 Euro."]
    assert len(result.dropped) == 2


def test_quote_not_verbatim_at_offsets_is_rejected() -> None:
    forged = FIRST.model_copy(update={"quote": TEXT[:68].replace("300.000", "350.000")})
    shifted = FIRST.model_copy(update={"start": 1, "end": 69})
    for source in (forged, shifted):
        draft = Draft(sentences=[DraftSentence(text="Förderung möglich.", refs=[1])], sources=[source])
        assert enforce(draft, LOOKUP).refused


def test_unknown_marker_and_document_are_rejected() -> None:
    ghost = FIRST.model_copy(update={"doc_id": "gibt-es-nicht"})
    for draft in (
        Draft(sentences=[DraftSentence(text="Förderung möglich.", refs=[9])], sources=[FIRST]),
        Draft(sentences=[DraftSentence(text="Förderung möglich.", refs=[1])], sources=[ghost]),
    ):
        assert enforce(draft, LOOKUP).refused


def test_figures_normalise_german_numbers_and_dates() -> None:
    assert figures("bis zu 500 000 Euro und 90 %") == {"500000", "90"}
    assert figures("am 07.05.2026") == figures("am 7. Mai 2026") == {"2026-05-07"}
    assert "2026-05" in figures("bis 7. Mai 2026", expand=True)


def test_marked_text_is_split_into_cited_sentences() -> None:
    parsed = parse_marked_text("Die Quote beträgt 90 % [1]. Sie gilt bis 2024 [1][2]. Ohne Beleg.")
    assert [(s.text, s.refs) for s in parsed] == [
        ("Die Quote beträgt 90 %.", [1]),
        ("Sie gilt bis 2024.", [1, 2]),
        ("Ohne Beleg.", []),
    ]


def test_a_comparison_may_lead_with_the_cited_programme_title_and_nothing_else() -> None:
    meta = DOC.meta.model_copy(
        update={"programme": "p", "programme_title": "Modellvorhaben für soziale Innovationen (Sachsen)"}
    )
    doc = DOC.model_copy(update={"meta": meta})
    claim = "Einzelträger können eine Förderung von bis zu 300.000 Euro erhalten."
    titled = f"Modellvorhaben für soziale Innovationen (Sachsen) – laut Förderaufruf: {claim}"
    foreign = f"Ganz andere Zuschüsse für Kommunen und Landkreise (Bayern) – laut Förderaufruf: {claim}"
    draft = Draft(
        sentences=[DraftSentence(text=titled, refs=[1]), DraftSentence(text=foreign, refs=[1])], sources=[FIRST]
    )
    result = enforce(draft, {"test-doc": doc}.get)
    assert [s.text for s in result.sentences] == [titled]
    assert len(result.dropped) == 1


def test_a_programme_title_after_a_lead_and_with_a_year_of_its_own_is_not_part_of_the_claim() -> None:
    meta = DOC.meta.model_copy(update={"programme": "p", "programme_title": "Projektfonds Quartier 2030"})
    doc = DOC.model_copy(update={"meta": meta})
    claim = "Einzelträger können eine Förderung von bis zu 300.000 Euro erhalten."
    titled = f"Ja – Projektfonds Quartier 2030 – laut Förderaufruf: {claim}"
    result = enforce(Draft(sentences=[DraftSentence(text=titled, refs=[1])], sources=[FIRST]), {"test-doc": doc}.get)
    assert [s.text for s in result.sentences] == [titled]
    # the year is the title's: the same sentence without the title claims a figure the quote lacks
    untitled = f"Ja – laut Förderaufruf: {claim} Seit 2030."
    assert not enforce(Draft(sentences=[DraftSentence(text=untitled, refs=[1])], sources=[FIRST]), LOOKUP).sentences


def test_a_claim_must_deny_where_its_quote_denies() -> None:
    from assistant.citations import same_polarity

    quote = "Die Bemessung muss auf Ausgabenbasis erfolgen. Eine Vermischung beider Formen ist nicht möglich."
    assert same_polarity("Eine Vermischung beider Formen ist ausgeschlossen.", [quote])
    assert not same_polarity("Ja, eine Vermischung beider Formen ist möglich.", [quote])
    assert same_polarity("Die Bemessung muss auf Ausgabenbasis erfolgen.", [quote])
    assert not same_polarity("Die Bemessung muss nicht auf Ausgabenbasis erfolgen.", [quote])
