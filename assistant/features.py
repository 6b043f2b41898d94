"""Candidate spans and their features: how much of the question a span covers, and the general
signals the learned ranker weighs (`span_features`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from assistant.citations import DENIAL
from assistant.question import EURO, PERCENT, QuestionContext
from index.text import found

# Several things named in a row within a sentence: "a, b, c und d" (a list inside a sentence).
_ENUMERATES = re.compile(r"[\w-]+(?: [\w-]+)?, [\w-]+(?: [\w-]+)?, [\w-]+(?: [\w-]+)?(?:,| und| oder)")
_WHO = re.compile(r"antragsberechtigt|zugelassen|Zuwendungsempf|Einzelträger|Träger|Verein|Verbund", re.IGNORECASE)
# "Wer ist ...?" is answered by a name: an organisation shows its legal form or what it is.
_ORGANISATION = re.compile(
    r"\b(?:g?GmbH|mbH|e\.\s?V\.|AG)\b|\bGesellschaft für\b|\b(?:Bundes|Staats)?[Mm]inisterium\s+für\b"
)
# "Wer kann einen Antrag stellen?" is answered by the sentence that says who is eligible.
ELIGIBLE = re.compile(
    r"\b(?:[Aa]ntragsberechtigt sind|sind antragsberechtigt|richtet sich an|[Zz]uwendungsempfänger\w* sind)"
    # a call says it with "können": "Interessierte Träger können ... Projektvorschläge ... einreichen"
    r"|\b(?:können|dürfen)\b[^;:]{0,200}?\b(?:einreichen|beantragen|bewerben|Anträge? stellen|teilnehmen)\b"
)
_REASON = re.compile(r"\b(?:weil|denn|deshalb|daher|darum|deswegen|aufgrund|wegen)\b|\bum\b[^,.;]{1,80}\bzu\b", re.I)
ADDRESS = re.compile(r"\b\w+(?:straße|str\.|weg|platz|allee|ring|gasse|damm)\s+\d+|\b\d{5}\s+[A-ZÄÖÜ]\w+")
_WHERE = re.compile(
    r"Portal|Postfach|@|Anschrift|Förderportal|https?://|www\.|Straße|Bewilligungsbehörde|Aufbaubank|Förderbank"
    r"|\bRegion\b|\bverortet\b|\bansässig\b|\b(?:Haupt)?[Ss]itz in\b"
)


@dataclass
class Candidate:
    """An evidence span with how much of the question it covers, slot by slot."""

    doc_id: str
    kind: str
    programme: str | None
    start: int
    end: int
    text: str
    section: str
    rank: int
    slot_cover: tuple[float, ...]
    has_type: bool
    is_list: bool = False
    score: float = 0.0
    logit: float = 0.0  # the ranker's logit (score is its logistic)
    about: str | None = None  # the programme it speaks of where that is not its document's (one a call mentions)
    dense: float = 0.0  # cosine of its dense vector and the question's

    @property
    def subject(self) -> str | None:
        """The programme the span is about."""
        return self.about or self.programme


def coverage(question: QuestionContext, chosen: list[Candidate], context: bool = True) -> float:
    """Share of the question's weighted words that the chosen spans cover together; of an
    either/or question, the better of its two halves (with the words both share). Without
    `context`: of the words that carry the question, not those that name its programme."""
    covered = [max((c.slot_cover[i] for c in chosen), default=0.0) for i in range(len(question.slots))]
    sides = {s.side for s in question.slots} - {0}
    best = 0.0
    for side in sides if sides == {1, 2} else {0}:
        part = [
            i for i, s in enumerate(question.slots) if (s.side in (0, side) or side == 0) and (context or not s.context)
        ]
        total = sum(question.slots[i].weight for i in part) or 1.0
        best = max(best, sum(question.slots[i].weight * covered[i] for i in part) / total)
    return min(1.0, best)


def _figure_count(types: set[str], text: str) -> int:
    """How many amounts or percentages a span holds, where one of them is wanted."""
    return len(EURO.findall(text)) * ("amount" in types) + len(PERCENT.findall(text)) * ("percent" in types)


# Why a question is not answered: no span retrieved; none with the figure asked for; it asks for
# a kind of thing the corpus never names; its abbreviation is not in the best span; the gate.
Refusal = Literal["no_evidence", "figure_missing", "unheard", "abbreviation", "gate"]

SPAN_FEATURES = (
    "coverage",  # share of the question's weighted words the span covers
    "coverage_asked",  # ... of the words that carry the question, not the programme's name
    "has_type",  # holds the kind of figure asked for
    "type_missing",  # the question asks for a figure the span does not hold
    "several_figures",  # a table of such figures where one is asked ("Wie viel zählt die Datenbasis?")
    "rank_inverse",  # 1 / (1 + rank of its chunk in retrieval)
    "who_named",  # "Wer ...?": applicants named (Träger, Verein, antragsberechtigt)
    "organisation_named",  # "Wer ...?": an organisation named by its legal form or as a ministry
    "eligible_said",  # "Wer ...?": who is eligible said ("Antragsberechtigt sind ...")
    "where_named",  # "Wo ...?": a portal, address or place named
    "where_missing",  # "Wo ...?": none named
    "reason_given",  # "Warum ...?": a reason given ("weil", "um ... zu")
    "negation_met",  # "Was ist nicht förderfähig?": the span denies or excludes
    "negation_missed",  # ... it does not
    "denies_unasked",  # the span denies where the question does not ask what is not
    "list_asked",  # a list with its introduction, for a question that asks for several things
    "list_unasked",  # ... for one that does not
    "enumerates",  # a question for several things, a span naming several in a row
    "section_match",  # its section's heading names what the question asks for (Höhe, Zuwendungsempfänger, ...)
    "elsewhere",  # a passage on the programme from another programme's document
    "length_log",  # log of its length in characters
    "dense",  # cosine of the span's and the question's dense vectors (e5: query/passage)
)


def span_features(
    question: QuestionContext, cand: Candidate, section_words: dict[str, frozenset[str]]
) -> dict[str, float]:
    """General features of a candidate span for a question; the ranker weighs them (learned)."""
    types, text = question.types, cand.text
    figure = bool(question.figure_types)
    several = figure and cand.is_list and "list" not in types and _figure_count(question.figure_types, text) > 1
    negation = "negation" in types
    denies = found(DENIAL, text)
    heading = {w.lower() for w in re.findall(r"\w+", cand.section)}
    wanted = set().union(*(section_words.get(t, frozenset()) for t in types)) if types else set()
    return {
        "coverage": coverage(question, [cand]),
        "coverage_asked": coverage(question, [cand], context=False),
        "has_type": float(cand.has_type and figure),
        "type_missing": float(figure and not cand.has_type and not several),
        "several_figures": float(several),
        "rank_inverse": 1.0 / (1 + cand.rank),
        "who_named": float("who" in types and found(_WHO, text)),
        "organisation_named": float("who" in types and found(_ORGANISATION, text)),
        "eligible_said": float("who" in types and found(ELIGIBLE, text)),
        "where_named": float("where" in types and found(_WHERE, text)),
        "where_missing": float("where" in types and not found(_WHERE, text)),
        "reason_given": float("reason" in types and found(_REASON, text)),
        "negation_met": float(negation and denies),
        "negation_missed": float(negation and not denies),
        "denies_unasked": float(denies and not negation),
        "list_asked": float(cand.is_list and "list" in types),
        "list_unasked": float(cand.is_list and "list" not in types),
        "enumerates": float("list" in types and not cand.is_list and found(_ENUMERATES, text)),
        "section_match": float(
            bool(heading & wanted) or any(w.startswith(tuple(wanted)) for w in heading) if wanted else False
        ),
        "elsewhere": float(cand.about is not None),
        "length_log": math.log1p(len(text)),
        "dense": cand.dense,
    }
