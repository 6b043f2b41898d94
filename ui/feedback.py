"""Feedback per answer in SQLite. Stores no IP address; the question only with the user's consent;
rows older than the retention period are deleted."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    comment TEXT,
    question TEXT,
    created_at TEXT NOT NULL
)
"""


class FeedbackStore:
    def __init__(self, path: Path, retention_days: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(SCHEMA)
        self._lock = threading.Lock()
        self.retention = dt.timedelta(days=retention_days)

    def add(self, answer_id: str, helpful: bool, comment: str | None, question: str | None) -> int:
        now = dt.datetime.now(dt.UTC)
        with self._lock, self._db:
            self._db.execute("DELETE FROM feedback WHERE created_at < ?", ((now - self.retention).isoformat(),))
            cur = self._db.execute(
                "INSERT INTO feedback (answer_id, helpful, comment, question, created_at) VALUES (?, ?, ?, ?, ?)",
                (answer_id, int(helpful), comment, question, now.isoformat()),
            )
            return int(cur.lastrowid or 0)

    def rows(self) -> list[dict[str, object]]:
        with self._lock:
            cur = self._db.execute("SELECT answer_id, helpful, comment, question, created_at FROM feedback")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self._db.close()
