"""Question analysis: a question's content words with their weights (IDF), synonyms, compound
parts and the kinds of answer it wants (`QuestionContext`)."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.dates import RUNS_UNTIL, asked_year
from assistant.lexicon import FIGURE_TYPES, Lexicon, has_umlaut, load_thesaurus
from index.dates import find_dates, find_days_without_year
from index.sparse import STOP_WORDS, TYPO_CUTOFF, TYPO_MIN_LENGTH, GermanAnalyzer, TermStats, base_of, is_content_token
from index.text import ends_any, found

FOLLOW_UP_WEIGHT = 0.5  # words of the earlier question in an elliptical follow-up
CONTEXT_WEIGHT = 0.3  # programme/region words steer retrieval; they are not what is asked
# In German, nouns and names are capitalised; the lower-case words of a question are mostly its
# verbs and particles ("läuft ... ab", "mitmachen") and say less about what is asked.
# A lower-case word the corpus does not use at all ("mitmachen") says least of all.
LOWERCASE_WEIGHT, UNKNOWN_LOWERCASE_WEIGHT = 0.6, 0.25
SYNONYM_CREDIT = 0.7  # a synonym from the lexicon ("Eigenanteil" for "Eigenmittel")
PART_CREDIT = 0.6  # a span that has only some parts of a compound covers it less than the word itself
ALL_PARTS_CREDIT = 0.85  # ... and all of its parts, as separate words, nearly as well
# "40.000 Euro", "1,6 Millionen Euro", "2 Mio. €", "€ 500"
EURO = re.compile(r"\d[\d.\s]*\s*(?:(?:Millionen|Milliarden|Mio|Mrd|Tsd)\.?\s*)?(?:Euro\b|EUR\b|€)|(?:\bEuro|€)\s*\d")
PERCENT = re.compile(r"\d\s*(?:%|Prozent)")
# the smallest sum one gets or may apply for: "mindestens 5.000 Euro", "Kleinförderung: 1.000 bis 5.000
# Euro", "zwischen 300 Euro und 5.000 Euro", "Anträge unter 500 Euro werden nicht bearbeitet", "ab einem
# Betrag von 2.500 Euro"
LEAST = re.compile(
    r"mindestens|\bmindest\w+|untergrenze|bagatell|\bminimum\b|\b(?:unter|ab|zwischen)\s+(?:\w+\s+){0,3}\d"
    r"|\d[\d.\s]*(?:euro|€)?\s*(?:bis|–|-)\s*\d",
    re.IGNORECASE,
)
# a programme's sum, not what one project gets: "Insgesamt stehen 4,5 Millionen Euro zur Verfügung"
TOTAL = re.compile(
    r"gesamtvolumen|fördervolumen|gesamtbudget|budget|haushalt|zur Verfügung|bereitgestellt|bereitstellt|vorgesehen"
    r"|\binsgesamt\b(?!.*\b(?:je|pro)\b)",
    re.IGNORECASE,
)
_CARDINALS = "zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf"
_ORDINALS = "(?:zweit|dritt|viert|fünft|sechst|siebt|acht|neunt|zehnt|zwölft)(?:e|en|er|es|em)"
# A count, also as an ordinal ("der vierte Förderaufruf" says how many there were) and as the
# first part of a numeral adjective ("zweistufig", "dreijährig", "zweifach", "zweimal"), whose
# rest may name what is counted.
COUNT = re.compile(
    rf"\b\d+\b|\b(?:{_CARDINALS})(?:(?P<rest>[a-zäöüß]*(?:ig|fach|mal))(?:e[nmrs]?)?)?\b|\b{_ORDINALS}\b", re.I
)
# A number in a question, also as a word ("der fünfte Förderaufruf"), is what it is about
# ("ein", "elf", "erste" too, which as counts in a passage would say little).
_NUMERAL = re.compile(rf"\d+|ein|elf|{_CARDINALS}|{_ORDINALS}|(?:erst|elft)(?:e|en|er|es|em)")
_CARDINAL = re.compile(rf"\d+|{_CARDINALS}|elf")
_ORDINAL = re.compile(rf"(?:erst|elft)(?:e|en|er|es|em)|{_ORDINALS}")
_WHICH = frozenset({"welche", "welcher", "welches", "welchen", "welchem"})
# "Wie viele Förderaufrufe ...": what is counted; a count answers only next to it.
_COUNTED = re.compile(r"\b(?:wie\s?viele|anzahl\s+(?:der|an|von))\s+(\w+)", re.I)
# "Wie viel Personal ...?" asks how much of a thing that is no money: a count of it answers
# ("13 Vollzeitstellen"), as an amount of money does where the noun is money ("wie viel Geld").
_HOW_MUCH = re.compile(r"\bwie\s?viel\s+(\w+)", re.I)
# An abbreviation names one organisation or thing ("KfW", "BMFSFJ", "ESF"): a passage that does not
# name it does not speak of it, however well it covers the rest of the question. (One the lexicon
# knows with other wordings, "KI" for "Künstliche Intelligenz", is a word like others.)
_ABBREVIATION = re.compile(r"\b(?=\w*[A-ZÄÖÜ]\w*[A-ZÄÖÜ])[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,7}\b")
# A year answers "wann" too: "Seit 2023 ruft das Sozialministerium jährlich ... auf."
_YEAR = re.compile(r"\b(?:[Ss]eit|[Aa]b|[Bb]is|[Ii]m(?: Jahr)?|[Vv]or)\s+(?:19|20)\d{2}\b")
# a length of time, its number also as a word ("mindestens drei Jahre", "binnen zehn Werktagen")
_DURATION = re.compile(
    rf"(?:\d+\s*|\b(?:{_CARDINALS}|elf|ein|eine[mns]?)\s+)(?:Monat|Jahr|Woche|(?:Werk|Arbeits)?[Tt]ag)"
)
# an age: a number of years or a year of life ("ab 60 Jahren", "bis zum vollendeten 27. Lebensjahr")
_AGE = re.compile(rf"\b(?:{_CARDINAL.pattern})\.?\s+(?:Jahr|Lebensjahr)|\b\d+\s*-?\s*[Jj]ährig")
# A deadline is also said as a length of time after or before an event: "spätestens sechs Wochen
# nach Ende des Angebots", "innerhalb von sechs Monaten".
_RELATIVE_DEADLINE = re.compile(
    rf"\b(?:innerhalb\s+(?:von\s+)?|binnen\s+)(?:{_DURATION.pattern})|(?:{_DURATION.pattern})\w*\s+(?:nach|vor)\b"
)
# How long a guideline runs is also said by its end: "tritt am ... außer Kraft", "ist befristet bis ...".
_ENDS = re.compile(r"\baußer\s+Kraft\b|\bbefristet\b|\bendet\b|\bläuft\b[^.;]{0,40}\baus\b", re.IGNORECASE)
# "Wann ...?", "Bis wie viel Uhr ...?" are answered by a time of day or a weekday too.
_TIME_OF_DAY = re.compile(
    r"\b\d{1,2}(?:[.:]\d{2})?\s*Uhr\b|\b(?:montags?|dienstags?|mittwochs?|donnerstags?|freitags?|samstags?|sonntags?)\b",
    re.IGNORECASE,
)
# "Wie erreiche ich ...?": an e-mail address or a phone number ("Tel. 0351 4916-0", "0228 3821-2417").
# An e-mail address also as websites hide it ("name(at)example.org"), a phone number also after
# "Tel.:" and with spaced dashes ("0351 - 123 45").
_MAIL = re.compile(r"[\w.+-]+(?:@|\s?\\?[(\[]at\\?[)\]]\s?)[\w-]+\.[\w.-]+", re.IGNORECASE)
_PHONE = re.compile(r"\b(?:Tel|Telefon|Fon)\b\.?[:\s]*\+?\d|\b0\d{2,5}\s?[/-]?\s?\d{3,}", re.IGNORECASE)
_CONTACT = re.compile(f"{_MAIL.pattern}|{_PHONE.pattern}", re.IGNORECASE)
# a web address: "https://...", "www.foerderbank.example.de", "unter foerderportal.example.de/antrag"
_WEB = re.compile(r"https?://|\bwww\.|(?<![@\w.-])[\w-]+(?:\.[\w-]+)*\.(?:de|eu|org|com|net|info)\b", re.IGNORECASE)
# "Wie oft ...?": "zweimal wöchentlich", "einmal pro Jahr", "monatlich", "in jedem Quartal".
_FREQUENCY = re.compile(
    rf"\b(?:\d+|ein|{_CARDINALS}|elf)\s*-?mal\b"
    r"|\b(?:täglich|wöchentlich|monatlich|jährlich|halbjährlich|vierteljährlich|quartalsweise)\b"
    r"|\b(?:pro|je|jede[ns]?|in jede[mr])\s+(?:Tag|Woche|Monat|Quartal|Halbjahr|Jahr|Schuljahr)\b",
    re.IGNORECASE,
)
# A length of time the question states ("länger als zwei Jahre") asks for one ("Laufzeit von bis zu
# 24 Monaten"): answer type "span"; an end date ("gilt bis 31. Dezember 2024") does not answer it.
_STATED_DURATION = re.compile(rf"\b(?:\d+|ein|eine[mn]?|{_CARDINALS}|elf)\s+(?:Monat|Jahr|Woche)\w*", re.I)
_ERUNG = re.compile(r"(?<=\w{3})erung(?:en)?$")  # the noun of a verb in -ern ("Förderung", "Änderungen")
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
    r"|\bdar?(?:von|für|fuer|zu|an|auf|bei|mit|in|aus|über|ueber)\b"  # "wie viel davon ...?": of what was asked
)
_OF_PLACE = frozenset({"von", "vom", "aus", "bei", "beim"})  # "der Herr von der Bank"
# "Können wir noch einreichen?", "Ist die Frist schon vorbei?" ask about the state on the
# reference date, which no passage decides by itself (the deadline notice says it).
STATUS = re.compile(r"\b(?:noch|schon|bereits|mehr|wieder|jetzt|aktuell|derzeit|zurzeit)\b", re.IGNORECASE)


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
        extra: frozenset[str] = frozenset()
        if has_type and self.typed:
            extra |= self.typed
        if runs and self.running:
            extra |= self.running
        for words in (said, extra):
            if self.stem in words or base_of(self.stem) in words or (self.lemma and self.lemma in words):
                return 1.0
        if self.alternatives & said:
            return SYNONYM_CREDIT
        # German compounds end in their head: "Vermischung" covers "mischen" in part.
        head = PART_CREDIT if len(self.stem) >= 4 and (ends_any(said, self.stem) or ends_any(extra, self.stem)) else 0.0
        terms = said | extra if extra else said
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
    def asks_state(self) -> bool:
        """A yes/no question about the state on the reference date ("Können wir noch einreichen?",
        "Gilt die Richtlinie noch?"), not in a year it names."""
        return {"yesno", "date"} <= self.types and STATUS.search(self.text) is not None and not asked_year(self.text)

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
        covers them by naming them, not by being about the programme. One that asks for a figure
        ("Gilt die Richtlinie in MV noch?", "Wie viel gibt es bei Quartier 2030?") asks it of the programme:
        its passages that hold the figure answer it without naming it."""
        if not self.slots or not all(s.context for s in self.slots) or self.figure_types:
            return self
        return replace(
            self,
            slots=[replace(s, weight=s.weight / CONTEXT_WEIGHT, context=False, names=frozenset()) for s in self.slots],
        )

    def continuing(self, earlier: QuestionContext) -> QuestionContext:
        """This question with what an earlier one asked about: its words at a lower weight (what
        is asked now counts more), and its answer type where this one names none."""
        own = {s.stem for s in self.slots}
        inherited = [replace(s, weight=s.weight * FOLLOW_UP_WEIGHT, side=0) for s in earlier.slots if s.stem not in own]
        types = self.types if self.asks else self.types | earlier.types
        if "amount" in types and "percent" in earlier.types:  # "wie viel davon" of a share: a share
            types = types | {"percent"}
        return replace(
            self,
            slots=[*self.slots, *inherited],
            types=types,
            counted=self.counted or earlier.counted,
        )


