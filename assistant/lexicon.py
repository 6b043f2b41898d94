"""Loads the domain lexicon (assistant/data/lexicon.yaml) and applies it to a question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources

import yaml

from assistant.knowledge import INFLECTION, ProgrammeNames, fold
from index.sparse import TYPO_MIN_LENGTH, GermanAnalyzer, is_content_token
from index.text import found

EXPANSION_WEIGHT = 0.5  # a synonym's term in a search, against 1.0 for a word of the question


@dataclass(frozen=True)
class Lexicon:
    synonyms: list[list[str]]
    programmes: dict[str, list[str]]
    answer_types: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    question_stop_words: frozenset[str] = frozenset()
    forms_of_address: frozenset[str] = frozenset()  # "Frau", "Herr" before a name
    regions: dict[str, list[str]] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)  # "DE-NI" -> "Niedersachsen"
    context_words: frozenset[str] = frozenset()
    programme_heads: frozenset[str] = frozenset()  # heads that make a compound a programme's name
    type_words: dict[str, list[str]] = field(default_factory=dict)
    level_words: frozenset[str] = frozenset()
    levels: dict[str, list[str]] = field(default_factory=dict)  # "bund" -> words that name it
    sections: dict[str, frozenset[str]] = field(default_factory=dict)  # answer type -> heading words
    light_verbs: dict[str, frozenset[str]] = field(default_factory=dict)  # verb form -> its nouns
    answer_words: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # type -> (about, search)

    def is_context_word(self, token: str) -> bool:
        """True for words that name a programme or a kind of document. Names of Länder are not
        context: a question about another Land must not be answered from Saxon documents."""
        return token in self.context_words or any(token in w for w in self.programmes.values())

    def light_verbs_in(self, question: str) -> frozenset[str]:
        """Verbs of the question that only go with its noun ("einen Antrag stellen"): they are not
        what the question asks about. A capitalised form is the noun ("neue Stellen")."""
        words = re.findall(r"\w+", question)
        nouns = {w.lower() for w in words}
        return frozenset(w for w in words if w.islower() and nouns & self.light_verbs.get(w, frozenset()))

    def without_light_verbs(self, question: str) -> str:
        """The question without its light verbs, for the search."""
        light = self.light_verbs_in(question)
        return re.sub(r"\w+", lambda m: "" if m.group() in light else m.group(), question) if light else question

    def expansions(self, question: str, analyzer: GermanAnalyzer, weight: float = EXPANSION_WEIGHT) -> dict[str, float]:
        """Terms of synonym groups the question touches, and the words its wanted answer is written
        in, minus the terms it already has.

        A one-word entry matches by stem, also as part of a compound ("Einreichungsfrist"
        touches "frist"); an entry of several words matches as a phrase ("bis wann").
        """
        q = question.lower()
        own = set(analyzer.terms(question))
        extra: dict[str, float] = {}
        for group in self.synonyms:
            if any(_touches(q, own, word, analyzer) for word in group):
                for word in group:
                    for term in _terms_of(analyzer, word):
                        if term not in own:
                            extra[term] = weight
        for kind in self.answer_types_of(question) & self.answer_words.keys():
            about, search = self.answer_words[kind]
            if any(_touches(q, own, word, analyzer) for word in about):
                for term in _terms_of(analyzer, " ".join(search)):
                    if term not in own:
                        extra[term] = weight
        return extra

    def synonym_index(self, analyzer: GermanAnalyzer) -> dict[str, frozenset[str]]:
        """For the stem of every one-word entry: the stems of the other words of its groups."""
        key = (id(self), analyzer.version)
        if key not in _SYNONYM_INDEX:
            index: dict[str, set[str]] = {}
            for group in self.synonyms:
                stems = {w: analyzer.terms(w)[:1] for w in group if " " not in w}
                everything = {t for terms in stems.values() for t in terms}
                for terms in stems.values():
                    for stem in terms:
                        index.setdefault(stem, set()).update(everything - {stem})
            _SYNONYM_INDEX[key] = {k: frozenset(v) for k, v in index.items()}
        return _SYNONYM_INDEX[key]

    @staticmethod
    def mentions(question: str, phrase: str) -> bool:
        """Whether the question names the phrase as words of its own (any case)."""
        return _contains(question.lower(), phrase.lower())

    def clauses(self, question: str) -> dict[str, str]:
        """The half of a comparison that asks about each of its two programmes, where the halves
        ask different things ("Bis wann konnte man in Sachsen einreichen und wer ist beim BMAS
        antragsberechtigt?"); {} where both programmes share one question ("Wo ist die Quote
        höher, in Sachsen oder beim BMAS?", "Ist das Verfahren in Sachsen und beim BMAS zweistufig?")."""
        q = question.lower()
        first: dict[str, int] = {}
        named = self.programmes_in(question)
        for pid, words in self.programmes.items():
            if pid not in named:
                continue
            found = [at for w in words for at in _occurrences(q, w)]
            if found:
                first[pid] = min(found)
        if len(first) != 2:
            return {}
        (a, at), (b, bt) = sorted(first.items(), key=lambda kv: kv[1])
        breaks = [m for m in _CLAUSE_BREAK.finditer(q) if at < m.start() and m.end() <= bt]
        if not breaks:
            return {}
        cut = breaks[-1]

        def asks(text: str) -> bool:  # words of its own, not programme names or question particles
            return any(
                is_content_token(w) and w not in self.question_stop_words and not self.is_context_word(w)
                for w in re.findall(r"\w+", text.lower())
            )

        # Two clauses, not two programmes joined in one phrase ("in Sachsen und beim BMAS jeweils
        # zweistufig"): the first goes on after its programme, or the second opens with a question word.
        after_first = re.sub(r"^\W*\w+", "", q[at : cut.start()], count=1)
        # the rest of its name is no words of its own (a leading part, "Demenz-", is no such rest)
        for word in sorted((w for w in self.programmes[a] if not w.endswith("-")), key=len, reverse=True):
            for pos in reversed(_occurrences(after_first, word)):
                after_first = f"{after_first[:pos]} {after_first[pos + len(word) :]}"
        if not (asks(after_first) or _QUESTION_WORD.match(q[cut.end() :])):
            return {}
        halves = {a: question[: cut.start()], b: question[cut.end() :]}
        return halves if all(asks(h) for h in halves.values()) else {}

    def with_programmes(self, names: dict[str, ProgrammeNames]) -> Lexicon:
        """This lexicon with the programme names derived from the indexed documents."""
        return replace(
            self,
            # a leading part stands with a trailing hyphen: it names the programme as a compound's first
            # part before one of the programme heads (none without them)
            programmes={
                pid: sorted(n.own | n.funder | ({f"{w}-" for w in n.leading} if self.programme_heads else set()))
                for pid, n in names.items()
            },
            level_words=self.level_words | {w for n in names.values() for w in n.funder},
        )

    def programme_candidates(self, text: str) -> list[str]:
        """Every programme a word of the text may point at, however many share the word."""
        folded = f" {fold(text)} "
        return [pid for pid, pattern in self._patterns.items() if pattern.search(folded)]

    def programmes_in(self, question: str) -> list[str]:
        """Programmes the question names. A word several programmes share ("BMAS", "Sachsen",
        "Bund") names the one that the question's other words also point at ("beim sächsischen
        Sozialministerium"), or none. One named only by its funder beside one named by its own
        words is that one's funder, not a second programme ("Wie viel bekommt SINN vom
        Sozialministerium?"), unless the question joins two ("... und welche beim Bund?")."""
        folded = self._name_typos_mended(f" {fold(question)} ")
        found = {
            pid: {w for w in words if self._name_pattern(w).search(folded)} for pid, words in self.programmes.items()
        }
        owners: dict[str, set[str]] = {}
        for pid, words in found.items():
            for w in words:
                owners.setdefault(w, set()).add(pid)
        alone = {w for w, pids in owners.items() if len(pids) == 1}
        named = [pid for pid, words in found.items() if words & alone]
        shared = [pids for w, pids in owners.items() if len(pids) > 1 and not pids & set(named)]
        if shared:  # what the shared words have in common, where that is one programme
            common = set.intersection(*shared)
            if len(common) == 1:
                named.append(common.pop())
        named = [pid for pid in self.programmes if pid in named]
        own = any(found[pid] - self._general_words for pid in named)  # one is named by its own words
        if own and not compares(question):
            return [pid for pid in named if not found[pid] <= self.level_words]
        return named

    def _name_typos_mended(self, folded: str) -> str:
        """The folded text with a long word one slip (a letter left out, added, changed or two
        swapped) away from a programme's one-word name written as that name ("teilhabelosten" ->
        "teilhabelotsen"): a name has no synonyms to fall back on."""
        names = self._long_names
        if not names:
            return folded
        known = load_thesaurus().index  # a German word is no slip ("plattform" is no "platform")
        for word in set(_LONG_WORD.findall(folded)).difference(names):
            if word in known:
                continue
            close = next((name for name in names if _one_slip(word, name)), None)
            if close:
                folded = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", close, folded)
        return folded

    @cached_property
    def _long_names(self) -> tuple[str, ...]:
        """The programmes' own one-word names long enough to tell a slip from another word."""
        return tuple(
            sorted(
                {
                    fold(w)
                    for words in self.programmes.values()
                    for w in words
                    if w not in self._general_words and _LONG_WORD.fullmatch(w)
                }
            )
        )

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        return {
            pid: re.compile("|".join(self._name_pattern(w).pattern for w in words))
            for pid, words in self.programmes.items()
            if words
        }

    def _name_pattern(self, word: str) -> re.Pattern[str]:
        """A name in folded text; a compound's first part ("demenz-") where it opens a compound
        whose head names a programme or a guideline: "Demenz-Richtlinie", "Wohnberatungsförderung"."""
        return self._leading_patterns[word] if word.endswith("-") else self._word_pattern(word)

    @cached_property
    def _leading_patterns(self) -> dict[str, re.Pattern[str]]:
        """The pattern of each compound's first part among the names (see `_name_pattern`)."""
        heads = "|".join(re.escape(fold(h)) for h in sorted(self.programme_heads))
        return {
            w: re.compile(rf"(?<![\w]){re.escape(fold(w[:-1]))}\w*\s?(?:{heads})\w*")
            for words in self.programmes.values()
            for w in words
            if w.endswith("-")
        }

    @staticmethod
    @lru_cache(maxsize=8192)
    def _word_pattern(word: str) -> re.Pattern[str]:
        """A name as words of their own in folded text, its last word with any inflection
        ("paritätischer" ~ "Paritätischen", "sächsisch" ~ "saechsischen")."""
        folded = fold(word)
        base = re.sub(f"{INFLECTION}$", "", folded) if len(folded) >= 7 and " " not in folded[-7:] else folded
        return re.compile(rf"(?<![\w]){re.escape(base)}{INFLECTION}?(?![\w])")

    def programmes_named(self, text: str) -> list[str]:
        """Programmes a passage names by a word of their own ("SINN", "BMAS"), not by a Land
        ("Sachsen") or a level ("Bund"): a passage of one programme's document that is about another."""
        t = f" {fold(text)} "
        return [pid for pid, pattern in self._own_names.items() if found(pattern, t)]

    @cached_property
    def _general_words(self) -> frozenset[str]:
        """Programme words that name a level of government or a Land, not the programme itself."""
        return self.level_words | {w for words in self.regions.values() for w in words}

    @cached_property
    def _own_names(self) -> dict[str, re.Pattern[str]]:
        """Per programme, one pattern for the words that name it by itself."""
        # not by a compound's first part: a passage on "Demenzkranke" is not about a dementia programme
        names = {
            pid: [w for w in words if w not in self._general_words and not w.endswith("-")]
            for pid, words in self.programmes.items()
        }
        return {pid: re.compile("|".join(self._name_pattern(w).pattern for w in ws)) for pid, ws in names.items() if ws}

    def regions_in(self, question: str) -> list[str]:
        """Länder named in the question; 'Sachsen-Anhalt' does not also count as 'Sachsen'."""
        q = question.lower()
        found = {
            code: max((len(w) for w in words if _contains(q, w)), default=0) for code, words in self.regions.items()
        }
        named = [code for code, length in found.items() if length]
        longest = {w for code in named for w in self.regions[code] if _contains(q, w)}
        return [
            c
            for c in named
            if any(w in longest and not any(w != o and w in o for o in longest) for w in self.regions[c])
        ]

    def typed_terms(self, types: set[str], analyzer: GermanAnalyzer) -> frozenset[str]:
        """Stems of the words that an answer of one of `types` covers by itself (a date "Frist",
        who is eligible "Antrag", an address "Sitz")."""
        # the words' own stems: "Projektdauer" is answered by a duration, "Projekt" is not
        words = (w for t in types for w in self.type_words.get(t, []))
        return frozenset(terms[0] for w in words if (terms := _terms_of(analyzer, w)))

    def typed_umlauts(self, types: set[str], analyzer: GermanAnalyzer) -> dict[str, frozenset[bool]]:
        """For each stem of `typed_terms`: whether its words carry an umlaut. Stems fold umlauts,
        words do not: "zählt" asks for a weight, "zahlt" (pays) does not."""
        out: dict[str, set[bool]] = {}
        for word in (w for t in types for w in self.type_words.get(t, [])):
            if terms := _terms_of(analyzer, word):
                out.setdefault(terms[0], set()).add(has_umlaut(word))
        return {stem: frozenset(marks) for stem, marks in out.items()}

    @cached_property
    def _paying_words(self) -> frozenset[str]:
        """Words that an amount and a share both answer ("übernimmt", "zahlt")."""
        return frozenset(self.type_words.get("amount", [])) & frozenset(self.type_words.get("percent", []))

    def answer_types_of(self, question: str) -> set[str]:
        # A follow-up often opens with a conjunction: "Und wer ist da zuständig?" asks "wer".
        q = _OPENER.sub("", question.lower().strip())
        # "zusätzlich noch", "trotzdem noch" add to or concede something: no "still" of a deadline
        # ("Dürfen wir zusätzlich noch EU-Mittel beantragen?" asks whether, not until when)
        q = _ADDING_NOCH.sub(" ", q)
        types = {name for name, pats in self.answer_types.items() if any(p.search(q) for p in pats)}
        if "time" in types:  # "wie viel Zeit": a length of time
            types -= {"time", "level"}
            types.add("duration")
        if "level" in types:  # how high: an amount, unless it asks for a share
            types.discard("level")
            if "percent" not in types:
                types.add("amount")
                # "Wie viel übernimmt das Land?": a verb of paying that a sum and a share both answer
                if set(re.findall(r"\w+", q)) & self._paying_words:
                    types.add("percent")
        if "sum_or_share" in types:  # ... unless it asks whether there is one ("Gibt es eine Pauschale?")
            types.discard("sum_or_share")
            types |= {"percent"} if "yesno" in types else {"amount", "percent"}
        if "maximum" in types:  # a maximum of what the question asks for, or else of money
            types.discard("maximum")
            if not types & FIGURE_TYPES:
                types.add("amount")
        if "total" in types:  # the sum a programme has, not what one project gets
            types.discard("total")
            if "amount" in types and "per_unit" not in types:
                types.add("total")
        types.discard("per_unit")
        asked = types & {"mail", "phone"}  # a contact, of one kind where the question names one only
        types -= asked
        if asked:
            types.add("contact")
        if len(asked) == 1:
            types |= asked
        if "least" in types:  # the smallest sum, not a maximum; "Gibt es eine Untergrenze?": of money
            types.discard("least")
            if not types & FIGURE_TYPES:
                types.add("amount")
            if "amount" in types and "total" not in types:
                types.add("least")
        if "form_choice" in types:  # which form of financing: its name answers, not a sum or a share
            types -= {"form_choice", "amount", "percent", "least"}
        if "reason" in types:  # "Warum braucht man so viel Geld?" asks for a reason, not for a sum
            types -= FIGURE_TYPES
        return types


# answer types that are figures ("span": a length of time the question states itself; "mail" and
# "phone": the one kind of contact asked for)
FIGURE_TYPES = frozenset(
    {
        "amount",
        "total",
        "least",
        "percent",
        "date",
        "duration",
        "span",
        "count",
        "frequency",
        "contact",
        "mail",
        "phone",
        "web",
        "age",
    }
)
_CLAUSE_BREAK = re.compile(r",\s*|\s+(?:und|oder|bzw\.?|sowie|aber)\s+", re.IGNORECASE)
_QUESTION_WORD = re.compile(  # also after a preposition: "bis wann", "an wen", "in welchem"
    r"(?:(?:bis|ab|seit|in|an|bei|für|mit|von|zu|aus|auf|über|unter|nach)\s+)?"
    r"(?:wie|wann|was|wer|wen|wem|wo|welche\w*|warum|wieso|weshalb|wozu|wo(?:hin|her|mit|für|rauf))\b"
)
# two things joined or compared
_COMPARES = re.compile(rf"{_CLAUSE_BREAK.pattern}|vergleich|\bvs\b|\bversus\b", re.IGNORECASE)


def compares(question: str) -> bool:
    """Whether the question joins or compares two things ("A oder B", "A vs. B", "im Vergleich")."""
    return _COMPARES.search(question) is not None


_UMLAUT = re.compile("[äöüÄÖÜ]")
_ADDING_NOCH = re.compile(
    r"\b(?:(?<=zusätzlich )|(?<=zusaetzlich )|(?<=trotzdem ))noch\b"
    r"|\bnoch\b(?= (?:zusätzlich|zusaetzlich|extra|dazu|obendrauf|andere)\b)"
)
_LONG_WORD = re.compile(rf"\w{{{TYPO_MIN_LENGTH},}}")
_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")


def has_umlaut(word: str) -> bool:
    return _UMLAUT.search(word) is not None


_OPENER = re.compile(r"^(?:(?:und|aber|also|ok|okay|gut|danke|noch was)\b[,.!]?\s*)+")
_SYNONYM_INDEX: dict[tuple[int, str], dict[str, frozenset[str]]] = {}


def _touches(question: str, terms: set[str], word: str, analyzer: GermanAnalyzer) -> bool:
    if " " in word:
        return _contains(question, word)
    stems = _terms_of(analyzer, word)
    return bool(stems) and stems[0] in terms


@lru_cache(maxsize=4096)
def _terms_of(analyzer: GermanAnalyzer, words: str) -> tuple[str, ...]:
    """A lexicon entry's terms: the same for every question, so worked out once."""
    return tuple(analyzer.terms(words))


def _occurrences(text: str, phrase: str) -> list[int]:
    """Where the phrase stands in the text as words of its own."""
    if phrase.endswith("-"):  # a compound's first part (see Lexicon.with_programmes)
        return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(phrase[:-1])}", text)]
    if phrase not in text:  # most phrases are not in a question at all; this is quick to say
        return []
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]


