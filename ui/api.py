"""The JSON API (/api/v1): pydantic models in and out, German errors with a machine-readable code.

Bad input is always a 4xx JSON error; a saturated server answers 503 with Retry-After instead of
piling requests up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.cards import ProgrammeCard, programme_cards
from assistant.facts import programme_status
from assistant.models import Answer, AnswerEvent, Citation, Grade, Retrieved, Turn
from assistant.pipeline import Assistant
from core.errors import FoerderlotseError, InvalidInput, StoreUnavailable
from core.settings import Settings
from index.generations import Generations
from ui.feedback import FeedbackStore

log = logging.getLogger("foerderlotse.http")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="Die Frage auf Deutsch.")
    programme: str | None = Field(None, description="Nur dieses Programm (ID).")
    history: list[Turn] = Field(
        default_factory=list, max_length=40, description="Frühere Gesprächsschritte, älteste zuerst."
    )
    today: dt.date | None = Field(None, description="Stichtag (JJJJ-MM-TT); Standard: heute.")
    debug: bool = Field(False, description="Gefundene Abschnitte (retrieved) mitsenden.")


class AskResponse(BaseModel):
    answer_id: str
    question: str
    answer: str
    refused: bool
    grade: Grade
    refusal_reason: str | None = None
    citations: list[Citation]
    notices: list[str]
    latency_ms: float
    today: str
    retrieved: list[Retrieved] | None = None


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    helpful: bool
    comment: str | None = Field(None, max_length=2000)
    question: str | None = Field(None, max_length=2000, description="Nur mitsenden, wenn die Person zugestimmt hat.")


class FeedbackResponse(BaseModel):
    stored: bool


class ProgrammeInfo(BaseModel):
    id: str
    title: str
    documents: list[str]
    valid_from: dt.date | None = None
    valid_until: dt.date | None
    in_force: bool
    open_deadlines: list[str]
    upcoming_deadlines: list[str] = []  # submission windows that open later


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 413, 415, 422, 429, 503)
}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message)).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


class Served:
    """The assistant being served. When a build has switched the index generation, the next
    request opens the new one and closes the old: no restart, no request sees half of either."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.fixed = assistant is not None  # handed in (tests, embedding): never swapped
        self.assistant = assistant or Assistant(settings)
        self._generations = Generations(settings)
        self._checked = time.monotonic()
        self._refused: str | None = None  # a generation that failed to open is not retried

    def current(self) -> Assistant:
        """Call with the store lock held."""
        now = time.monotonic()
        if self.fixed or now - self._checked < self.settings.reload_check_seconds:
            return self.assistant
        self._checked = now
        try:
            name = self._generations.current()
        except Exception as exc:  # noqa: BLE001 - a pointer that cannot be read: keep serving
            log.warning(
                "index pointer unreadable (%s); still serving %s", type(exc).__name__, self.assistant.generation
            )
            return self.assistant
        if not name or name in (self.assistant.generation, self._refused):
            return self.assistant
        try:
            fresh = Assistant(self.settings)
        except FoerderlotseError as exc:  # the new generation cannot be served: keep the old one
            self._refused = name
            log.warning(
                "index generation %s not served (%s); still serving %s", name, exc.code, self.assistant.generation
            )
            return self.assistant
        self.assistant, old = fresh, self.assistant
        old.close()
        log.info("index generation %s now served", fresh.generation)
        return self.assistant


class Gate:
    """Bounded concurrency: at most N answers at once, a short wait, then 503. Inside a slot,
    the store is used by one thread at a time (the embedded Qdrant client is not shared)."""

    def __init__(self, settings: Settings, served: Served) -> None:
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_answers)
        self._timeout = settings.queue_timeout
        self._store = threading.Lock()
        self.served = served

    @contextmanager
    def slot(self) -> Iterator[Assistant]:
        if not self._slots.acquire(timeout=self._timeout):
            raise Saturated()
        try:
            with self._store:
                yield self.served.current()
        finally:
            self._slots.release()


class Saturated(Exception):
    pass


