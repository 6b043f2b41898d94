"""Corpus documents: text plus validated metadata from a YAML front matter block."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.formats import DOCX_SUFFIXES, HTML_SUFFIXES, PDF_SUFFIXES, docx_text, html_text, pdf_text, sidecar

DocumentKind = Literal["guideline", "call", "background"]
KIND_LABELS: dict[str, str] = {
    "guideline": "Förderrichtlinie",
    "call": "Förderaufruf (Pressemitteilung)",
    "background": "Hintergrundtext",
}
SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf", ".html", ".htm", ".docx")


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    kind: Literal["submission", "event", "start", "other"] = "submission"
    purpose: str = Field(min_length=1)
    opens: dt.date | None = None  # first day of a submission window that opens later

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
    region: str = Field(pattern=r"^DE(-[A-Z]{2})?$")
    published: dt.date | None = None
    valid_from: dt.date | None = None  # a guideline that enters into force later
    valid_until: dt.date | None = None
    deadlines: list[Deadline] = []
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    source_file: str | None = None
    note: str | None = None

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
    """Load one file; raises ValueError/ValidationError with the reason."""
    suffix = path.suffix.lower()
    extractors = {
        **dict.fromkeys(PDF_SUFFIXES, pdf_text),
        **dict.fromkeys(HTML_SUFFIXES, html_text),
        **dict.fromkeys(DOCX_SUFFIXES, docx_text),
    }
    if suffix in extractors:
        text, found = extractors[suffix](path)
        meta = DocumentMeta.model_validate({**found, **sidecar(path)})
        return Document(meta=meta, text=text, path=path.name)
    raw = path.read_text(encoding="utf-8")
    data, body = split_front_matter(raw)
    if data is None:
        raise ValueError("Metadaten (YAML-Front-Matter zwischen '---'-Zeilen) fehlen.")
    if not body.strip():
        raise ValueError("Das Dokument enthält keinen Text.")
    meta = DocumentMeta.model_validate(data)
    return Document(meta=meta, text=body, path=path.name)


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