def _contains(text: str, phrase: str) -> bool:
    return bool(_occurrences(text, phrase))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    raw = yaml.safe_load(resources.files("assistant").joinpath("data/lexicon.yaml").read_text("utf-8"))
    return Lexicon(
        synonyms=[[w.lower() for w in g] for g in raw.get("synonyms", [])],
        programmes={},  # derived from the documents: Lexicon.with_programmes
        answer_types={k: [re.compile(p) for p in v] for k, v in raw.get("answer_types", {}).items()},
        question_stop_words=frozenset(w.lower() for w in raw.get("question_stop_words", [])),
        forms_of_address=frozenset(w.lower() for w in raw.get("forms_of_address", [])),
        regions={k: _inflected([w.lower() for w in v]) for k, v in raw.get("regions", {}).items()},
        region_names={k: v[0] for k, v in raw.get("regions", {}).items()},
        context_words=frozenset(w.lower() for w in raw.get("context_words", [])),
        programme_heads=frozenset(w.lower() for w in raw.get("programme_heads", [])),
        type_words={k: [w.lower() for w in v] for k, v in raw.get("type_words", {}).items()},
        levels={k: [w.lower() for w in v] for k, v in raw.get("levels", {}).items()},
        sections={k: frozenset(w.lower() for w in v) for k, v in raw.get("sections", {}).items()},
        level_words=frozenset(w.lower() for v in raw.get("levels", {}).values() for w in v),
        answer_words={
            k: ([w.lower() for w in v["about"]], [w.lower() for w in v["search"]])
            for k, v in raw.get("answer_words", {}).items()
        },
        light_verbs={
            verb.lower(): frozenset(n.lower() for n in group["nouns"])
            for group in raw.get("light_verbs", [])
            for verb in group["verbs"]
        },
    )