def analyse_question(
    text: str,
    analyzer: GermanAnalyzer,
    stats: TermStats,
    lexicon: Lexicon,
    programmes: tuple[str, ...] = (),
    sources: dict[str, frozenset[str]] | None = None,
    places: frozenset[str] = frozenset(),
) -> QuestionContext:
    """Weight the question's words by IDF; map unknown words to close corpus terms (typos).
    `sources`: words of the question that name the issuer of documents it asks about ("laut
    SozialBank") with those documents' ids: like a programme's name, context that their passages cover.
    `places`: words naming a Land no document is about ("in Berlin"): they say where, not what is
    asked, so a passage that only names the place does not answer the question."""
    sources = sources or {}
    thesaurus = load_thesaurus()

    def known_synonyms(word: str) -> frozenset[str]:
        """The stems of the word's OpenThesaurus synonyms that the documents use."""
        return frozenset(t for w in thesaurus.synonyms(word) for t in analyzer.terms(w)[:1] if t in stats.df)

    cased = analyzer.cased_tokens(text)
    # (a question typed in capitals has none: its words are no abbreviations)
    shouted = sum(c.isupper() for c in text) > sum(c.islower() for c in text)
    abbreviations = set() if shouted else {m.group(0).lower() for m in _ABBREVIATION.finditer(text)}
    words = [(tok, cap) for tok, cap in cased if not tok.isdigit()]
    # The first word is capitalised by position only; a question typed all in lower case
    # carries no case signal of its own: its nouns are then the words whose dictionary form is
    # capitalised ("voraussetzungen" -> "Voraussetzung"; "steckt" -> "stecken" is none).
    case_signal = any(cap for _, cap in words[1:])
    truecased = not case_signal and len(words) > 1
    if truecased:
        cased = [(tok, cap if tok.isdigit() else analyzer.is_noun(tok)) for tok, cap in cased]
        case_signal = True
    types = lexicon.answer_types_of(text)
    measured = _measured_noun(text, types, analyzer, lexicon, truecased)
    if measured:
        types.add("count")
    # A figure the question states itself ("die restlichen 10 Prozent") is not the one it asks for.
    # A date in a question about the state is not what it asks ("Gilt die Richtlinie vom 3. Mai
    # noch?" asks whether it is still in force; "Wird es im Jahr 2027 noch gefördert?" when it runs).
    status = "date" in types and STATUS.search(text) is not None  # "Läuft das Programm noch?"
    year = asked_year(text) if status else None
    types -= {t for t in FIGURE_TYPES - {"count"} if holds_type({t}, text) and not (t == "date" and status)}
    if "contact" not in types:  # the kind of a contact the question states itself ("ist info@... richtig?")
        types -= {"mail", "phone"}
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
    either = next(
        (i for i, (tok, _) in enumerate(cased[1:-1], start=1) if tok == "oder" and cased[i + 1][0] in _EITHER), None
    )
    # the noun a "welche" asks for ("Welche drei Ministerien", "Welche neuen Regeln"): the first
    # capitalised word after it, past a number and up to two adjectives
    which = next((i for i, (tok, _) in enumerate(cased) if tok in _WHICH), None)
    asked_noun = (
        None
        if which is None
        else next(
            (i for i, (tok, cap) in enumerate(cased[which + 1 : which + 4], start=which + 1) if cap or not case_signal),
            None,
        )
    )
    for position, (token, capitalised) in enumerate(cased):
        if not is_content_token(token) or (token in light and not capitalised):
            continue
        if token.endswith("hn") and token not in thesaurus.index and token[:-1] + "en" in thesaurus.index:
            token = token[:-1] + "en"  # spoken "losgehn", "stehn": "losgehen", "stehen"
        dictionary_form = analyzer.lemma(token, capitalised)
        if {token, dictionary_form} & lexicon.question_stop_words:
            continue
        if (
            token in lexicon.forms_of_address
            and position + 1 < len(cased)
            and (is_content_token(cased[position + 1][0]) or cased[position + 1][0] in _OF_PLACE)
        ):
            # "Frau X": the name is asked, not the word "Frau" ("Frauen" is no form of address);
            # "der Herr von der Bank": someone of the bank, whom its passages speak of
            continue
        if not capitalised and dictionary_form in STOP_WORDS:
            continue  # a form of a stop word is one too: "hast" of "haben", "unserer" of "unser"
        if position and cased[position - 1][0] in _WHICH and _CARDINAL.fullmatch(token):
            continue  # "Welche drei Ministerien ...?": how many things are asked, not a word to find
            # ("Welche ersten Schritte ...?" asks for the first ones: an ordinal is a word to find)
        word = analyzer.word(token, capitalised)
        stem, parts, lemma = word.stem, word.parts, word.lemma
        if stem not in stats.df and lemma in stats.df:  # a form the corpus uses only otherwise
            stem, lemma = lemma, stem
        if stem not in stats.df and len(stem) >= TYPO_MIN_LENGTH and not stem.isdigit():
            close = stats.closest(stem, cutoff=TYPO_CUTOFF)
            if close and close in stem:  # not a typo: a word built on it ("Kofinanzierung")
                parts = tuple(dict.fromkeys((*parts, close)))
            elif (
                close
                and not lemma
                and stem not in close
                and stem not in synonyms
                and not _of_corpus_words(parts, stats)
                and token not in thesaurus.index
            ):
                # a word the lemmatiser knows ("geschrieben") is no typo, nor one that a longer word
                # is built on ("schließen" in "erschließen", "Projektpartner" in "Teilprojektpartner"),
                # nor a compound of corpus words ("Projektseite" is no "Projektleiter"), nor a word
                # of the lexicon ("ansprechen" is no "Anspruch") or of OpenThesaurus ("Obergrenze"
                # is no "begrenzt")
                stem, parts = close, ()
        elif stem not in stats.df and not lemma and token not in thesaurus.index and (swapped := stats.swapped(stem)):
            stem, parts = swapped, ()  # a short word with two letters swapped ("Antarg")
        if stem in stats.df:
            weight = stats.idf(stem)
        else:
            known_parts = [stats.idf(p) for p in parts if p in stats.df]
            weight = max(known_parts) if known_parts else stats.mean_idf
            if parts and parts[-1] not in stats.df:
                # a compound whose head the corpus never uses ("Arbeitsagentur") names something
                # it does not know: its first part ("Arbeit") neither weighs nor covers it
                weight, parts = stats.mean_idf, ()
        context = (
            lexicon.is_context_word(token)
            or token in sources
            or token in places
            or _names_which(cased, position, lexicon)
        )
        if context:
            weight *= CONTEXT_WEIGHT
        elif case_signal and not _NUMERAL.fullmatch(token) and ((position == 0 and not truecased) or not capitalised):
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
            alternatives = known_synonyms(token)
        names = frozenset(lexicon.programme_candidates(token)) | sources.get(token, frozenset())
        umlauted = has_umlaut(token)
        own_typed = {t for t in typed & {stem, lemma} if umlauted in umlauts.get(t, (umlauted,))} | (typed & set(parts))
        # a word the corpus, the lexicon and the wanted answer know nothing of, nor a place
        unknown = stem not in stats.df and not (
            alternatives or context or own_typed or lexicon.regions_in(token) or _of_corpus_words(parts, stats)
        )
        named = token in abbreviations and not (context or alternatives)
        slots[stem] = Slot(
            stem,
            parts,
            weight,
            frozenset(own_typed),
            alternatives,
            lemma,
            side,
            names,
            context,
            running & {stem, lemma},
            named=named,
            # a compound whose head the corpus uses names a kind of thing it knows ("Querschnittsthemen")
            unheard=position == asked_noun and unknown and not (parts and parts[-1] in stats.df),
            unknown=unknown,
        )
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
    # what "wie viele" counts, or the noun "wie viel" measures ("wie viel Personal")
    m = _COUNTED.search(text) if "count" in types else None
    if m is not None and m.group(1).lower() in STOP_WORDS:
        m = None
    if m is None and measured:
        m = _HOW_MUCH.search(text)
    if m is not None:
        word = analyzer.word(m.group(1).lower(), m.group(1)[0].isupper() or measured)
        # what is counted, or a synonym of it ("Leute" ~ "Stellen": "13 Vollzeitstellen")
        counted = frozenset(t for t in (word.stem, word.lemma) if t)
        counted |= frozenset().union(*(synonyms.get(t, frozenset()) for t in counted))
        # ... or one of its OpenThesaurus synonyms the documents use ("Leute" ~ "Personen"): the
        # thing counted is the sense that picks them
        counted |= known_synonyms(m.group(1))
    return QuestionContext(
        text=text,
        slots=list(slots.values()),
        types=types,
        programmes=programmes,
        counted=counted,
    )


