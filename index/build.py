"""Build or update the index: corpus -> chunks -> vectors -> Qdrant. Idempotent by content hash."""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field

from tqdm import tqdm

from assistant import __version__
from assistant.settings import Settings
from index.chunker import CHUNKER_VERSION, Chunk, chunk_document
from index.dense import Embedder, load_embedder
from index.documents import CorpusProblem, Document, load_corpus
from index.sparse import SparseEncoder, TermStats
from index.store import Manifest, QdrantStore, open_client

BATCH = 64


@dataclass
class BuildReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    seconds: float = 0.0
    problems: list[CorpusProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sparse_encoder_for(settings: Settings) -> SparseEncoder:
    return SparseEncoder(k1=settings.bm25_k1, b=settings.bm25_b, avg_len=settings.bm25_avg_len)


def manifest_for(settings: Settings, embedder: Embedder, sparse: SparseEncoder) -> Manifest:
    return Manifest(
        package_version=__version__,
        embedding_model=settings.dense_model,
        dense_dim=embedder.dim,
        sparse=sparse.description,
        chunker={"version": CHUNKER_VERSION, "max_chars": settings.chunk_max_chars},
    )


def corpus_hash(documents: list[Document]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        digest.update(doc.content_hash.encode())
    return digest.hexdigest()[:16]


def build_index(
    settings: Settings, *, rebuild: bool = False, progress: bool = False,
    store: QdrantStore | None = None,
) -> BuildReport:
    """Bring the store in line with the corpus folder; unchanged chunks are not touched."""
    started = time.perf_counter()
    loaded = load_corpus(settings.corpus_dir)
    report = BuildReport(problems=list(loaded.problems))
    embedder = load_embedder(settings.dense_model)
    sparse = sparse_encoder_for(settings)
    manifest = manifest_for(settings, embedder, sparse)

    store = store or QdrantStore(open_client(settings), settings.collection)
    if rebuild:
        store.drop()
    store.ensure_collections(manifest)

    chunks: list[Chunk] = [
        c for doc in loaded.documents for c in chunk_document(doc, settings.chunk_max_chars)
    ]
    present = {c.id: c.doc_id for c in store.iter_chunks()}
    wanted = {c.id for c in chunks}
    new = [c for c in chunks if c.id not in present]
    loaded_ids = {d.id for d in loaded.documents}
    # Chunks of a document that failed to load stay: a broken file must not erase what was indexed.
    stale = [
        cid for cid, doc_id in present.items()
        if cid not in wanted and (doc_id in loaded_ids or not loaded.problems)
    ]  # fmt: skip

    bar = tqdm(total=len(new), desc="Einbetten", unit="Abschnitte", file=sys.stderr,
               disable=not progress)  # fmt: skip
    for i in range(0, len(new), BATCH):
        batch = new[i : i + BATCH]
        texts = [c.indexed_text for c in batch]
        store.upsert_chunks(batch, embedder.embed(texts).tolist(),
                            [sparse.encode_document(t) for t in texts])  # fmt: skip
        bar.update(len(batch))
    bar.close()
    store.delete_chunks(stale)

    stored_docs = {d.id: d.content_hash for d in store.documents()}
    changed = [d for d in loaded.documents if stored_docs.get(d.id) != d.content_hash]
    store.put_documents(changed)
    if not loaded.problems:
        store.delete_documents([d for d in stored_docs if d not in loaded_ids])

    if new or stale or changed or rebuild:
        all_chunks = list(store.iter_chunks())
        store.put_term_stats(
            TermStats.from_texts(sparse.analyzer, [c.indexed_text for c in all_chunks])
        )
        manifest.documents = len({c.doc_id for c in all_chunks})
        manifest.chunks = len(all_chunks)
        manifest.corpus_hash = corpus_hash(store.documents())
        store.write_manifest(manifest)

    report.documents = len(loaded.documents)
    report.chunks = len(chunks)
    report.added, report.removed = len(new), len(stale)
    report.seconds = time.perf_counter() - started
    return report
