"""Structure-aware chunking of German administrative text.

Recognises numbered sections ("6.2 Höhe der Zuwendung"), lettered items ("a)"), bullet lists,
footnotes at the end of a guideline, criteria tables and, in texts without numbering, short
heading lines. Every chunk keeps exact character offsets into its document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from itertools import pairwise

from pydantic import BaseModel

from index.documents import Document
from index.text import CONTACT_LINE, Span, iter_lines, split_sentences

CHUNKER_VERSION = "structure-v4"

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-ZÄÖÜ„\"].{1,90})$")
_LETTERED = re.compile(r"^([a-z])\)\s*(.*)$")
_FOOTNOTE_MARK = re.compile(r"^(\d{1,2})$")
_BULLET = re.compile(r"^[•\-–*·]\s+")
# Contact lines, bylines, image credits and copyright lines are page furniture, not headings.
_NOT_A_HEADING = re.compile(r"@|\bTel\.|^\d|^©|Quelle|^Source\b|^E-Mail")


class Chunk(BaseModel):
    """A passage of a document as indexed: exact text, offsets and its place in the structure."""

    id: str
    doc_id: str
    ordinal: int
    section: str
    start: int
    end: int
    text: str
    header: str
    programme: str | None
    region: str
    kind: str

    @property
    def indexed_text(self) -> str:
        return f"{self.header}\n{self.text}"


@dataclass
class Unit:
    """A line (or a piece of a long line) with the section path it belongs to."""

    span: Span
    section: tuple[str, ...]
    heading: bool = False


@dataclass
class _State:
    numbered: list[str] = field(default_factory=list)
    item: str | None = None
    plain: str | None = None
    footnote: str | None = None

    def path(self) -> tuple[str, ...]:
        if self.footnote:
            return (self.footnote,)
        parts = list(self.numbered) if self.numbered else ([self.plain] if self.plain else [])
        if self.item:
            parts.append(self.item)
        return tuple(parts)


def _numbered_heading(line: str) -> tuple[int, str] | None:
    m = _NUMBERED.match(line)
    if not m or line.rstrip().endswith((".", ",", ";")) or "%" in line:
        return None
    return m.group(1).count(".") + 1, line


def _is_plain_heading(lines: list[Span], i: int) -> bool:
    """A short stand-alone line followed by a blank line in a text without numbering."""
    text = lines[i].text
    if len(text) > 160 or _BULLET.match(text) or text.endswith((".", ",", ";")):
        return False
    # the name, role and organisation above a contact card's phone and mail lines are the card,
    # even with a blank line in between
    if _NOT_A_HEADING.search(text) or (i + 1 < len(lines) and CONTACT_LINE.match(lines[i + 1].text)):
        return False
    if text.endswith(":") and len(text.split()) > 3:
        return False
    return len(text.split()) <= 14 or text.endswith("?")


def structure_units(doc: Document) -> list[Unit]:
    """Walk the document line by line and attach a section path to every line."""
    lines = iter_lines(doc.text)
    numbered_count = sum(1 for s in lines if _numbered_heading(s.text))
    has_numbering = numbered_count >= 3
    state = _State()
    units: list[Unit] = []
    text = doc.text
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        blank_after = nxt is None or "\n\n" in text[line.end : nxt.start].replace(" ", "")
        heading = False
        if has_numbering and state.footnote is None and (h := _numbered_heading(line.text)):
            level, title = h
            title = " ".join(title.split())
            state.numbered = state.numbered[: level - 1] + [title]
            state.item = None
            heading = True
        elif (
            has_numbering
            and _FOOTNOTE_MARK.match(line.text)
            and nxt is not None
            and not _FOOTNOTE_MARK.match(nxt.text)
            and state.numbered
            and _looks_like_footnote_area(lines, i)
        ):
            state.footnote = f"Fußnote {line.text}"
            heading = True
        elif (m := _LETTERED.match(line.text)) and has_numbering:
            label = m.group(2) or (nxt.text if nxt else "")
            state.item = f"{m.group(1)}) {label}".strip()
            heading = True
        elif not has_numbering and blank_after and _is_plain_heading(lines, i):
            state.plain = line.text.rstrip(":")
            heading = True
        units.append(Unit(line, state.path(), heading))
    return units


def _looks_like_footnote_area(lines: list[Span], i: int) -> bool:
    """Footnote marks are bare numbers that count up in the last part of the text."""
    marks = [s.text for s in lines[i:] if _FOOTNOTE_MARK.match(s.text)]
    return len(marks) >= 1 and marks == [str(int(marks[0]) + k) for k in range(len(marks))]


def _split_long(unit: Unit, max_chars: int) -> list[Unit]:
    if len(unit.span.text) <= max_chars:
        return [unit]
    pieces: list[Unit] = []
    current: list[Span] = []
    for sent in split_sentences(unit.span.text, unit.span.start):
        if current and sent.end - current[0].start > max_chars:
            pieces.append(_merge(current, unit))
            current = []
        current.append(sent)
    if current:
        pieces.append(_merge(current, unit))
    return pieces


def _merge(spans: list[Span], unit: Unit) -> Unit:
    start, end = spans[0].start, spans[-1].end
    offset = start - unit.span.start
    text = unit.span.text[offset : offset + (end - start)]
    return Unit(Span(start, end, text), unit.section, unit.heading)


def _lead_ins(groups: list[list[Unit]]) -> list[str]:
    """For a chunk that continues a list or table cut by the size limit: the line that
    introduced it ("Auswahlkriterien Gewichtung"), after the sentence that announced the list
    ("... werden die Skizzen ... anhand folgender Auswahlkriterien bewertet:"), carried on
    through later pieces."""
    leads = [""]
    for previous, current in pairwise(groups):
        last = previous[-1]
        if last.section != current[0].section or last.heading:
            leads.append("")
            continue
        units = previous[-2:] if len(previous) >= 2 and not previous[-2].heading else previous[-1:]
        lines = [" ".join(u.span.text.split()) for u in units]
        announced = [split_sentences(t)[-1].text for t in lines[:-1] if t.endswith(":")]
        text = lines[-1]
        if text.endswith((".", "!", "?", "“", '"')):  # a sentence, not the head of a list
            text = ""
        elif text.endswith(":"):
            text = split_sentences(text)[-1].text  # the announcing sentence of a long paragraph
        elif len(text) > 200:
            text = ""
        elif announced:
            text = f"{announced[0]} {text}"  # a table's header line after the sentence announcing it
        if not text or len(text) > 300:
            leads.append("")
        else:
            leads.append(leads[-1] or text)
    return leads


def chunk_document(doc: Document, max_chars: int = 900) -> list[Chunk]:
    """Group consecutive lines of the same section into chunks of at most `max_chars`."""
    units = [p for u in structure_units(doc) for p in _split_long(u, max_chars)]
    groups: list[list[Unit]] = []
    for unit in units:
        last = groups[-1] if groups else None
        same_section = last is not None and last[-1].section == unit.section
        fits = last is not None and unit.span.end - last[0].span.start <= max_chars
        # A heading opens its own section, so it starts a chunk with the text below it.
        if (
            last is not None
            and (same_section or last[-1].heading)
            and fits
            and not (unit.heading and not last[-1].heading)
        ):
            last.append(unit)
        else:
            groups.append([unit])
    chunks: list[Chunk] = []
    meta = doc.meta
    leads = _lead_ins(groups)
    for ordinal, group in enumerate(groups):
        start, end = group[0].span.start, group[-1].span.end
        section_parts = group[-1].section or group[0].section
        section = " > ".join(section_parts)
        text = doc.text[start:end]
        header = " | ".join(p for p in (meta.title, meta.programme_title or "", section, leads[ordinal]) if p)
        digest = hashlib.sha256(
            f"{CHUNKER_VERSION}\x00{doc.content_hash}\x00{start}\x00{end}\x00{section}".encode()
        ).hexdigest()
        chunks.append(
            Chunk(
                id=digest[:32],
                doc_id=meta.id,
                ordinal=ordinal,
                section=section,
                start=start,
                end=end,
                text=text,
                header=header,
                programme=meta.programme,
                region=meta.region,
                kind=meta.kind,
            )
        )
    return chunks
