from pathlib import Path

import pytest

from index.documents import load_corpus
from tests.conftest import CORPUS, SEEDS


def test_all_five_documents_load_with_metadata() -> None:
    loaded = load_corpus(CORPUS)
    assert loaded.problems == []
    kinds = {d.id: d.meta.kind for d in loaded.documents}
    assert len(kinds) == 5
    assert kinds["bmas-civic-innovation-richtlinie-2023"] == "guideline"
    assert kinds["sn-ki-foerderaufruf-2026"] == "call"
    guideline = next(d for d in loaded.documents if d.meta.kind == "guideline")
    assert str(guideline.meta.valid_until) == "2024-12-31"
    assert [str(d.date) for d in guideline.meta.deadlines] == ["2023-06-20"]


def test_texts_are_the_seed_texts_unchanged() -> None:
    if not SEEDS.is_dir():
        pytest.skip("corpus seeds are not beside the project")
    for doc in load_corpus(CORPUS).documents:
        seed = SEEDS / str(doc.meta.source_file)
        assert doc.text == seed.read_text(encoding="utf-8"), doc.id


def test_bad_metadata_names_file_and_field(corpus_copy: Path) -> None:
    bad = corpus_copy / "kaputt.md"
    bad.write_text("---\nid: kaputt-doc\ntitle: Kaputt\nissuer: X\nkind: flyer\nregion: DE\n---\nText\n")
    (corpus_copy / "leer.md").write_text("---\nid: leer-doc\n---\n  \n")
    loaded = load_corpus(corpus_copy)
    assert len(loaded.documents) == 5
    problems = {(p.file, p.field) for p in loaded.problems}
    assert ("kaputt.md", "kind") in problems  # a given field that is wrong is not replaced by an inferred one
    assert any(p.file == "leer.md" and "keinen Text" in p.message for p in loaded.problems)


def test_a_text_without_front_matter_is_indexed_with_inferred_metadata(corpus_copy: Path) -> None:
    (corpus_copy / "ohne-metadaten.txt").write_text("Nur Text ohne Kopf.\n")
    loaded = load_corpus(corpus_copy)
    assert loaded.problems == []
    doc = next(d for d in loaded.documents if d.path == "ohne-metadaten.txt")
    assert doc.id == "ohne-metadaten" and doc.meta.kind == "background" and doc.meta.deadlines == []
    assert doc.meta.origin["issuer"] == "missing" and doc.meta.origin["id"] == "inferred"


def test_front_matter_fields_override_inferred_ones_field_by_field(corpus_copy: Path) -> None:
    loaded = {d.id: d for d in load_corpus(corpus_copy).documents}
    bmas = loaded["bmas-civic-innovation-richtlinie-2023"].meta
    assert bmas.origin["valid_until"] == "given" and bmas.origin["deadlines"] == "given"
    assert bmas.issuer.startswith("Bundesministerium für Arbeit und Soziales (BMAS); Bewilligungsbehörde")
    # the front matter says nothing about the entry into force: the text's sentence fills it
    assert bmas.origin["valid_from"] == "inferred" and str(bmas.valid_from) == "2023-03-28"
    quote = bmas.evidence["valid_from"]
    text = loaded["bmas-civic-innovation-richtlinie-2023"].text
    assert text[quote.start : quote.end] == quote.quote and "in Kraft" in quote.quote
