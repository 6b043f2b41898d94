"""What the documents say about themselves: the names of their programmes and funders.

Everything here is derived from the indexed documents and their metadata, never written down
for one document: a programme is named by its title ("Civic Innovation Platform"), by the
distinctive words of that title ("Zukunftsplattform"), by an abbreviation in the title or one the
text defines for it ("Zukunftsplattform ... (SINN)"); its funder by the issuer's name, the
abbreviations the text defines for organisations ("Sächsische Aufbaubank (SAB)"), the short form
people use for a ministry ("Bundesministerium für Arbeit und Soziales" -> "Arbeitsministerium"),
the level of government ("beim Bund") and the Land of its region ("in Sachsen"). A title's short form
in parentheses names the programme too ("... (VwV Suchthilfe)"). A single word of a title or an issuer
names a programme only where that programme's documents use it more than all others together: in an
index of many programmes, "Träger" or "Schuldnerberatung" name none of them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, pairwise

from index.documents import Document
from index.sparse import STOP_WORDS, split_compound

Level = str  # "bund" | "land" | "kommune" | "stiftung" | "eu" | "andere"

# Head nouns of organisations: an abbreviation defined for such a name is a funder's or a
# granting body's, not a topic's ("Künstliche Intelligenz (KI)").
_ORGANISATION = re.compile(  # the head of a German compound is its last part
    r"(ministerium|bank|stiftung|gesellschaft|gmbh|amt|behörde|agentur|verband|institut|zentrum|senat"
    r"|referat|fonds|kommission|verwaltung|anstalt|stelle|kammer|werk|plattform|platform|netzwerk|bund"
    r"|stadt|landkreis|gemeinde|kreis|regierung|büro|präsidium)(?:e|es|s|en|n)?\b",
    re.IGNORECASE,
)
# The word before a legal form names an organisation ("Die Musterkom gGmbH koordiniert ...").
_LEGAL_NAME = re.compile(r"\b([^\W\d_][\w-]{2,})\s+(?:gGmbH|GmbH|mbH|gUG|e\.\s?V\.)(?!\w)")
_ABBREVIATION = re.compile(r"\(([A-Za-zÄÖÜäöü][A-Za-zÄÖÜäöü]{1,11})\)")
_LEADING_ABBREVIATION = re.compile(r"\b([A-ZÄÖÜ]{2,6})-[A-ZÄÖÜ][a-zäöüß]")
_WORD = re.compile(r"[\wÄÖÜäöüß]+(?:-[\wÄÖÜäöüß]+)*")
_PLAIN_WORD = re.compile(r"[\wÄÖÜäöüß]+")
_MINISTRY = re.compile(
    r"(?P<level>bundes|staats|landes)?ministerium\s+(?:des\s+innern\s+)?für\s+(?P<subjects>[^;()]+)",
    re.IGNORECASE,
)
# Linking element of German compounds: "Arbeit" -> "Arbeitsministerium", "Familie" ->
# "Familienministerium", "Soziales" -> "Sozialministerium".
_LINKING_S = re.compile(r"(heit|keit|ung|schaft|tion|tät|ion|ling|arbeit|sicherheit)$")
_LEVEL_OF_ISSUER = (
    ("eu", re.compile(r"europäisch|\besf\b|\beu\b", re.IGNORECASE)),
    ("bund", re.compile(r"\bbundes|\bbund\b", re.IGNORECASE)),
    ("kommune", re.compile(r"\bstadt\b|landeshauptstadt|landkreis|gemeinde|\bkreis\b|bezirksamt", re.IGNORECASE)),
    ("stiftung", re.compile(r"stiftung", re.IGNORECASE)),
    (
        "land",
        re.compile(
            r"staatsministerium|landesministerium|ministerium|senat|landesamt|aufbaubank"
            r"|investitionsbank|förderbank|staatskanzlei",
            re.IGNORECASE,
        ),
    ),
)
INFLECTION = "(?:e|en|er|es|em|n|s)"  # the endings of German adjectives and nouns a name may take
_FUNCTION_WORDS = frozenset(
    "für von und der die das des dem den im in zur zum mit bei auf aus an über unter gegen ohne durch".split()
)


@dataclass(frozen=True)
class ProgrammeNames:
    """The words that point at one programme: its own names, and those of who funds it."""

    programme: str
    own: frozenset[str]  # its title, the title's distinctive words, its abbreviations
    funder: frozenset[str]  # issuer, organisations' abbreviations, ministry short forms, level, Land
    level: Level
    # leading parts of its own compound names, which name it as the first part of any compound
    # ("Demenz" of "Demenznetzwerke": "die Demenz-Richtlinie", "Wohnberatung" of "Wohnberatungsstellen":
    # "die Wohnberatungsförderung")
    leading: frozenset[str] = frozenset()


def fold(text: str) -> str:
    """Lower case, umlauts and ß spelt out, hyphens as spaces: "Civic-Innovation" and "civic
    innovation", "sächsisch" and "saechsisch" compare equal."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return " ".join(re.sub(r"[-‐‑–/]", " ", text).split())


