"""Text primitives shared by the chunker, the answerer and the citation checks."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
}

ABBREVIATIONS = {
    "z",
    "b",
    "d",
    "h",
    "u",
    "a",
    "bzw",
    "ggf",
    "nr",
    "vgl",
    "bspw",
    "gem",
    "abs",
    "s",
    "ca",
    "tel",
    "inkl",
    "evtl",
    "usw",
    "etc",
    "dr",
    "prof",
    "min",
    "max",
    "mio",
    "mrd",
    "str",
    "art",
    "ziff",
    "lit",
    "sog",
    "i",
    "e",
    "v",
    "o",
    "g",
    "m",
    "n",
}


@lru_cache(maxsize=1 << 16)
def found(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` occurs in `text`, remembered: the same passages meet every question
    that retrieves them, and their signals do not depend on the question."""
    return pattern.search(text) is not None


@lru_cache(maxsize=1 << 14)
def _endings(terms: frozenset[str]) -> frozenset[str]:
    return frozenset(t[i:] for t in terms for i in range(len(t)))


def ends_any(terms: AbstractSet[str], ending: str) -> bool:
    """Whether a term ends in `ending` (a compound in its head: "Vermischung" in "mischung");
    a passage's terms are a frozenset met by many questions, so their endings are kept."""
    if isinstance(terms, frozenset):
        return ending in _endings(terms)
    return any(t.endswith(ending) for t in terms)


# The phone and mail lines of a contact card ("Tel.: ...", "E-Mail: ..."): the chunker keeps the card
# in one chunk, the answerer quotes it as one span.
CONTACT_LINE = re.compile(r"^(?:Tel\.|(?:Telefon|E-Mail|Mail|Fax|Mobil)\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?:[\"“”»«)]*)(?=\s+)")


@dataclass(frozen=True)
class Span:
    """A piece of a document: [start, end) into the document text."""

    start: int
    end: int
    text: str


def _is_false_stop(text: str, stop: int) -> bool:
    """True where the period at `stop` ends an abbreviation or an ordinal (28. März)."""
    if text[stop] != ".":
        return False
    before = re.search(r"(\w+)\W*$", text[:stop])
    if not before:
        return False
    word = before.group(1)
    after = re.match(r"\s+([\w„\"]+)", text[stop + 1 :])
    nxt = after.group(1) if after else ""
    if word.lower() in ABBREVIATIONS:
        return True
    if word.isdigit() and len(word) <= 2:
        return nxt.lower() in MONTHS or (nxt[:1].islower())
    return bool(nxt[:1].islower())


def split_sentences(text: str, base: int = 0) -> list[Span]:
    """Split German prose into sentences; offsets are relative to `base`."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        stop = match.start()
        if _is_false_stop(text, stop) or text.count("(", start, stop) > text.count(")", start, stop):
            continue  # an abbreviation, an ordinal, or a period inside parentheses ("(Amtsbl. I S. 12)")
        end = match.end()
        _append_trimmed(spans, text, start, end, base)
        start = end
    _append_trimmed(spans, text, start, len(text), base)
    return spans


def _append_trimmed(spans: list[Span], text: str, start: int, end: int, base: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece.rstrip())
    if trail > lead:
        spans.append(Span(base + start + lead, base + start + trail, piece[lead:trail]))


def iter_lines(text: str) -> list[Span]:
    """Non-blank lines with their offsets, whitespace trimmed at both ends."""
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        _append_trimmed(spans, line, 0, len(line), pos)
        pos += len(line) + 1
    return spans
