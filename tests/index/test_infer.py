"""Metadata inferred from a guideline's own text. The documents under tests/index/meta_docs were written
for these tests (a Land guideline, a federal guideline, a foundation's call in three Länder, a municipal
guideline, a news item); each inferred field is checked against what its text says, and every value's
quote is the document's own passage at the stated offsets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from index.documents import load_corpus, load_document
from index.infer import infer_metadata, slug

DOCS = Path(__file__).parent / "meta_docs"
D = dt.date


def _doc(name: str):
    return load_document(DOCS / name)


def _deadlines(meta) -> list[tuple]:
    return [(d.date, d.kind, d.opens) for d in meta.deadlines]


def _deadlines_of(text: str, stem: str = "aufruf-test") -> list[tuple]:
    """The deadlines inferred from a text without front matter, as (date, kind, opens)."""
    return [(d["date"], d["kind"], d.get("opens")) for d in infer_metadata(text, stem).fields["deadlines"]]


def test_every_document_loads_without_front_matter() -> None:
    loaded = load_corpus(DOCS)
    assert loaded.problems == []
    assert len(loaded.documents) == len(list(DOCS.iterdir()))


def test_land_guideline_dates_deadlines_issuer_and_programme() -> None:
    doc = _doc("th-familienzentren-richtlinie-2025.txt")
    m = doc.meta
    assert m.id == "th-familienzentren-richtlinie-2025" and m.kind == "guideline"
    assert m.title == "Richtlinie zur Förderung von Familienzentren in Thüringen (Richtlinie Familienzentren stärken)"
    assert m.issuer == "Thüringer Ministerium für Soziales, Gesundheit, Arbeit und Familie"
    assert (m.programme, m.programme_title) == ("familienzentren-staerken", "Familienzentren stärken")
    assert m.region == "DE-TH" and m.regions == ["DE-TH"]
    assert m.published == D(2025, 3, 14)  # "Vom 14. März 2025"
    assert m.valid_from == D(2025, 4, 1)  # "tritt am 1. April 2025 in Kraft"
    assert m.valid_until == D(2027, 12, 31)  # "mit Ablauf des 31. Dezember 2027 außer Kraft"
    assert _deadlines(m) == [
        (D(2025, 5, 22), "event", None),  # Online-Informationsveranstaltung
        (D(2025, 6, 30), "submission", None),  # "bis zum 30. Juni 2025 (Ausschlussfrist)"
        (D(2025, 9, 1), "start", None),  # "frühestens am 1. September 2025 beginnen"
        # "jeweils bis zum 31. Oktober eines Jahres für das Folgejahr", while the guideline is in force
        (D(2025, 10, 31), "submission", None),
        (D(2026, 10, 31), "submission", None),
    ]
    exclusion = m.deadlines[1]
    assert "(Ausschlussfrist)" in exclusion.evidence.quote


def test_federal_guideline_day_after_publication_window_rolling_and_start() -> None:
    m = _doc("bund-pflegenetzwerke-richtlinie-2026.md").meta
    assert m.kind == "guideline" and m.region == "DE"
    assert m.issuer == "Bundesministerium für Familie, Senioren, Frauen und Jugend"
    assert (m.programme, m.programme_title) == ("netzwerk-pflege-zu-hause", "Netzwerk Pflege zu Hause")
    assert m.published == D(2026, 2, 3)
    assert m.valid_from == D(2026, 2, 4)  # "am Tag nach ihrer Veröffentlichung"
    assert m.valid_until == D(2029, 12, 31)  # "Sie gilt bis zum 31. Dezember 2029."
    assert _deadlines(m) == [
        (D(2027, 3, 31), "submission", D(2027, 2, 1)),  # "vom 1. Februar bis 31. März 2027"
        (D(2027, 7, 1), "start", None),
        (D(2028, 9, 30), "submission", None),  # "fortlaufend bis zum 30. September 2028"
    ]
    assert m.deadlines[2].purpose.startswith("Fortlaufende Antragstellung")


def test_foundation_call_in_three_laender_with_webinar_opening_and_start() -> None:
    m = _doc("stiftung-gemeinsinn-nord-aufruf-2026.md").meta
    assert m.kind == "call" and m.issuer == "Stiftung Gemeinsinn Nord"
    assert m.programme == "nachbarschaft-verbindet"
    assert m.regions == ["DE-HH", "DE-MV", "DE-SH"] and m.region == "DE"
    assert m.published == D(2025, 12, 2)  # "Stand: 2. Dezember 2025"
    assert m.valid_from is None and m.valid_until is None
    assert _deadlines(m) == [
        (D(2026, 1, 12), "event", None),  # Webinar
        (D(2026, 3, 15), "submission", D(2026, 1, 15)),  # "ab dem 15. Januar 2026" ... "Einsendeschluss"
        (D(2026, 6, 1), "start", None),
    ]


def test_municipal_guideline_validity_from_gilt_ab_and_befristet_and_yearly_numeric_deadline() -> None:
    m = _doc("regensburg-ehrenamt-richtlinie-2026.txt").meta
    assert m.kind == "guideline" and m.region == "DE-BY"
    assert m.issuer == "Stadt Regensburg – Amt für Soziales"
    assert m.published == D(2025, 11, 20)  # "Bekanntmachung vom 20. November 2025"
    assert (m.valid_from, m.valid_until) == (D(2026, 1, 1), D(2028, 12, 31))
    # "bis spätestens 30.09. eines jeden Jahres für das Folgejahr": the funded year lies in the validity
    assert _deadlines(m) == [(D(2026, 9, 30), "submission", None), (D(2027, 9, 30), "submission", None)]


def test_background_news_item_has_no_deadline_and_no_issuer() -> None:
    m = _doc("paritaet-nachbarschaft-meldung.txt").meta
    assert m.kind == "background" and m.title == "Wie Nachbarschaftshilfe auf dem Land gelingt"
    assert m.published == D(2025, 6, 12) and m.deadlines == []
    assert m.valid_until is None and m.programme is None
    assert m.origin["issuer"] == "missing"


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.iterdir()))
def test_every_inferred_value_quotes_the_document_at_its_offsets(name: str) -> None:
    doc = _doc(name)
    quotes = [*doc.meta.evidence.values(), *(d.evidence for d in doc.meta.deadlines)]
    assert quotes
    for q in quotes:
        assert q is not None and doc.text[q.start : q.end] == q.quote
    for field, origin in doc.meta.origin.items():
        if origin == "inferred" and field in {"published", "valid_from", "valid_until"}:
            assert field in doc.meta.evidence, field


def test_deadline_quotes_are_the_sentence_that_states_the_date() -> None:
    m = _doc("th-familienzentren-richtlinie-2025.txt").meta
    by_date = {d.date: d.evidence.quote for d in m.deadlines}
    assert "30. Juni 2025" in by_date[D(2025, 6, 30)] and "einzureichen" in by_date[D(2025, 6, 30)]
    assert by_date[D(2025, 5, 22)].startswith("5.3 Am 22. Mai 2025")


def test_contradicting_validity_is_dropped_with_a_note_not_the_document() -> None:
    text = (
        "Richtlinie Testförderung\n\nVom 1. März 2026\n\n"
        "Diese Richtlinie tritt am 1. Juli 2026 in Kraft. Sie gilt bis zum 31. Dezember 2025.\n"
    )
    inference = infer_metadata(text, "test-richtlinie")
    assert "valid_from" not in inference.fields and inference.fields["valid_until"] == D(2025, 12, 31)
    assert any("widersprüchlich" in n for n in inference.notes)


def test_sentences_without_a_deadline_cue_give_no_deadline() -> None:
    text = (
        "Aufruf Nachbarschaft\n\nAm 3. Mai 2026 feierte der Verein sein Jubiläum. "
        "Bis zum 30. Juni 2026 ist die Ausstellung im Rathaus zu sehen.\n"
    )
    assert infer_metadata(text, "aufruf-test").fields["deadlines"] == []


def test_a_congress_or_conference_is_an_event_dated_by_its_last_day() -> None:
    text = (
        "Interview Beispiel\n\nAuf dem Kongress der Sozialwirtschaft am 25.–26. November 2025 in Berlin "
        "spricht die Direktorin. Die Fachtagung Pflege findet am 4. März 2026 in Halle statt.\n"
    )
    events = [(d["date"], d["kind"]) for d in infer_metadata(text, "interview-test").fields["deadlines"]]
    assert events == [(D(2025, 11, 26), "event"), (D(2026, 3, 4), "event")]


def test_a_report_that_is_handed_in_is_no_application_deadline() -> None:
    text = (
        "Richtlinie Beispiel\n\nDiese Richtlinie tritt am 1. Januar 2026 in Kraft und gilt bis zum 31. Dezember 2028.\n\n"
        "Anträge sind jeweils bis zum 31. Oktober des Vorjahres einzureichen. "
        "Ein Zwischennachweis ist jeweils bis zum 30. April für das vorangegangene Jahr vorzulegen. "
        "Der Verwendungsnachweis ist für das Förderjahr 2026 bis zum 31. März 2027 vorzulegen.\n"
    )
    deadlines = _deadlines_of(text, "bsp-richtlinie")
    assert deadlines == [(D(2026, 10, 31), "submission", None), (D(2027, 10, 31), "submission", None)]


def test_a_portal_window_and_a_calls_timeline_give_opening_and_closing_day() -> None:
    portal = (
        "Förderaufruf Beispiel\n\nAnträge werden ausschließlich online gestellt. "
        "Das Portal ist vom 15. Januar 2027 bis zum 15. März 2027, 23:59 Uhr, geöffnet.\n"
    )
    assert _deadlines_of(portal) == [(D(2027, 3, 15), "submission", D(2027, 1, 15))]
    timeline = (
        "Förderaufruf Beispiel\n\nDer Ablauf auf einen Blick:\n\n"
        "- **11. Januar 2027:** Unser Bewerbungsportal öffnet\n"
        "- **28. Februar 2027, 23:59 Uhr:** Bewerbungsschluss\n"
        "- **bis 30. April 2027:** Sie erhalten unsere Entscheidung\n"
    )
    assert _deadlines_of(timeline) == [(D(2027, 2, 28), "submission", D(2027, 1, 11))]


def test_day_after_publication_without_a_publication_date_is_left_open() -> None:
    text = "Richtlinie Beispiel\n\nDiese Richtlinie tritt am Tag nach ihrer Verkündung in Kraft.\n"
    inference = infer_metadata(text, "bsp-richtlinie")
    assert "valid_from" not in inference.fields and inference.notes


def test_slug() -> None:
    assert slug("Lebendige Quartiere – Förderung") == "lebendige-quartiere-foerderung"
    assert slug("Straße & Größe") == "strasse-groesse"


# ---------------------------------------------------------------- the same guideline as PDF, Word and HTML

SOURCE = DOCS / "th-familienzentren-richtlinie-2025.txt"
EXPECTED_DEADLINES = [
    (D(2025, 5, 22), "event", None),
    (D(2025, 6, 30), "submission", None),
    (D(2025, 9, 1), "start", None),
    (D(2025, 10, 31), "submission", None),
    (D(2026, 10, 31), "submission", None),
]


def _blocks() -> list[str]:
    return [b.strip() for b in SOURCE.read_text(encoding="utf-8").split("\n\n") if b.strip()]


def _as_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for block in _blocks():  # long paragraphs wrap: the text layer has line breaks inside sentences
        pdf.multi_cell(0, 6, block)
        pdf.ln(4)
    pdf.output(str(path))


def _as_docx(path: Path) -> None:
    from docx import Document as WordDocument

    word = WordDocument()
    word.core_properties.title = "Richtlinie Familienzentren stärken (Word)"
    for block in _blocks():
        word.add_paragraph(block)
    word.save(str(path))


def _as_html(path: Path) -> None:
    body = "".join(f"<p>{b}</p>\n" for b in _blocks())
    path.write_text(
        '<!doctype html><html lang="de"><head><title>Richtlinie Familienzentren stärken (Web)</title>'
        '<meta name="date" content="2025-03-20"></head><body><nav>Startseite | Kontakt</nav>'
        f"<main><article>{body}</article></main><footer>Impressum</footer></body></html>",
        encoding="utf-8",
    )


@pytest.mark.parametrize(("suffix", "write"), [(".pdf", _as_pdf), (".docx", _as_docx), (".html", _as_html)])
def test_pdf_word_and_html_without_sidecar_infer_the_same_dates(tmp_path: Path, suffix: str, write) -> None:
    path = tmp_path / f"th-familienzentren{suffix}"
    write(path)
    loaded = load_corpus(tmp_path)
    assert loaded.problems == []
    doc = loaded.documents[0]
    m = doc.meta
    assert m.id == "th-familienzentren" and m.kind == "guideline" and m.region == "DE-TH"
    assert m.issuer == "Thüringer Ministerium für Soziales, Gesundheit, Arbeit und Familie"
    assert (m.valid_from, m.valid_until) == (D(2025, 4, 1), D(2027, 12, 31))
    assert m.published == D(2025, 3, 14)  # the text's "Vom" line outranks a page's own date
    assert _deadlines(m) == EXPECTED_DEADLINES
    for q in [*m.evidence.values(), *(d.evidence for d in m.deadlines)]:
        assert doc.text[q.start : q.end] == q.quote
    if suffix == ".docx":
        assert m.title == "Richtlinie Familienzentren stärken (Word)" and m.origin["title"] == "file"
    if suffix == ".html":
        assert m.title == "Richtlinie Familienzentren stärken (Web)" and m.origin["title"] == "file"
    if suffix == ".pdf":
        assert "\n" in m.deadlines[1].evidence.quote  # a wrapped sentence, found whole