def level_of(issuer: str, region: str) -> Level:
    for level, pattern in _LEVEL_OF_ISSUER:
        if pattern.search(issuer):
            return "land" if level == "land" and region == "DE" and "bundes" in issuer.lower() else level
    return "land" if region != "DE" else "andere"


def defined_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations a text defines, with their long form: "Sächsische Aufbaubank (SAB)" ->
    {"SAB": "Sächsische Aufbaubank"}. The long form is the nearest run of words before the
    parenthesis, opened by a capitalised word, whose initials hold the abbreviation's letters in
    order ("Stiftung Soziales Miteinander (SSM)", not "Soziales Miteinander"), or else whose
    letters do ("Bundesministerium für Arbeit und Soziales (BMAS)")."""
    found: dict[str, str] = {}
    for m in _ABBREVIATION.finditer(text):
        abbr = m.group(1)
        # "(BMAS)", "(SAB)"; a lower-case one ("(gsub)") only for an organisation's name
        if abbr in found or (sum(ch.isupper() for ch in abbr) < 2 and not (abbr.islower() and 3 <= len(abbr) <= 6)):
            continue
        # a ministry's name runs to a dozen words ("Ministerium für Kinder, Jugend, Familie,
        # Gleichstellung, Flucht und Integration des Landes Nordrhein-Westfalen (MKJFGFI)")
        before = re.split(r"\n|[.;:!?]\s|[()]", text[max(0, m.start() - 240) : m.start()])[-1]
        words = _WORD.findall(before)[-16:]
        forms = []  # the runs that may be the long form, nearest first, with their initials
        for start in range(len(words) - 1, -1, -1):
            first, form = words[start], " ".join(words[start:])
            if (
                first[:1].isupper()
                and not first.isupper()
                and first[0].lower() == abbr[0].lower()
                and len(form) > len(abbr) + 2
                and (not abbr.islower() or _ORGANISATION.search(form))
            ):
                forms.append((form, "".join(w[0] for w in words[start:])))
        wanted = abbr.lower()
        long_form = next((f for f, initials in forms if _subsequence(wanted, initials.lower())), None) or next(
            (f for f, _ in forms if _subsequence(wanted, f.lower())), None
        )
        if long_form:
            found[abbr] = long_form
    return found


def ministry_short_forms(issuer: str) -> set[str]:
    """ "Bundesministerium für Arbeit und Soziales" -> {"arbeitsministerium",
    "bundesarbeitsministerium"}: the short form is made of the first subject of the ministry."""
    out: set[str] = set()
    for m in _MINISTRY.finditer(issuer):
        subject = re.split(r",|\bund\b", m.group("subjects"))[0].split()
        if not subject:
            continue
        word = subject[-1].lower()
        if word.endswith("es") and subject[-1][:1].isupper() and len(subject) == 1:  # Soziales -> Sozial
            stem = word[:-2]
        elif word.endswith("ie"):  # Familie -> Familien
            stem = word + "n"
        elif _LINKING_S.search(word):
            stem = word + "s"
        else:
            stem = word
        short = f"{stem}ministerium"
        out.add(short)
        if (m.group("level") or "").lower() == "bundes":
            out.add(f"bundes{short}")
    return out


def derive_programme_names(
    documents: Iterable[Document], region_words: dict[str, list[str]], level_words: dict[str, list[str]]
) -> dict[str, ProgrammeNames]:
    """The names of every programme of the documents; words no programme owns alone are kept
    too: the question that uses them is resolved by the other words it has (see Lexicon)."""
    all_docs = list(documents)
    by_programme: dict[str, list[Document]] = {}
    for doc in all_docs:
        if doc.meta.programme:
            by_programme.setdefault(doc.meta.programme, []).append(doc)
    title_words = {pid: _title_words(docs) for pid, docs in by_programme.items()}
    places = {w for words in region_words.values() for w in words}
    texts = {
        pid: [fold(text) for d in docs for text in (d.meta.programme_title or "", d.meta.issuer, d.text)]
        for pid, docs in by_programme.items()
    }
    titles = {pid: [fold(d.meta.title) for d in docs] for pid, docs in by_programme.items()}
    used = {pid: Counter(_key(w) for text in folded for w in _WORD.findall(text)) for pid, folded in texts.items()}
    everywhere: Counter[str] = sum(used.values(), Counter())
    # pairs of words in a row (hyphens split: "ESF Plus-Richtlinie" has "esf plus")
    used_pairs = {
        pid: Counter(
            p for text in [*folded, *titles[pid]] for p in pairwise(_key(w) for w in _PLAIN_WORD.findall(text))
        )
        for pid, folded in texts.items()
    }
    everywhere_pairs: Counter[tuple[str, str]] = sum(used_pairs.values(), Counter())
    prefixed = {pid: _PrefixCounts(counts) for pid, counts in used.items()}
    prefixed_all = _PrefixCounts(everywhere)
    # each programme title's head and its runs of two or more words ("soziale Innovationen")
    title_runs = {
        pid: {run for d in docs if d.meta.programme_title for run in _phrases(_title_head(d.meta.programme_title))}
        for pid, docs in by_programme.items()
    }
    out: dict[str, ProgrammeNames] = {}
    for pid, docs in by_programme.items():
        metas = [d.meta for d in docs]
        main = next((m for m in metas if m.kind != "background"), metas[0])
        # a single word of a title or an issuer names the programme only where its own documents
        # use it more than all others together: "Kältehilfe", "Zukunftsplattform" do; "Träger" or
        # "alle" in a corpus of many programmes do not
        others = {_key(w) for other, words in title_words.items() if other != pid for w in words}
        others |= {key for key, n in everywhere.items() if 2 * used[pid][key] <= n}
        other_issuers = {
            w for other, ds in by_programme.items() if other != pid for d in ds for w in _distinctive(d.meta.issuer)
        }
        own, funder = _title_names(metas, title_runs[pid], title_words[pid], others, places)
        funder |= _issuer_names([m.issuer for m in metas], others, other_issuers, places)
        for doc in docs:
            more_own, more_funder = _abbreviation_names(doc, title_words[pid])
            own |= more_own
            funder |= more_funder
        # an organisation the documents name by its legal form ("Die Musterkom gGmbH koordiniert ...") and
        # no other programme's documents use
        own |= {
            name.lower()
            for doc in docs
            for name in _LEGAL_NAME.findall(doc.text)
            if _key(name) not in others and name.lower() not in places
        }
        level = level_of(main.issuer, main.region)
        funder |= set(level_words.get(level, []))
        if main.region != "DE" and (
            main.kind != "background"
            or not any(d.meta.region == main.region and d.meta.kind != "background" for d in all_docs)
        ):
            # "in Sachsen" means the Land's programme with a guideline or call, not a background text
            funder |= set(region_words.get(main.region, []))
        own -= _FUNCTION_WORDS
        # a run of title words another programme's title has too names neither ("soziale Teilhabe" of
        # "Lotsenprogramm für soziale Teilhabe" and "Modellprojekte für soziale Teilhabe")
        own -= {run for other, runs in title_runs.items() if other != pid for run in runs}
        # a name of two words names the programme only where its own documents use the pair more than
        # all others together: "Teilhabe vor Ort" does, "ESF Plus" in a corpus of ESF Plus programmes not
        own = {
            name
            for name in own
            if len(pair := tuple(_key(w) for w in _PLAIN_WORD.findall(name))) != 2
            or 2 * used_pairs[pid][pair] > everywhere_pairs[pair]
        }
        leading = {
            part
            for name in own
            for part in _leading_parts(name)
            # its documents use words that open with it more than all others together ("demenz...")
            if part not in places
            and _key(part) not in others
            and 2 * prefixed[pid](fold(part)) > prefixed_all(fold(part))
        }
        out[pid] = ProgrammeNames(pid, frozenset(own), frozenset(funder - own), level, frozenset(leading - own))
    return out


def _leading_parts(name: str) -> set[str]:
    """The leading parts of a one-word compound name, without a linking "s" and at least five
    letters long: "wohnberatungsstellen" (wohn|beratungs|stellen) -> {"wohnberatung"}. A last part
    shorter than six letters is a splinter of the head, not a word of its own ("Richt|linie",
    "Grund|sätze"), and stays with the part before it."""
    if " " in name or not name.isalpha():
        return set()
    parts = split_compound(name)
    if len(parts) > 1 and len(parts[-1]) < 6:
        parts = [*parts[:-2], parts[-2] + parts[-1]]
    out = set()
    for k in range(1, len(parts)):
        lead = "".join(parts[:k])
        if lead.endswith("s") and _LINKING_S.search(lead[:-1]):
            lead = lead[:-1]
        if len(lead) >= 5 and lead not in _FUNCTION_WORDS and lead not in STOP_WORDS:
            out.add(lead)
    return out


class _PrefixCounts:
    """How often words that open with a prefix occur, looked up in a sorted list of the words."""

    def __init__(self, counts: Counter[str]) -> None:
        self.words = sorted(counts)
        self.cumulative = [0, *accumulate(counts[w] for w in self.words)]

    def __call__(self, prefix: str) -> int:
        lo = bisect_left(self.words, prefix)
        hi = bisect_left(self.words, prefix + "\uffff")
        return self.cumulative[hi] - self.cumulative[lo]


def _title_names(
    metas: list, runs: set[str], words: set[str], others: set[str], places: set[str]
) -> tuple[set[str], set[str]]:
    """From the programme titles: the head ("Teilhabelotsen Hessen") and its runs of words
    (`runs`), the title's words no other programme's title has, and the abbreviations in its
    parentheses (the issuer's one names the funder: "(HMSI)")."""
    own: set[str] = set(runs)
    funder: set[str] = set()
    issuers = [m.issuer for m in metas]
    for title in {m.programme_title for m in metas if m.programme_title}:
        for inner in re.findall(r"\(([^)]*)\)", title):
            for token in re.split(r"[,;]\s*", inner):
                if re.fullmatch(r"[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,11}", token) and sum(c.isupper() for c in token) >= 2:
                    (funder if any(token in issuer for issuer in issuers) else own).add(token.lower())
    # A title's short form stands in parentheses at its end ("... (VwV Suchthilfe)", "... (Förderrichtlinie
    # OKJA)", "... (Ehrenamtskoordinationsrichtlinie – EhKoRL M-V)"): each of its parts of several
    # words names the programme; its single words do where they are distinctive (below) and name
    # neither a place nor the issuer ("(BMAS)" names the funder).
    lowered = [issuer.lower() for issuer in issuers]
    for title in {t for m in metas for t in (m.title, m.programme_title) if t}:
        short = re.search(r"\(([^()]*)\)\W*$", title)
        for part in re.split(r"\s[–-]\s|[,;]\s*", short.group(1)) if short else []:
            if len(_WORD.findall(part)) > 1:
                own.add(" ".join(part.split()).lower())
            words = words | {w for w in _distinctive(part) if w not in places and not any(w in i for i in lowered)}
    own |= {w for w in words if _key(w) not in others}
    return own, funder


def _issuer_names(issuers: list[str], others: set[str], other_issuers: set[str], places: set[str]) -> set[str]:
    """The issuer's name (no legal form, no granting body), its ministry's short forms, and for
    a Verband or a foundation the words of its own name ("Paritätischer")."""
    names: set[str] = set()
    for issuer in issuers:
        parts = [part.split(",")[0] for part in re.split(r";|:", issuer)]  # not the seat ("..., Hannover")
        for part in parts:
            name = re.sub(r"\([^)]*\)|\b(g?gmbh|mbh|e\. ?v\.|ag|kg)(?!\w)", "", part, flags=re.IGNORECASE).strip()
            if name and not re.search(r"bewilligungsbeh|projektträger", name, re.IGNORECASE):
                names.add(name.lower())
        names |= ministry_short_forms(issuer)
        # an abbreviation that opens a hyphenated name: "LWL-Landesjugendamt" -> "lwl"
        names |= {abbr.lower() for abbr in _LEADING_ABBREVIATION.findall(issuer) if abbr.lower() not in other_issuers}
        if not _MINISTRY.search(issuer):
            names |= {
                w
                # the words of a hyphenated name too ("Hilde-und-Otto-Musterhuber-Stiftung": "Musterhuber")
                for w in _distinctive(re.sub(r"\([^)]*\)", "", ";".join(parts)).replace("-", " "))
                if not _ORGANISATION.search(w) and w not in places and w not in other_issuers and _key(w) not in others
            }
    return names


def _abbreviation_names(doc: Document, title_words: set[str]) -> tuple[set[str], set[str]]:
    """Abbreviations the document defines: of the programme's title (its own), or of an
    organisation (its funder's or granting body's, with the organisation's distinctive word)."""
    own: set[str] = set()
    funder: set[str] = set()
    for abbr, long_form in defined_abbreviations(doc.meta.issuer + "\n" + doc.text).items():
        if set(_distinctive(long_form)) & title_words and not _ORGANISATION.search(long_form):
            own.add(abbr.lower())
        elif _ORGANISATION.search(long_form):
            funder.add(abbr.lower())
            funder |= {
                w for w in _distinctive(long_form) if _ORGANISATION.search(w) and not _ORGANISATION.fullmatch(w)
            }  # "Aufbaubank", not "Bank"
    return own, funder


def _key(word: str) -> str:
    """A word without its inflection, for telling whether two titles share it."""
    folded = fold(word)
    for _ in range(2):  # "Innovationen" and "Innovation" -> "innovatio"
        folded = re.sub(f"{INFLECTION}$", "", folded) if len(folded) > 5 else folded
    return folded


def _subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def _distinctive(text: str) -> list[str]:
    """Content words of a name, lower case: no function or stop words ("alle", "als"), no digits."""
    return [
        w.lower()
        for w in _WORD.findall(text)
        if w.lower() not in _FUNCTION_WORDS and w.lower() not in STOP_WORDS and not w.isdigit() and len(w) > 2
    ]


def _title_words(docs: list[Document]) -> set[str]:
    """The words of a programme's title (without what stands in parentheses)."""
    words: set[str] = set()
    for meta in (d.meta for d in docs):
        if meta.programme_title:
            words |= set(_distinctive(re.sub(r"\([^)]*\)", "", meta.programme_title)))
    return words


def _title_head(title: str) -> str:
    """A programme title before its dash, colon or parenthesis ("Teilhabelotsen Hessen (TLH)" ->
    "Teilhabelotsen Hessen")."""
    return re.split(r"\s[–-]\s|:|\(", title)[0].strip()


def _phrases(head: str) -> set[str]:
    """A title's head ("Teilhabelotsen Hessen") and its runs of two or more words."""
    words = _WORD.findall(head)
    out = {head.lower()} if len(words) > 1 else set()
    for i in range(len(words)):
        for j in range(i + 2, len(words) + 1):
            run = words[i:j]
            if run[0].lower() not in _FUNCTION_WORDS and run[-1].lower() not in _FUNCTION_WORDS:
                out.add(" ".join(run).lower())
    return out
