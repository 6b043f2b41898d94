"""Corpus documents: text plus validated metadata, given (YAML front matter or a sidecar) or inferred
from the document's own text (index/infer.py); given fields override inferred ones field by field."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.formats import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    PDF_SUFFIXES,
    docx_text,
    find_sidecar,
    html_text,
    pdf_text,
)
from index.infer import Inference, infer_metadata

DocumentKind = Literal["guideline", "call", "background"]
KIND_LABELS: dict[str, str] = {
    "guideline": "Förderrichtlinie",
    "call": "Förderaufruf (Pressemitteilung)",
    "background": "Hintergrundtext",
}
SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf", ".html", ".htm", ".docx")
REGION_PATTERN = re.compile(r"^DE(-[A-Z]{2})?$")
Origin = Literal["given", "file", "inferred", "missing"]
ORIGIN_LABELS: dict[str, str] = {
    "given": "angegeben",
    "file": "aus der Datei",
    "inferred": "erschlossen",
    "missing": "nicht gefunden",
}


class Quote(BaseModel):
    """The verbatim passage of the document text a value was inferred from: text[start:end] == quote."""

    model_config = ConfigDict(extra="forbid")

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    kind: Literal["submission", "event", "start", "other"] = "submission"
    purpose: str = Field(min_length=1)
    opens: dt.date | None = None  # first day of a submission window that opens later
    evidence: Quote | None = None  # the document's own sentence, where the deadline was inferred

    @model_validator(mode="after")
    def _opens_before_closing(self) -> Deadline:
        if self.opens and self.opens > self.date:
            raise ValueError(f"Fristbeginn {self.opens} liegt nach dem Fristende {self.date}")
        return self


class DocumentMeta(BaseModel):
    """Metadata of one corpus document; fields a text does not state stay empty."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,80}$")
    title: str = Field(min_length=3)
    issuer: str = Field(min_length=2)
    kind: DocumentKind
    programme: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{1,60}$")
    programme_title: str | None = None
    region: str = Field(pattern=r"^DE(-[A-Z]{2})?$")  # one Land, or DE: the whole country or several Länder
    regions: list[str] = []  # every Land funded in (a foundation active in three Länder); [region] if one
    published: dt.date | None = None
    valid_from: dt.date | None = None  # a guideline that enters into force later
    valid_until: dt.date | None = None
    deadlines: list[Deadline] = []
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    source_file: str | None = None
    note: str | None = None
    origin: dict[str, Origin] = {}  # per field: given, from the file's own metadata, inferred, or missing
    evidence: dict[str, Quote] = {}  # per inferred field: the passage it was read from
    review_notes: list[str] = []  # what the inference could not decide (German), for `foerderlotse documents`

    @model_validator(mode="before")
    @classmethod
    def _region_list(cls, data: object) -> object:
        """`region` may be one code (as before) or a list of codes; `regions` always lists them all."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        region = data.get("region")
        if isinstance(region, list | tuple):
            codes = [str(c) for c in region]
            if not codes:
                raise ValueError("region: mindestens ein Regionscode (DE oder DE-XX) ist nötig")
            data["regions"] = codes
            data["region"] = codes[0] if len(codes) == 1 else "DE"
        elif isinstance(region, str) and not data.get("regions"):
            data["regions"] = [region]
        for code in data.get("regions") or []:
            if not isinstance(code, str) or not REGION_PATTERN.match(code):
                raise ValueError(f"region: '{code}' ist kein Regionscode (DE oder DE-XX)")
        return data

    @model_validator(mode="after")
    def _valid_from_before_until(self) -> DocumentMeta:
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} liegt nach valid_until {self.valid_until}")
        return self

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def in_force(self, today: dt.date) -> bool:
        """Whether the document's validity covers the reference date (unknown bounds count as open)."""
        return not (self.valid_from and today < self.valid_from) and not (self.valid_until and today > self.valid_until)


