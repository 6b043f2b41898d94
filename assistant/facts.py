"""Dates of the documents on the reference date: deadline status, programme validity, the deadline
overview and publication dates. Deadlines come from the corpus metadata and cite the sentence of the
document that states them. Works on the documents alone; the pipeline calls it, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel

from assistant.answer import SOURCE_PREFIX, as_sentence
from assistant.citations import citation_for
from assistant.dates import asked_year, days_phrase, period_end, period_start
from assistant.models import Citation, Draft, DraftSentence, Source
from index.dates import find_dates, german_date
from index.documents import Deadline, Document, DocumentMeta
from index.text import iter_lines, split_sentences

Documents = Mapping[str, Document]

Status = Literal["abgelaufen", "offen", "noch_nicht_offen", "vorbei", "bevorstehend"]


class DeadlineStatus(BaseModel):
    date: dt.date
    kind: str
    purpose: str
    status: Status
    days_left: int
    doc_id: str
    opens: dt.date | None = None
    citation: Citation | None

    def sentence(self) -> str:
        when = german_date(self.date)
        if self.status == "abgelaufen":
            return f"{self.purpose}: abgelaufen am {when}."
        if self.status == "offen":
            return f"{self.purpose}: offen bis {when} (noch {days_phrase(self.days_left)})."
        if self.status == "noch_nicht_offen" and self.opens:
            return f"{self.purpose}: noch nicht begonnen, Einreichung vom {german_date(self.opens)} bis {when}."
        if self.status == "vorbei":
            return f"{self.purpose}: war am {when}."
        return f"{self.purpose}: am {when} (in {days_phrase(self.days_left, dative=True)})."


class ProgrammeStatus(BaseModel):
    """A programme on the reference date: its documents, validity and deadlines."""

    programme: str
    title: str
    documents: list[str]
    valid_from: dt.date | None = None
    valid_until: dt.date | None
    in_force: bool
    deadlines: list[DeadlineStatus]


def deadline_status(deadline: Deadline, today: dt.date) -> tuple[Status, int]:
    left = (deadline.date - today).days
    if deadline.kind == "submission":
        if deadline.opens and today < deadline.opens:
            return "noch_nicht_offen", left
        return ("abgelaufen" if left < 0 else "offen"), left
    return ("vorbei" if left < 0 else "bevorstehend"), left


# "Ist die Frist schon abgelaufen?" asks whether it is over; "Können wir noch einreichen?",
# "Gilt die Richtlinie noch?" ask whether it is still open.
_ASKS_IF_OVER = re.compile(r"abgelaufen|vorbei|zu spät|verpasst|ausgelaufen|beendet|geschlossen", re.IGNORECASE)


def document_state(meta: DocumentMeta, today: dt.date) -> Literal["over", "open", "not_started"] | None:
    """Whether one can still apply under a document on the reference date: its validity and
    its submission deadlines; None where it says neither."""
    if meta.valid_until and meta.valid_until < today:
        return "over"
    if meta.valid_from and today < meta.valid_from:
        return "not_started"
    states = {deadline_status(d, today)[0] for d in meta.deadlines if d.kind == "submission"}
    if len(states) != 1:  # none, or some open and some passed
        return None
    return {"abgelaufen": "over", "offen": "open", "noch_nicht_offen": "not_started"}[states.pop()]


def status_lead(question: str, cited: list[DocumentMeta], today: dt.date) -> str | None:
    """ "ja"/"nein" for a yes/no question about the state on the reference date ("Können wir noch
    einen Antrag stellen?") when every cited document with dates says the same."""
    states = {s for meta in cited if (s := document_state(meta, today)) is not None}
    if len(states) != 1 or states == {"not_started"}:
        return None
    still_open = states == {"open"}
    return "ja" if still_open != bool(_ASKS_IF_OVER.search(question)) else "nein"


def period_lead(question: str, quote: str, today: dt.date) -> str | None:
    """ "ja"/"nein" for a yes/no question about the state on the reference date ("Wird das
    Programm noch gefördert?"), or in the year it names, from a running time the quoted passage states ("seit
    August 2023 bis Dezember 2028")."""
    end, start = period_end(quote), period_start(quote)
    if end is None:
        return None
    if (year := asked_year(question)) is not None:  # "Wird es im Jahr 2027 noch gefördert?": in that year
        number = int(year.group(1))
        running = end.year >= number and (start is None or start.year <= number)
    elif start is not None and today < start:  # not begun yet: neither yes nor no (the notice says when)
        return None
    else:
        running = today <= end
    return "ja" if running != bool(_ASKS_IF_OVER.search(question)) else "nein"


def states_its_dates(quote: str, meta: DocumentMeta) -> bool:
    """Whether a quote names the end of its document's validity or a submission deadline."""
    days = {d.date for d in meta.deadlines if d.kind == "submission"} | {meta.valid_until}
    return any(f.date in days for f in find_dates(quote))


def stating_passage(doc: Document, day: dt.date) -> Source | None:
    """The first sentence of the document that names this date."""
    sentences = (s for line in iter_lines(doc.text) for s in split_sentences(line.text, base=line.start))
    for sentence in sentences:  # line by line, so that a heading is not read into the sentence below it
        if any(f.date == day and f.precision == "day" for f in find_dates(sentence.text)):
            return Source(n=1, doc_id=doc.id, start=sentence.start, end=sentence.end, quote=sentence.text)
    return None


def deadlines(documents: Documents, programme: str | None, today: dt.date) -> list[DeadlineStatus]:
    out: list[DeadlineStatus] = []
    for doc in documents.values():
        if programme and doc.meta.programme != programme:
            continue
        for deadline in doc.meta.deadlines:
            status, left = deadline_status(deadline, today)
            source = stating_passage(doc, deadline.date)
            citation = citation_for(documents, source) if source else None
            out.append(
                DeadlineStatus(
                    date=deadline.date,
                    kind=deadline.kind,
                    purpose=deadline.purpose,
                    status=status,
                    days_left=left,
                    doc_id=doc.id,
                    opens=deadline.opens,
                    citation=citation,
                )
            )
    return sorted(out, key=lambda d: d.date)


def deadline_overview(documents: Documents, programmes: tuple[str, ...], today: dt.date) -> tuple[Draft, list[str]]:
    """'Welche Fristen laufen noch?': the submission deadlines, each sentence citing the passage
    that states it; their status on the reference date goes into the notices."""
    found = [d for p in (programmes or (None,)) for d in deadlines(documents, p, today) if d.kind == "submission"]
    sources: list[Source] = []
    sentences: list[DraftSentence] = []
    for d in found:
        if d.citation is None:
            continue
        n = len(sources) + 1
        sources.append(
            Source(
                n=n,
                doc_id=d.doc_id,
                start=d.citation.start,
                end=d.citation.end,
                quote=d.citation.quote,
                section=d.citation.section,
            )
        )
        meta = documents[d.doc_id].meta
        label = meta.programme_title or meta.title
        sentences.append(DraftSentence(text=f"{label}: {' '.join(d.citation.quote.split())}", refs=[n]))
    still_open = sum(d.status == "offen" for d in found)
    summary = f"Stand {german_date(today)}: " + (
        "Keine der hinterlegten Einreichungsfristen ist noch offen."
        if not still_open
        else f"{still_open} von {len(found)} hinterlegten Einreichungsfristen noch offen."
    )
    later = sum(d.status == "noch_nicht_offen" for d in found)
    if later:
        summary += " 1 weitere beginnt erst später." if later == 1 else f" {later} weitere beginnen erst später."
    return Draft(sentences=sentences, sources=sources), [summary]


def publication(documents: Documents, programmes: tuple[str, ...]) -> Draft:
    """'Wann ist die Meldung erschienen?': the publication date of the programmes' documents,
    each citing the sentence of the document that states it."""
    sources: list[Source] = []
    sentences: list[DraftSentence] = []
    for doc in documents.values():
        if doc.meta.programme not in programmes or doc.meta.published is None:
            continue
        source = stating_passage(doc, doc.meta.published)
        if source is None:
            continue
        n = len(sources) + 1
        sources.append(source.model_copy(update={"n": n}))
        sentences.append(DraftSentence(text=f"{SOURCE_PREFIX[doc.meta.kind]}: {as_sentence(source.quote)}", refs=[n]))
    return Draft(sentences=sentences, sources=sources)


def programme_status(documents: Documents, programme: str, today: dt.date) -> ProgrammeStatus:
    docs = [d for d in documents.values() if d.meta.programme == programme]
    titles = [d.meta.programme_title for d in docs if d.meta.programme_title]
    guidelines = [d.meta for d in docs if d.meta.kind == "guideline"]
    ends = [m.valid_until for m in guidelines if m.valid_until]
    starts = [m.valid_from for m in guidelines if m.valid_from]
    return ProgrammeStatus(
        programme=programme,
        title=titles[0] if titles else programme,
        documents=[d.id for d in docs],
        valid_from=min(starts) if starts else None,
        valid_until=max(ends) if ends else None,
        in_force=not guidelines or any(m.in_force(today) for m in guidelines),
        deadlines=deadlines(documents, programme, today),
    )
