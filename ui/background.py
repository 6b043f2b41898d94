"""Serve the app in a background thread on a loopback port: for the load test and the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(app: FastAPI, *, ready_path: str = "/healthz", timeout: float = 30.0) -> Iterator[str]:
    """Serve `app` with uvicorn on a free 127.0.0.1 port until the block ends; yields the base URL
    once `ready_path` answers 200."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + ready_path, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    else:
        server.should_exit = True
        raise RuntimeError(f"server on {base} did not become ready")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
