"""Citation enforcement: the one gate every answer passes, whichever answerer wrote it.

A sentence survives only if
  1. it carries at least one citation marker [n] of a source that exists,
  2. every cited quote occurs verbatim in its document at the recorded offsets,
  3. every number, amount, percentage and date in the sentence occurs in one of its cited quotes,
  4. enough of its content words occur in its cited quotes (an LLM that writes about something
     else and cites a passage anyway is caught here).
Sources are renumbered from 1 in the order the kept sentences use them. `enforce` checks a
whole draft; `StreamingEnforcer` checks sentence by sentence while an LLM is still writing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from assistant.models import Citation, Draft, DraftSentence, Source
from index.dates import find_dates
from index.documents import Document
from index.sparse import GermanAnalyzer
from index.text import split_sentences

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
# "Laut Förderrichtlinie: ..." / "Nein – laut Förderaufruf (...): ..." names the source; its words
# are not claims that the quote must contain.
_ATTRIBUTION = re.compile(r"^(?:[^:]{0,40}?\b)?[Ll]aut [^:]{1,90}:\s*")
_ANALYZER = GermanAnalyzer()
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.\u00a0\u202f ]\d{3})+(?:,\d+)?(?!\d)|\d+(?:,\d+)?")


# Words that deny: a sentence with one says the opposite of the same sentence without it.
DENIAL = re.compile(
    r"\b(?:nicht|kein\w*|nie|niemals|weder|nein)\b|ausgeschlossen|\w*verbot(?:en)?\b|unzulässig", re.IGNORECASE
)


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
        return " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.refs) for s in self.sentences).strip()


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


def claim_of(sentence: str, titles: Iterable[str] = ()) -> str:
    """The sentence without its attribution ("Laut Förderrichtlinie: ...", "Nein – laut ...: ...",
    led by the title of the cited programme where an answer speaks of several: "Quartier 2030
    (Musterland) – laut Förderaufruf: ...", "Ja – Quartier 2030 ... – laut ..."), which names the
    source and is not part of the claim."""
    claim = sentence
    for title in titles:
        at = claim.find(f"{title} – ") if title else -1
        if 0 <= at <= 40 and ":" not in claim[:at]:  # at the start or after a lead ("Ja – ")
            claim = claim[at + len(title) + 3 :]
            break
    return _ATTRIBUTION.sub("", claim, count=1)


def support(sentence: str, quotes: Iterable[str], titles: Iterable[str] = ()) -> float:
    """Share of the claim's content words (stems) that occur in the quotes."""
    return _share(_content_stems(claim_of(sentence, titles)), quotes)


def same_polarity(claim: str, quotes: Iterable[str]) -> bool:
    """Whether the claim denies exactly where the quoted sentence it rests on (the one that
    supports it best) denies: "Ja, eine Vermischung ist möglich." does not rest on "Eine
    Vermischung beider Formen ist nicht möglich."."""
    own = _content_stems(claim)  # once, not once per quoted sentence
    pieces = [p.text for quote in quotes for p in split_sentences(quote)] or [""]
    closest = max(pieces, key=lambda piece: _share(own, [piece]))
    return bool(DENIAL.search(claim)) == bool(DENIAL.search(closest))


def _content_stems(claim: str) -> set[str]:
    return {terms[0] for tok in _ANALYZER.tokens(claim) if (terms := _ANALYZER.terms(tok))}


def _share(own: set[str], quotes: Iterable[str]) -> float:
    """Share of the stems `own` that occur in the quotes (1.0 for a claim without content words)."""
    if not own:
        return 1.0
    available = {t for quote in quotes for t in _ANALYZER.terms(quote)}
    return sum(t in available for t in own) / len(own)


class _Gate:
    """Checks sentences against a fixed set of sources; remembers the renumbering."""

    def __init__(self, sources: list[Source], lookup: Callable[[str], Document | None], min_support: float) -> None:
        self.valid: dict[int, Source] = {}
        self.dropped: list[str] = []
        self.min_support = min_support
        for source in sources:
            problem = verify_source(source, lookup(source.doc_id))
            if problem:
                self.dropped.append(problem)
            else:
                self.valid[source.n] = source
        self.quote_figures = {n: figures(s.quote, expand=True) for n, s in self.valid.items()}
        self.titles = {
            n: doc.meta.programme_title
            for n, s in self.valid.items()
            if (doc := lookup(s.doc_id)) is not None and doc.meta.programme_title
        }
        self.renumber: dict[int, int] = {}
        self.kept: list[DraftSentence] = []

    def admit(self, sentence: DraftSentence) -> DraftSentence | None:
        text = strip_markers(sentence.text)
        if not text:
            return None
        refs = list(dict.fromkeys(sentence.refs))
        titles = [self.titles[r] for r in refs if r in self.titles]
        claim = claim_of(text, titles)  # a programme's title may hold a year the quote does not
        problem = None
        if not refs:
            problem = "ohne Beleg"
        elif any(r not in self.valid for r in refs):
            problem = f"Beleg fehlt oder ungültig {refs}"
        elif missing := figures(claim) - set().union(*(self.quote_figures[r] for r in refs)):
            problem = f"Zahlen/Daten {sorted(missing)} nicht im Beleg"
        elif support(text, (self.valid[r].quote for r in refs), titles) < self.min_support:
            problem = "Aussage steht nicht im Beleg"
        elif not same_polarity(claim, [self.valid[r].quote for r in refs]):
            problem = "Verneinung weicht vom Beleg ab"
        if problem:
            self.dropped.append(f"{problem}: {text[:80]}")
            return None
        for r in refs:
            self.renumber.setdefault(r, len(self.renumber) + 1)
        kept = DraftSentence(text=text, refs=[self.renumber[r] for r in refs])
        self.kept.append(kept)
        return kept

    def result(self) -> Enforced:
        citations = [
            self.valid[old].model_copy(update={"n": new})
            for old, new in sorted(self.renumber.items(), key=lambda x: x[1])
        ]
        return Enforced(list(self.kept), citations, list(self.dropped))


def enforce(draft: Draft, lookup: Callable[[str], Document | None], min_support: float = 0.5) -> Enforced:
    """Keep only supported sentences; renumber the citations they use from 1."""
    gate = _Gate(draft.sources, lookup, min_support)
    for sentence in draft.sentences:
        gate.admit(sentence)
    return gate.result()


class StreamingEnforcer:
    """Enforcement for text that arrives in pieces: a sentence is checked (and released) once
    the next one has begun, so that markers after its full stop are not lost."""

    def __init__(
        self, sources: list[Source], lookup: Callable[[str], Document | None], min_support: float = 0.5
    ) -> None:
        self._gate = _Gate(sources, lookup, min_support)
        self._text = ""
        self._done = 0

    def feed(self, delta: str) -> list[DraftSentence]:
        self._text += delta
        sentences = parse_marked_text(self._text)
        return self._release(sentences[:-1])

    def finish(self) -> list[DraftSentence]:
        """Release what is left at the end of the stream."""
        return self._release(parse_marked_text(self._text))

    def result(self) -> Enforced:
        return self._gate.result()

    def _release(self, complete: list[DraftSentence]) -> list[DraftSentence]:
        out = []
        for sentence in complete[self._done :]:
            if (kept := self._gate.admit(sentence)) is not None:
                out.append(kept)
        self._done = max(self._done, len(complete))
        return out


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


def citation_for(documents: Mapping[str, Document], source: Source) -> Citation:
    """The citation shown for a checked source: the quote with its document's title, section and link."""
    meta = documents[source.doc_id].meta
    # A text without numbering often has its title as the first "section": not repeated.
    section = "" if source.section.strip() == meta.title.strip() else source.section
    return Citation(
        n=source.n,
        doc_id=source.doc_id,
        title=meta.title,
        section=section,
        quote=source.quote,
        url=meta.url,
        kind=meta.kind,
        start=source.start,
        end=source.end,
    )
