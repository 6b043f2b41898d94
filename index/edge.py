"""The embedded store on Qdrant Edge, Qdrant's in-process engine.

Qdrant Edge runs Qdrant's own segment code (HNSW for dense vectors, an inverted index for sparse
vectors, payload indexes) inside this process. Unlike qdrant-client's local mode, which scores
every point in Python, it keeps query latency flat as the corpus grows, without a server.

One generation is a directory with two shards: `chunks` (named dense + sparse vectors, the chunk
payload) and `docs` (document texts, term statistics and the manifest as payload points). The
public methods are those of the `index.store.Store` protocol; `index.generations` picks the engine.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from core.errors import IndexMismatch, IndexMissing, StoreUnavailable
from index.chunker import Chunk
from index.documents import Document
from index.sparse import SparseVector, TermStats
from index.store import (
    DENSE,
    FILTER_FIELDS,
    SPARSE,
    STATS_ID,
    Hit,
    Manifest,
    Mode,
    chunk_from_payload,
    document_from_payload,
    point_id,
    query_kind,
    ranked,
)

_MANIFEST_ID = str(uuid.UUID(int=1))
_UNUSED = "unused"  # a shard needs one vector kind; the docs shard stores payload only
RRF_K = 2  # the RRF constant that Qdrant (server and qdrant-client) uses by default


def _locked(exc: BaseException) -> bool:
    return "WouldBlock" in str(exc) or "lock" in str(exc).lower()


class EdgeStore:
    """All reads and writes of one generation's shards in Qdrant Edge."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._chunks: qe.EdgeShard | None = None
        self._docs: qe.EdgeShard | None = None
        if self.exists():
            self._chunks, self._docs = self._load("chunks"), self._load("docs")

    def _load(self, name: str) -> qe.EdgeShard:
        try:
            return qe.EdgeShard.load(str(self.path / name))
        except Exception as exc:  # the engine raises plain Exceptions with its own text
            if _locked(exc):
                raise StoreUnavailable(
                    "Der lokale Index wird gerade von einem anderen Förderlotse-Prozess benutzt "
                    "(z. B. 'foerderlotse serve'). Diesen beenden oder einen Qdrant-Server verwenden "
                    "(FOERDERLOTSE_QDRANT_URL)."
                ) from exc
            raise IndexMismatch(
                "Der lokale Index lässt sich nicht öffnen. Bitte neu aufbauen: 'foerderlotse index build --rebuild'."
            ) from exc

    @property
    def chunks(self) -> qe.EdgeShard:
        if self._chunks is None:
            raise IndexMissing("Es gibt noch keinen Index. Bitte zuerst 'foerderlotse index build' ausführen.")
        return self._chunks

    @property
    def docs(self) -> qe.EdgeShard:
        if self._docs is None:
            raise IndexMissing("Es gibt noch keinen Index. Bitte zuerst 'foerderlotse index build' ausführen.")
        return self._docs

    # ---- schema -------------------------------------------------------------------------
    def exists(self) -> bool:
        return all((self.path / name).is_dir() for name in ("chunks", "docs"))

    def ensure_collections(self, manifest: Manifest) -> None:
        """Create both shards if missing; refuse to mix an index built differently."""
        if self._chunks is not None:
            current = self.read_manifest()
            if current.compatibility_key() != manifest.compatibility_key():
                raise IndexMismatch(
                    "Der vorhandene Index wurde mit anderen Einstellungen gebaut "
                    f"(abweichend: {', '.join(current.differences(manifest))}). Bitte neu aufbauen: "
                    "'foerderlotse index build --rebuild'."
                )
            return
        self._chunks = qe.EdgeShard.create(
            str(self.path / "chunks"),
            qe.EdgeConfig(
                vectors={DENSE: qe.EdgeVectorParams(size=manifest.dense_dim, distance=qe.Distance.Cosine)},
                sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            ),
        )
        for field in FILTER_FIELDS:
            self._chunks.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
        self._docs = qe.EdgeShard.create(
            str(self.path / "docs"), qe.EdgeConfig(sparse_vectors={_UNUSED: qe.EdgeSparseVectorParams()})
        )
        self._docs.update(qe.UpdateOperation.create_field_index("type", qe.PayloadSchemaType.Keyword))
        self.write_manifest(manifest)

    def read_manifest(self) -> Manifest:
        found = self.docs.retrieve([_MANIFEST_ID], True, False)
        if not found or not found[0].payload:
            raise IndexMismatch(
                "Der Index hat kein gültiges Manifest. Bitte neu aufbauen: 'foerderlotse index build --rebuild'."
            )
        try:
            return Manifest.model_validate(found[0].payload["manifest"])
        except (KeyError, ValueError) as exc:
            raise IndexMismatch(
                "Der Index hat kein gültiges Manifest. Bitte neu aufbauen: 'foerderlotse index build --rebuild'."
            ) from exc

    def write_manifest(self, manifest: Manifest) -> None:
        self._put(self.docs, _MANIFEST_ID, {"type": "manifest", "manifest": manifest.model_dump(mode="json")})

    # ---- writes -------------------------------------------------------------------------
    def iter_chunks(self) -> Iterable[Chunk]:
        yield from (chunk_from_payload(p) for p in self._scroll(self.chunks, None))

    def upsert_chunks(self, chunks: list[Chunk], dense: Iterable[list[float]], sparse: list[SparseVector]) -> None:
        points = [
            qe.Point(
                id=point_id(chunk.id),
                vector={DENSE: list(vec), SPARSE: qe.SparseVector(indices=sp.indices, values=sp.values)},
                payload={"chunk_id": chunk.id, **chunk.model_dump(exclude={"id"})},
            )
            for chunk, vec, sp in zip(chunks, dense, sparse, strict=True)
        ]
        if points:
            self.chunks.update(qe.UpdateOperation.upsert_points(points))

    def put_documents(self, documents: list[Document]) -> None:
        for d in documents:
            self._put(
                self.docs,
                point_id("doc:" + d.id),
                {
                    "type": "document",
                    "meta": d.meta.model_dump(mode="json"),
                    "text": d.text,
                    "path": d.path,
                    "hash": d.content_hash,
                },
            )

    def put_term_stats(self, stats: TermStats) -> None:
        self._put(self.docs, STATS_ID, {"type": "termstats", "n_docs": stats.n_docs, "df": stats.df})

    def finish(self) -> None:
        """After a build: index the segments (HNSW, sparse index) and write them to disk."""
        for shard in (self.chunks, self.docs):
            shard.optimize()
            shard.flush()

    # ---- reads --------------------------------------------------------------------------
    def term_stats(self) -> TermStats:
        found = self.docs.retrieve([STATS_ID], True, False)
        if not found or not found[0].payload:
            return TermStats(0, {})
        return TermStats(int(found[0].payload["n_docs"]), dict(found[0].payload["df"]))

    def documents(self) -> list[Document]:
        return [document_from_payload(p) for p in self._scroll(self.docs, qe.Filter(must=[_match("type", "document")]))]

    def search(
        self,
        dense: list[float] | None,
        sparse: SparseVector | None,
        *,
        mode: Mode = "hybrid",
        limit: int = 6,
        prefetch_k: int = 40,
        weights: tuple[float, float] = (1.0, 1.0),
        filters: dict[str, str | list[str]] | None = None,
    ) -> list[Hit]:
        """Hybrid search: dense and sparse prefetch, weighted RRF (as `QdrantStore.search`)."""
        query_filter = _filter(filters)
        sparse_query = qe.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
        kind = query_kind(mode, sparse)
        if kind == "dense":
            request = qe.QueryRequest(
                limit=limit, query=qe.Query.Nearest(dense, using=DENSE), filter=query_filter, with_payload=True
            )
        elif kind == "sparse":
            request = qe.QueryRequest(
                limit=limit, query=qe.Query.Nearest(sparse_query, using=SPARSE), filter=query_filter, with_payload=True
            )
        else:
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[
                    qe.Prefetch(limit=prefetch_k, query=qe.Query.Nearest(dense, using=DENSE), filter=query_filter),
                    qe.Prefetch(
                        limit=prefetch_k, query=qe.Query.Nearest(sparse_query, using=SPARSE), filter=query_filter
                    ),
                ],
                query=qe.Fusion.Rrf(k=RRF_K, weights=list(weights)),
                with_payload=True,
            )
        return ranked([Hit(chunk_from_payload(p.payload or {}), float(p.score)) for p in self.chunks.query(request)])

    def close(self) -> None:
        for shard in (self._chunks, self._docs):
            if shard is not None:
                shard.close()
        self._chunks = self._docs = None

    # ---- helpers ------------------------------------------------------------------------
    @staticmethod
    def _put(shard: qe.EdgeShard, pid: str, payload: dict[str, Any]) -> None:
        shard.update(qe.UpdateOperation.upsert_points([qe.Point(id=pid, vector={}, payload=payload)]))

    @staticmethod
    def _scroll(shard: qe.EdgeShard, where: qe.Filter | None) -> Iterable[dict[str, Any]]:
        offset = None
        while True:
            points, offset = shard.scroll(
                qe.ScrollRequest(offset=offset, limit=512, filter=where, with_payload=True, with_vector=False)
            )
            yield from (p.payload or {} for p in points)
            if offset is None:
                return


def _match(key: str, value: str | list[str]) -> qe.FieldCondition:
    match = qe.MatchAny(value) if isinstance(value, list) else qe.MatchValue(value)
    return qe.FieldCondition(key=key, match=match)


def _filter(filters: dict[str, str | list[str]] | None) -> qe.Filter | None:
    return qe.Filter(must=[_match(k, v) for k, v in filters.items()]) if filters else None
