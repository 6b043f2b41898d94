"""Citation enforcement: the one gate every answer passes, whichever answerer wrote it.

A sentence survives only if
  1. it carries at least one citation marker [n],
  2. every cited quote occurs verbatim in its document at the recorded offsets,
  3. every number, amount, percentage and date in the sentence occurs in one of its cited quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.dates import find_dates
from assistant.models import Draft, DraftSentence, Source
from index.documents import Document
from index.text import split_sentences

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?(?!\d)|\d+(?:,\d+)?")


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def figures(text: str, *, expand: bool = False) -> set[str]:
    """Normalised figures of a text: dates as ISO, numbers without thousands separators.

    With `expand`, a full date also yields its month and year, so a sentence that says
    "Mai 2026" is supported by a quote that says "7. Mai 2026".
    """
    out: set[str] = set()
    masked = text
    for found in find_dates(text):
        d = found.date
        if found.precision == "day":
            out.add(d.isoformat())
            if expand:
                out.update({d.isoformat()[:7], str(d.year), str(d.day)})
        else:
            out.add(d.isoformat()[:7])
            if expand:
                out.add(str(d.year))
        masked = masked[: found.start] + " " * (found.end - found.start) + masked[found.end :]
    for raw in _NUMBER.findall(masked):
        value = re.sub(r"[.\u00a0\u202f ]", "", raw).replace(",", ".")
        value = value.lstrip("0") or "0"
        out.add(value)
    return out


@dataclass
class Enforced:
    sentences: list[DraftSentence]
    citations: list[Source]
    dropped: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return not self.sentences

    def text(self) -> str:
        return " ".join(
            f"{s.text} " + "".join(f"[{n}]" for n in s.refs) for s in self.sentences
        ).strip()


def verify_source(source: Source, document: Document | None) -> str | None:
    """Why a source cannot be cited, or None if its quote is verbatim at its offsets."""
    if document is None:
        return f"Quelle [{source.n}]: Dokument {source.doc_id} unbekannt"
    if not source.quote.strip():
        return f"Quelle [{source.n}]: leeres Zitat"
    if not 0 <= source.start < source.end <= len(document.text):
        return f"Quelle [{source.n}]: Position außerhalb des Dokuments"
    if document.text[source.start : source.end] != source.quote:
        return f"Quelle [{source.n}]: Zitat steht nicht wörtlich an dieser Stelle"
    return None


def enforce(draft: Draft, lookup: Callable[[str], Document | None]) -> Enforced:
    """Keep only supported sentences; renumber the citations they use from 1."""
    valid: dict[int, Source] = {}
    dropped: list[str] = []
    for source in draft.sources:
        problem = verify_source(source, lookup(source.doc_id))
        if problem:
            dropped.append(problem)
        else:
            valid[source.n] = source
    quote_figures = {n: figures(s.quote, expand=True) for n, s in valid.items()}

    kept: list[DraftSentence] = []
    for sentence in draft.sentences:
        text = strip_markers(sentence.text)
        if not text:
            continue
        refs = list(dict.fromkeys(sentence.refs))
        if not refs:
            dropped.append(f"ohne Beleg: {text[:80]}")
            continue
        if any(r not in valid for r in refs):
            dropped.append(f"Beleg fehlt oder ungültig {refs}: {text[:80]}")
            continue
        supported = set().union(*(quote_figures[r] for r in refs))
        missing = figures(text) - supported
        if missing:
            dropped.append(f"Zahlen/Daten {sorted(missing)} nicht im Beleg: {text[:80]}")
            continue
        kept.append(DraftSentence(text=text, refs=refs))

    renumber: dict[int, int] = {}
    for sentence in kept:
        for r in sentence.refs:
            renumber.setdefault(r, len(renumber) + 1)
    sentences = [DraftSentence(text=s.text, refs=[renumber[r] for r in s.refs]) for s in kept]
    citations = [
        valid[old].model_copy(update={"n": new}) for old, new in sorted(renumber.items(), key=lambda x: x[1])
    ]
    return Enforced(sentences, citations, dropped)


def parse_marked_text(text: str) -> list[DraftSentence]:
    """Split free text (e.g. an LLM reply) into sentences with the [n] markers they carry.

    Markers written after the full stop ("… erhalten. [1]") belong to the sentence before them.
    """
    sentences: list[DraftSentence] = []
    for span in split_sentences(text.replace("\n", " ")):
        piece = span.text
        lead = re.match(r"^(?:\s*\[\d{1,3}\])+", piece)
        if lead and sentences:
            sentences[-1].refs.extend(int(n) for n in MARKER.findall(lead.group(0)))
            piece = piece[lead.end() :]
        refs = [int(n) for n in MARKER.findall(piece)]
        body = strip_markers(piece)
        if body:
            sentences.append(DraftSentence(text=body, refs=refs))
    return sentences
