"""Text and metadata from the file formats staff actually get: Markdown/text with front matter,
PDF (text layer, via pypdf), HTML pages (main text, title and date, via trafilatura) and Word
files (paragraphs and tables, via python-docx).

PDF, HTML and DOCX may carry their metadata in a sidecar file next to them (`name.meta.yaml`, the
same fields as a front matter block); without one, metadata is inferred from the text, and a title
or date found in the file fills a field the sidecar leaves out. The extracted text is what
citations quote and what offsets point into.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SIDECAR_SUFFIX = ".meta.yaml"
PDF_SUFFIXES = (".pdf",)
HTML_SUFFIXES = (".html", ".htm")
DOCX_SUFFIXES = (".docx",)


class ExtractionError(ValueError):
    """A file whose text cannot be read; the message (German) says why."""


def find_sidecar(path: Path) -> dict | None:
    """The sidecar's fields, or None where the file has none (its metadata is then inferred)."""
    side = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not side.is_file():
        return None
    data = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ExtractionError(f"'{side.name}' ist keine Zuordnung von Feldern.")
    return data


def pdf_text(path: Path) -> tuple[str, dict]:
    """The text layer of a PDF, page by page; raises for encrypted, corrupt or image-only files."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise ExtractionError("Die PDF-Datei ist passwortgeschützt.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"Die PDF-Datei ist beschädigt oder unlesbar ({type(exc).__name__}).") from exc
    text = "\n\n".join(_tidy(p) for p in pages).strip()
    if not text:
        raise ExtractionError(
            "Die PDF-Datei hat keinen Textlayer (gescannt?); bitte mit Texterkennung (OCR) speichern."
        )
    found: dict = {}
    info = reader.metadata
    if info is not None and info.title and info.title.strip():
        found["title"] = info.title.strip()
    return text + "\n", found


def html_text(path: Path) -> tuple[str, dict]:
    """Main text of an HTML page (navigation, footer and scripts left out), its title and date."""
    import trafilatura

    raw = path.read_bytes()
    try:
        doc = trafilatura.bare_extraction(
            raw.decode("utf-8", errors="replace"),
            with_metadata=True,
            include_tables=True,
            include_comments=False,
            as_dict=True,
        )
    except Exception as exc:  # noqa: BLE001 - the parser raises many kinds; the user needs one reason
        raise ExtractionError(f"Die HTML-Seite ist nicht lesbar ({type(exc).__name__}).") from exc
    text = _tidy((doc or {}).get("text") or "")
    if not text.strip():
        raise ExtractionError("Die HTML-Seite enthält keinen erkennbaren Haupttext.")
    found = {k: doc[k] for k in ("title", "date") if doc.get(k)}
    if "date" in found:
        found["published"] = found.pop("date")
    return text.strip() + "\n", found


def docx_text(path: Path) -> tuple[str, dict]:
    """Paragraphs (headings on their own line) and table rows of a Word file, and its title."""
    import zipfile

    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = WordDocument(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"Die Word-Datei ist beschädigt oder unlesbar ({type(exc).__name__}).") from exc
    blocks = [p.text.strip() for p in word.paragraphs if p.text.strip()]
    for table in word.tables:
        blocks += [" ".join(c.text.strip() for c in row.cells if c.text.strip()) for row in table.rows]
    text = "\n\n".join(b for b in blocks if b)
    if not text:
        raise ExtractionError("Die Word-Datei enthält keinen Text.")
    title = (word.core_properties.title or "").strip()
    return _tidy(text) + "\n", ({"title": title} if title else {})


def _tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row; words are not changed."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
