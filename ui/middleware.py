"""ASGI middleware of the web app: body limit and content type, rate limit, security headers,
and an access log that records ids, sizes, status and timings, never question or answer text."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("foerderlotse.http")


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413 (by header, and while streaming)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if scope["method"] == "POST":
            ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if ctype != b"application/json":
                await _send_error(
                    send, 415, "unsupported_media_type", "Bitte JSON senden (Content-Type: application/json)."
                )
                return
        if declared_too_large(declared, self.limit):
            await _send_error(send, 413, "too_large", f"Die Anfrage ist zu groß (höchstens {self.limit} Bytes).")
            return
        try:
            await self.app(scope, limited(receive, self.limit), send)
        except TooLarge:
            await _send_error(send, 413, "too_large", f"Die Anfrage ist zu groß (höchstens {self.limit} Bytes).")


class TooLarge(Exception):
    """A request body grew past its limit while it was read."""


def declared_too_large(declared: bytes | None, limit: int) -> bool:
    """A Content-Length header that is no number or more than `limit`."""
    return declared is not None and (not declared.isdigit() or int(declared) > limit)


def limited(receive: Receive, limit: int) -> Receive:
    """`receive` that raises TooLarge once the body has grown past `limit` bytes (by header or not)."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise TooLarge
        return message

    return receive_limited


async def _send_error(
    send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(extra or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Who may frame the page (frame-ancestors from the allowed origins) and no MIME sniffing."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *origins])
        self.headers = [
            (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
            await send(message)

        await self.app(scope, receive, with_headers)


class RateLimit:
    """Per-client limit for the public API (requests per minute, sliding window); 0 = off.
    The client address is held in memory for the window only and never written anywhere."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app, self.per_minute = app, per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.per_minute <= 0 or scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        with self._lock:
            window = self._seen.setdefault(client, deque())
            while window and now - window[0] > 60:
                window.popleft()
            allowed = len(window) < self.per_minute
            if allowed:
                window.append(now)
            retry = int(60 - (now - window[0])) + 1 if window and not allowed else 0
            if len(self._seen) > 10_000:  # forget idle clients
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] <= 60}
        if not allowed:
            await _send_error(
                send,
                429,
                "rate_limited",
                "Zu viele Anfragen. Bitte in einer Minute erneut versuchen.",
                [(b"retry-after", str(retry).encode())],
            )
            return
        await self.app(scope, receive, send)


class AccessLog:
    """One line per request: id, method, path, status, request size, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, size = time.perf_counter(), 0, 0

        async def counting() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            return message

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counting, recording)
        finally:
            log.info(
                "request id=%s method=%s path=%s status=%s bytes_in=%d ms=%.1f",
                uuid.uuid4().hex[:12],
                scope["method"],
                scope["path"],
                status,
                size,
                (time.perf_counter() - started) * 1000,
            )
