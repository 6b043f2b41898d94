from index.chunker import chunk_document
from index.documents import load_corpus
from tests.conftest import CORPUS

DOCS = {d.id: d for d in load_corpus(CORPUS).documents}


def test_offsets_point_at_the_exact_text() -> None:
    for doc in DOCS.values():
        for chunk in chunk_document(doc):
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.header.startswith(doc.meta.title)


def test_guideline_structure_is_recognised() -> None:
    chunks = chunk_document(DOCS["bmas-civic-innovation-richtlinie-2023"])
    sections = {c.section for c in chunks}
    assert "6 Art, Umfang, Höhe der Zuwendung > 6.2 Höhe der Zuwendung" in sections
    assert any(s.endswith("> a) Personalausgaben") for s in sections)
    assert any(s.endswith("> c) Pauschalierung") for s in sections)
    assert {"Fußnote 1", "Fußnote 4"} <= sections
    quota = next(c for c in chunks if "bis zu 90 %" in c.text)
    assert quota.section.endswith("6.2 Höhe der Zuwendung")
    table = [c for c in chunks if "Datenbasis: Kenntnis" in c.text][0]
    assert table.section.endswith("8.2 Antragsverfahren")
    # a table cut off from its paragraph carries the sentence that announced it and its header line
    assert table.header.endswith("anhand folgender Auswahlkriterien bewertet: Auswahlkriterien Gewichtung")
    assert "Die eingegangenen Projektskizzen" not in table.header  # the sentence, not the paragraph


def test_unnumbered_texts_get_their_headings_and_chunks_stay_bounded() -> None:
    chunks = chunk_document(DOCS["sn-ki-foerderaufruf-2026"], max_chars=900)
    assert any(c.section == "Hintergrund" and "95 Prozent" in c.text for c in chunks)
    assert all(len(c.text) <= 900 for c in chunks)


def test_chunk_ids_are_content_hashes() -> None:
    doc = DOCS["cip-projekt-leitbild"]
    first = [c.id for c in chunk_document(doc)]
    assert first == [c.id for c in chunk_document(doc)]
    changed = doc.model_copy(update={"text": doc.text + "\nNeuer Absatz am Ende."})
    assert set(first) != {c.id for c in chunk_document(changed)}


def test_a_contact_card_stays_in_one_chunk() -> None:
    # name, role and organisation over a blank line and the phone and mail lines: one card, no heading
    chunks = chunk_document(DOCS["paritaet-sn-zukunftsplattform-2023"])
    card = next(c for c in chunks if "Wibke Hanspach" in c.text)
    assert "Tel.: 0351 - 828 71 420" in card.text and "wibke.hanspach@parikom.de" in card.text
    assert not any(c.section.endswith("gGmbH") for c in chunks)


def test_a_period_inside_parentheses_ends_no_sentence() -> None:
    from index.text import split_sentences

    text = "Vom 2. Dezember 2025 (Amtsbl. I S. 1874), veröffentlicht im Amtsblatt. Sie gilt bis 2028."
    assert [s.text for s in split_sentences(text)] == [
        "Vom 2. Dezember 2025 (Amtsbl. I S. 1874), veröffentlicht im Amtsblatt.",
        "Sie gilt bis 2028.",
    ]