def _names_which(cased: list[tuple[str, bool]], position: int, lexicon: Lexicon) -> bool:
    """Whether the word is an ordinal or a number that says which of a programme's calls or rounds
    is meant ("beim vierten Förderaufruf", "aus dem 4. Aufruf"): part of its name, not the thing asked."""
    token = cased[position][0]
    following = cased[position + 1][0] if position + 1 < len(cased) else ""
    return bool(_ORDINAL.fullmatch(token) or token.isdigit()) and lexicon.is_context_word(following)


def _measured_noun(text: str, types: set[str], analyzer: GermanAnalyzer, lexicon: Lexicon, truecased: bool) -> bool:
    """Whether an amount question asks "wie viel" of a noun that is no money ("wie viel Personal")."""
    if "amount" not in types or (m := _HOW_MUCH.search(text)) is None:
        return False
    token = m.group(1)
    lower = token.lower()
    # typed in lower case: a noun by its dictionary form, or a word of its own dictionary form
    # OpenThesaurus knows ("personal" is also an adjective; "bekommt" is a form of "bekommen"),
    # other than an infinitive ("müssen")
    lemma = analyzer.lemma(lower)
    own_form = lemma == lower and not lower.endswith("n") and lower in load_thesaurus().index
    noun = token[0].isupper() if not truecased else analyzer.is_noun(lower) or own_form
    if lower in STOP_WORDS or lemma in STOP_WORDS or not noun:
        return False
    stem = analyzer.word(lower, True).stem
    money = lexicon.typed_terms({"amount"}, analyzer)
    return not ({stem} | lexicon.synonym_index(analyzer).get(stem, frozenset())) & money


