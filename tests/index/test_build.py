from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from assistant.retrieval import Query
from core.errors import IndexMismatch
from index.build import build_index
from index.generations import Generations
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def _snapshot(settings) -> tuple[set[str], dict, str]:
    name, store = Generations(settings).open_current()
    try:
        ids = {c.id for c in store.iter_chunks()}
        return ids, store.read_manifest().model_dump(), name
    finally:
        store.close()


def test_reindexing_an_unchanged_corpus_changes_nothing(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path, corpus_dir=corpus_copy)
    first = build_index(settings)
    before = _snapshot(settings)
    second = build_index(settings)
    assert first.added == first.chunks > 0
    assert (second.added, second.removed) == (0, 0)
    assert _snapshot(settings) == before


def test_broken_file_is_reported_and_loses_nothing(tmp_path: Path, corpus_copy: Path) -> None:
    settings = make_settings(tmp_path, corpus_dir=corpus_copy)
    build_index(settings)
    ids_before, _, _ = _snapshot(settings)
    # An indexed document whose metadata breaks, and a new file that is not UTF-8 at all.
    target = corpus_copy / "cip-projekt-leitbild.md"
    target.write_text(target.read_text(encoding="utf-8").replace("kind: background", "kind: ???"))
    (corpus_copy / "binär.txt").write_bytes(b"\xff\xfe\x00broken")
    report = build_index(settings)
    assert not report.ok
    assert {p.file for p in report.problems} == {"cip-projekt-leitbild.md", "binär.txt"}
    assert report.documents == 4
    ids_after, _, _ = _snapshot(settings)
    assert ids_after == ids_before  # the broken document's last good version is still indexed


def test_index_built_with_other_settings_is_refused(tmp_path: Path) -> None:
    build_index(make_settings(tmp_path, chunk_max_chars=600))
    with pytest.raises(IndexMismatch, match="neu aufbauen"):
        Assistant(make_settings(tmp_path))


QUESTIONS = [
    "Wie hoch ist die Förderquote in Sachsen?",
    "Wer ist beim Bund antragsberechtigt?",
    "Bis wann kann man in Sachsen Projektvorschläge einreichen?",
    "Wie hoch ist die Gemeinkostenpauschale?",
    "Welche Partner wirken bei der Zukunftsplattform mit?",
    "Was empfiehlt die SozialBank?",
]


def test_both_embedded_engines_retrieve_the_same_chunks(tmp_path: Path) -> None:
    """Qdrant Edge (default) and qdrant-client's local mode are the same Qdrant semantics:
    IDF-weighted sparse scores, cosine, weighted RRF and payload filters give the same ranking."""
    rankings = {}
    for engine in ("edge", "local"):
        settings = make_settings(tmp_path / engine, embedded_engine=engine)
        assert build_index(settings).ok
        assistant = Assistant(settings)
        try:
            assert assistant.manifest.store_engine == engine
            rankings[engine] = [
                [h.chunk.id for h in assistant.retriever.search(Query(q, programmes=p), mode=mode)]
                for q in QUESTIONS
                for p in ((), ("sn-modellvorhaben",))
                for mode in ("hybrid", "sparse", "dense")
            ]
            filtered = assistant.ask("Wie hoch ist die Förderquote?", programme="sn-modellvorhaben")
            assert {c.doc_id for c in filtered.citations} == {"sn-ki-foerderaufruf-2026"}
        finally:
            assistant.close()
    assert rankings["edge"] == rankings["local"]
    assert all(rankings["edge"])


def test_switching_the_engine_asks_for_a_build_and_the_build_does_it(tmp_path: Path) -> None:
    build_index(make_settings(tmp_path, embedded_engine="local"))
    edge = make_settings(tmp_path, embedded_engine="edge")
    with pytest.raises(IndexMismatch, match="Engine 'local'.*index build"):
        Assistant(edge)
    report = build_index(edge)
    assert report.added == report.chunks > 0  # a new generation, not "nothing changed"
    assistant = Assistant(edge)
    try:
        assert "95 Prozent" in assistant.ask("Wie hoch ist die Förderquote in Sachsen?").answer
    finally:
        assistant.close()
