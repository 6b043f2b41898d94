"""Real PDF and HTML files, generated here, go through the same index and answer pipeline:
quotes stay verbatim in the extracted text and sections are found; broken files are reported by
name and reason while the rest is indexed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from assistant.pipeline import Assistant
from index.build import build_index
from index.documents import load_corpus
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

SIDECAR = """id: {id}
issuer: "Landesamt für Beispiele"
kind: guideline
programme: bsp-{id}
programme_title: "Beispielprogramm {id}"
region: DE-TH
valid_until: 2027-12-31
deadlines:
  - date: 2027-03-31
    kind: submission
    purpose: "Antrag beim Landesamt"
"""

SECTIONS = [
    ("1 Zuwendungszweck", "Das Land fördert Projekte der offenen Jugendarbeit im ländlichen Raum."),
    ("2 Zuwendungsempfänger", "Antragsberechtigt sind anerkannte Träger der freien Jugendhilfe mit Sitz in Thüringen."),
    (
        "3 Höhe der Zuwendung",
        "Die Förderquote beträgt bis zu 80 Prozent der zuwendungsfähigen Ausgaben. "
        "Je Projekt werden höchstens 60.000 Euro bewilligt.",
    ),
    ("4 Verfahren", "Anträge sind bis zum 31. März 2027 beim Landesamt für Beispiele einzureichen."),
]


def _pdf(path: Path, title: str, sections=SECTIONS) -> None:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title)
    pdf.ln(4)
    for heading, body in sections:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, heading)
        pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, body)
        pdf.ln(4)
    pdf.output(str(path))


def _html(path: Path) -> None:
    body = "".join(f"<h2>{h}</h2>\n<p>{b}</p>\n" for h, b in SECTIONS)
    path.write_text(
        f"""<!doctype html><html lang="de"><head><title>Richtlinie Jugendarbeit (HTML)</title>
<meta name="date" content="2026-09-01"></head><body>
<nav><a href="/">Startseite</a> | <a href="/kontakt">Kontakt</a> | Cookie-Einstellungen</nav>
<main><article><h1>Richtlinie Jugendarbeit (HTML)</h1>
{body}</article></main>
<footer>Impressum · Datenschutz · © Landesamt</footer><script>window.tracking = true;</script>
</body></html>""",
        encoding="utf-8",
    )


def _docx(path: Path) -> None:
    from docx import Document as WordDocument

    word = WordDocument()
    word.core_properties.title = "Richtlinie Jugendarbeit (Word)"
    word.add_heading("Richtlinie Jugendarbeit (Word)", level=1)
    for heading, body in SECTIONS:
        word.add_heading(heading, level=2)
        word.add_paragraph(body)
    word.save(str(path))


@pytest.fixture()
def mixed_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _pdf(corpus / "jugend.pdf", "Richtlinie Jugendarbeit im ländlichen Raum")
    (corpus / "jugend.meta.yaml").write_text(SIDECAR.format(id="jugend-pdf"), encoding="utf-8")
    _html(corpus / "jugend-web.html")
    (corpus / "jugend-web.meta.yaml").write_text(SIDECAR.format(id="jugend-html"), encoding="utf-8")
    _docx(corpus / "jugend-word.docx")
    (corpus / "jugend-word.meta.yaml").write_text(SIDECAR.format(id="jugend-docx"), encoding="utf-8")
    return corpus


def test_pdf_and_html_text_metadata_and_sections(mixed_corpus: Path) -> None:
    loaded = load_corpus(mixed_corpus)
    assert loaded.problems == []
    docs = {d.id: d for d in loaded.documents}
    pdf, page, word = docs["jugend-pdf"], docs["jugend-html"], docs["jugend-docx"]
    assert word.meta.title == "Richtlinie Jugendarbeit (Word)" and "bis zu 80 Prozent" in word.text
    assert pdf.meta.title == "Richtlinie Jugendarbeit im ländlichen Raum"  # from the PDF's metadata
    assert page.meta.title == "Richtlinie Jugendarbeit (HTML)" and page.meta.published == dt.date(2026, 9, 1)
    assert "bis zu 80 Prozent" in pdf.text and "bis zu 80 Prozent" in page.text
    assert "Cookie" not in page.text and "Impressum" not in page.text and "tracking" not in page.text


@pytest.mark.parametrize("doc_id", ["jugend-pdf", "jugend-html", "jugend-docx"])
def test_answers_from_pdf_and_html_quote_verbatim_and_name_the_section(
    mixed_corpus: Path, tmp_path: Path, doc_id: str
) -> None:
    settings = make_settings(tmp_path, corpus_dir=mixed_corpus)
    assert build_index(settings).ok
    helper = Assistant(settings)
    try:
        answer = helper.ask("Wie hoch ist die Förderquote?", programme=f"bsp-{doc_id}", today=dt.date(2026, 11, 21))
        text = helper.documents[doc_id].text
    finally:
        helper.close()
    assert "80 Prozent" in answer.answer
    cite = answer.citations[0]
    assert cite.doc_id == doc_id and text[cite.start : cite.end] == cite.quote
    assert cite.section.endswith("3 Höhe der Zuwendung")


def test_broken_files_are_reported_and_the_rest_indexed(mixed_corpus: Path, tmp_path: Path) -> None:
    (mixed_corpus / "kaputt.pdf").write_bytes(b"%PDF-1.7\n\x00\x01 this is not a pdf")
    (mixed_corpus / "kaputt.meta.yaml").write_text(SIDECAR.format(id="kaputt"), encoding="utf-8")
    locked = mixed_corpus / "geheim.pdf"
    _pdf(tmp_path / "plain.pdf", "Geheim")
    writer = PdfWriter(clone_from=PdfReader(str(tmp_path / "plain.pdf")))
    writer.encrypt("passwort")
    writer.write(str(locked))
    (mixed_corpus / "geheim.meta.yaml").write_text(SIDECAR.format(id="geheim"), encoding="utf-8")
    scanned = FPDF()
    scanned.add_page()
    scanned.rect(20, 20, 100, 60, style="F")  # a page with a picture-like shape and no text
    scanned.output(str(mixed_corpus / "scan.pdf"))
    (mixed_corpus / "scan.meta.yaml").write_text(SIDECAR.format(id="scan"), encoding="utf-8")
    _pdf(mixed_corpus / "ohne-meta.pdf", "Ohne Metadaten")
    (mixed_corpus / "kaputt.docx").write_bytes(b"PK\x03\x04 kein Word")

    report = build_index(make_settings(tmp_path, corpus_dir=mixed_corpus))
    reasons = {p.file: p.message for p in report.problems}
    assert "beschädigt" in reasons["kaputt.pdf"]
    assert "passwortgeschützt" in reasons["geheim.pdf"]
    assert "keinen Textlayer" in reasons["scan.pdf"]
    assert "ohne-meta.pdf" not in reasons  # no sidecar: its metadata is inferred from the text
    assert "Word-Datei ist beschädigt" in reasons["kaputt.docx"]
    assert report.documents == 4 and report.chunks > 0  # the good PDF, HTML and DOCX and the one without sidecar