def _of_corpus_words(parts: tuple[str, ...], stats: TermStats) -> bool:
    """A compound made of words the corpus uses ("Projektseite": "Projekt", "Seite")."""
    return bool(parts) and all(p in stats.df for p in parts)


@lru_cache(maxsize=1 << 16)
def _dated(text: str) -> bool:
    """A date, or a day of every year ("bis zum 15. Januar eines Jahres", "jeweils zum 30.09.")."""
    return bool(find_dates(text)) or bool(find_days_without_year(text))


def _ends_dated(text: str) -> bool:
    return found(_ENDS, text) and _dated(text)


def holds_type(types: set[str], text: str) -> bool:
    """Whether a span holds a figure of one of the wanted kinds."""
    return (
        ("amount" in types and not types & {"total", "least"} and found(EURO, text))
        or ("total" in types and found(EURO, text) and found(TOTAL, text))
        or ("least" in types and found(EURO, text) and found(LEAST, text))
        or ("percent" in types and found(PERCENT, text))
        or (
            "date" in types
            and (_dated(text) or found(_YEAR, text) or found(_TIME_OF_DAY, text) or found(_RELATIVE_DEADLINE, text))
        )
        or ("duration" in types and (found(_DURATION, text) or found(RUNS_UNTIL, text) or _ends_dated(text)))
        or ("frequency" in types and found(_FREQUENCY, text))
        or ("contact" in types and found(_MAIL if "mail" in types else _PHONE if "phone" in types else _CONTACT, text))
        or ("web" in types and found(_WEB, text))
        or ("span" in types and found(_DURATION, text))
        or ("age" in types and found(_AGE, text))
        or ("count" in types and found(COUNT, text))
    )


