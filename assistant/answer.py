"""The extractive answerer: picks evidence sentences from retrieved chunks; needs no LLM.

It proposes a `Draft`; only `citations.enforce` decides what the user sees.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.dates import find_dates
from assistant.lexicon import Lexicon
from assistant.models import Draft, DraftSentence, Source
from index.chunker import Chunk
from index.documents import KIND_LABELS
from index.sparse import GermanAnalyzer, TermStats
from index.store import Hit
from index.text import iter_lines, split_sentences

SOURCE_PREFIX = {
    "guideline": "Laut Förderrichtlinie",
    "call": "Laut Förderaufruf (Pressemitteilung, nicht die Richtlinie selbst)",
    "background": "Laut Hintergrundtext (keine Förderrichtlinie)",
}
assert set(SOURCE_PREFIX) == set(KIND_LABELS)

CONTEXT_WEIGHT = 0.3  # programme/region words steer retrieval; they are not what is asked
_EURO = re.compile(r"\d[\d.\s]*\s*(?:Euro|€|EUR)\b|\b(?:Euro|€)\s*\d")
_PERCENT = re.compile(r"\d\s*(?:%|Prozent)")
_DURATION = re.compile(r"\d+\s*(?:Monat|Jahr|Woche)")
_WHO = re.compile(r"antragsberechtigt|zugelassen|Zuwendungsempf|Einzelträger|Träger|Verein|Verbund",
                  re.IGNORECASE)  # fmt: skip
_WHERE = re.compile(r"Portal|Postfach|@|Anschrift|Förderportal|https?://|www\.|Straße|\bSAB\b|gsub")
_LIST_LINE = re.compile(r"^(?:[•\-–*·]\s+)?[^.!?]{2,120}$")
_HEADINGISH = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S.*|[a-z]\)|\d{1,2})$")


@dataclass(frozen=True)
class Slot:
    """One content word of a question: its stem, its compound parts and its weight (IDF)."""

    stem: str
    parts: tuple[str, ...]
    weight: float

    def covered(self, terms: set[str]) -> float:
        if self.stem in terms:
            return 1.0
        if self.parts:
            return 0.8 * sum(p in terms for p in self.parts) / len(self.parts)
        return 0.0


@dataclass
class QuestionContext:
    """A question as the answerer sees it: weighted content words and wanted answer types."""

    text: str
    slots: list[Slot]
    expansions: dict[str, float]
    types: set[str] = field(default_factory=set)

    @property
    def weights(self) -> dict[str, float]:
        return {s.stem: s.weight for s in self.slots}


class Answerer(Protocol):
    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft: ...


def analyse_question(
    text: str, analyzer: GermanAnalyzer, stats: TermStats, lexicon: Lexicon
) -> QuestionContext:
    """Weight the question's words by IDF; map unknown words to close corpus terms (typos)."""
    slots: dict[str, Slot] = {}
    for token in analyzer.tokens(text):
        if token in lexicon.question_stop_words:
            continue
        terms = analyzer.terms(token)
        if not terms:
            continue
        stem, parts = terms[0], tuple(terms[1:])
        if stem not in stats.df and len(stem) >= 7 and not stem.isdigit():
            close = difflib.get_close_matches(stem, stats.vocabulary, n=1, cutoff=0.85)
            if close:
                stem, parts = close[0], ()
        if stem in stats.df:
            weight = stats.idf(stem)
        else:
            known_parts = [stats.idf(p) for p in parts if p in stats.df]
            weight = max(known_parts) if known_parts else stats.mean_idf
        if lexicon.is_context_word(token):
            weight *= CONTEXT_WEIGHT
        slots[stem] = Slot(stem, parts, weight)
    return QuestionContext(
        text=text,
        slots=list(slots.values()),
        expansions={t: w * stats.idf(t) for t, w in lexicon.expansions(text, analyzer).items()
                    if t in stats.df},  # fmt: skip
        types=lexicon.answer_types_of(text),
    )


@dataclass
class Candidate:
    doc_id: str
    kind: str
    start: int
    end: int
    text: str
    section: str
    rank: int
    coverage: float
    score: float


