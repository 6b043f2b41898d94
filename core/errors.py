"""Errors that reach users carry a German message; the CLI and UI print only that message."""

from __future__ import annotations


class FoerderlotseError(Exception):
    """Base class. `message` is German and safe to show to a user; `code` is machine-readable."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(FoerderlotseError):
    code = "invalid_input"


class CorpusError(FoerderlotseError):
    code = "corpus_error"


class IndexMissing(FoerderlotseError):
    code = "index_missing"


class IndexMismatch(FoerderlotseError):
    code = "index_mismatch"


class StoreUnavailable(FoerderlotseError):
    code = "store_unavailable"
