"""The Qdrant store: one chunk collection (named dense + sparse vectors) and one document
collection (full texts, term statistics), in embedded local mode or on a server."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel
from qdrant_client import QdrantClient, models
from qdrant_client.local.qdrant_local import QdrantLocal

from core.errors import IndexMismatch, IndexMissing, StoreUnavailable
from core.settings import Settings
from index.chunker import Chunk
from index.documents import Document, DocumentMeta
from index.sparse import SparseVector, TermStats

SCHEMA_VERSION = 1
DENSE, SPARSE = "dense", "sparse"
FILTER_FIELDS = ("doc_id", "programme", "region", "kind")
STATS_ID = str(uuid.UUID(int=0))

Mode = Literal["hybrid", "dense", "sparse"]


class Manifest(BaseModel):
    """Describes how an index was built; stored as the chunk collection's metadata."""

    schema_version: int = SCHEMA_VERSION
    package_version: str
    embedding_model: str
    dense_dim: int
    sparse: dict[str, Any]
    chunker: dict[str, Any]
    store_engine: str = "local"  # "edge" or "local" (embedded) or "server"
    corpus_hash: str = ""
    documents: int = 0
    chunks: int = 0

    def compatibility_key(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "embedding_model": self.embedding_model,
            "dense_dim": self.dense_dim,
            "sparse": self.sparse,
            "chunker": self.chunker,
            "store_engine": self.store_engine,
        }

    def differences(self, other: Manifest) -> list[str]:
        """Names of the build settings in which two manifests disagree."""
        mine, theirs = self.compatibility_key(), other.compatibility_key()
        return [key for key in mine if mine[key] != theirs.get(key)]


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


def ranked(hits: list[Hit]) -> list[Hit]:
    """Best first; equal scores (RRF gives ties) in reading order, so that every engine returns
    the same ranking."""
    return sorted(hits, key=lambda h: (-round(h.score, 6), h.chunk.doc_id, h.chunk.start))


def query_kind(mode: Mode, sparse: SparseVector | None) -> Mode:
    """What a search runs: hybrid falls back to dense for a question without sparse terms."""
    return "dense" if mode == "hybrid" and not sparse else mode


class Store(Protocol):
    """What the build, the retriever and the assistant need of an index generation; kept by
    `QdrantStore` (qdrant-client: server or local mode) and `index.edge.EdgeStore` (Qdrant Edge)."""

    def ensure_collections(self, manifest: Manifest) -> None: ...
    def read_manifest(self) -> Manifest: ...
    def write_manifest(self, manifest: Manifest) -> None: ...
    def iter_chunks(self) -> Iterable[Chunk]: ...
    def upsert_chunks(self, chunks: list[Chunk], dense: Iterable[list[float]], sparse: list[SparseVector]) -> None: ...
    def put_documents(self, documents: list[Document]) -> None: ...
    def put_term_stats(self, stats: TermStats) -> None: ...
    def finish(self) -> None: ...
    def term_stats(self) -> TermStats: ...
    def documents(self) -> list[Document]: ...
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
    ) -> list[Hit]: ...
    def close(self) -> None: ...


