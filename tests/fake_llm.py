"""A small local HTTP server that speaks the OpenAI chat-completions protocol (plain JSON and
server-sent events) and Ollama's /api/chat (JSON and NDJSON streaming), replaying scripted
replies. It stands in for the one part that cannot run here: a language model."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SOURCE = re.compile(r"^\[(\d+)\] [^\n]*\n<<<\n(.*?)\n>>>", re.MULTILINE | re.DOTALL)


@dataclass
class Reply:
    """What the fake model does: answer `text`, or misbehave at the HTTP level."""

    text: str = ""
    status: int = 200
    delay: float = 0.0
    raw: bytes | None = None  # sent as is (garbage)


@dataclass
class FakeLLM:
    script: Callable[[dict[str, Any]], Reply] = lambda prompt: Reply("KEINE ANGABE")
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""  # OpenAI-compatible base URL
    root: str = ""  # Ollama base URL

    @staticmethod
    def sources(request: dict[str, Any]) -> dict[int, str]:
        """The numbered passages in a request's prompt, as the model would read them."""
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        return {int(n): text for n, text in SOURCE.findall(user)}

    @classmethod
    def cite(cls, request: dict[str, Any], needle: str) -> int:
        """Number of the first passage that contains `needle` (a well-behaved model)."""
        return next(n for n, text in cls.sources(request).items() if needle in text)


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            reply = fake.script(body)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None or reply.status != 200:
                payload = (
                    reply.raw
                    if reply.raw is not None
                    else json.dumps({"error": {"message": "kaputt", "type": "server_error"}}).encode()
                )
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            if self.path.rstrip("/").endswith("/api/chat"):
                self._ollama(body, reply.text)
            elif body.get("stream"):
                self._stream(body, reply.text)
            else:
                self._json(body, reply.text)

        def _ollama(self, body: dict[str, Any], text: str) -> None:
            pieces = re.findall(r"\S+\s*", text) if body.get("stream", True) else [text]
            lines = [
                {
                    "model": body["model"],
                    "created_at": "2026-11-21T00:00:00Z",
                    "message": {"role": "assistant", "content": p},
                    "done": False,
                }
                for p in pieces
            ]
            lines.append(
                {
                    "model": body["model"],
                    "created_at": "2026-11-21T00:00:00Z",
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                }
            )
            if not body.get("stream", True):
                lines = [{**lines[0], "done": True, "done_reason": "stop"}]
            payload = "".join(json.dumps(line) + "\n" for line in lines).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _json(self, body: dict[str, Any], text: str) -> None:
            payload = json.dumps(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _stream(self, body: dict[str, Any], text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = re.findall(r"\S+\s*", text)  # token by token, roughly
            for i, piece in enumerate([*pieces, None]):
                delta = {"content": piece} if piece is not None else {}
                chunk = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"role": "assistant", **delta} if i == 0 else delta,
                            "finish_reason": None if piece is not None else "stop",
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


class FakeLLMServer:
    """Context manager: serves a FakeLLM on a free loopback port."""

    def __init__(self, fake: FakeLLM) -> None:
        self.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        self.server.daemon_threads = True
        fake.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        fake.root = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
