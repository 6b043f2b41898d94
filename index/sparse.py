"""German sparse encoder: tokens, stop words, compound splitting, Snowball stems, BM25 weights.

Qdrant applies the IDF part at query time (sparse vector modifier IDF); documents carry the
saturated term frequency, queries carry one weight per distinct term.
"""

from __future__ import annotations

import difflib
import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

import Stemmer

ANALYZER_VERSION = "de-snowball-compound-lemma-v18"
# char_split scores below this are guesses ("Verfahren" -> "Verf" + "ahren"), not compounds.
MIN_SPLIT_SCORE = 0.4

_TOKEN = re.compile(r"\d+(?:[.\s]\d{3})+(?!\d)|\d+(?:,\d+)?|[^\W\d_]+", re.UNICODE)

STOP_WORDS = frozenset(
    """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
    auch auf aus bei beim bin bis bist da dadurch daher dafür dagegen damit dann dar daran darauf
    daraus darf darin darum darunter das dass dazu dein deine dem den denen denn der deren des
    dessen deshalb dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine
    einem einen einer eines einige einigen einiger er es etwas euch euer eure für gegen gewesen
    hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
    im in indem ins ist ja jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann
    kannst können könnte man manche manchem manchen mancher manches mein meine mich mir mit muss
    musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines
    selbst sich sie sind so solche solchem solchen solcher soll sollen sollte sondern sonst um und
    uns unser unsere unter viel vom von vor war waren warst was weg weil welche welchem welchen
    welcher welches wenn wer werde werden wie wieder will wir wird wirst wo wollen wollte würde
    würden zu zum zur zwar zwischen bzw ggf z b d h u a eigentlich mal gibt geht bitte denn
    genau überhaupt schon wann warum wieso weshalb wieviel welch unserem unseren eurer
    ne nen nem ner nes wieviele wievielen wievieler wievieles fürs fuers aufs ums übers uebers durchs sowas
    is nich nix jetz ham selber
    woher wohin womit wofür wozu woran worauf worüber wodurch wovon worin weswegen inwiefern inwieweit wessen
    davon danach darüber daneben dazwischen dahinter davor
    """.split()  # last lines: spoken articles ("ne Frist"), "wieviele", contractions ("fürs" = "für das"),
    # spoken forms ("is das ...?" = "ist das", "nich" = "nicht", "ham wir" = "haben wir", "selber" = "selbst")
    # and the question words of the "wo-" adverbs, as the "da-" ones ("wofür" as "dafür")
)


# Particles of German separable verbs; in a main clause they stand at its end, apart from the
# verb ("Die SAB wählt die Projekte ... aus", "Welche Partner wirken ... mit?").
SEPARABLE_PARTICLES = frozenset(
    "ab an auf aus bei ein fest fort her heraus hin hinzu los mit nach statt teil vor vorbei weg weiter "
    "zu zurück zusammen".split()
)
_HYPHENATED = re.compile(r"\b[^\W\d_]{2,}(?:-[^\W\d_]{2,})+\b")
_PERCENT_SIGN = re.compile(r"%")  # "90 %" and "90 Prozent" are the same words
_PARAGRAPH_SIGN = re.compile(r"§+")  # "§§ 23 und 44 BHO": the paragraphs a question names in words
_IERT = re.compile(r"(?<=\w\w)iert(?:e|en|es|er|em)?$")
# the period of an ordinal or a date ("aus dem 4. Aufruf", "ab 1. Januar") ends no clause
_CLAUSE = re.compile(r"(?<!\d)\.|[!?;:,()\n]|\b(?:und|oder|aber|sondern)\b")
# A word of at least this many letters that the corpus does not know is a slip of the closest
# word it knows, where their difflib ratio reaches the cutoff ("Förderqoute" -> "Förderquote").
TYPO_MIN_LENGTH = 7
TYPO_CUTOFF = 0.85
_ARTICLES = frozenset("der die das den dem des ein eine einen einem einer es sie er man wir ihr".split())
# Spoken German puts a phrase after the particle: "Wann geht's los mit den Projekten?"
_TRAILING = frozenset("mit bei beim für fürs fuer in im von vom zum zur nach über ueber".split())


