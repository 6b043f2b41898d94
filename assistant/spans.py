"""Evidence spans: the sentences, lists with their introduction, signature and contact blocks of a
chunk, with exact offsets; worked out once per chunk. And the store of their dense vectors."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from itertools import takewhile
from pathlib import Path

import numpy as np

from index.chunker import Chunk
from index.dates import DAY_MONTH_YEAR
from index.text import CONTACT_LINE, Span, iter_lines, split_sentences

_CLOSED = (".", "!", "?", ":")
LIST_READ_ON = 2500  # characters after a chunk in which a list it introduces may go on
# Text in a document that tries to instruct a language model is not evidence for anything: no
# answerer quotes it and no LLM sees it.
INSTRUCTION_LIKE = re.compile(
    r"ignorier\w*\s+(?:alle|sämtliche|die|deine|bisherige)|vergiss\w*\s+(?:alle|deine|die)|"
    r"system\s?-?prompt|du bist (?:jetzt|nun|ab sofort)|neue anweisung|"
    r"ignore (?:all|previous|the above)|antworte (?:ab jetzt|nur noch|stattdessen)",
    re.IGNORECASE,
)
_ASKS = re.compile(r"[^:]*\?")  # a sentence that is a question from its start
_ITEM_LABEL = re.compile(r"^[a-z]\)$")  # "a)" above an item of a list
# an item of a list: "a) ...", "1. ...", "- ...", "• ..."; its kind is its marker's (letter, digit, dash)
_ITEM = re.compile(r"^(?:(?P<letter>[a-z]\))|(?P<digit>\d{1,2}\.)|(?P<dash>[-•–]))\s+\S")
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+")  # "5.5 " before a line
# The signature block that ends a guideline: place and date, the authority, "Im Auftrag", a name.
_SIGNED = re.compile(rf"^[A-ZÄÖÜ][\w.-]+(?: [\w.-]+)?, den (?i:{DAY_MONTH_YEAR.pattern})$")
SIGNING = "unterzeichnet unterschrieben Unterschrift"
# A contact block: a name, a role, the organisation, "Tel.: ...", "E-Mail: ..." on lines of their own.
CONTACT = "Ansprechpartner Ansprechpartnerin Kontakt ansprechen wenden erreichen"
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+(?=[A-ZÄÖÜ])")  # "5.2 " before a sentence
_HEADINGISH = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S.*|[a-z]\)|\d{1,2})$")


def span_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


def load_vectors(path: Path | None) -> dict[str, np.ndarray]:
    """Span vectors kept by an earlier process; a missing or unreadable file is an empty cache."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path) as data:
            return {str(k): v for k, v in zip(data["keys"], data["vectors"], strict=True)}
    except (OSError, ValueError, KeyError):
        return {}


def save_vectors(path: Path | None, vectors: dict[str, np.ndarray]) -> None:
    if path is None or not vectors:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(vectors)
    partial = path.with_name(f".{path.name}.{os.getpid()}.npz")
    try:
        np.savez(partial, keys=np.array(keys), vectors=np.stack([vectors[k] for k in keys]))
        os.replace(partial, path)  # a reader never sees half a file
    except OSError:
        partial.unlink(missing_ok=True)  # a cache that cannot be written costs time, nothing else


Evidence = tuple["EvidenceSpan", frozenset[str], frozenset[str], "np.ndarray | None"]  # span, terms, context, vector


@dataclass(frozen=True)
class EvidenceSpan:
    """A quotable piece of a chunk in document offsets, with the words that frame it (the
    interview question it answers) and whether it is a list with its introduction."""

    start: int
    end: int
    text: str
    frame: str = ""
    is_list: bool = False
    implied: str = ""  # what the span is without saying it: a signature block is the signing