def point_id(key: str) -> str:
    """Deterministic point id from a content hash or document id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"foerderlotse:{key}"))


def open_client(settings: Settings) -> QdrantClient:
    """A client for the configured Qdrant: server by URL, else the embedded local store."""
    try:
        if settings.qdrant_url:
            key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
            return QdrantClient(url=settings.qdrant_url, api_key=key, timeout=10)
        settings.store_path.mkdir(parents=True, exist_ok=True)
        return QdrantClient(path=str(settings.store_path))
    except RuntimeError as exc:
        if "already accessed" in str(exc):
            raise StoreUnavailable(
                "Der lokale Index wird gerade von einem anderen Förderlotse-Prozess benutzt "
                "(z. B. 'foerderlotse serve'). Diesen beenden oder einen Qdrant-Server verwenden "
                "(FOERDERLOTSE_QDRANT_URL)."
            ) from exc
        raise
    except OSError as exc:
        raise StoreUnavailable(f"Der Index-Speicher ist nicht erreichbar: {type(exc).__name__}.") from exc


class QdrantStore:
    """All reads and writes of Förderlotse's Qdrant collections."""

    def __init__(self, client: QdrantClient, collection: str, shards: int = 1, replication_factor: int = 1) -> None:
        self.client = client
        self.collection = collection
        self.docs_collection = f"{collection}_docs"
        self.layout = {"shard_number": shards, "replication_factor": replication_factor}  # on a cluster

    # ---- schema -------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.client.collection_exists(self.collection) and self.client.collection_exists(self.docs_collection)

    def ensure_collections(self, manifest: Manifest) -> None:
        """Create the collections if missing; refuse to mix an index built differently."""
        if self.client.collection_exists(self.collection):
            current = self.read_manifest()
            if current.compatibility_key() != manifest.compatibility_key():
                raise IndexMismatch(
                    "Der vorhandene Index wurde mit anderen Einstellungen gebaut "
                    f"(abweichend: {', '.join(current.differences(manifest))}). Bitte neu aufbauen: "
                    "'foerderlotse index build --rebuild'."
                )
        else:
            self.client.create_collection(
                self.collection,
                vectors_config={DENSE: models.VectorParams(size=manifest.dense_dim, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                metadata=manifest.model_dump(mode="json"),
                **self.layout,
            )
            # Local mode filters by scanning and warns that payload indexes have no effect there.
            server = not isinstance(getattr(self.client, "_client", None), QdrantLocal)
            for field in FILTER_FIELDS if server else ():
                self.client.create_payload_index(self.collection, field, models.PayloadSchemaType.KEYWORD)
        if not self.client.collection_exists(self.docs_collection):
            self.client.create_collection(self.docs_collection, vectors_config={}, **self.layout)

    def read_manifest(self) -> Manifest:
        if not self.exists():
            raise IndexMissing("Es gibt noch keinen Index. Bitte zuerst 'foerderlotse index build' ausführen.")
        info = self.client.get_collection(self.collection)
        metadata = info.config.metadata or {}
        try:
            return Manifest.model_validate(metadata)
        except ValueError as exc:
            raise IndexMismatch(
                "Der Index hat kein gültiges Manifest. Bitte neu aufbauen: 'foerderlotse index build --rebuild'."
            ) from exc

    def write_manifest(self, manifest: Manifest) -> None:
        self.client.update_collection(self.collection, metadata=manifest.model_dump(mode="json"))

    # ---- writes -------------------------------------------------------------------------
    def iter_chunks(self) -> Iterable[Chunk]:
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.collection, limit=1000, offset=offset, with_payload=True, with_vectors=False
            )
            yield from (chunk_from_payload(p.payload or {}) for p in points)
            if offset is None:
                return

    def upsert_chunks(self, chunks: list[Chunk], dense: Iterable[list[float]], sparse: list[SparseVector]) -> None:
        points = [
            models.PointStruct(
                id=point_id(chunk.id),
                vector={
                    DENSE: list(vec),
                    SPARSE: models.SparseVector(indices=sp.indices, values=sp.values),
                },
                payload={"chunk_id": chunk.id, **chunk.model_dump(exclude={"id"})},
            )
            for chunk, vec, sp in zip(chunks, dense, sparse, strict=True)
        ]
        if points:
            self.client.upsert(self.collection, points=points, wait=True)

    def put_documents(self, documents: list[Document]) -> None:
        points = [
            models.PointStruct(
                id=point_id("doc:" + d.id),
                vector={},
                payload={
                    "type": "document",
                    "meta": d.meta.model_dump(mode="json"),
                    "text": d.text,
                    "path": d.path,
                    "hash": d.content_hash,
                },
            )
            for d in documents
        ]
        if points:
            self.client.upsert(self.docs_collection, points=points, wait=True)

    def put_term_stats(self, stats: TermStats) -> None:
        self.client.upsert(
            self.docs_collection,
            points=[
                models.PointStruct(
                    id=STATS_ID, vector={}, payload={"type": "termstats", "n_docs": stats.n_docs, "df": stats.df}
                )
            ],
        )

    def finish(self) -> None:
        """After a build; a server and the local mode index on their own."""

    def close(self) -> None:
        self.client.close()

    # ---- reads --------------------------------------------------------------------------
    def term_stats(self) -> TermStats:
        found = self.client.retrieve(self.docs_collection, [STATS_ID], with_payload=True)
        if not found or not found[0].payload:
            return TermStats(0, {})
        return TermStats(int(found[0].payload["n_docs"]), dict(found[0].payload["df"]))

    def documents(self) -> list[Document]:
        docs: list[Document] = []
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.docs_collection,
                limit=256,
                offset=offset,
                with_payload=True,
                scroll_filter=models.Filter(
                    must=[models.FieldCondition(key="type", match=models.MatchValue(value="document"))]
                ),
            )
            docs.extend(document_from_payload(p.payload or {}) for p in points)
            if offset is None:
                break
        return docs

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
        """Hybrid search through the Query API: dense and sparse prefetch, weighted RRF."""
        query_filter = _filter(filters)
        sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
        kind = query_kind(mode, sparse)
        if kind == "dense":
            resp = self.client.query_points(
                self.collection,
                query=dense,
                using=DENSE,
                limit=limit,
                query_filter=query_filter,
                with_payload=True,
            )
        elif kind == "sparse":
            resp = self.client.query_points(
                self.collection,
                query=sparse_query,
                using=SPARSE,
                limit=limit,
                query_filter=query_filter,
                with_payload=True,
            )
        else:
            resp = self.client.query_points(
                self.collection,
                prefetch=[
                    models.Prefetch(query=dense, using=DENSE, limit=prefetch_k, filter=query_filter),
                    models.Prefetch(query=sparse_query, using=SPARSE, limit=prefetch_k, filter=query_filter),
                ],
                query=models.RrfQuery(rrf=models.Rrf(weights=list(weights))),
                limit=limit,
                with_payload=True,
            )
        return ranked([Hit(chunk_from_payload(p.payload or {}), float(p.score)) for p in resp.points])


def _filter(filters: dict[str, str | list[str]] | None) -> models.Filter | None:
    if not filters:
        return None
    return models.Filter(
        must=[
            models.FieldCondition(
                key=k,
                match=models.MatchAny(any=v) if isinstance(v, list) else models.MatchValue(value=v),
            )
            for k, v in filters.items()
        ]
    )


def chunk_from_payload(payload: dict[str, Any]) -> Chunk:
    data = dict(payload)
    data["id"] = data.pop("chunk_id")
    return Chunk.model_validate(data)


def document_from_payload(payload: dict[str, Any]) -> Document:
    return Document(meta=DocumentMeta.model_validate(payload["meta"]), text=payload["text"], path=payload["path"])