def is_content_token(token: str) -> bool:
    """Whether a lower-case token carries content: no stop word, no single letter."""
    return token not in STOP_WORDS and (len(token) >= 2 or token.isdigit())


def base_of(stem: str) -> str:
    """The stem a derived word comes from: the verb of a noun in -ung ("prufung" -> "pruf",
    "einreichung" -> "einreich"), the noun of an adjective in -lich ("restlich" -> "rest",
    "zeitlich" -> "zeit"); other stems stay as they are."""
    if stem.endswith("ung") and len(stem) >= 7:
        return stem[:-3]
    if stem.endswith("lich") and len(stem) >= 8:
        return stem[:-4]
    return stem


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


def term_index(term: str) -> int:
    """Stable 31-bit id of a term (the same in every process and version)."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


class GermanAnalyzer:
    """Turns German text into index terms: stems of words and of their compound parts."""

    version = ANALYZER_VERSION

    def __init__(self, split_compounds: bool = True) -> None:
        self._stemmer = Stemmer.Stemmer("german")
        self._split = split_compounds

    def tokens(self, text: str) -> list[str]:
        return [tok for tok, _ in self.cased_tokens(text)]

    def cased_tokens(self, text: str) -> list[tuple[str, bool]]:
        """Lower-case tokens (numbers without thousands separators) with a flag for a capital
        first letter (in German: mostly nouns and names)."""
        return [
            (re.sub(r"[.\s]", "", raw), False) if raw[0].isdigit() else (raw.lower(), raw[0].isupper())
            for raw in _TOKEN.findall(_PARAGRAPH_SIGN.sub(" Paragraph ", _PERCENT_SIGN.sub(" Prozent ", text)))
        ]

    def separable_verbs(self, text: str) -> list[tuple[str, str]]:
        """(verb, joined) for each clause that ends in a separable particle, or has one right before a
        trailing phrase ("geht's los mit ..."): the clause's first lower-case content word is taken
        as its verb ("wirken ... mit" -> "mitwirken")."""
        found: list[tuple[str, str]] = []
        for clause in _CLAUSE.split(text):
            words = self.cased_tokens(clause)
            trailed = next(
                (
                    i
                    for i in range(2, len(words) - 1)
                    if not words[i][1] and words[i][0] in SEPARABLE_PARTICLES and words[i + 1][0] in _TRAILING
                ),
                None,
            )
            words = words[: trailed + 1] if trailed is not None else words
            if len(words) < 3 or words[-1][1] or words[-1][0] not in SEPARABLE_PARTICLES:
                continue
            if words[-2][0] in ("bis", "von", "ab"):  # "bis zu", "von ... ab": prepositions, not particles
                continue
            if words[0][0] not in STOP_WORDS and words[1][0] in _ARTICLES:
                verb: str | None = words[0][0]  # the verb comes first: "Läuft die Frist bald ab?"
            else:
                verb = next(
                    (
                        tok
                        for tok, cap in words[:-1]
                        if not cap
                        and not tok.isdigit()
                        and tok not in STOP_WORDS
                        and len(tok) > 2
                        and not self.is_noun(tok)  # a noun typed in lower case: "welche partner machen ... mit"
                        and self._joins(words[-1][0], tok)  # "wer ist außer X noch mit im boot": no verb
                    ),
                    None,
                )
            if verb:
                found.append((verb, words[-1][0] + self._verb_base(verb)))
        return found

    def _joins(self, particle: str, token: str) -> bool:
        """Whether a token may be the verb of a separable particle: a word the lemmatiser does not
        know that ends like a verb's form (spoken "gehts"; not a misspelt noun), or one whose joined
        form it knows ("wirken" + "mit": "mitwirken"; "außer" + "mit" is no word)."""
        if not _known(token):
            return token.endswith(("t", "n", "e", "ts"))
        return _known(particle + self._verb_base(token))

    def _verb_base(self, verb: str) -> str:
        """What a separable particle is joined to: the verb's infinitive where the lemmatiser knows
        it ("fängt ... an" -> "anfangen", "geht's los" -> "losgehen"), else the form without its -t
        ("wählt ... aus" -> "auswähl", like "Auswahl")."""
        spoken = verb[:-1] if verb.endswith("ts") and len(verb) > 4 else verb  # "gehts": "geht es"
        infinitive = self.lemma(spoken)
        if infinitive != spoken and infinitive.endswith("en") and infinitive.isalpha():
            return infinitive
        return spoken[:-1] if spoken.endswith("t") and len(spoken) > 4 else spoken

    def terms(self, text: str) -> list[str]:
        """Index terms of a text: per word its stem, its compound parts and its lemma's stem; a
        hyphenated compound also as one word ("Crowd-Funding" also as "Crowdfunding")."""
        terms: list[str] = []
        for token, capitalised in self.cased_tokens(text):
            if not is_content_token(token):
                continue
            word = self.word(token, capitalised)
            terms.append(word.stem)
            terms.extend(word.parts)
            if word.lemma:
                terms.append(word.lemma)
        terms.extend(self.word(m.group().replace("-", "").lower()).stem for m in _HYPHENATED.finditer(text))
        return terms

    @lru_cache(maxsize=200_000)  # noqa: B019 - one analyzer per process, bounded cache
    def word(self, token: str, capitalised: bool = False) -> Word:
        """One lower-case token as terms; `capitalised` tells a noun ("Ausgaben") from a verb form
        ("ausgaben") when looking up its lemma."""
        if token.isdigit():
            return Word(token)
        # Snowball keeps the -t of verb forms: "registriert" would not meet "registrieren".
        # Verbs in -ieren are unambiguous, so their forms in -iert(e/en/es/er/em) go to -ieren.
        base = _IERT.sub("ieren", token)
        stem = self._stemmer.stemWord(base)
        # The lemma joins what stems keep apart: "gefördert" ~ "fördern", "gab" ~ "geben".
        lemma = self._stemmer.stemWord(self.lemma(token, capitalised))
        lemma = lemma if lemma != stem and len(lemma) >= 3 else ""
        if not self._split or len(base) < 8:
            return Word(stem, lemma=lemma)
        parts = [self._stemmer.stemWord(p) for p in split_compound(base)]
        parts = [p for p in dict.fromkeys(parts) if p not in (stem, lemma) and len(p) >= 3 and p not in STOP_WORDS]
        return Word(stem, tuple(parts), lemma)

    @staticmethod
    def is_noun(token: str) -> bool:
        """Whether the dictionary form of a lower-case token is capitalised: a German noun
        ("voraussetzungen" -> "Voraussetzung"), not a verb ("steckt" -> "stecken")."""
        return _dictionary_form(token)[:1].isupper()

    @staticmethod
    def lemma(token: str, capitalised: bool = False) -> str:
        """The dictionary form of a lower-case token, lower-cased ("gab" -> "geben")."""
        return _dictionary_form(token.capitalize() if capitalised else token).lower()


@lru_cache(maxsize=200_000)
def _dictionary_form(token: str) -> str:
    """simplemma's lemma of a token as written, with its case ("projekte" -> "Projekt")."""
    return _lemmatizer().lemmatize(token, lang="de")


