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
    (corpus_copy / "ohne-metadaten.txt").write_text("Nur Text ohne Kopf.\n")
    loaded = load_corpus(corpus_copy)
    assert len(loaded.documents) == 5
    problems = {(p.file, p.field) for p in loaded.problems}
    assert ("kaputt.md", "kind") in problems
    assert any(p.file == "ohne-metadaten.txt" for p in loaded.problems)