_FIELD_MESSAGES = {
    "missing": "fehlt",
    "string_type": "muss ein Text sein",
    "bool_type": "muss true oder false sein",
    "bool_parsing": "muss true oder false sein",
    "list_type": "muss eine Liste sein",
    "dict_type": "muss ein Objekt sein",
    "model_type": "muss ein Objekt sein",
    "model_attributes_type": "muss ein Objekt sein",
    "extra_forbidden": "ist nicht vorgesehen",
    "string_pattern_mismatch": "hat ein ungültiges Format",
    "string_too_long": "ist zu lang",
    "too_long": "hat zu viele Einträge",
    "date_from_datetime_parsing": "muss ein Datum JJJJ-MM-TT sein",
    "date_parsing": "muss ein Datum JJJJ-MM-TT sein",
    "date_type": "muss ein Datum JJJJ-MM-TT sein",
}


HTTP_MESSAGES = {
    400: "Die Anfrage ist kein lesbares JSON (Syntax oder Verschachtelung).",
    404: "Diese Adresse gibt es nicht.",
    405: "Diese Methode ist hier nicht erlaubt.",
}


def validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return 400, "invalid_json", "Die Anfrage ist kein gültiges JSON."
    loc = [str(p) for p in first["loc"] if p != "body"]
    if not loc:
        return 422, "invalid_body", "Die Anfrage muss ein JSON-Objekt sein."
    what = _FIELD_MESSAGES.get(first["type"], "ist ungültig")
    return 422, "invalid_field", f"Feld '{'.'.join(loc)}' {what}."


