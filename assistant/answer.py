"""The extractive answerer: picks evidence sentences from retrieved chunks; needs no LLM.

It proposes a `Draft`; only `citations.enforce` decides what the user sees.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from itertools import chain, takewhile
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from assistant.citations import DENIAL, figures
from assistant.dates import DAY_MONTH_YEAR, RUNS_UNTIL, asked_year, find_dates
from assistant.gate import Gate, features
from assistant.learned import LogisticModel
from assistant.lexicon import FIGURE_TYPES, Lexicon, has_umlaut, load_thesaurus
from assistant.models import Draft, DraftSentence, Source
from index.chunker import Chunk
from index.dense import Embedder
from index.documents import KIND_LABELS
from index.sparse import STOP_WORDS, GermanAnalyzer, TermStats, base_of, is_content_token
from index.store import Hit
from index.text import Span, iter_lines, split_sentences

SOURCE_PREFIX = {
    "guideline": "Laut Förderrichtlinie",
    "call": "Laut Förderaufruf (Pressemitteilung, nicht die Richtlinie selbst)",
    "background": "Laut Hintergrundtext (keine Förderrichtlinie)",
}
assert set(SOURCE_PREFIX) == set(KIND_LABELS)

FOLLOW_UP_WEIGHT = 0.5  # words of the earlier question in an elliptical follow-up
CONTEXT_WEIGHT = 0.3  # programme/region words steer retrieval; they are not what is asked
# In German, nouns and names are capitalised; the lower-case words of a question are mostly its
# verbs and particles ("läuft ... ab", "mitmachen") and say less about what is asked.
# A lower-case word the corpus does not use at all ("mitmachen") says least of all.
LOWERCASE_WEIGHT, UNKNOWN_LOWERCASE_WEIGHT = 0.6, 0.25
SYNONYM_CREDIT = 0.7  # a synonym from the lexicon ("Eigenanteil" for "Eigenmittel")
PART_CREDIT = 0.6  # a span that has only some parts of a compound covers it less than the word itself
ALL_PARTS_CREDIT = 0.85  # ... and all of its parts, as separate words, nearly as well
_CLOSED = (".", "!", "?", ":")
LIST_READ_ON = 2500  # characters after a chunk in which a list it introduces may go on
EVIDENCE_CACHE_CHUNKS = 20_000  # chunks whose evidence spans are kept between questions
# A compared programme's passage covers part of the question: in an uneven comparison ("Was
# bekommt ein Einzelträger in Sachsen im Vergleich zum Höchstbetrag beim Bund?") each side is
# asked about some of its words; half of what an answer about one programme needs.
COMPARED_SHARE = 0.5
_EURO = re.compile(r"\d[\d.\s]*\s*(?:Euro\b|EUR\b|€)|(?:\bEuro|€)\s*\d")
_PERCENT = re.compile(r"\d\s*(?:%|Prozent)")
_CARDINALS = "zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf"
_ORDINALS = "(?:zweit|dritt|viert|fünft|sechst|siebt|acht|neunt|zehnt|zwölft)(?:e|en|er|es|em)"
# A count, also as an ordinal: "der vierte Förderaufruf" says how many there were.
_COUNT = re.compile(rf"\b\d+\b|\b(?:{_CARDINALS})\b|\b{_ORDINALS}\b", re.I)
# A number in a question, also as a word ("der fünfte Förderaufruf"), is what it is about
# ("ein", "elf", "erste" too, which as counts in a passage would say little).
_NUMERAL = re.compile(rf"\d+|ein|elf|{_CARDINALS}|{_ORDINALS}|(?:erst|elft)(?:e|en|er|es|em)")
_CARDINAL = re.compile(rf"\d+|{_CARDINALS}|elf")
_WHICH = frozenset({"welche", "welcher", "welches", "welchen", "welchem"})
# "Wie viele Förderaufrufe ...": what is counted; a count answers only next to it.
_COUNTED = re.compile(r"\b(?:wie\s?viele|anzahl\s+(?:der|an|von))\s+(\w+)", re.I)
# Several things named in a row within a sentence: "a, b, c und d" (a list inside a sentence).
_ENUMERATES = re.compile(r"[\w-]+(?: [\w-]+)?, [\w-]+(?: [\w-]+)?, [\w-]+(?: [\w-]+)?(?:,| und| oder)")
_ALL = re.compile(r"\b[Aa]llen?\b")
# An abbreviation names one organisation or thing ("KfW", "BMFSFJ", "ESF"): a passage that does not
# name it does not speak of it, however well it covers the rest of the question. (One the lexicon
# knows with other wordings, "KI" for "Künstliche Intelligenz", is a word like others.)
_ABBREVIATION = re.compile(r"\b(?=\w*[A-ZÄÖÜ]\w*[A-ZÄÖÜ])[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,7}\b")
# What a figure counts: the noun after it, past up to two adjectives ("21 soziale Innovationen" ->
# "soziale Innovationen"), or else the word right after it.
_COUNT_REACH = re.compile(r"^[\s„“\"»(]*(?:(?:[a-zäöüß][\w-]*\s+){0,2}[A-ZÄÖÜ][\w-]*|\w+)")  # not "15 % der ..."
# A year answers "wann" too: "Seit 2023 ruft das Sozialministerium jährlich ... auf."
_YEAR = re.compile(r"\b(?:[Ss]eit|[Aa]b|[Bb]is|[Ii]m(?: Jahr)?|[Vv]or)\s+(?:19|20)\d{2}\b")
_DURATION = re.compile(r"\d+\s*(?:Monat|Jahr|Woche)")
# A length of time the question states ("länger als zwei Jahre") asks for one ("Laufzeit von bis zu
# 24 Monaten"): answer type "span"; an end date ("gilt bis 31. Dezember 2024") does not answer it.
_STATED_DURATION = re.compile(rf"\b(?:\d+|ein|eine[mn]?|{_CARDINALS}|elf)\s+(?:Monat|Jahr|Woche)\w*", re.I)
_ERUNG = re.compile(r"(?<=\w{3})erung(?:en)?$")  # the noun of a verb in -ern ("Förderung", "Änderungen")
_WHO = re.compile(r"antragsberechtigt|zugelassen|Zuwendungsempf|Einzelträger|Träger|Verein|Verbund",
                  re.IGNORECASE)  # fmt: skip
# "Wer ist ...?" is answered by a name: an organisation shows its legal form or what it is.
_ORGANISATION = re.compile(
    r"\b(?:g?GmbH|mbH|e\.\s?V\.|AG)\b|\bGesellschaft für\b|\b(?:Bundes|Staats)?[Mm]inisterium\s+für\b"
)
# "Wer kann einen Antrag stellen?" is answered by the sentence that says who is eligible.
_ELIGIBLE = re.compile(
    r"\b(?:[Aa]ntragsberechtigt sind|sind antragsberechtigt|richtet sich an|[Zz]uwendungsempfänger\w* sind)"
    # a call says it with "können": "Interessierte Träger können ... Projektvorschläge ... einreichen"
    r"|\b(?:können|dürfen)\b[^;:]{0,200}?\b(?:einreichen|beantragen|bewerben|Anträge? stellen|teilnehmen)\b"
)
_REASON = re.compile(r"\b(?:weil|denn|deshalb|daher|darum|deswegen|aufgrund|wegen)\b|\bum\b[^,.;]{1,80}\bzu\b", re.I)
_ADDRESS = re.compile(r"\b\w+(?:straße|str\.|weg|platz|allee|ring|gasse|damm)\s+\d+|\b\d{5}\s+[A-ZÄÖÜ]\w+")
_WHERE = re.compile(r"Portal|Postfach|@|Anschrift|Förderportal|https?://|www\.|Straße|Bewilligungsbehörde|Aufbaubank|Förderbank"
                    r"|\bRegion\b|\bverortet\b|\bansässig\b|\b(?:Haupt)?[Ss]itz in\b")  # fmt: skip
# Text in a document that tries to instruct a language model is not evidence for anything: no
# answerer quotes it and no LLM sees it.
INSTRUCTION_LIKE = re.compile(
    r"ignorier\w*\s+(?:alle|sämtliche|die|deine|bisherige)|vergiss\w*\s+(?:alle|deine|die)|"
    r"system\s?-?prompt|du bist (?:jetzt|nun|ab sofort)|neue anweisung|"
    r"ignore (?:all|previous|the above)|antworte (?:ab jetzt|nur noch|stattdessen)",
    re.IGNORECASE,
)
# A sentence that opens with a back reference or names "the above" is read with the one before it.
REFERS_BACK = re.compile(
    r"^(?:(?:Mit|In|Bei|Nach|Aus|Von|Für|Zu|Unter|Auf) )?(?:Dies|Diese[rsnm]?|Hierbei|Hierfür|Dabei|Dafür|Dazu|Demnach|"
    r"Darüber hinaus|Deshalb|Daher|Darum|Deswegen|Folglich)\b"
    r"|\b(?:oben|vor)\s?genannt|\bvorstehend",
    re.IGNORECASE,
)
# "Ist das ein Kredit oder muss man es nicht zurückzahlen?": "oder" before a verb joins two
# questions, and an answer to either one answers it.
_EITHER = frozenset(
    "muss müssen kann können darf dürfen ist sind gibt gibts wird werden soll sollen hat haben bekommt "
    "bekommen braucht brauchen zählt zählen gilt gelten".split()
)
# A follow-up that stands in for what was asked with a pronoun ("Und wo sitzt die?", "Und wann
# sollen sie starten?", "Wo hat die ihren Sitz?") goes on with the earlier subject whatever it asks now.
_PRONOUN = re.compile(
    r"\b(?:sie|er|es|ihn|ihm|ihnen|dies|diese[rsnm]?|ihre[nmrs]?|seine[nmrs]?|deren|dessen)\b"  # "ihren Sitz"
    r"|\b(?:die|der|das|dem|den)\s*[?.!]*$"
)
CONDITION = re.compile(r"\b(?:wenn|sofern|soweit|falls)\b", re.IGNORECASE)
# A yes/no question ("Dürfen wir ...?", "Werden ... gefördert?") is answered "Ja", "Nein" or
# "Nur unter Bedingungen" before the rule, where one passage decides it (see `yes_no_lead`). A
# passage that grants one thing and excludes another ("..., ohne Zeitzuschläge"), a double
# negation and a negated question ("Gibt es ein Verbot ...?") get the rule without a lead.
LEADS = {"ja": "Ja", "nein": "Nein", "bedingt": "Nur unter Bedingungen"}
LEAD_SUPPORT = 0.8  # share of the question the best passage must cover by itself
_RESTRICTS = re.compile(
    r"\b(?:wenn|sofern|soweit|falls|nur|ausnahmsweise|vorausgesetzt|grundsätzlich|Voraussetzung\w*)\b"
    r"|Ausnahmef[aä]ll", re.IGNORECASE,
)
# "Können wir noch einreichen?", "Ist die Frist schon vorbei?" ask about the state on the
# reference date, which no passage decides by itself (the deadline notice says it).
_STATUS = re.compile(r"\b(?:noch|schon|bereits|mehr|wieder|jetzt|aktuell|derzeit|zurzeit)\b", re.IGNORECASE)
_EXCEPTS = re.compile(r"\b(?:ohne|außer|ausgenommen|abgesehen|jedoch|aber|allerdings)\b", re.IGNORECASE)
_ASKS = re.compile(r"[^:]*\?")  # a sentence that is a question from its start
_ITEM_LABEL = re.compile(r"^[a-z]\)$")  # "a)" above an item of a list
# The signature block that ends a guideline: place and date, the authority, "Im Auftrag", a name.
_SIGNED = re.compile(rf"^[A-ZÄÖÜ][\w.-]+(?: [\w.-]+)?, den (?i:{DAY_MONTH_YEAR.pattern})$")
SIGNING = "unterzeichnet unterschrieben Unterschrift"
# A contact block: a name, a role, the organisation, "Tel.: ...", "E-Mail: ..." on lines of their own.
_CONTACT_LINE = re.compile(r"^(?:Tel\.|(?:Telefon|E-Mail|Mail|Fax|Mobil)\b)", re.IGNORECASE)
CONTACT = "Ansprechpartner Ansprechpartnerin Kontakt ansprechen wenden erreichen"
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+(?=[A-ZÄÖÜ])")  # "5.2 " before a sentence
_HEADINGISH = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?\s+\S.*|[a-z]\)|\d{1,2})$")


@dataclass(frozen=True)
class Slot:
    """One content word of a question: its stem, its compound parts and its weight (IDF)."""

    stem: str
    parts: tuple[str, ...]
    weight: float
    typed: frozenset[str] = frozenset()  # stem/parts a figure of the wanted type answers
    alternatives: frozenset[str] = frozenset()  # stems of its synonyms in the lexicon
    lemma: str = ""  # its lemma's stem where that differs ("gefördert" -> "förder")
    side: int = 0  # in an either/or question: 1 before "oder", 2 after; 0 in both or no such question
    names: frozenset[str] = frozenset()  # programmes the word names ("sächsischen"): any of their spans covers it
    context: bool = False  # names a programme or a kind of document rather than what is asked
    running: frozenset[str] = frozenset()  # stem/lemma a stated running time answers ("endet")
    named: bool = False  # an abbreviation ("KfW"): only a passage that names it answers the question
    # "Welche Zinsen ...?" asks for things of a kind the documents never name: none of them answers it
    unheard: bool = False
    unknown: bool = False  # a word the corpus, the lexicon and the wanted answer know nothing of

    def covered(self, terms: AbstractSet[str], has_type: bool = False, runs: bool = False) -> float:
        said = terms  # a figure stands for the word it answers, not for that word's synonyms
        if has_type and self.typed:
            terms = terms | self.typed
        if runs and self.running:
            terms = terms | self.running
        if self.stem in terms or base_of(self.stem) in terms or (self.lemma and self.lemma in terms):
            return 1.0
        if self.alternatives & said:
            return SYNONYM_CREDIT
        # German compounds end in their head: "Vermischung" covers "mischen" in part.
        head = PART_CREDIT if len(self.stem) >= 4 and any(t.endswith(self.stem) for t in terms) else 0.0
        if self.parts:
            found = sum(p in terms for p in self.parts)
            if found == len(self.parts) >= 2:  # every part as a word of its own: "wählt ... aus ... Verfahren"
                return ALL_PARTS_CREDIT
            return max(head, PART_CREDIT * found / len(self.parts))
        return head


@dataclass
class QuestionContext:
    """A question as the answerer sees it: weighted content words, wanted answer types and the
    programmes it is about (named in it or inherited from the conversation)."""

    text: str
    slots: list[Slot]
    types: set[str] = field(default_factory=set)
    programmes: tuple[str, ...] = ()
    counted: frozenset[str] = frozenset()  # stems of what "wie viele" counts, if it names it
    # a comparison whose halves ask different things: each programme's half as a question of its own
    halves: dict[str, QuestionContext] = field(default_factory=dict)

    @property
    def figure_types(self) -> set[str]:
        return self.types & FIGURE_TYPES

    @property
    def elliptical(self) -> bool:
        """A follow-up that leaves out what it is about ("Und bis wann?", "Wie ist das beim Bund?",
        "Und was ist mit Trägerverbünden?"): at most one word that is not programme or context."""
        return sum(not s.context for s in self.slots) <= 1

    @property
    def asks(self) -> set[str]:
        """The kinds of answer it wants, apart from the form (list, yes/no) and negation."""
        return self.types - {"list", "negation", "yesno"}

    def changes_subject(self, earlier: QuestionContext) -> bool:
        """A follow-up with a word of its own that asks another kind of answer ("Wie hoch ist die
        Förderquote beim BMAS?" - "Und wer darf dort einen Antrag stellen?"): it keeps the
        programme, not what was asked; unless a pronoun stands for that ("Und wo sitzt die?")."""
        own = any(not s.context for s in self.slots)
        refers = _PRONOUN.search(self.text) is not None
        return own and not refers and bool(self.asks) and not self.asks & earlier.asks

    def naming_only(self) -> QuestionContext:
        """A question of nothing but names ("Welche Rolle spielt die SAB in Sachsen?", "Was ist
        SINN?") asks about what they name: they weigh as the words that carry it, and a passage
        covers them by naming them, not by being about the programme."""
        if not self.slots or not all(s.context for s in self.slots):
            return self
        return replace(self, slots=[replace(s, weight=s.weight / CONTEXT_WEIGHT, context=False, names=frozenset())
                                    for s in self.slots])  # fmt: skip

    def continuing(self, earlier: QuestionContext) -> QuestionContext:
        """This question with what an earlier one asked about: its words at a lower weight (what
        is asked now counts more), and its answer type where this one names none."""
        own = {s.stem for s in self.slots}
        inherited = [replace(s, weight=s.weight * FOLLOW_UP_WEIGHT, side=0)
                     for s in earlier.slots if s.stem not in own]  # fmt: skip
        return replace(
            self, slots=[*self.slots, *inherited],
            types=self.types if self.asks else self.types | earlier.types,
            counted=self.counted or earlier.counted,
        )


class Answerer(Protocol):
    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft: ...


def analyse_question(
    text: str, analyzer: GermanAnalyzer, stats: TermStats, lexicon: Lexicon,
    programmes: tuple[str, ...] = (), sources: dict[str, frozenset[str]] | None = None,
    places: frozenset[str] = frozenset(),
) -> QuestionContext:
    """Weight the question's words by IDF; map unknown words to close corpus terms (typos).
    `sources`: words of the question that name the issuer of documents it asks about ("laut
    SozialBank") with those documents' ids: like a programme's name, context that their passages cover.
    `places`: words naming a Land no document is about ("in Berlin"): they say where, not what is
    asked, so a passage that only names the place does not answer the question."""
    sources = sources or {}
    thesaurus = load_thesaurus()
    cased = analyzer.cased_tokens(text)
    # (a question typed in capitals has none: its words are no abbreviations)
    shouted = sum(c.isupper() for c in text) > sum(c.islower() for c in text)
    abbreviations = set() if shouted else {m.group(0).lower() for m in _ABBREVIATION.finditer(text)}
    words = [(tok, cap) for tok, cap in cased if not tok.isdigit()]
    # The first word is capitalised by position only; a question typed all in lower case
    # carries no case signal at all.
    case_signal = any(cap for _, cap in words[1:])
    types = lexicon.answer_types_of(text)
    # A figure the question states itself ("die restlichen 10 Prozent") is not the one it asks for.
    # "Wird SINN im Jahr 2027 noch gefördert?" asks for a running time all the same: the year is
    # when, and a stated running time answers it.
    status = "date" in types and _STATUS.search(text) is not None  # "Läuft SINN noch?"
    year = asked_year(text) if status else None
    types -= {t for t in FIGURE_TYPES - {"count"} if _has_type({t}, text) and not (t == "date" and year)}
    if "yesno" in types:  # "Darf der Eigenanteil aus kommunalen Mitteln kommen?" asks whether, not what share
        types.discard("percent")
    stated = _STATED_DURATION.search(text)
    if stated:  # asks for a length of time, not for an end date
        types = (types - {"duration"}) | {"span"}
    # Words the wanted answer covers by itself: a date covers "Frist"; where no figure is asked,
    # the sentence that says who is eligible covers "Antrag" of "Wer kann einen Antrag stellen?",
    # an address "Sitz" of "Wo hat die gsub ihren Sitz?".
    wanted = types & FIGURE_TYPES or types & {"who", "where"}
    typed = lexicon.typed_terms(wanted, analyzer)
    umlauts = lexicon.typed_umlauts(wanted, analyzer)  # "Wer zahlt ...?" is no "Wie viel zählt ...?"
    if stated:
        typed |= frozenset(analyzer.terms(stated.group(0)))
    running = lexicon.typed_terms({"running"}, analyzer) if types & {"date", "duration"} else frozenset()
    if status:
        running |= lexicon.typed_terms({"still"}, analyzer)
    if year:
        running |= frozenset(analyzer.terms(year.group(0)))
    synonyms = lexicon.synonym_index(analyzer)
    slots: dict[str, Slot] = {}
    light = lexicon.light_verbs_in(text)
    either = next((i for i, (tok, _) in enumerate(cased[1:-1], start=1)
                   if tok == "oder" and cased[i + 1][0] in _EITHER), None)  # fmt: skip
    # the noun a "welche" asks for ("Welche drei Ministerien", "Welche neuen Regeln"): the first
    # capitalised word after it, past a number and up to two adjectives
    which = next((i for i, (tok, _) in enumerate(cased) if tok in _WHICH), None)
    asked_noun = None if which is None else next(
        (i for i, (tok, cap) in enumerate(cased[which + 1 : which + 4], start=which + 1) if cap or not case_signal),
        None)  # fmt: skip
    for position, (token, capitalised) in enumerate(cased):
        if not is_content_token(token) or (token in light and not capitalised):
            continue
        if {token, analyzer.lemma(token, capitalised)} & lexicon.question_stop_words:
            continue
        if position and cased[position - 1][0] in _WHICH and _CARDINAL.fullmatch(token):
            continue  # "Welche drei Ministerien ...?": how many things are asked, not a word to find
            # ("Welche ersten Schritte ...?" asks for the first ones: an ordinal is a word to find)
        word = analyzer.word(token, capitalised)
        stem, parts, lemma = word.stem, word.parts, word.lemma
        if stem not in stats.df and lemma in stats.df:  # a form the corpus uses only otherwise
            stem, lemma = lemma, stem
        if stem not in stats.df and len(stem) >= 7 and not stem.isdigit():
            close = difflib.get_close_matches(stem, stats.vocabulary, n=1, cutoff=0.85)
            if close and close[0] in stem:  # not a typo: a word built on it ("Kofinanzierung")
                parts = tuple(dict.fromkeys((*parts, close[0])))
            elif close and not lemma and stem not in close[0] and stem not in synonyms \
                    and not _of_corpus_words(parts, stats):  # fmt: skip
                # a word the lemmatiser knows ("geschrieben") is no typo, nor one that a longer word
                # is built on ("schließen" in "erschließen", "Projektpartner" in "Teilprojektpartner"),
                # nor a compound of corpus words ("Projektseite" is no "Projektleiter"), nor a word
                # of the lexicon ("ansprechen" is no "Anspruch")
                stem, parts = close[0], ()
        if stem in stats.df:
            weight = stats.idf(stem)
        else:
            known_parts = [stats.idf(p) for p in parts if p in stats.df]
            weight = max(known_parts) if known_parts else stats.mean_idf
            if parts and parts[-1] not in stats.df:
                # a compound whose head the corpus never uses ("Arbeitsagentur") names something
                # it does not know: its first part ("Arbeit") neither weighs nor covers it
                weight, parts = stats.mean_idf, ()
        context = lexicon.is_context_word(token) or token in sources or token in places
        if context:
            weight *= CONTEXT_WEIGHT
        elif case_signal and not _NUMERAL.fullmatch(token) and (position == 0 or not capitalised):
            weight *= LOWERCASE_WEIGHT if stem in stats.df else UNKNOWN_LOWERCASE_WEIGHT
        side = 0 if either is None else 1 if position < either else 2
        if (seen := slots.get(stem)) is not None:  # a word asked twice: its higher weight, both sides
            if seen.weight >= weight and seen.side == side:
                continue
            weight, side = max(weight, seen.weight), side if seen.side == side else 0
        alternatives = synonyms.get(stem, frozenset()) | synonyms.get(lemma, frozenset())
        if (verb := _ERUNG.sub("ern", token)) != token:  # "Förderung" ~ "fördert": Snowball keeps -er
            alternatives |= frozenset(analyzer.terms(verb)[:1])
        if stem not in stats.df and not alternatives:
            # a word the corpus never uses ("Kohle", "stemmen"): its OpenThesaurus synonyms that it
            # does use stand for it ("Geld"); only here, where it would otherwise cover nothing
            alternatives = frozenset(t for w in thesaurus.synonyms(token) for t in analyzer.terms(w)[:1]
                                     if t in stats.df)  # fmt: skip
        names = frozenset(lexicon.programme_candidates(token)) | sources.get(token, frozenset())
        umlauted = has_umlaut(token)
        own_typed = {t for t in typed & {stem, lemma} if umlauted in umlauts.get(t, (umlauted,))} | (typed & set(parts))
        # a word the corpus, the lexicon and the wanted answer know nothing of, nor a place
        unknown = stem not in stats.df and not (alternatives or context or own_typed or lexicon.regions_in(token)
                                                or _of_corpus_words(parts, stats))  # fmt: skip
        slots[stem] = Slot(stem, parts, weight, frozenset(own_typed), alternatives, lemma, side, names,
                           context, running & {stem, lemma}, named=token in abbreviations and not (context or alternatives),
                           unheard=position == asked_noun and unknown, unknown=unknown)  # fmt: skip
    # A phrase of the lexicon stands for its group: "ohne Partner" is met by "Einzelträger".
    for group in lexicon.synonyms:
        for phrase in (p for p in group if " " in p and lexicon.mentions(text, p)):
            words = set(analyzer.terms(phrase))
            others = frozenset(t for w in group if " " not in w for t in analyzer.terms(w)[:1])
            for key, slot in slots.items():
                if slot.stem in words:
                    slots[key] = replace(slot, alternatives=slot.alternatives | others)
    # A separable verb asks for the joined word ("wirken ... mit" for "Mitwirkung"); the bare
    # verb still counts, as a synonym does.
    for verb, joined in analyzer.separable_verbs(text):
        verb_terms, joined_terms = analyzer.terms(verb), analyzer.terms(joined)
        key = next((k for k, slot in slots.items() if verb_terms and verb_terms[0] in (slot.stem, slot.lemma)), None)
        if key is None or not joined_terms:
            continue
        bare = slots.pop(key)
        stem = joined_terms[0]
        weight = stats.idf(stem) * LOWERCASE_WEIGHT if stem in stats.df else bare.weight
        alternatives = bare.alternatives | {bare.stem} | synonyms.get(stem, frozenset())
        slots[stem] = Slot(stem, (), weight, bare.typed, alternatives, side=bare.side)
    counted: frozenset[str] = frozenset()
    if "count" in types and (m := _COUNTED.search(text)) and m.group(1).lower() not in STOP_WORDS:
        word = analyzer.word(m.group(1).lower(), m.group(1)[0].isupper())
        # what is counted, or a synonym of it ("Leute" ~ "Stellen": "13 Vollzeitstellen")
        counted = frozenset(t for t in (word.stem, word.lemma) if t)
        counted |= frozenset().union(*(synonyms.get(t, frozenset()) for t in counted))
    return QuestionContext(
        text=text,
        slots=list(slots.values()),
        types=types,
        programmes=programmes,
        counted=counted,
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
    about: str | None = None  # the programme it speaks of where that is not its document's (SINN in the call)
    dense: float = 0.0  # cosine of its dense vector and the question's

    @property
    def subject(self) -> str | None:
        """The programme the span is about."""
        return self.about or self.programme


def _of_corpus_words(parts: tuple[str, ...], stats: TermStats) -> bool:
    """A compound made of words the corpus uses ("Projektseite": "Projekt", "Seite")."""
    return bool(parts) and all(p in stats.df for p in parts)


def coverage(question: QuestionContext, chosen: list[Candidate], context: bool = True) -> float:
    """Share of the question's weighted words that the chosen spans cover together; of an
    either/or question, the better of its two halves (with the words both share). Without
    `context`: of the words that carry the question, not those that name its programme."""
    covered = [max((c.slot_cover[i] for c in chosen), default=0.0) for i in range(len(question.slots))]
    sides = {s.side for s in question.slots} - {0}
    best = 0.0
    for side in sides if sides == {1, 2} else {0}:
        part = [i for i, s in enumerate(question.slots)
                if (s.side in (0, side) or side == 0) and (context or not s.context)]  # fmt: skip
        total = sum(question.slots[i].weight for i in part) or 1.0
        best = max(best, sum(question.slots[i].weight * covered[i] for i in part) / total)
    return min(1.0, best)


class ExtractiveAnswerer:
    """Scores every sentence of the retrieved chunks against the question and quotes the best.

    Selection is greedy: the best span first (with the sentence next to it where that completes
    it), for a question about several programmes the best span of each, then spans that are
    nearly as good or that cover words of the question the answer does not cover yet.
    """

    def __init__(
        self, analyzer: GermanAnalyzer, min_support: float = 0.5, max_sentences: int = 3,
        texts: Callable[[str], str | None] = lambda doc_id: None,
        programme_titles: dict[str, str] | None = None,
        programmes_named: Callable[[str], list[str]] = lambda text: [],
        gate: Gate | None = None,
        ranker: LogisticModel | None = None,
        section_words: dict[str, frozenset[str]] | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.embedder = embedder  # the dense model: how close each span is to the question
        self.analyzer = analyzer
        self.gate = gate  # None: every best span answers (what training records)
        self.ranker = ranker  # None: spans rank by coverage alone (what training starts from)
        self.section_words = section_words or {}
        self.record: list[dict[str, float]] | None = None  # features of each decision, for training
        self.record_spans: list[tuple[dict[str, float], str]] | None = None  # ... of each span
        self.texts = texts
        self.programmes_named = programmes_named
        self.programme_titles = programme_titles or {}
        self._evidence_cache: dict[str, list[Evidence]] = {}
        self._question_vectors: dict[str, np.ndarray] = {}
        self.min_support = min_support
        self.max_sentences = max_sentences

    def quoted(self, question: QuestionContext, hits: list[Hit]) -> list[Candidate]:
        """The spans the answer quotes: the selection for the question, or for a comparison whose
        halves ask different things ("Bis wann ... in Sachsen und wer ist beim BMAS
        antragsberechtigt?") the selection for each half."""
        if not question.halves:
            return self.select(question, self.candidates(question, hits))
        chosen: list[Candidate] = []
        for half in question.halves.values():
            picked = self.select(half, self.candidates(half, hits))[:2]
            chosen += [c for c in picked if not any(_overlaps(c, o) for o in chosen)]
        return chosen

    def refusal(self, question: QuestionContext, hits: list[Hit]) -> Refusal | None:
        """Why the question is not answered from these hits (None: it is)."""
        return self.answerable(question, self.candidates(question, hits))[1]

    def draft(self, question: QuestionContext, hits: list[Hit]) -> Draft:
        chosen = self.quoted(question, hits)
        comparing = len(question.programmes) > 1
        lead = None if comparing else yes_no_lead(question, chosen)
        if lead:  # the passage that decides it comes first, right after "Ja"/"Nein" (with the
            # sentence it points back to: "Diese werden ... anerkannt; ... Öffentlichkeitsarbeit.")
            first = deciding_spans(question, chosen)
            if REFERS_BACK.search(first[0].text):
                first = [c for c in chosen if c.end <= first[0].start and _adjacent(c, first[0])] + first
            chosen = [*first, *(c for c in chosen if c not in first)]
        draft = self.render(question, chosen)
        return with_lead(draft, lead) if lead else draft

    def related(self, question: QuestionContext, hits: list[Hit], most: int = 2) -> Draft:
        """Where no span answers: the spans that name what the question asks about (its heaviest
        word that is not a programme's name), best first, to be shown as the closest passages."""
        asked = [i for i, s in enumerate(question.slots) if not s.context]
        if not asked:
            return Draft(sentences=[], sources=[])
        heaviest = max(asked, key=lambda i: question.slots[i].weight)
        chosen: list[Candidate] = []
        for c in self.candidates(question, hits):
            if c.slot_cover[heaviest] >= 1.0 and not any(_overlaps(c, o) for o in chosen):
                chosen.append(c)
            if len(chosen) >= most:
                break
        return self.render(question, chosen)

    def render(self, question: QuestionContext, chosen: list[Candidate]) -> Draft:
        """The chosen spans as numbered sources and answer sentences, each said with its kind of source."""
        comparing = len(question.programmes) > 1
        sources = [
            Source(n=i + 1, doc_id=c.doc_id, start=c.start, end=c.end, quote=c.text, section=c.section)
            for i, c in enumerate(chosen)
        ]
        sentences: list[DraftSentence] = []
        for n, c in enumerate(chosen, start=1):
            # A span of several sentences (a list, a sentence over an address block) becomes
            # several answer sentences, each with its marker, so each is checked on its own.
            pieces = [p.text for p in split_sentences(as_sentence(c.text))]
            prefix = SOURCE_PREFIX[c.kind]
            if comparing and c.programme in self.programme_titles:  # side by side, per programme
                prefix = f"{self.programme_titles[c.programme]} – {prefix[0].lower()}{prefix[1:]}"
            pieces[0] = f"{prefix}: {pieces[0]}"
            sentences.extend(DraftSentence(text=p, refs=[n]) for p in pieces)
        return Draft(sentences=sentences, sources=sources)

    def candidates(self, question: QuestionContext, hits: list[Hit]) -> list[Candidate]:
        """Scored spans of the hits, best first; spans of programmes the question does not
        ask about are left out, unless they name one it asks about (the Saxon call on SINN: then
        they speak for that programme, after its own documents)."""
        out = []
        for rank, hit in enumerate(hits):
            for c in self._spans(question, hit, rank):
                if question.programmes and c.programme not in question.programmes:
                    named = [p for p in self.programmes_named(c.text) if p in question.programmes]
                    if not named:
                        continue
                    c.about = named[0]
                values = span_features(question, c, self.section_words)
                # exp of the listwise logit: proportional to the span's share of the question's
                # softmax, so "nearly as good as the best" is a ratio of two scores
                c.score = self.ranker.probability(values) if self.ranker else values["coverage"]
                if self.record_spans is not None:
                    self.record_spans.append((values, c.text))
                out.append(c)
        return sorted(out, key=lambda c: c.score, reverse=True)

    def answerable(self, question: QuestionContext, ranked: list[Candidate]) -> tuple[list[Candidate], Refusal | None]:
        """The spans that may answer (a question for a figure needs that figure), and why the
        question is not answered, if it is not."""
        if question.figure_types:
            typed = [c for c in ranked if c.has_type]
            if question.figure_types == {"date"} and not (typed and coverage(question, typed[:1]) >= self.min_support):
                # German "wann" asks for a time or for a condition ("Wann gibt es keine
                # Vollfinanzierung?" - "..., wenn ..."): without a dated answer, a condition answers.
                typed = [c for c in ranked if c.has_type or CONDITION.search(c.text)]
            if ranked and not typed:
                return [], "figure_missing"
            ranked = typed
        if not ranked:
            return [], "no_evidence"
        if self.record is not None:
            self.record.append(features(question, ranked))
        if any(s.unheard for s in question.slots):
            return [], "unheard"  # "Welche Zinsen ...?" asks for things of a kind the documents never name
        if any(s.named and not ranked[0].slot_cover[i] for i, s in enumerate(question.slots)):
            return [], "abbreviation"  # "Welche Förderquote gilt bei der KfW?": a passage without the KfW
        if self.gate is not None and not self.gate.answers(question, ranked):
            return [], "gate"  # the learned decision (assistant/gate.py): the best span does not answer it
        return ranked, None

    def select(self, question: QuestionContext, ranked: list[Candidate]) -> list[Candidate]:
        """The answer's spans, or [] when the evidence does not answer the question."""
        ranked, refusal = self.answerable(question, ranked)
        if refusal is not None:
            return []
        chosen = [ranked[0]]
        # The sentence right before or after the best one, where it adds to what is covered:
        # rules often take two sentences ("... auf Ausgabenbasis oder auf Kostenbasis erfolgen.
        # Eine Vermischung beider Formen ist nicht möglich."). A best sentence that points back
        # ("Dies bedeutet, dass ... der oben Genannten ...") needs the one before it in any case.
        refers_back = bool(REFERS_BACK.search(chosen[0].text))
        # "Wer darf ... prüfen?" may have several answers in a row: "... sind die
        # Bewilligungsbehörde und das BMAS berechtigt, ... zu prüfen. Der Bundesrechnungshof ist
        # ... zur Prüfung berechtigt." The next sentence goes on if it says the same of another.
        several = bool({"who", "list"} & question.types)
        neighbours = [c for c in ranked[1:] if _adjacent(c, chosen[0]) and not c.is_list]
        # (what it adds must be asked: a neighbour that only names the programme adds nothing)
        joined = next((c for c in neighbours
                       if coverage(question, [chosen[0], c], context=False) > coverage(question, chosen[:1], context=False)
                       or (refers_back and c.end <= chosen[0].start)), None)  # fmt: skip
        if joined is None and several:
            joined = next((c for c in neighbours if c.start >= chosen[0].end and _continues(chosen[0], c)), None)
        if joined is not None:
            chosen = sorted([chosen[0], joined], key=lambda c: c.start)  # in reading order
        comparing = len(question.programmes) > 1
        if comparing:  # each programme the question compares gets its best passage first, where that
            # answers its part of the question (not the validity of one for the running time of the other)
            for programme in question.programmes:
                if programme in {c.subject for c in chosen}:
                    continue
                best = next((c for c in ranked if c.subject == programme
                             and not any(_overlaps(c, o) for o in chosen)), None)  # fmt: skip
                if best is not None and coverage(question, [best]) >= COMPARED_SHARE * self.min_support:
                    chosen.append(best)
        for cand in ranked[1:]:
            if len(chosen) >= self.max_sentences:
                break
            if any(_overlaps(cand, c) for c in chosen):
                continue
            gain = coverage(question, [*chosen, cand]) - coverage(question, chosen)
            # nearly as good as the best, or good and adding words of the question (scores are
            # the ranker's beliefs: a second or third passage often holds the fact the best lacks)
            if cand.score >= 0.8 * ranked[0].score or (gain >= 0.15 and cand.score >= 0.5 * ranked[0].score):
                chosen.append(cand)
        return chosen


    # -- scoring ------------------------------------------------------------------------------
    def _spans(self, question: QuestionContext, hit: Hit, rank: int) -> list[Candidate]:
        chunk = hit.chunk
        out: list[Candidate] = []
        asked = self._question_vector(question.text) if self.embedder is not None else None
        for span, terms, context_terms, vector in self._evidence(chunk):
            has_type = _has_type(question.figure_types - {"count"}, span.text) or (
                "count" in question.figure_types and self._counts(span.text, question.counted)
            )
            answers = has_type or (not question.figure_types and (
                ("who" in question.types and _ELIGIBLE.search(span.text) is not None)
                or ("where" in question.types and _ADDRESS.search(span.text) is not None)))  # fmt: skip
            runs = RUNS_UNTIL.search(span.text) is not None
            cover = tuple(1.0 if chunk.programme in s.names or chunk.doc_id in s.names else
                          max(s.covered(terms, answers, runs), 0.5 * s.covered(context_terms))
                          for s in question.slots)  # fmt: skip
            out.append(Candidate(
                chunk.doc_id, chunk.kind, chunk.programme, span.start, span.end, span.text,
                chunk.section, rank, cover, has_type, span.is_list,
                dense=float(vector @ asked) if asked is not None and vector is not None else 0.0,
            ))  # fmt: skip
        return out

    def _question_vector(self, text: str) -> np.ndarray:
        """The question's dense vector (the retrieval embedded the same text just before)."""
        if text not in self._question_vectors:
            if len(self._question_vectors) > 1000:
                self._question_vectors.clear()
            self._question_vectors[text] = self.embedder.embed_query([text])[0]
        return self._question_vectors[text]

    def warm(self, chunks: Iterable[Chunk], vectors_file: Path | None = None) -> None:
        """Work out the evidence of every chunk now (its spans' vectors among it), not during
        the first questions that reach them. `vectors_file` keeps the spans' vectors between
        processes (keyed by the model and a hash of the text), so only new spans are embedded."""
        pending = [c for c in chunks if c.id not in self._evidence_cache]
        for chunk in pending:
            self._evidence(chunk, embed=False)
        if self.embedder is None:
            return
        entries = [(c.id, i) for c in pending for i in range(len(self._evidence_cache[c.id]))]
        keys = [_span_key(self.embedder.name, self._evidence_cache[cid][i][0].text) for cid, i in entries]
        known = _load_vectors(vectors_file)
        missing = sorted({k for k in keys if k not in known})
        if missing:
            texts = {k: self._evidence_cache[cid][i][0].text for k, (cid, i) in zip(keys, entries, strict=True)}
            known.update(zip(missing, self.embedder.embed([texts[k] for k in missing]), strict=True))
            _save_vectors(vectors_file, known)
        for key, (cid, i) in zip(keys, entries, strict=True):
            self._evidence_cache[cid][i] = (*self._evidence_cache[cid][i][:3], known[key])

    def _counts(self, text: str, counted: frozenset[str]) -> bool:
        """Whether a span gives a count, of the counted thing where the question names it
        ("mit dem vierten Förderaufruf" for "Wie viele Förderaufrufe ..."); "alle" counts the
        thing the question names ("alle Regionen Sachsens" for "Wie viele Regionen ..."); a number
        of a date counts nothing."""
        dated = [(d.start, d.end) for d in find_dates(text)]  # "bis zum 7. Mai 2026 Projektvorschläge": no count
        for m in (_COUNT.finditer(text) if not counted else chain(_COUNT.finditer(text), _ALL.finditer(text))):
            if any(a <= m.start() < b for a, b in dated):
                continue
            if not counted:
                return True
            after = _COUNT_REACH.match(text[m.end():])
            if after and any(t.startswith(c) for t in self.analyzer.terms(after.group()) for c in counted):
                return True
        return False

    def _evidence(self, chunk: Chunk, embed: bool = True) -> list[Evidence]:
        """A chunk's evidence spans with their terms, context terms and dense vectors; the same
        for every question, so worked out once per chunk (instruction-like text is dropped here)."""
        if (cached := self._evidence_cache.get(chunk.id)) is not None:
            return cached
        header_terms = frozenset(self.analyzer.terms(chunk.header))
        spans = [s for s in _evidence_spans(chunk, self.texts(chunk.doc_id)) if not INSTRUCTION_LIKE.search(s.text)]
        vectors = self.embedder.embed([s.text for s in spans]) if embed and self.embedder and spans else None
        prepared: list[Evidence] = [
            (span, self._terms(f"{span.text} {span.implied}"),
             header_terms | frozenset(self.analyzer.terms(span.frame)), None if vectors is None else vectors[i])
            for i, span in enumerate(spans)
        ]
        if len(self._evidence_cache) >= EVIDENCE_CACHE_CHUNKS:
            self._evidence_cache.clear()
        self._evidence_cache[chunk.id] = prepared
        return prepared

    def _terms(self, text: str) -> frozenset[str]:
        """A span's terms, with its separable verbs joined ("wählt ... aus" also as "auswähl") and
        its derived words also as their base ("Prüfung" also as "prüf", "restlich" as "rest")."""
        terms = self.analyzer.terms(text)
        joined = [t for _, word in self.analyzer.separable_verbs(text) for t in self.analyzer.terms(word)]
        return frozenset(terms) | frozenset(joined) | frozenset(base_of(t) for t in terms)


def with_lead(draft: Draft, lead: str) -> Draft:
    """The draft with "Ja"/"Nein"/"Nur unter Bedingungen" before its first sentence, which names
    its source ("Laut Förderrichtlinie: ..." -> "Nein – laut Förderrichtlinie: ...")."""
    if not draft.sentences:
        return draft
    first = draft.sentences[0]
    text = f"{LEADS[lead]} – {first.text[0].lower()}{first.text[1:]}"
    return draft.model_copy(update={"sentences": [first.model_copy(update={"text": text}), *draft.sentences[1:]]})


def promoted(draft: Draft, first: Callable[[Source], bool]) -> Draft:
    """The draft with the sentences of the sources that `first` picks moved to the front, the
    sources numbered anew in that order."""
    order = sorted(draft.sources, key=lambda src: not first(src))  # stable: otherwise as before
    number = {src.n: i for i, src in enumerate(order, start=1)}
    sentences = sorted(draft.sentences, key=lambda st: min(number[r] for r in st.refs))
    return Draft(
        sentences=[st.model_copy(update={"refs": [number[r] for r in st.refs]}) for st in sentences],
        sources=[src.model_copy(update={"n": number[src.n]}) for src in order],
    )


def deciding_spans(question: QuestionContext, chosen: list[Candidate]) -> list[Candidate]:
    """The best span with a neighbour that covers more of the question ("... entweder auf
    Ausgabenbasis oder auf Kostenbasis ... Eine Vermischung beider Formen ist nicht möglich."),
    in reading order."""
    best = max(chosen, key=lambda c: c.score)
    adds = [c for c in chosen if c is not best and _adjacent(c, best)
            and any(x > y for x, y in zip(c.slot_cover, best.slot_cover, strict=True))]  # fmt: skip
    return sorted([best, *adds], key=lambda c: c.start)


def yes_no_lead(question: QuestionContext, chosen: list[Candidate]) -> str | None:
    """"ja", "nein" or "bedingt" for a yes/no question whose best passage decides it, else None.

    It decides where it covers the question nearly in full, names its weightiest words itself,
    holds every figure the question states, and (with the neighbour that completes it) denies,
    restricts or grants without mixing these."""
    if (not chosen or "yesno" not in question.types or question.figure_types
            or any(s.side for s in question.slots) or DENIAL.search(question.text)
            or _STATUS.search(question.text)):  # fmt: skip
        return None
    best = max(chosen, key=lambda c: c.score)
    if coverage(question, [best]) < LEAD_SUPPORT:  # one passage must be about all of it
        return None
    # ... and name what the question is most about itself, not a relative of it from the lexicon
    # ("Trägerverbünde" for "Einzelträger"): the words that weigh nearly the most
    top = max((s.weight for s in question.slots), default=0.0)
    if any(cover < 1.0 for s, cover in zip(question.slots, best.slot_cover, strict=True) if s.weight >= 0.75 * top):
        return None
    deciding = deciding_spans(question, chosen)  # its neighbour may say how ("... ist nicht möglich")
    text = " ".join(c.text for c in deciding)
    if not figures(question.text) <= figures(best.text, expand=True):
        # "Bekommt ein Einzelträger 400.000 Euro?" is not decided by "... bis zu 300.000 Euro",
        # nor by the next sentence's "Für Trägerverbünde sind bis zu 400.000 Euro ... möglich"
        return None
    denials = len(DENIAL.findall(text))
    restricts, excepts = _qualifies(_RESTRICTS, text, question.text), _qualifies(_EXCEPTS, text, question.text)
    if denials > 1 or excepts or (denials and restricts):
        return None
    return "nein" if denials else "bedingt" if restricts else "ja"


def _qualifies(words: re.Pattern[str], text: str, question: str) -> bool:
    """Whether the passage has one of `words` that the question does not use itself: a word the
    question uses is what it asks about, not a condition on the answer ("Ist KI-Nutzung eine
    Voraussetzung?" - "Voraussetzung für eine Förderung ist ... KI-Technologienutzung.")."""
    asked = question.lower()
    return any(not re.search(rf"\b{re.escape(m.group(0).lower())}\b", asked) for m in words.finditer(text))


def as_sentence(text: str) -> str:
    """One line of prose that ends like a sentence (list lines and headings may not)."""
    flat = " ".join(text.split()).lstrip("•-–*· ")
    return flat if flat.endswith((".", "!", "?", "…")) else flat.rstrip(":;,") + "."


def _has_type(types: set[str], text: str) -> bool:
    """Whether a span holds a figure of one of the wanted kinds."""
    return (
        ("amount" in types and _EURO.search(text) is not None)
        or ("percent" in types and _PERCENT.search(text) is not None)
        or ("date" in types and (bool(find_dates(text)) or _YEAR.search(text) is not None))
        or ("duration" in types and (_DURATION.search(text) or RUNS_UNTIL.search(text)) is not None)
        or ("span" in types and _DURATION.search(text) is not None)
        or ("count" in types and _COUNT.search(text) is not None)
    )


def _figure_count(types: set[str], text: str) -> int:
    """How many amounts or percentages a span holds, where one of them is wanted."""
    return len(_EURO.findall(text)) * ("amount" in types) + len(_PERCENT.findall(text)) * ("percent" in types)


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
    several = (figure and cand.is_list and "list" not in types
               and _figure_count(question.figure_types, text) > 1)  # fmt: skip
    negation = "negation" in types
    denies = DENIAL.search(text) is not None
    heading = {w.lower() for w in re.findall(r"\w+", cand.section)}
    wanted = set().union(*(section_words.get(t, frozenset()) for t in types)) if types else set()
    return {
        "coverage": coverage(question, [cand]),
        "coverage_asked": coverage(question, [cand], context=False),
        "has_type": float(cand.has_type and figure),
        "type_missing": float(figure and not cand.has_type and not several),
        "several_figures": float(several),
        "rank_inverse": 1.0 / (1 + cand.rank),
        "who_named": float("who" in types and _WHO.search(text) is not None),
        "organisation_named": float("who" in types and _ORGANISATION.search(text) is not None),
        "eligible_said": float("who" in types and _ELIGIBLE.search(text) is not None),
        "where_named": float("where" in types and _WHERE.search(text) is not None),
        "where_missing": float("where" in types and _WHERE.search(text) is None),
        "reason_given": float("reason" in types and _REASON.search(text) is not None),
        "negation_met": float(negation and denies),
        "negation_missed": float(negation and not denies),
        "denies_unasked": float(denies and not negation),
        "list_asked": float(cand.is_list and "list" in types),
        "list_unasked": float(cand.is_list and "list" not in types),
        "enumerates": float("list" in types and not cand.is_list and _ENUMERATES.search(text) is not None),
        "section_match": float(bool(heading & wanted) or any(w.startswith(tuple(wanted)) for w in heading)
                               if wanted else False),  # fmt: skip
        "elsewhere": float(cand.about is not None),
        "length_log": math.log1p(len(text)),
        "dense": cand.dense,
    }


def _span_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


def _load_vectors(path: Path | None) -> dict[str, np.ndarray]:
    """Span vectors kept by an earlier process; a missing or unreadable file is an empty cache."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path) as data:
            return {str(k): v for k, v in zip(data["keys"], data["vectors"], strict=True)}
    except (OSError, ValueError, KeyError):
        return {}


def _save_vectors(path: Path | None, vectors: dict[str, np.ndarray]) -> None:
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


def _evidence_spans(chunk: Chunk, doc_text: str | None = None) -> list[EvidenceSpan]:
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
    for i, line in enumerate(lines):
        if line.start >= len(chunk.text):
            break
        if i <= block_until:
            continue
        if _SIGNED.match(line.text):  # "Berlin, den 28. März 2023" / authority / "Im Auftrag" / name
            block = list(takewhile(lambda nxt: len(nxt.text) <= 60 and not nxt.text.isdigit(), lines[i + 1 : i + 6]))
            block_until = i + len(block)
            end = block[-1].end if block else line.end
            spans.append(absolute(line.start, end, implied=SIGNING))
            continue
        if len(line.text) <= 60 and not line.text.endswith(_CLOSED) and not _CONTACT_LINE.match(line.text):
            # a name over its role, organisation, phone and e-mail: whom to contact
            # (a line of prose ends it; "Verein e. V." does not)
            block = list(takewhile(lambda nxt: len(nxt.text) <= 120 and not (nxt.text.endswith(_CLOSED)
                                   and len(nxt.text.split()) > 6), lines[i + 1 : i + 7]))  # fmt: skip
            reach = [k for k, nxt in enumerate(block) if _CONTACT_LINE.match(nxt.text)]
            if reach:
                block_until = i + reach[-1] + 1
                spans.append(absolute(line.start, block[reach[-1]].end, implied=CONTACT))
                continue
        if (numbered := _NUMBERED_PARAGRAPH.match(line.text)) and line.text.endswith(_CLOSED):
            # "5.2 Die Förderquote beträgt 70 Prozent ...": a numbered paragraph, not a heading;
            # its number is no part of what it says
            line = Span(line.start + numbered.end(), line.end, line.text[numbered.end():])
        if (_HEADINGISH.match(line.text) and not DAY_MONTH_YEAR.match(line.text)) or len(line.text) < 12 \
                or line.text.isupper():  # fmt: skip
            # a heading ("6 Art, Umfang", "ZUKUNFTSPLATTFORM ... KOMMT."), not a line opened by a
            # date ("21. September 2023 Erstellt von")
            continue
        if line.text.endswith("?"):
            frame = line.text  # a question in the text: not evidence, but context for the answer
            continue
        sentences = split_sentences(line.text, line.start)
        first = sentences[0]
        if line.text[0].islower() and spans and not spans[-1].text.endswith(_CLOSED):
            # "... hat das BMAS die / Gesellschaft ... / Kronenstraße 6 / als ... beauftragt."
            opener = len(spans) - 1
            while opener > 0 and not spans[opener - 1].text.endswith(_CLOSED) \
                    and len(spans) - opener < 5:  # fmt: skip
                opener -= 1
            head = spans[opener].start - chunk.start
            del spans[opener:]
            spans.append(absolute(head, first.end))
            sentences = sentences[1:]
        # a question in a line ("Sie haben Fragen ...? Sprechen Sie uns an.") states nothing (one
        # after a colon is what the sentence before it says: "... vornehmen: Welches Problem ...?")
        spans.extend(absolute(s.start, s.end) for s in sentences if not _ASKS.fullmatch(s.text.strip()))
        if line.text.endswith(":"):
            items = []
            for nxt in lines[i + 1 : i + 13]:
                if len(nxt.text) > 300 or nxt.text.endswith(":") or (
                    _HEADINGISH.match(nxt.text) and not _ITEM_LABEL.match(nxt.text)
                ):
                    break
                items.append(nxt)
            if items:
                # The whole paragraph introduces the list: its first sentences often name
                # what the list is ("Bezug zu den Handlungsfeldern ... Gefördert werden ...:").
                lists.append(absolute(line.start, items[-1].end, is_list=True))
    return spans + lists


def _continues(first: Candidate, then: Candidate) -> bool:
    """Whether `then` has a word of the question that `first` has, too (both in full)."""
    return any(a == b == 1.0 for a, b in zip(first.slot_cover, then.slot_cover, strict=True))


def _adjacent(a: Candidate, b: Candidate) -> bool:
    """Neighbouring sentences of one paragraph (only spaces between them)."""
    return a.doc_id == b.doc_id and (0 <= b.start - a.end <= 2 or 0 <= a.start - b.end <= 2)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end