class ExtractiveAnswerer:
    """Scores every sentence of the retrieved chunks against the question and quotes the best."""

    def __init__(
        self, analyzer: GermanAnalyzer, min_support: float = 0.5, max_sentences: int = 3
    ) -> None:
        self.analyzer = analyzer
        self.min_support = min_support
        self.max_sentences = max_sentences

    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft:
        candidates = [c for rank, hit in enumerate(hits) for c in self._candidates(question, hit, rank)]
        candidates.sort(key=lambda c: c.score, reverse=True)
        chosen: list[Candidate] = []
        for cand in candidates:
            if cand.coverage < self.min_support:
                continue
            if chosen and cand.score < 0.8 * chosen[0].score:
                break
            if any(_overlaps(cand, c) for c in chosen):
                continue
            chosen.append(cand)
            if len(chosen) == self.max_sentences:
                break
        sources = [
            Source(n=i + 1, doc_id=c.doc_id, start=c.start, end=c.end, quote=c.text, section=c.section)
            for i, c in enumerate(chosen)
        ]
        sentences = [
            DraftSentence(text=f"{SOURCE_PREFIX[c.kind]}: {_as_sentence(c.text)}", refs=[i + 1])
            for i, c in enumerate(chosen)
        ]
        return Draft(sentences=sentences, sources=sources)

    # -- scoring ------------------------------------------------------------------------------
    def _candidates(self, question: QuestionContext, hit: Hit, rank: int) -> list[Candidate]:
        chunk = hit.chunk
        context_terms = set(self.analyzer.terms(chunk.header))
        spans = _evidence_spans(chunk)
        out: list[Candidate] = []
        total = sum(s.weight for s in question.slots) or 1.0
        for start, end, text in spans:
            terms = set(self.analyzer.terms(text))
            own = sum(s.weight * s.covered(terms) for s in question.slots)
            ctx = sum(0.5 * s.weight * max(0.0, s.covered(context_terms) - s.covered(terms))
                      for s in question.slots)  # fmt: skip
            missing = total - own - ctx
            synonym = min(missing, sum(w for t, w in question.expansions.items() if t in terms))
            coverage = min(1.0, (own + ctx + 0.5 * synonym) / total)
            score = coverage + _type_bonus(question.types, text) + 0.05 / (1 + rank)
            out.append(Candidate(chunk.doc_id, chunk.kind, start, end, text, chunk.section, rank,
                                 coverage, score))  # fmt: skip
        return out


def _as_sentence(text: str) -> str:
    """One line of prose that ends like a sentence (list lines and headings may not)."""
    flat = " ".join(text.split()).lstrip("•-–*· ")
    return flat if flat.endswith((".", "!", "?", "…")) else flat.rstrip(":;,") + "."


def _type_bonus(types: set[str], text: str) -> float:
    bonus = 0.0
    if "amount" in types and _EURO.search(text):
        bonus += 0.25
    if "percent" in types and _PERCENT.search(text):
        bonus += 0.25
    if "date" in types and find_dates(text):
        bonus += 0.25
    if "duration" in types and _DURATION.search(text):
        bonus += 0.25
    if "who" in types and _WHO.search(text):
        bonus += 0.1
    if "where" in types and _WHERE.search(text):
        bonus += 0.15
    return bonus


def _evidence_spans(chunk: Chunk) -> list[tuple[int, int, str]]:
    """Sentences of a chunk as (start, end, text) in document offsets; an introducing sentence
    that ends with ':' takes the list lines that follow it."""
    lines = iter_lines(chunk.text)
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if _HEADINGISH.match(line.text) or len(line.text) < 12:
            continue
        for sent in split_sentences(line.text, line.start):
            spans.append((chunk.start + sent.start, chunk.start + sent.end, sent.text))
        if line.text.endswith(":"):
            j = i
            while j < len(lines) and j - i < 10 and _LIST_LINE.match(lines[j].text) \
                    and not _HEADINGISH.match(lines[j].text):
                j += 1
            if j > i:
                last = spans.pop()
                start, end = last[0], chunk.start + lines[j - 1].end
                spans.append((start, end, chunk.text[start - chunk.start : end - chunk.start]))
                i = j
    return spans


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end