class BoundedCache:
    """A small thread-safe LRU map: at most `maxsize` entries, the least recently used goes first.
    Keys may hold client input (a date), so the size, not the client, sets the bound."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)


FACTS_CACHE_SIZE = 64  # programme x reference date; one entry is a few kilobytes


# -- dependencies: what a route needs, from the app's state --------------------------------------
def get_gate(request: Request) -> Gate:
    return request.app.state.gate


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_feedback(request: Request) -> FeedbackStore:
    return request.app.state.feedback


def get_facts_cache(request: Request) -> BoundedCache:
    return request.app.state.facts_cache


GateDep = Annotated[Gate, Depends(get_gate)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# -- error handlers --------------------------------------------------------------------------------
async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    status, code, message = validation_message(exc)
    return error(status, code, message)


async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    message = HTTP_MESSAGES.get(status, "Die Anfrage konnte nicht bearbeitet werden.")
    code = "invalid_json" if status == 400 else f"http_{status}"
    return error(status, code, message, getattr(exc, "headers", None))


async def on_known(request: Request, exc: FoerderlotseError) -> JSONResponse:
    if isinstance(exc, InvalidInput):
        return error(400, exc.code, exc.message)
    if isinstance(exc, StoreUnavailable):
        return error(503, exc.code, exc.message, {"Retry-After": "5"})
    return error(500, exc.code, exc.message)


async def on_busy(request: Request, exc: Saturated) -> JSONResponse:
    return error(
        503, "busy", "Der Dienst ist gerade ausgelastet. Bitte gleich noch einmal versuchen.", {"Retry-After": "2"}
    )


# -- routes ------------------------------------------------------------------------------------------
router = APIRouter(prefix="/api/v1", responses=ERRORS)
probes = APIRouter()


def respond(answer: Answer, debug: bool) -> AskResponse:
    data = answer.model_dump(exclude={"retrieved"})
    return AskResponse(answer_id=uuid.uuid4().hex, retrieved=answer.retrieved if debug else None, **data)


@router.post(
    "/ask",
    response_model=AskResponse,
    response_model_exclude_none=True,
    summary="Eine Frage beantworten, jede Aussage mit Beleg",
)
def ask(body: AskRequest, gate: GateDep) -> AskResponse:
    with gate.slot() as assistant:
        answer = assistant.ask(body.question, programme=body.programme, today=body.today, history=body.history)
    return respond(answer, body.debug)


def _sse(event: AnswerEvent, debug: bool) -> str:
    if event.type == "answer" and event.answer is not None:
        data = respond(event.answer, debug).model_dump(mode="json", exclude_none=True)
    else:
        data = {"text": event.text}
    return f"event: {event.type}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post(
    "/ask/stream", summary="Wie /ask, als Server-Sent Events (Satz für Satz)", response_class=StreamingResponse
)
def ask_stream(body: AskRequest, gate: GateDep) -> StreamingResponse:
    """Each sentence goes out as soon as it has passed citation enforcement. The slot is held
    while the answer is written; bad input raises before the response starts (a 4xx JSON error)."""
    slot = gate.slot()
    assistant = slot.__enter__()
    try:
        events = assistant.stream(body.question, programme=body.programme, today=body.today, history=body.history)
        first = next(events)  # validation and retrieval happen here
    except BaseException:
        slot.__exit__(*sys.exc_info())
        raise

    def sse() -> Iterator[str]:
        try:
            yield _sse(first, body.debug)
            for event in events:
                yield _sse(event, body.debug)
        finally:
            events.close()
            slot.__exit__(None, None, None)

    return StreamingResponse(sse(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get("/programmes", response_model=list[ProgrammeInfo], summary="Programme und ihr Stand")
def programmes(gate: GateDep, settings: SettingsDep, today: dt.date | None = None) -> list[ProgrammeInfo]:
    day = today or settings.reference_date()
    with gate.slot() as assistant:
        states = [programme_status(assistant.documents, pid, day) for pid in assistant.programmes]
    return [
        ProgrammeInfo(
            id=p.programme,
            title=p.title,
            documents=p.documents,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            in_force=p.in_force,
            open_deadlines=[d.sentence() for d in p.deadlines if d.status == "offen"],
            upcoming_deadlines=[d.sentence() for d in p.deadlines if d.status == "noch_nicht_offen"],
        )
        for p in states
    ]


@router.get("/facts", response_model=list[ProgrammeCard], summary="Eckdaten je Programm mit Belegen")
def facts(
    gate: GateDep,
    settings: SettingsDep,
    cache: Annotated[BoundedCache, Depends(get_facts_cache)],
    programme: str | None = Query(None, max_length=80),
    today: dt.date | None = None,
) -> list[ProgrammeCard]:
    day = today or settings.reference_date()
    with gate.slot() as assistant:
        assistant.check_programme(programme)
        key = (assistant.generation, programme, day)
        cards = cache.get(key)
        if cards is None:
            cards = programme_cards(assistant, day, programme)
            cache.put(key, cards)
    return cards


@router.post("/feedback", response_model=FeedbackResponse, summary="Rückmeldung zu einer Antwort")
def give_feedback(body: FeedbackRequest, feedback: Annotated[FeedbackStore, Depends(get_feedback)]) -> FeedbackResponse:
    feedback.add(body.answer_id, body.helpful, body.comment, body.question)
    return FeedbackResponse(stored=True)


@probes.get("/readyz", summary="Index geladen und abfragbar", responses={503: {"model": ErrorResponse}})
def readyz(gate: GateDep) -> Any:
    try:
        with gate.slot() as assistant:
            assistant.retriever.search(assistant.query_for("Förderquote", None, None), limit=1)
            generation, chunks = assistant.generation, assistant.manifest.chunks
            documents = len(assistant.documents)
    except Saturated:
        raise
    except Exception:  # noqa: BLE001 - any failure means: not ready
        return error(503, "not_ready", "Der Index ist nicht abfragbar.")
    return {"status": "ready", "generation": generation, "documents": documents, "chunks": chunks}


def install(app: FastAPI, settings: Settings, served: Served) -> Gate:
    """Add the API routes and its error handling to the app; returns the gate that every
    answer (API and page) must pass."""
    gate = Gate(settings, served)
    app.state.settings = settings
    app.state.gate = gate
    app.state.feedback = FeedbackStore(settings.feedback_path, settings.feedback_retention_days)
    app.state.facts_cache = BoundedCache(FACTS_CACHE_SIZE)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(FoerderlotseError, on_known)
    app.add_exception_handler(Saturated, on_busy)
    app.include_router(router)
    app.include_router(probes)
    return gate
