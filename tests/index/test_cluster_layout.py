"""A new generation on a Qdrant cluster is created with the configured shards and replicas.

No Qdrant server can run here; a small HTTP server on loopback records the REST requests that
the real qdrant-client sends and answers them as Qdrant does.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import pytest

from index.generations import Generations
from index.store import FILTER_FIELDS, Manifest
from tests.conftest import make_settings


class Recorder(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, dict]] = []
    created: set[str] = set()

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _reply(self, result: object) -> None:
        body = json.dumps({"result": result, "status": "ok", "time": 0.0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(("GET", self.path, {}))
        if self.path == "/":
            body = json.dumps({"title": "qdrant", "version": version("qdrant-client")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.endswith("/exists"):
            self._reply({"exists": self.path.split("/")[2] in self.created})
        else:
            self._reply({})

    def do_PUT(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        self.requests.append(("PUT", self.path.split("?")[0], data))
        parts = self.path.split("?")[0].split("/")
        if len(parts) == 3:  # PUT /collections/<name>
            self.created.add(parts[2])
            self._reply(True)
        else:
            self._reply({"operation_id": 0, "status": "completed"})


@pytest.fixture()
def qdrant_stand_in() -> Iterator[str]:
    Recorder.requests, Recorder.created = [], set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_new_generation_uses_the_cluster_layout(tmp_path: Path, qdrant_stand_in: str) -> None:
    settings = make_settings(tmp_path, qdrant_url=qdrant_stand_in, qdrant_shards=6, qdrant_replication_factor=2)
    generations = Generations(settings)
    store = generations.open("g1")
    store.ensure_collections(Manifest(package_version="0", embedding_model="m", dense_dim=4, sparse={}, chunker={}))
    generations.close()
    created = {
        path.split("/")[2]: body for method, path, body in Recorder.requests if method == "PUT" and path.count("/") == 2
    }
    assert set(created) == {"foerderlotse--g1", "foerderlotse--g1_docs"}
    for body in created.values():
        assert (body["shard_number"], body["replication_factor"]) == (6, 2)
    chunks = created["foerderlotse--g1"]
    assert chunks["vectors"]["dense"] == {"size": 4, "distance": "Cosine"}
    assert chunks["sparse_vectors"]["sparse"]["modifier"] == "idf"
    indexed = {body["field_name"] for method, path, body in Recorder.requests if path.endswith("/index")}
    assert indexed == set(FILTER_FIELDS)  # payload indexes on a server, for the filters
