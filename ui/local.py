"""Where a running `foerderlotse serve` listens, for the other commands on the same machine.

The embedded index can be opened by one process only. `serve` records its address next to the
index it holds; `ask` and `facts` then ask that server over HTTP instead of failing."""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path

from core.settings import Settings


def record_path(settings: Settings) -> Path:
    return settings.store_path.with_name(settings.store_path.name + ".server.json")


def local_url(host: str, port: int) -> str:
    """An address a local client can use (a server on all interfaces is reached on loopback)."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def write_record(settings: Settings, url: str) -> Path:
    path = record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    return path


def remove_record(settings: Settings) -> None:
    """Remove the record if this process wrote it."""
    path = record_path(settings)
    with suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def running_server(settings: Settings) -> str | None:
    """The URL of the server that holds this index, if one is recorded and its process lives."""
    try:
        record = json.loads(record_path(settings).read_text(encoding="utf-8"))
        url, pid = str(record["url"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return url