@lru_cache(maxsize=200_000)
def _known(token: str) -> bool:
    """Whether simplemma's German dictionary holds the word form."""
    import simplemma

    return simplemma.is_known(token, lang="de", low_memory=True)


@lru_cache(maxsize=1)
def _lemmatizer():  # noqa: ANN202 - simplemma is imported on first use
    """simplemma's German dictionary in its compact form (about 20 MB instead of about 250 MB)."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(low_memory=True))


@dataclass(frozen=True)
class Word:
    """A word's index terms: its stem, the stems of its compound parts, its lemma's stem
    (empty where it is the stem)."""

    stem: str
    parts: tuple[str, ...] = ()
    lemma: str = ""


def split_compound(word: str, depth: int = 0) -> list[str]:
    """Split a German compound into its parts (recursively, only confident splits)."""
    from compound_split import char_split

    if len(word) < (8 if depth == 0 else 10) or depth > 2:
        return [word]
    candidates = char_split.split_compound(word)
    if not candidates:
        return [word]
    score, head, tail = candidates[0]
    if score < MIN_SPLIT_SCORE:
        return [word]
    return split_compound(head.lower(), depth + 1) + split_compound(tail.lower(), depth + 1)


class SparseEncoder:
    """BM25-style sparse vectors over `GermanAnalyzer` terms."""

    def __init__(
        self,
        analyzer: GermanAnalyzer | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        avg_len: float = 80.0,
    ) -> None:
        self.analyzer = analyzer or GermanAnalyzer()
        self.k1, self.b, self.avg_len = k1, b, avg_len

    @property
    def description(self) -> dict[str, object]:
        return {"analyzer": self.analyzer.version, "k1": self.k1, "b": self.b, "avg_len": self.avg_len}

    def encode_document(self, text: str) -> SparseVector:
        terms = self.analyzer.terms(text)
        counts = Counter(terms)
        norm = self.k1 * (1 - self.b + self.b * len(terms) / self.avg_len)
        weights: dict[int, float] = {}
        for term, tf in counts.items():
            idx = term_index(term)
            weights[idx] = weights.get(idx, 0.0) + tf * (self.k1 + 1) / (tf + norm)
        return _to_vector(weights)

    def encode_query(self, text: str, extra_terms: dict[str, float] | None = None) -> SparseVector:
        weights: dict[int, float] = {}
        for term in self.analyzer.terms(text):
            weights[term_index(term)] = 1.0
        for term, weight in (extra_terms or {}).items():
            idx = term_index(term)
            weights[idx] = max(weights.get(idx, 0.0), weight)
        return _to_vector(weights)


def _to_vector(weights: dict[int, float]) -> SparseVector:
    items = sorted(weights.items())
    return SparseVector([i for i, _ in items], [round(v, 6) for _, v in items])


@dataclass
class TermStats:
    """Document frequencies of terms over the indexed chunks; used to weight question terms."""

    n_docs: int
    df: dict[str, int]

    @classmethod
    def from_texts(cls, analyzer: GermanAnalyzer, texts: list[str]) -> TermStats:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(analyzer.terms(text)))
        return cls(len(texts), dict(df))

    def idf(self, term: str) -> float:
        n = self.df.get(term, 0)
        return math.log(1 + (self.n_docs - n + 0.5) / (n + 0.5))

    @cached_property
    def mean_idf(self) -> float:
        """Weight given to a question word the index has never seen."""
        return sum(map(self.idf, self.df)) / len(self.df) if self.df else 1.0

    @cached_property
    def _vocabulary(self) -> dict[int, list[str]]:
        """Word terms long enough to be typo-corrected towards, by length."""
        by_length: dict[int, list[str]] = {}
        for t in self.df:
            if len(t) >= 6 and not t.isdigit():
                by_length.setdefault(len(t), []).append(t)
        return by_length

    def swapped(self, word: str) -> str | None:
        """The term `word` becomes when two neighbouring letters trade places ("antarg" ->
        "antrag"), the commonest slip in typing, if the corpus uses it."""
        return next(
            (
                term
                for i in range(len(word) - 1)
                if word[i] != word[i + 1] and (term := word[:i] + word[i + 1] + word[i] + word[i + 2 :]) in self.df
            ),
            None,
        )

    def closest(self, word: str, cutoff: float) -> str | None:
        """The vocabulary term most like `word` (difflib's ratio at least `cutoff`), if any. Only
        terms of a length that can reach the cutoff are compared (difflib's own first bound)."""
        n = len(word)
        near = [t for size, terms in self._vocabulary.items() if 2 * min(n, size) / (n + size) >= cutoff for t in terms]
        close = difflib.get_close_matches(word, near, n=1, cutoff=cutoff)
        return close[0] if close else None