class Document(BaseModel):
    """A corpus document: metadata and the unchanged text that offsets refer to."""

    meta: DocumentMeta
    text: str
    path: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def content_hash(self) -> str:
        payload = self.meta.model_dump_json() + "\x00" + self.text
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CorpusProblem:
    """A file that could not be loaded, with the field at fault, in German."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: Feld '{self.field}': {self.message}"


@dataclass
class LoadedCorpus:
    documents: list[Document]
    problems: list[CorpusProblem]


def split_front_matter(raw: str) -> tuple[dict | None, str]:
    """Return (front matter mapping or None, body). The body is returned byte-for-byte."""
    if not raw.startswith("---\n"):
        return None, raw
    end = raw.find("\n---\n", 4)
    if end < 0:
        raise ValueError("Front matter ist nicht mit '---' abgeschlossen.")
    data = yaml.safe_load(raw[4:end]) or {}
    if not isinstance(data, dict):
        raise ValueError("Front matter ist keine Zuordnung von Feldern.")
    return data, raw[end + len("\n---\n") :]


def load_document(path: Path) -> Document:
    """Load one file; raises ValueError/ValidationError with the reason.

    Metadata: what the text says (index/infer.py), the file's own title/date where the format has
    them, then front matter or sidecar fields, each overriding the one before it field by field."""
    suffix = path.suffix.lower()
    extractors = {
        **dict.fromkeys(PDF_SUFFIXES, pdf_text),
        **dict.fromkeys(HTML_SUFFIXES, html_text),
        **dict.fromkeys(DOCX_SUFFIXES, docx_text),
    }
    if suffix in extractors:
        text, found = extractors[suffix](path)
        given = find_sidecar(path) or {}
    else:
        raw = path.read_text(encoding="utf-8")
        data, text = split_front_matter(raw)
        given, found = {**(data or {}), **(find_sidecar(path) or {})}, {}  # a sidecar corrects front matter
        if not text.strip():
            raise ValueError("Das Dokument enthält keinen Text.")
    meta = merge_metadata(infer_metadata(text, path.stem, found), found, given)
    return Document(meta=meta, text=text, path=path.name)


FALLBACKS: dict[str, object] = {"issuer": "Herausgeber unbekannt", "region": "DE", "kind": "background"}


def merge_metadata(inference: Inference, found: dict, given: dict) -> DocumentMeta:
    """Given fields over inferred ones; an inferred value that does not validate is dropped (or falls
    back where the field is required) rather than losing the document."""
    fields = dict(inference.fields)
    origin: dict[str, str] = dict.fromkeys(fields, "inferred")
    for key in ("title", "published"):
        if key in found and key not in inference.evidence and key in fields:
            origin[key] = "file"
    for key, value in FALLBACKS.items():
        if key not in fields:
            fields[key], origin[key] = value, "missing"
    if "title" not in fields:
        fields["title"], origin["title"] = fields["id"], "missing"
    fields.update(given)
    origin.update(dict.fromkeys(given, "given"))
    evidence = {k: v.as_dict() for k, v in inference.evidence.items() if origin.get(k) == "inferred"}
    fields.setdefault("review_notes", list(inference.notes))
    for _ in range(4):
        try:
            return DocumentMeta.model_validate({**fields, "origin": origin, "evidence": evidence})
        except ValidationError as exc:
            at_fault = {str(e["loc"][0]) for e in exc.errors() if e["loc"]} or {"region"}
            if any(origin.get(k) != "inferred" for k in at_fault):
                raise
            # one inferred deadline that does not validate goes, not all of them
            bad = {e["loc"][1] for e in exc.errors() if len(e["loc"]) > 1 and e["loc"][0] == "deadlines"}
            if at_fault == {"deadlines"} and bad and all(isinstance(i, int) for i in bad):
                fields["deadlines"] = [d for i, d in enumerate(fields["deadlines"]) if i not in bad]
                fields["review_notes"] = [*fields["review_notes"], f"{len(bad)} erschlossene Frist(en) verworfen"]
                continue
            for key in at_fault:
                evidence.pop(key, None)
                fields["review_notes"] = [*fields["review_notes"], f"Erschlossener Wert für '{key}' verworfen"]
                if key in FALLBACKS:
                    fields[key], origin[key] = FALLBACKS[key], "missing"
                elif key == "title":
                    fields[key], origin[key] = fields["id"], "missing"
                else:
                    fields.pop(key, None)
                    origin.pop(key, None)
    return DocumentMeta.model_validate({**fields, "origin": origin, "evidence": evidence})


def load_corpus(corpus_dir: Path) -> LoadedCorpus:
    """Load every supported file; bad files become problems, the rest still load."""
    documents: list[Document] = []
    problems: list[CorpusProblem] = []
    if not corpus_dir.is_dir():
        problems.append(CorpusProblem(str(corpus_dir), "-", "Korpus-Ordner nicht gefunden."))
        return LoadedCorpus(documents, problems)
    seen: dict[str, str] = {}
    for path in sorted(corpus_dir.iterdir()):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name.startswith("."):
            continue
        try:
            doc = load_document(path)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "-"
                problems.append(CorpusProblem(path.name, where, err["msg"]))
            continue
        except (ValueError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(CorpusProblem(path.name, "-", str(exc).splitlines()[0]))
            continue
        if doc.id in seen:
            problems.append(CorpusProblem(path.name, "id", f"ID '{doc.id}' ist schon in {seen[doc.id]} vergeben."))
            continue
        seen[doc.id] = path.name
        documents.append(doc)
    return LoadedCorpus(documents, problems)
