"""A review of one document's metadata: each field's value, whether it was given (front matter or
sidecar), read from the file's own metadata or inferred from the text (with the quote), and warnings
where nothing was found or dates contradict each other. German text, for `foerderlotse documents`."""

from __future__ import annotations

from pydantic import BaseModel

from index.dates import german_date
from index.documents import ORIGIN_LABELS, Document

REVIEWED = (
    "title",
    "issuer",
    "kind",
    "programme",
    "programme_title",
    "region",
    "published",
    "valid_from",
    "valid_until",
)
FIELD_LABELS = {
    "title": "Titel",
    "issuer": "Herausgeber",
    "kind": "Art",
    "programme": "Programm-ID",
    "programme_title": "Programm",
    "region": "Region",
    "published": "Veröffentlicht",
    "valid_from": "Gültig ab",
    "valid_until": "Gültig bis",
    "deadlines": "Fristen",
}
DEADLINE_LABELS = {"submission": "Einreichung", "event": "Termin", "start": "Projektbeginn", "other": "Sonstiges"}


class Quoted(BaseModel):
    """Where in the text a value was read: the quote and its offsets (none for a given value)."""

    quote: str | None = None
    start: int | None = None
    end: int | None = None


class FieldReview(Quoted):
    name: str
    label: str
    value: object
    origin: str  # given | file | inferred | missing


class DeadlineReview(Quoted):
    date: str
    kind: str
    opens: str | None
    purpose: str
    origin: str


class DocumentReview(BaseModel):
    id: str
    path: str
    fields: list[FieldReview]
    deadlines: list[DeadlineReview]
    warnings: list[str]


def _shown(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def review(doc: Document) -> DocumentReview:
    meta = doc.meta
    fields = []
    for name in REVIEWED:
        value = meta.regions if name == "region" and len(meta.regions) > 1 else getattr(meta, name)
        origin = meta.origin.get(name, "given" if value is not None else "missing")
        if value is None and origin != "given":
            origin = "missing"
        ev = meta.evidence.get(name)
        fields.append(
            FieldReview(
                name=name,
                label=FIELD_LABELS[name],
                value=_shown(value),
                origin=origin,
                quote=ev.quote if ev else None,
                start=ev.start if ev else None,
                end=ev.end if ev else None,
            )
        )
    deadline_origin = meta.origin.get("deadlines", "given")
    deadlines = [
        DeadlineReview(
            date=d.date.isoformat(),
            kind=d.kind,
            opens=d.opens.isoformat() if d.opens else None,
            purpose=d.purpose,
            origin=deadline_origin,
            quote=d.evidence.quote if d.evidence else None,
            start=d.evidence.start if d.evidence else None,
            end=d.evidence.end if d.evidence else None,
        )
        for d in meta.deadlines
    ]
    return DocumentReview(id=meta.id, path=doc.path, fields=fields, deadlines=deadlines, warnings=warnings(doc))


def warnings(doc: Document) -> list[str]:
    """Where nothing was found, and where dates contradict each other."""
    meta = doc.meta
    out = list(meta.review_notes)
    if meta.origin.get("issuer") == "missing":
        out.append("Kein Herausgeber gefunden.")
    if meta.origin.get("region") == "missing":
        out.append("Keine Region gefunden: bundesweit (DE) angenommen.")
    if meta.kind != "background" and not meta.deadlines:
        out.append("Keine Frist gefunden.")
    if meta.kind == "guideline" and not (meta.valid_from or meta.valid_until):
        out.append("Keine Gültigkeit (Inkrafttreten oder Außerkrafttreten) gefunden.")
    if meta.published and meta.valid_until and meta.published > meta.valid_until:
        out.append(
            f"Widerspruch: veröffentlicht am {german_date(meta.published)}, "
            f"aber nur gültig bis {german_date(meta.valid_until)}."
        )
    for d in meta.deadlines:
        if meta.valid_until and d.kind == "submission" and d.date > meta.valid_until:
            out.append(
                f"Widerspruch: Frist {german_date(d.date)} liegt nach dem Ende der Gültigkeit "
                f"({german_date(meta.valid_until)})."
            )
        if meta.published and d.kind == "submission" and d.date < meta.published:
            out.append(
                f"Widerspruch: Frist {german_date(d.date)} liegt vor der Veröffentlichung "
                f"({german_date(meta.published)})."
            )
    return out


def origin_label(origin: str) -> str:
    return ORIGIN_LABELS.get(origin, origin)
