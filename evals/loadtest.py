"""Load test: the served app on a loopback port, driven by 1, 4 and 16 concurrent clients.

Bounded in count and time: each level sends at most `requests` questions (gold questions, in
turn) and stops after `seconds`. Prints p50/p95/p99 latency, throughput and status counts.
"""

from __future__ import annotations

import resource
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from evals.gold import GOLD_DIR, load_gold
from evals.metrics import percentile

LEVELS = (1, 4, 16)


@dataclass
class LevelResult:
    clients: int
    sent: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter

    def row(self) -> str:
        p = {q: percentile(self.latencies_ms, q / 100) for q in (50, 95, 99)}
        codes = " ".join(f"{code}:{n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.clients:>7} {self.sent:>6} {p[50]:>8} {p[95]:>8} {p[99]:>8} "
            f"{self.sent / self.seconds:>8.1f}   {codes}"
        )


def drive(base: str, questions: list[str], clients: int, requests: int, seconds: float) -> LevelResult:
    counter = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    deadline = time.perf_counter() + seconds

    def client(_: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.perf_counter() < deadline:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                started = time.perf_counter()
                try:
                    status = http.post("/api/v1/ask", json={"question": questions[n % len(questions)]}).status_code
                except httpx.HTTPError:
                    status = 0  # connection failed or timed out
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    statuses[status] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return LevelResult(clients, sum(statuses.values()), time.perf_counter() - started, latencies, statuses)


def run_loadtest(requests: int = 400, seconds: float = 120.0) -> int:
    """Serve the app from the built index on a free loopback port and drive it."""
    from core.settings import Settings
    from ui.app import build_app
    from ui.background import running

    settings = Settings()
    questions = [item.question for item in load_gold(GOLD_DIR) if not item.history]
    with running(build_app(settings), ready_path="/readyz", timeout=120) as base:
        print(
            f"Lasttest auf {base} (max_concurrent_answers={settings.max_concurrent_answers}, "
            f"queue_timeout={settings.queue_timeout} s; je Stufe höchstens {requests} Anfragen / {seconds:.0f} s)"
        )
        print("clients   sent   p50 ms   p95 ms   p99 ms    req/s   status")
        for clients in LEVELS:
            print(drive(base, questions, clients, requests, seconds).row(), flush=True)
    # Server and load clients share this process, so this is an upper bound for the server.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Spitzen-Speicher (max RSS, Server + Last-Clients): {peak_mb:.0f} MB")
    return 0
