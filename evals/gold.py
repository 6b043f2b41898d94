"""Gold files: one JSON object per line, validated before anything runs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.models import Turn

GOLD_DIR = Path(__file__).parent / "gold"


class GoldError(Exception):
    """A gold file that cannot be used; the message names file, line and field."""


class GoldItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answerable: bool
    kind: str = Field(min_length=1)
    facts: list[str]
    sources: list[str] | None = None
    evidence: str | None = None
    history: list[Turn] | None = None
    expect_notice: str | None = Field(None, pattern="^(expired|open|not_started)$")
    today: dt.date | None = None
    expect_lead: list[Literal["ja", "nein", "bedingt"]] | None = None  # a yes/no question's right lead(s)
    split: str = ""

    @field_validator("facts")
    @classmethod
    def _facts_compile(cls, facts: list[str]) -> list[str]:
        for fact in facts:
            _compile(fact)
        return facts

    @field_validator("evidence")
    @classmethod
    def _evidence_compiles(cls, evidence: str | None) -> str | None:
        if evidence:
            _compile(evidence)
        return evidence


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"ungültiger regulärer Ausdruck {pattern!r}: {exc}") from exc


def load_gold(path: Path, *, strict: bool = False) -> list[GoldItem]:
    """Load a gold file or every *.jsonl in a folder. `strict` requires sources and evidence
    on answerable items (the project's own gold set)."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise GoldError(f"{path}: keine Gold-Datei gefunden")
    items: list[GoldItem] = []
    seen: dict[str, str] = {}
    for file in files:
        for lineno, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{file.name}:{lineno}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldError(f"{where}: kein gültiges JSON ({exc.msg})") from exc
            if not isinstance(raw, dict):
                raise GoldError(f"{where}: ein JSON-Objekt erwartet")
            raw.setdefault("split", file.stem)
            try:
                item = GoldItem.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(p) for p in err["loc"]) or "-"
                raise GoldError(f"{where}: Feld '{field}': {err['msg']}") from exc
            if strict and item.answerable and (not item.sources or not item.evidence):
                raise GoldError(f"{where}: Feld 'sources'/'evidence': im eigenen Gold-Set Pflicht")
            if item.answerable and not item.facts:
                raise GoldError(f"{where}: Feld 'facts': beantwortbare Frage ohne Fakten")
            if item.id in seen:
                raise GoldError(f"{where}: Feld 'id': '{item.id}' doppelt (zuerst {seen[item.id]})")
            seen[item.id] = where
            items.append(item)
    return items
