from pathlib import Path

import pytest

from assistant.errors import IndexMismatch
from assistant.pipeline import Assistant
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
        store.client.close()


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