def evidence_spans(chunk: Chunk, doc_text: str | None = None) -> list[EvidenceSpan]:
    """Sentences of a chunk. A sentence that runs on over an address block is kept whole; an
    introducing sentence that ends with ':' also forms one span with the list after it, read on
    in the document where the chunk ends (the list lines stay spans of their own, too); an
    interview question frames its answer."""
    text = doc_text if doc_text is not None else chunk.text
    base = chunk.start if doc_text is not None else 0
    window = text[base : base + len(chunk.text) + LIST_READ_ON]
    lines = iter_lines(window)
    spans: list[EvidenceSpan] = []
    lists: list[EvidenceSpan] = []
    frame = ""

    def absolute(start: int, end: int, is_list: bool = False, implied: str = "") -> EvidenceSpan:
        a, b = chunk.start + start, chunk.start + end
        return EvidenceSpan(a, b, window[start:end], frame, is_list, implied)

    block_until = -1
    items_of: dict[int, list[Span]] = {}  # a line that introduces a list: its items
    item_lines: set[int] = set()
    for i, line in enumerate(lines):
        if line.start >= len(chunk.text):
            break
        if i <= block_until:
            continue
        if i not in item_lines and (items := _list_items(line, lines[i + 1 :])):
            items_of[i] = items
        # "Nicht zuwendungsfähig sind" over "1. Personalkosten ...", "2. ...": the line introduces the
        # list, though it ends without a colon; its items are no headings and no continuation of it
        lead_in = i in items_of and not line.text.endswith(":")
        if lead_in:
            item_lines.update(range(i + 1, i + 1 + len(items_of[i])))
        if (lead_in or i in item_lines) and (number := _SECTION_NUMBER.match(line.text)):
            # "5.5 Nicht zuwendungsfähig sind", "1. Personalkosten": the number is no part of what it says
            line = Span(line.start + number.end(), line.end, line.text[number.end() :])
        if _SIGNED.match(line.text):  # "Berlin, den 28. März 2023" / authority / "Im Auftrag" / name
            block = list(takewhile(lambda nxt: len(nxt.text) <= 60 and not nxt.text.isdigit(), lines[i + 1 : i + 6]))
            block_until = i + len(block)
            end = block[-1].end if block else line.end
            spans.append(absolute(line.start, end, implied=SIGNING))
            continue
        if len(line.text) <= 60 and not line.text.endswith(_CLOSED) and not CONTACT_LINE.match(line.text):
            # a name over its role, organisation, phone and e-mail: whom to contact
            # (a line of prose ends it; "Verein e. V." does not)
            block = list(
                takewhile(
                    lambda nxt: len(nxt.text) <= 120 and not (nxt.text.endswith(_CLOSED) and len(nxt.text.split()) > 6),
                    lines[i + 1 : i + 7],
                )
            )
            reach = [k for k, nxt in enumerate(block) if CONTACT_LINE.match(nxt.text)]
            if reach:
                block_until = i + reach[-1] + 1
                spans.append(absolute(line.start, block[reach[-1]].end, implied=CONTACT))
                continue
        if (numbered := _NUMBERED_PARAGRAPH.match(line.text)) and line.text.endswith(_CLOSED):
            # "5.2 Die Förderquote beträgt 70 Prozent ...": a numbered paragraph, not a heading;
            # its number is no part of what it says
            line = Span(line.start + numbered.end(), line.end, line.text[numbered.end() :])
        if i not in items_of and (
            (_HEADINGISH.match(line.text) and not DAY_MONTH_YEAR.match(line.text) and i not in item_lines)
            or len(line.text) < 12
            or line.text.isupper()
        ):
            # a heading ("6 Art, Umfang", "ZUKUNFTSPLATTFORM ... KOMMT."), not a line opened by a
            # date ("21. September 2023 Erstellt von")
            continue
        if line.text.endswith("?"):
            frame = line.text  # a question in the text: not evidence, but context for the answer
            continue
        sentences = split_sentences(line.text, line.start)
        first = sentences[0]
        if line.text[0].islower() and spans and not spans[-1].text.endswith(_CLOSED) and i not in item_lines:
            # "... hat das BMAS die / Gesellschaft ... / Kronenstraße 6 / als ... beauftragt."
            opener = len(spans) - 1
            while opener > 0 and not spans[opener - 1].text.endswith(_CLOSED) and len(spans) - opener < 5:
                opener -= 1
            head = spans[opener].start - chunk.start
            del spans[opener:]
            spans.append(absolute(head, first.end))
            sentences = sentences[1:]
        # a question in a line ("Sie haben Fragen ...? Sprechen Sie uns an.") states nothing (one
        # after a colon is what the sentence before it says: "... vornehmen: Welches Problem ...?")
        if lead_in:
            sentences = sentences[:-1]  # "Nicht zuwendungsfähig sind" says nothing without its items
        spans.extend(absolute(s.start, s.end) for s in sentences if not _ASKS.fullmatch(s.text.strip()))
        if i in items_of:
            # The whole paragraph introduces the list: its first sentences often name
            # what the list is ("Bezug zu den Handlungsfeldern ... Gefördert werden ...:").
            lists.append(absolute(line.start, items_of[i][-1].end, is_list=True))
    return spans + lists


def _list_items(line: Span, following: list[Span]) -> list[Span]:
    """The items of the list a line introduces: after a colon, the lines up to a heading, another
    introduction or a long paragraph; after a line that ends without a full stop and is no item
    itself ("Nicht zuwendungsfähig sind"), the items of one kind ("a)", "1.", "-") that follow it."""
    if line.text.endswith(":"):
        items = []
        for nxt in following[:12]:
            if (
                len(nxt.text) > 300
                or nxt.text.endswith(":")
                or (_HEADINGISH.match(nxt.text) and not _ITEM_LABEL.match(nxt.text))
            ):
                break
            items.append(nxt)
        return items
    if line.text.endswith(_CLOSED) or _ITEM.match(line.text) or not following:
        return []
    first = _ITEM.match(following[0].text)
    if first is None:
        return []
    kind = first.lastgroup
    items = []
    for nxt in following[:12]:
        m = _ITEM.match(nxt.text)
        if m is None or m.lastgroup != kind or len(nxt.text) > 300:
            break
        items.append(nxt)
    return items
