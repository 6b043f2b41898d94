"""Typed hand-overs between retrieval, answering, enforcement and the interfaces."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Turn(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str = Field(max_length=20_000)


class Source(BaseModel):
    """A passage an answerer may cite as [n]: exact offsets into a corpus document."""

    n: int
    doc_id: str
    start: int
    end: int
    quote: str
    section: str = ""


class DraftSentence(BaseModel):
    text: str
    refs: list[int]


class Draft(BaseModel):
    """What an answerer proposes; nothing reaches a user before `enforce` has checked it."""

    sentences: list[DraftSentence]
    sources: list[Source]
    refusal: str | None = None  # without sentences: why, where the answerer knows (features.Refusal)


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    section: str
    quote: str
    url: str | None
    kind: str
    start: int
    end: int


class Retrieved(BaseModel):
    doc_id: str
    chunk_id: str
    score: float
    section: str
    text: str


Grade = Literal["answered", "related", "none"]


class Answer(BaseModel):
    """The answer as the CLI (--json), the API and the evaluation see it.

    `grade`: "answered" (a direct answer), "related" (no passage answers directly, but the
    closest passages on the asked topic are quoted; `refused` is true), "none" (nothing relevant)."""

    question: str
    answer: str
    refused: bool
    grade: Grade = "answered"
    # why there is no direct answer: no_evidence, figure_missing, unheard, abbreviation, gate (the
    # answerer), region (a Land no document is about), programme (a programme no document is
    # about), unsupported (nothing passed the citation check)
    refusal_reason: str | None = None
    citations: list[Citation]
    notices: list[str]
    retrieved: list[Retrieved]
    latency_ms: float
    today: str


class AnswerEvent(BaseModel):
    """One step of a streamed answer: a checked sentence, a reset (the sentences so far are
    replaced), or the final answer."""

    type: Literal["sentence", "reset", "answer"]
    text: str | None = None
    answer: Answer | None = None
