"""The metadata-inference report counts right, wrong and missed dates per field: checked on documents
written here whose hand-written front matter agrees with the text in some fields and not in others."""

from pathlib import Path

import pytest

from evals.metadata import measure, table

TEXT = """Richtlinie Quartiershilfe

Vom 2. März 2026

Anträge sind in der Zeit vom 1. April bis 31. Mai 2026 einzureichen.

Am 20. März 2026 findet eine Informationsveranstaltung statt.

Diese Richtlinie tritt am 15. März 2026 in Kraft und mit Ablauf des 31. Dezember 2028 außer Kraft.
"""

FRONT = """---
id: quartiershilfe-test
title: Richtlinie Quartiershilfe
issuer: Testamt
kind: guideline
region: DE
published: 2026-03-02
valid_from: 2026-03-15
valid_until: 2028-12-31
deadlines:
  - date: 2026-05-31
    kind: submission
    purpose: Anträge
    opens: 2026-04-01
  - date: 2026-09-30
    kind: submission
    purpose: "eine zweite Frist, die der Text nicht nennt"
---
"""


def test_precision_and_recall_per_field(tmp_path: Path) -> None:
    (tmp_path / "quartier.md").write_text(FRONT + TEXT, encoding="utf-8")
    report = measure(tmp_path)
    fields = report["fields"]
    assert fields["valid_from"] == {"precision": 1.0, "recall": 1.0, "correct": 1, "inferred": 1, "gold": 1}
    assert fields["valid_until"]["recall"] == 1.0
    assert fields["submission"] == {"precision": 1.0, "recall": 0.5, "correct": 1, "inferred": 1, "gold": 2}
    assert fields["opens"] == {"precision": 1.0, "recall": 1.0, "correct": 1, "inferred": 1, "gold": 1}
    # the event is in the text but not in the hand-written metadata: it counts against precision
    assert fields["event"] == {"precision": 0.0, "recall": None, "correct": 0, "inferred": 1, "gold": 0}
    assert report["overall"]["correct"] == 4 and report["overall"]["gold"] == 5
    assert report["overall"]["recall"] == 0.8 and report["overall"]["precision"] == 1.0
    assert "| submission | 1.000 | 0.500 | 1 | 1 | 2 |" in table(report)


def test_a_folder_without_documents_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Keine Dokumente"):
        measure(tmp_path)