def _inflected(words: list[str]) -> list[str]:
    """The words with the inflected forms of its adjectives ("saarländisch" -> "saarländische", ...)."""
    return list(dict.fromkeys([*words, *(w + e for w in words if w.endswith("isch") for e in _ADJECTIVE_ENDINGS)]))


@dataclass(frozen=True)
class Thesaurus:
    """OpenThesaurus (assistant/data/openthesaurus.txt.gz, LGPL): for a single word, the single
    words of every synonym set it belongs to ("Kohle (ugs.)" ~ "Geld" ~ "Zaster (ugs.)")."""

    sets: tuple[tuple[str, ...], ...]
    index: dict[str, tuple[int, ...]]

    def synonyms(self, word: str) -> frozenset[str]:
        word = word.lower()
        return frozenset(w for i in self.index.get(word, ()) for w in self.sets[i] if w != word)


@lru_cache(maxsize=1)
def load_thesaurus() -> Thesaurus:
    import gzip

    raw = gzip.decompress(resources.files("assistant").joinpath("data/openthesaurus.txt.gz").read_bytes())
    sets: list[tuple[str, ...]] = []
    index: dict[str, list[int]] = {}
    for line in raw.decode("utf-8").splitlines():
        if line.startswith("#"):
            continue
        words = []
        for entry in line.split(";"):
            word = re.sub(r"\([^)]*\)", "", entry).strip().lower()
            if word and " " not in word:  # phrases ("viel Geld") are no single word to match
                words.append(word)
        if len(words) > 1:
            for w in words:
                index.setdefault(w, []).append(len(sets))
            sets.append(tuple(words))
    return Thesaurus(tuple(sets), {w: tuple(ids) for w, ids in index.items()})


def _one_slip(word: str, name: str) -> bool:
    """Whether `word` is `name` with one letter left out, added, changed, or two neighbours swapped."""
    if word == name or abs(len(word) - len(name)) > 1:
        return False
    if len(word) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(word, name, strict=True)) if a != b]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == name[diff[1]]
            and word[diff[1]] == name[diff[0]]
        )
    short, long = sorted((word, name), key=len)
    i = next((i for i, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short))
    return short[i:] == long[i + 1 :]
