"""Metadata inferred from a guideline's own text: title, issuer, kind, programme, region(s), dates
(published, in force, out of force) and deadlines (submission windows, exclusion deadlines, rolling
submission, information events, project start).

Only general phrase families of German funding texts are read ("Vom 14. März 2025", "tritt am ... in
Kraft", "mit Ablauf des ... außer Kraft", "vom ... bis ... einreichen", "Informationsveranstaltung am
..."). Every value keeps the verbatim quote and offsets [start, end) into the text it came from, so a
notice can cite the document's own sentence. The result is plain data; index/documents.py validates it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from index.dates import FoundDate, find_dates, find_days_without_year
from index.text import Span, iter_lines, split_sentences


@dataclass(frozen=True)
class Evidence:
    """Where an inferred value comes from: the verbatim quote and its offsets in the text."""

    quote: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"quote": self.quote, "start": self.start, "end": self.end}


@dataclass
class Inference:
    """Inferred fields (DocumentMeta names), the evidence of each, and what could not be decided."""

    fields: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # German, for the review


LAENDER: dict[str, tuple[str, ...]] = {
    # code: the Land's name and the adjective stem an issuer or a text uses for it
    "DE-BW": ("Baden-Württemberg", "baden-württembergisch"),
    "DE-BY": ("Bayern", "Bayerisch"),
    "DE-BE": ("Berlin", "Berliner Senat"),
    "DE-BB": ("Brandenburg", "Brandenburgisch"),
    "DE-HB": ("Bremen", "Bremisch"),
    "DE-HH": ("Hamburg", "Hamburgisch"),
    "DE-HE": ("Hessen", "Hessisch"),
    "DE-MV": ("Mecklenburg-Vorpommern", "mecklenburg-vorpommersch"),
    "DE-NI": ("Niedersachsen", "Niedersächsisch"),
    "DE-NW": ("Nordrhein-Westfalen", "nordrhein-westfälisch"),
    "DE-RP": ("Rheinland-Pfalz", "rheinland-pfälzisch"),
    "DE-SL": ("Saarland", "saarländisch"),
    "DE-SN": ("Sachsen", "Sächsisch"),
    "DE-ST": ("Sachsen-Anhalt", "sachsen-anhaltisch"),
    "DE-SH": ("Schleswig-Holstein", "schleswig-holsteinisch"),
    "DE-TH": ("Thüringen", "Thüringer"),
}
# "Sachsen" must not match inside "Niedersachsen" or "Sachsen-Anhalt".
_LAND_RE = {
    code: re.compile(rf"(?<![\w-])(?:{re.escape(name)}|{re.escape(adj)}\w*)(?![\w-])", re.IGNORECASE)
    for code, (name, adj) in LAENDER.items()
}
_FEDERAL = re.compile(r"\b(?:Bundesministeri\w+|Bundesamt\w*|Bundesanzeiger|bundesweit\w*|Bundesgebiet\w*)\b")

_ARTICLE = r"(?:Die|Der|Das|Dem|Den|Des|Eine|Einer|Eines|Ihre|Unsere|Diese|Dieser|Dieses|Im|In|Mit|Vom)"
_ISSUER_HEAD = (
    r"(?:Bundesministerium|Staatsministerium|Ministerium|Senatsverwaltung|Bundesamt|Landesamt|"
    r"Landesverwaltungsamt|Regierungspräsidium|Bezirksregierung|Stiftung|Landeshauptstadt|Stadt|Landkreis|"
    r"Kreisverwaltung|Bezirksamt|Magistrat|Investitionsbank|Aufbaubank|Förderbank|Landschaftsverband|"
    r"Wohlfahrtsverband|Landesverband)"
)
_CAP = r"[A-ZÄÖÜ][\wäöüß.-]*"
_SP = r"(?:[ \t]|(?<!\n)\n(?!\s*\n))"  # a space or one line break, never a blank line
ISSUER = re.compile(
    rf"(?:(?!{_ARTICLE}\b){_CAP}(?:e|en|er|es)\s+)?\b{_ISSUER_HEAD}\b"
    rf"(?:(?:[ \t]*,[ \t]*|{_SP}+(?:für|der|des|und|von|–|-){_SP}+|[ \t]+)(?!{_ARTICLE}\b|Zur\b){_CAP})*"
    r"(?:\s*\([A-ZÄÖÜ][\w-]{1,12}\))?"
)
ISSUER_LABEL = re.compile(
    r"^(?:Herausgeber(?:in)?|Herausgegeben von|Zuwendungsgeber(?:in)?|Fördergeber(?:in)?):?\s+(.+)$"
)

GUIDELINE_CUES = re.compile(
    r"\b(?:\w*[Rr]ichtlinie\w*|Fördergrundsätze|Förderbestimmungen|Verwaltungsvorschrift\w*|Förderleitlinie\w*)\b"
)
CALL_CUES = re.compile(
    r"\b(?:\w*[Aa]ufruf\w*|Ausschreibung\w*|Wettbewerb\w*|Pressemitteilung|Jetzt\s+(?:bewerben|beantragen)|"
    r"Call for)\b"
)
GUIDELINE_BODY = re.compile(r"\b(?:Zuwendungszweck|Rechtsgrundlage|Zuwendungsempfänger|Zuwendungsvoraussetzungen)\b")

# Dates
VOM_LINE = re.compile(r"^(?:[Vv]om|Bekanntmachung vom|Erlass vom|Stand:?|Datum:?)\s+(\S.*)$")
PUBLISHED_CUE = re.compile(
    r"\b(?:[Vv]eröffentlicht(?:\s+am)?|[Ee]rschienen am|Pressemitteilung vom|[Bb]ekanntgemacht am|"
    r"[Bb]ekanntmachung vom|[Rr]underlass\b[^.;]{0,160}?\bvom|[Ee]rlass\b[^.;]{0,160}?\bvom|"
    r"bekannt\s?gemacht\b[^.;]{0,80}?\bam)\s*:?\s*$"
)
SIGNED = re.compile(r"^[A-ZÄÖÜ][\w.-]+(?: [\w.-]+)?, (?:den )?$")
IN_FORCE = re.compile(r"\bin\s+Kraft\b")
OUT_OF_FORCE = re.compile(r"\baußer\s+Kraft\b")
FORCE_WORD = re.compile(r"\b(?:außer\s+|in\s+)Kraft\b")
# "... ihrer Veröffentlichung", "... der Bekanntmachung im Amtsblatt"
_ITS_PUBLICATION = (
    r"(?:ihrer|seiner|der|dessen|deren)\s+(?:\w+\s+)?"
    r"(?:Veröffentlichung|Verkündung|Bekanntmachung|Bekanntgabe|Unterzeichnung)"
)
DAY_AFTER_PUBLICATION = re.compile(rf"\bTag\s+nach\s+{_ITS_PUBLICATION}")
DAY_OF_PUBLICATION = re.compile(rf"\bTag\s+{_ITS_PUBLICATION}")
# "gilt ab dem ...", "gilt vom 1. Juli 2026 bis zum ...", "gilt für die Saison vom ..."
VALID_FROM_CUE = re.compile(
    r"\b(?:gilt|gelten)\s+(?:für\s+(?:\w+\s+){1,3}?)?(?:ab|vom|mit\s+Wirkung\s+vom)\s+(?:dem\s+)?$"
)
VALID_UNTIL_CUE = re.compile(
    r"\b(?:gilt|gelten|ist|sind)\s+(?:\w+\s+){0,3}?(?:bis|befristet\s+bis)\s+(?:zum\s+|einschließlich\s+)?$"
    # the closing day of "gilt vom 1. Juli 2026 bis zum 15. Mai 2027"
    r"|\b(?:gilt|gelten)\s+(?:für\s+(?:\w+\s+){1,3}?)?vom\s+(?:dem\s+)?[^;:]{6,30}?\s+bis\s+(?:zum\s+)?$"
)
DOC_SUBJECT = re.compile(
    r"\b(?:\w*[Rr]ichtlinie\w*|Förderaufruf\w*|Aufruf|Regelung\w*|Bestimmungen|Fördergrundsätze|"
    r"Verwaltungsvorschrift\w*|Bekanntmachung)\b|^(?:Sie|Er|Es)\b"
)

SUBMISSION_CUE = re.compile(
    r"(?:einzureichen|einreich\w*|Einreich\w*|eingereicht|[Aa]ntrag(?!stell(?:er|ende))\w*|[Aa]nträge\w*|"
    r"beantrag\w*|Bewerbung\w*|"
    r"bewerben|Interessenbekundung\w*|\w*[Ss]kizze\w*|Ausschlussfrist|Einsendeschluss|Bewerbungsschluss|"
    r"Abgabefrist|Antragsschluss|Frist\b|vorzulegen|vorgelegt|Projektvorschl\w*|einzusenden|zu\s+senden|"
    r"Stichtag|\w*[Pp]ortal\w*|einreichbar)"
)
# The words of SUBMISSION_CUE that only say "hand in": a Verwendungsnachweis is "vorzulegen", too.
HAND_IN = re.compile(r"^(?:einzureichen|einreich\w*|eingereicht|vorzulegen|vorgelegt|einzusenden|zu\s+senden)$")
# A dated line of a timeline: "- **28. Februar 2027, 23:59 Uhr:** Bewerbungsschluss".
TIMELINE_LEAD = re.compile(r"^[\s*•\-–]*(?:bis\s+)?$")
TIMELINE_LABEL = re.compile(r"^(?:,?\s*\d{1,2}(?:[.:]\d{2})?\s*Uhr)?\s*\**:\**\s*")
DEADLINE_WORD = re.compile(r"(?:schluss|frist|[Ss]tichtag)\b")
OPENS_WORD = re.compile(r"\b(?:öffnet|geöffnet|startet|freigeschaltet)\b|\b(?:Start|Öffnung|Beginn)\b")
EVENT_CUE = re.compile(
    r"(?:\w*[Ii]nformationsveranstaltung\w*|\w*[Ii]nfoveranstaltung\w*|\w*[Ww]ebinar\w*|Online-Seminar\w*|"
    r"Infotermin\w*|Informationstermin\w*|Sprechstunde\w*|Fachtag\w*|Auftaktveranstaltung\w*|"
    r"Netzwerktreffen\w*|Workshop\w*|Infoabend\w*|Informationsabend\w*|Beratungstag\w*|"
    r"\w*[Kk]ongress\w*|\w*[Kk]onferenz\w*|\w*[Tt]agung\b|\w*[Tt]agungen\b|Symposi\w*|Messe\b)"
)
START_CUE = re.compile(
    r"(?:Projektbeginn|Projektstart|Vorhabenbeginn|Maßnahmebeginn|Maßnahmenbeginn|Förderbeginn|"
    r"Beginn\s+(?:des|der)\s+(?:Förder|Projekt|Vorhaben|Maßnahme|Durchführung)\w*|"
    r"(?:Förder|Durchführungs|Bewilligungs)zeitraum\w*|Projektlaufzeit\w*|"
    r"\b(?:starten|beginnen|begonnen)\b)"
)
# Dates that are none of the above, nearer to their own words: reports after the project
# ("Verwendungsnachweis ... bis zum"), decisions ("bis zum ... mitgeteilt"), and the publication of the
# text itself ("ab seiner Veröffentlichung am").
OTHER_CUE = re.compile(
    r"(?:\w*[Vv]erwendungsnachweis\w*|\w*[Ss]achbericht\w*|\w*[Zz]wischennachweis\w*|"
    r"\b(?:mitgeteilt|entschieden)\b|\w*[Ff]örderentscheidung\w*|\b[Vv]eröffentlich\w*)"
)
# The end of a period is no start: "Der Förderzeitraum beginnt am ... und endet am 31. März 2029".
END_BEFORE = re.compile(r"\b(?:endet|enden|endete|beendet|spätestens)\s+(?:am|zum|mit)\s+(?:dem\s+)?$")
END_AFTER = re.compile(r"^\s*(?:abgeschlossen|beendet|enden|endet|auslaufen)\b")
START_BOUND = re.compile(r"\b(?:frühestens|ab|zum|am|vom)\s+(?:dem\s+|der\s+)?$")
ROLLING = re.compile(r"\b(?:fortlaufend|laufend|jederzeit|rollierend|fortwährend)\b")
EXCLUSION = re.compile(r"Ausschlussfrist")
UNTIL_BEFORE = re.compile(r"\b(?:bis|spätestens|endet|Ende|Schluss|schluss|frist|Frist)\b[^.;]{0,40}$")
OPENS_BEFORE = re.compile(
    r"\b(?:ab|vom|öffnet\w*|freigeschaltet\w*|beginnt|Beginn|ab\s+dem|zwischen\s+dem)\s+(?:dem\s+)?$"
)
WINDOW_GAP = re.compile(r"^\s*(?:bis\s+(?:zum\s+|einschließlich\s+)?|und\s+(?:dem\s+)?|–\s*|-\s*)$")
NEXT_YEAR = re.compile(r"\b(?:Folgejahr\w*|folgende\w*\s+(?:Kalender)?[Jj]ahr\w*|nächste\w*\s+Jahr\w*)\b")
# "bis zum 31. Oktober des Vorjahres": a deadline for the year after
PREVIOUS_YEAR = re.compile(r"\b(?:des|im)\s+Vorjahr(?:es|s)?\b")
YEARLY = re.compile(r"\b(?:jeweils|jährlich|jedes\s+Jahr\w*|eines\s+jeden\s+Jahres|eines\s+Jahres|alljährlich)\b")

TITLE_CUE = re.compile(
    r"\b(?:\w*[Rr]ichtlinie\w*|\w*[Aa]ufruf\w*|Bekanntmachung|Förderprogramm\w*|Ausschreibung|Wettbewerb)\b"
)
TITLE_NOISE = re.compile(r"^(?:Content|Inhalt|Startseite|Navigation|Menü|Suche|Home|Drucken|Teilen)\b", re.I)
PROGRAMME_NAMED = re.compile(
    r"\b(?:Förderprogramm|Programm|Förderaufruf|Förderrichtlinie|Projekt|Wettbewerb)\w*\s+[„\"»“]([^„“”\"«»\n]{3,80})[“”\"«]"
)
QUOTED_NAME = re.compile(r"[„\"»“]([^„“”\"«»]{3,120})[“”\"«]")
PAREN_SHORT = re.compile(r"\((?:Richtlinie|Förderprogramm|Programm|kurz:?)?\s*([A-ZÄÖÜ„\"][^()]{2,80})\)\s*$")


def slug(text: str, limit: int = 60) -> str:
    """A lower-case ASCII id from a name: 'Lebendige Quartiere' -> 'lebendige-quartiere'."""
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", text)
    out = ""
    for word in words:
        if len(out) + len(word) + (1 if out else 0) > limit:
            break
        out = f"{out}-{word}" if out else word
    return out


def _collapse(text: str) -> str:
    return " ".join(text.split())


_NEW_ITEM = re.compile(r"(?:[•*–-]|\d+(?:\.\d+)*\.?|§\s*\d+|[a-z]\))\s")


def sentences(text: str) -> list[Span]:
    """Sentences with offsets into the text. A line broken inside a sentence (PDF text wraps lines) is
    joined to the next one; a heading, a bullet or a numbered item starts anew."""
    units: list[tuple[int, int]] = []
    previous: Span | None = None
    for line in iter_lines(text):
        joined = (
            previous is not None
            and units
            and text.count("\n", previous.end, line.start) == 1
            and len(previous.text) > 60
            and previous.text[-1] not in ".!?:;"
            and not _NEW_ITEM.match(line.text)
        )
        if joined:
            units[-1] = (units[-1][0], line.end)
        else:
            units.append((line.start, line.end))
        previous = line
    out: list[Span] = []
    for start, end in units:
        out += split_sentences(text[start:end], base=start)
    return out


# ---------------------------------------------------------------- title, issuer, kind, programme, region


def _title(text: str, found: dict) -> tuple[str | None, Evidence | None]:
    if found.get("title"):
        return str(found["title"]).strip(), None
    lines = []
    for ln in iter_lines(text)[:12]:  # the lines before the first paragraph of prose
        if len(ln.text) > 150 and ln.text.endswith("."):
            break
        if not TITLE_NOISE.match(ln.text.lstrip("# ")) and not re.match(r"[•*–-]\s", ln.text):
            lines.append(ln)
    headline = [ln for ln in lines if len(ln.text.split()) >= 2 and len(ln.text) <= 250 and ln.text[-1] not in ".?!:,;"]
    cued = [ln for ln in lines if TITLE_CUE.search(ln.text) and 3 <= len(ln.text) <= 300]
    wordy = [ln for ln in lines if len(ln.text.split()) >= 3 and len(ln.text) <= 300]
    cued_headline = [ln for ln in headline if TITLE_CUE.search(ln.text)]
    line = (cued_headline or headline or cued or wordy or lines or [None])[0]
    if line is None:
        return None, None
    lead = len(line.text) - len(line.text.lstrip("# "))
    quote = line.text[lead:]
    return _collapse(quote), Evidence(quote, line.start + lead, line.end)


def _issuer(text: str) -> tuple[str | None, Evidence | None]:
    head = text[:4000]
    for line in iter_lines(head):
        m = ISSUER_LABEL.match(line.text)
        if m:
            return _collapse(m.group(1)), Evidence(m.group(1), line.start + m.start(1), line.start + m.end(1))
    m = next((m for m in ISSUER.finditer(head) if len(m.group().split()) >= 2), None)
    if not m:
        return None, None
    quote = m.group().rstrip(" ,-–")
    return _collapse(quote), Evidence(quote, m.start(), m.start() + len(quote))


def _kind(title: str | None, text: str) -> str:
    head = (title or "") + "\n" + text[:300]
    if GUIDELINE_CUES.search(title or ""):
        return "guideline"
    if CALL_CUES.search(head):
        return "call"
    if GUIDELINE_CUES.search(head) and (GUIDELINE_BODY.search(text) or IN_FORCE.search(text)):
        return "guideline"
    if len(GUIDELINE_BODY.findall(text)) >= 2:
        return "guideline"
    return "background"


def _programme(title: str | None, kind: str, text: str) -> tuple[str | None, str | None]:
    """(programme id, programme title) from the short name a title gives (or the text names in quotes
    after 'Förderprogramm'), or None for background texts that name none."""
    if not title:
        return None, None
    name = None
    m = PAREN_SHORT.search(title)
    if m:
        name = m.group(1).strip('„“”" ')
    if name is None:
        m = QUOTED_NAME.search(title)
        if m:
            name = re.split(r"\s+[–-]\s+", m.group(1).strip())[0]
    if name is None and kind != "background":
        m = PROGRAMME_NAMED.search(text[:5000])
        if m:
            name = m.group(1).strip()
    if name is None and kind != "background":
        rest = re.sub(
            r"^(?:\w*[Rr]ichtlinie\w*|\w*[Aa]ufruf\w*|Bekanntmachung|Förderprogramm)\b[^A-ZÄÖÜ]*"
            r"(?:(?:Gewährung von Zuwendungen|Förderung)\s+(?:von|der|des|zur|zum)?\s*)?",
            "",
            title,
        )
        name = " ".join(rest.split()[:6]) or None
    if not name:
        return None, None
    name = _collapse(name)
    ident = slug(name)
    return (ident if len(ident) >= 2 else None), name


def _regions(text: str, issuer: str | None) -> tuple[list[str], Evidence | None]:
    """The Länder a text funds in, or ['DE'] (federal, or nothing said)."""
    if issuer:
        named = [code for code, rx in _LAND_RE.items() if rx.search(issuer)]
        if len(named) == 1:
            return named, None
        if _FEDERAL.search(issuer):
            return ["DE"], None
    # several Länder named in one sentence: a funder active in more than one Land
    best: tuple[list[str], Span] | None = None
    for s in sentences(text):
        named = [code for code, rx in _LAND_RE.items() if rx.search(s.text)]
        if len(named) >= 2 and re.search(r"\b(?:und|sowie)\b", s.text) and (best is None or len(named) > len(best[0])):
            best = (named, s)
    if best and re.search(r"\b(?:Sitz|tätig|ansässig|gefördert|fördert|Förderregion|Fördergebiet|aus)\b", best[1].text):
        return sorted(best[0]), Evidence(best[1].text, best[1].start, best[1].end)
    if _FEDERAL.search(text[:3000]):
        return ["DE"], None
    counts = {code: len(rx.findall(text)) for code, rx in _LAND_RE.items()}
    code, count = max(counts.items(), key=lambda kv: kv[1])
    if count >= 2:
        return [code], None
    return [], None  # nothing said: the caller falls back to DE and says so


# ---------------------------------------------------------------- dates


@dataclass
class _Deadline:
    date: dt.date
    kind: str
    purpose: str
    evidence: Evidence
    opens: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date, "kind": self.kind, "purpose": self.purpose}
        if self.opens:
            out["opens"] = self.opens
        out["evidence"] = self.evidence.as_dict()
        return out


def _ev(s: Span) -> Evidence:
    return Evidence(s.text, s.start, s.end)


def _published(text: str, lines: list[Span], found: dict) -> tuple[dt.date | None, Evidence | None]:
    head = lines[:40]
    for line in head:  # "Vom 14. März 2025", "Stand: 01.02.2026"
        m = VOM_LINE.match(line.text)
        dates = find_dates(line.text)
        if m and dates and dates[0].precision == "day" and len(line.text) <= 60:
            return dates[0].date, _ev(line)
    for s in [s for line in head for s in split_sentences(line.text, base=line.start)]:
        for d in find_dates(s.text):
            if d.precision == "day" and PUBLISHED_CUE.search(s.text[: d.start]):
                return d.date, _ev(s)
    if found.get("published"):
        try:
            return dt.date.fromisoformat(str(found["published"])[:10]), None
        except ValueError:
            pass
    for line in lines[:12]:  # a news item's date line: "21. September 2023 Erstellt von ..."
        dates = find_dates(line.text)
        if dates and dates[0].start == 0 and dates[0].precision == "day":
            return dates[0].date, _ev(line)
    for line in lines:  # signed at the end: "Berlin, den 28. März 2023"
        dates = find_dates(line.text)
        if dates and dates[0].precision == "day" and SIGNED.match(line.text[: dates[0].start]):
            if dates[0].end >= len(line.text.rstrip(". ")):
                return dates[0].date, _ev(line)
    return None, None


def _force_dates(
    s: Span, published: dt.date | None, inference: Inference
) -> tuple[dt.date | None, dt.date | None, set[int]]:
    """valid_from and valid_until a sentence states, and the offsets of the dates it used."""
    valid_from = valid_until = None
    used: set[int] = set()
    dates = find_dates(s.text)
    segment_start = 0
    for fw in FORCE_WORD.finditer(s.text):
        segment = s.text[segment_start : fw.start()]
        in_segment = [d for d in dates if segment_start <= d.start < fw.start()]
        out = fw.group().startswith("außer")
        if in_segment:
            d = in_segment[-1]
            day = _end_of_month(d) if out and d.precision == "month" else d.date
            if out:
                valid_until = day
            else:
                valid_from = day
            used.add(d.start)
        elif not out and DAY_AFTER_PUBLICATION.search(segment):
            if published:
                valid_from = published + dt.timedelta(days=1)
            else:
                inference.notes.append(
                    "Inkrafttreten am Tag nach der Veröffentlichung, aber kein Veröffentlichungsdatum"
                )
        elif not out and DAY_OF_PUBLICATION.search(segment):
            if published:
                valid_from = published
            else:
                inference.notes.append("Inkrafttreten am Tag der Veröffentlichung, aber kein Veröffentlichungsdatum")
        segment_start = fw.end()
    for d in dates:
        if d.start in used:
            continue
        before = s.text[max(0, d.start - 80) : d.start]
        if VALID_UNTIL_CUE.search(before) and (DOC_SUBJECT.search(s.text) or FORCE_WORD.search(s.text)):
            valid_until = _end_of_month(d) if d.precision == "month" else d.date
            used.add(d.start)
        elif VALID_FROM_CUE.search(before) and DOC_SUBJECT.search(s.text):
            valid_from = d.date
            used.add(d.start)
    return valid_from, valid_until, used


def _end_of_month(d: FoundDate) -> dt.date:
    following = dt.date(d.date.year + d.date.month // 12, d.date.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _nearest_cue(sentence: str, pos: int, *cues: tuple[str, re.Pattern[str]]) -> str | None:
    """The kind whose cue lies nearest to `pos` in the same clause (clauses end at ';' and ':').
    A clause whose only submission words say "hand in" is about what its other cue names ("Der
    Verwendungsnachweis ist bis zum 31. März ... vorzulegen")."""
    left = max(sentence.rfind(";", 0, pos), sentence.rfind(":", 0, pos) if ":" in sentence[:pos] else -1) + 1
    right_candidates = [i for i in (sentence.find(";", pos), len(sentence)) if i >= 0]
    clause = (left, min(right_candidates))
    best: tuple[int, str] | None = None
    hand_in_only, other = True, False
    for kind, rx in cues:
        for m in rx.finditer(sentence, clause[0], clause[1]):
            dist = pos - m.end() if m.end() <= pos else m.start() - pos
            if best is None or dist < best[0]:
                best = (dist, kind)
            if kind == "submission" and not HAND_IN.match(m.group(0)):
                hand_in_only = False
            other = other or kind == "other"
    if best and best[1] == "submission" and hand_in_only and other:
        return "other"
    return best[1] if best else None


_NUMBERING = re.compile(r"^(?:\(?\d+(?:\.\d+)*\)?\.?|[a-z]\)|§\s*\d+)\s+")


def _purpose(s: Span) -> str:
    """What the deadline is for: its sentence, without the paragraph's number ("8.1", "(2)")."""
    text = _NUMBERING.sub("", _collapse(s.text).lstrip("•-–* "))
    return text if len(text) <= 200 else text[:197].rsplit(" ", 1)[0] + " …"


def _timeline_kind(text: str, d: FoundDate) -> str | None:
    """The kind of a date that opens a line and is labelled after a colon, as in a call's
    timeline: "Bewerbungsschluss" (submission), "Bewerbungsportal öffnet" (opens), an event."""
    label = TIMELINE_LABEL.match(text[d.end :])
    if not TIMELINE_LEAD.match(text[: d.start]) or label is None or ":" not in label.group(0):
        return None
    words = text[d.end + label.end() :]
    if SUBMISSION_CUE.search(words):
        if DEADLINE_WORD.search(words):
            return "submission"
        if OPENS_WORD.search(words):
            return "opens"
    return "event" if EVENT_CUE.search(words) else None


def _deadlines(
    spans: list[Span], skip: set[int], valid_from: dt.date | None, valid_until: dt.date | None
) -> list[_Deadline]:
    found: list[_Deadline] = []
    yearly: list[_Deadline] = []
    pending_opens: list[tuple[dt.date, Span]] = []
    cues = (("submission", SUBMISSION_CUE), ("event", EVENT_CUE), ("start", START_CUE), ("other", OTHER_CUE))
    for s in spans:
        dates = [d for d in find_dates(s.text) if d.precision == "day" and s.start + d.start not in skip]
        bare = find_days_without_year(s.text)
        opens_here: dict[int, dt.date] = {}
        # windows: "vom 1. Februar bis 31. März 2027", "vom 01.02.2027 bis zum 31.03.2027"
        for d in dates:
            left = [b for b in bare if b.end <= d.start and WINDOW_GAP.match(s.text[b.end : d.start])]
            left_full = [e for e in dates if e.end <= d.start and WINDOW_GAP.match(s.text[e.end : d.start])]
            if left_full:
                first = left_full[-1]
                if OPENS_BEFORE.search(s.text[max(0, first.start - 30) : first.start]):
                    opens_here[d.start] = first.date
            elif left:
                b = left[-1]
                if OPENS_BEFORE.search(s.text[max(0, b.start - 30) : b.start]):
                    year = d.date.year if (b.month, b.day) <= (d.date.month, d.date.day) else d.date.year - 1
                    opened = b.in_year(year)
                    if opened:
                        opens_here[d.start] = opened
        window_starts = {e.start for e in dates if e.date in opens_here.values()}
        for d in dates:
            before = s.text[max(0, d.start - 60) : d.start]
            if (timeline := _timeline_kind(s.text, d)) is not None:  # "- 28. Februar 2027: Bewerbungsschluss"
                if timeline == "opens":
                    pending_opens.append((d.date, s))
                else:
                    found.append(_Deadline(d.date, timeline, _purpose(s), _ev(s)))
                continue
            kind = _nearest_cue(s.text, d.start, *cues)
            if kind in (None, "other"):
                continue
            if d.start in window_starts and d.start not in opens_here:
                if kind == "start":
                    found.append(_Deadline(d.date, "start", _purpose(s), _ev(s)))
                continue  # the first day of a window: kept with its closing day
            if kind == "submission":
                if OPENS_BEFORE.search(s.text[max(0, d.start - 30) : d.start]) and not UNTIL_BEFORE.search(before):
                    pending_opens.append((d.date, s))  # "Anträge können ab dem 11. Januar 2027 gestellt werden"
                    continue
                if not (UNTIL_BEFORE.search(before) or re.search(r"\b(?:am|der|zum)\s+$", before)):
                    continue
                purpose = _purpose(s)
                if ROLLING.search(s.text) and not purpose.lower().startswith("fortlaufend"):
                    purpose = "Fortlaufende Antragstellung: " + purpose
                found.append(_Deadline(d.date, "submission", purpose, _ev(s), opens_here.get(d.start)))
            elif kind == "event":
                found.append(_Deadline(d.date, "event", _purpose(s), _ev(s)))
            elif kind == "start":
                if END_BEFORE.search(before) or END_AFTER.search(s.text[d.end : d.end + 30]):
                    continue
                if START_BOUND.search(before) or START_CUE.search(s.text[d.end : d.end + 40]):
                    found.append(_Deadline(d.date, "start", _purpose(s), _ev(s)))
        # yearly deadlines: "jeweils bis zum 15. März eines Jahres" within the validity, unless the
        # text names that day's dates itself ("...; für das Förderjahr 2027 endet die Frist am 31. Januar 2027")
        if YEARLY.search(s.text) and SUBMISSION_CUE.search(s.text) and valid_until:
            first_year = (valid_from or dt.date(valid_until.year, 1, 1)).year
            for b in bare:
                before = s.text[max(0, b.start - 40) : b.start]
                if not UNTIL_BEFORE.search(before) and not re.search(r"\b(?:zum|am)\s+$", before):
                    continue
                if _nearest_cue(s.text, b.start, *cues) != "submission":  # "Ein Zwischennachweis ist jeweils ..."
                    continue
                # funds the year after: its last deadline lies a year before the validity ends
                last_year = valid_until.year - (1 if NEXT_YEAR.search(s.text) or PREVIOUS_YEAR.search(s.text) else 0)
                for year in range(first_year, last_year + 1):
                    day = b.in_year(year)
                    if day and (valid_from is None or day >= valid_from) and day <= valid_until:
                        yearly.append(_Deadline(day, "submission", _purpose(s), _ev(s)))
    named = {(d.date.month, d.date.day) for d in found if d.kind == "submission"}
    found.extend(d for d in yearly if (d.date.month, d.date.day) not in named)
    for opened, _sentence in pending_opens:  # an opening stated on its own belongs to the next closing day
        later = [d for d in found if d.kind == "submission" and d.date >= opened and d.opens is None]
        if later:
            min(later, key=lambda d: d.date).opens = opened
    unique: dict[tuple[dt.date, str], _Deadline] = {}
    for d in sorted(found, key=lambda d: (d.date, d.kind)):
        key = (d.date, d.kind)
        if key in unique:
            unique[key].opens = unique[key].opens or d.opens
            continue
        unique[key] = d
    return list(unique.values())


def infer_metadata(text: str, stem: str, found: dict | None = None) -> Inference:
    """Everything the text (and the file's own title/date in `found`) says about a document."""
    found = found or {}
    inference = Inference()
    fields = inference.fields
    lines = iter_lines(text)
    fields["id"] = slug(stem, 80) or "dokument"
    if len(fields["id"]) < 3:
        fields["id"] = f"dok-{fields['id']}"

    title, ev = _title(text, found)
    if title:
        fields["title"] = title
        if ev:
            inference.evidence["title"] = ev
    issuer, ev = _issuer(text)
    if issuer:
        fields["issuer"] = issuer
        if ev:
            inference.evidence["issuer"] = ev
    kind = _kind(title, text)
    fields["kind"] = kind
    programme, programme_title = _programme(title, kind, text)
    if programme:
        fields["programme"] = programme
        fields["programme_title"] = programme_title
    regions, ev = _regions(text, issuer)
    if regions:
        fields["region"] = regions if len(regions) > 1 else regions[0]
    if ev:
        inference.evidence["region"] = ev

    published, ev = _published(text, lines, found)
    if published:
        fields["published"] = published
        if ev:
            inference.evidence["published"] = ev
    spans = sentences(text)
    skip: set[int] = set()
    if ev:
        skip |= {ev.start + d.start for d in find_dates(ev.quote)}
    valid_from = valid_until = None
    for s in spans:
        if not (FORCE_WORD.search(s.text) or re.search(r"\b(?:gilt|gelten|ist|sind)\b", s.text)):
            continue
        start, until, used = _force_dates(s, published, inference)
        if start and valid_from is None:
            valid_from = start
            inference.evidence["valid_from"] = _ev(s)
        if until and valid_until is None:
            valid_until = until
            inference.evidence["valid_until"] = _ev(s)
        if start or until:
            skip |= {s.start + offset for offset in used}
    if valid_from and valid_until and valid_from > valid_until:
        inference.notes.append(
            f"Gültigkeit widersprüchlich: Beginn {valid_from.isoformat()} nach Ende {valid_until.isoformat()}"
        )
        valid_from = None
        inference.evidence.pop("valid_from", None)
    if valid_from:
        fields["valid_from"] = valid_from
    if valid_until:
        fields["valid_until"] = valid_until
    deadlines = _deadlines(spans, skip, valid_from, valid_until)
    fields["deadlines"] = [d.as_dict() for d in deadlines]
    return inference