# "Können Sie mir sagen, wie hoch ...?", "kannst du mir bitte die Nummer nennen": a polite frame around
# the question, which asks neither whether one can nor for the frame's verb
_POLITE_FRAME = re.compile(
    r"^\s*(?:(?:hallo|guten\s+(?:tag|morgen))\W+)?(?:k(?:ö|oe)nn(?:en|ten|test)|kannst)\s+(?:sie|du)\s+(?:mir|uns)"
    r"\s+(?:bitte\s+)?(?:(?:sagen|verraten|erklären|erklaeren|mitteilen)\b[\s,:]*)?(?=\w)",
    re.IGNORECASE,
)


def unframed(question: str) -> str:
    """The question a polite frame holds ("Können Sie mir sagen, ob wir ...?" -> "ob wir ...?"), or
    the question itself."""
    return _POLITE_FRAME.sub("", question, count=1)


# "Und für Streetwork?" after "Wie viel gibt es maximal für eine Tagesaufenthaltsstätte?": the same
# question of another thing, named after the same preposition
_PREPOSITIONS = {
    "für": "für", "fuer": "für", "fürs": "für", "fuers": "für", "bei": "bei", "beim": "bei",
    "als": "als", "mit": "mit", "ohne": "ohne", "im": "in", "in": "in",
}  # fmt: skip
_PARALLEL = re.compile(rf"^(?:und|aber|oder)?\s*(?P<prep>{'|'.join(_PREPOSITIONS)})\s+(?P<rest>[^?.!,;]+?)\s*[?.!]*$")
_PHRASE = re.compile(  # a phrase after a preposition, up to the next one or the end of the clause
    rf"\b(?P<prep>{'|'.join(_PREPOSITIONS)})\s.*?(?=\s(?:{'|'.join(_PREPOSITIONS)}|und|oder|pro|je)\s|[?.!,;]|$)",
    re.IGNORECASE,
)


def parallel_question(follow_up: str, earlier: str) -> str | None:
    """The earlier question asked of what a short follow-up names after the same preposition ("Und
    für Streetwork?" -> "Wie viel gibt es maximal für Streetwork?"), or None where it is no such
    follow-up or the earlier question has no phrase after that preposition."""
    asked = _PARALLEL.match(follow_up.strip().lower())
    if asked is None or len(asked.group("rest").split()) > 5:
        return None
    kind = _PREPOSITIONS[asked.group("prep")]
    same = [m for m in _PHRASE.finditer(earlier) if _PREPOSITIONS[m.group("prep").lower()] == kind]
    if not same:
        return None
    last = same[-1]
    return f"{earlier[: last.start()]}{asked.group('prep')} {asked.group('rest')}{earlier[last.end() :]}"
