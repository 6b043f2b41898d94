"""Build the index: corpus -> chunks -> vectors -> a new Qdrant generation -> smoke query -> switch.

Idempotent: an unchanged corpus with unchanged settings builds nothing (content hashes)."""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass, field

from tqdm import tqdm

from core import __version__
from core.errors import CorpusError
from core.settings import Settings
from index.chunker import CHUNKER_VERSION, Chunk, chunk_document
from index.dense import Embedder, load_embedder
from index.documents import CorpusProblem, Document, load_corpus
from index.generations import GenerationInfo, Generations
from index.sparse import SparseEncoder, TermStats
from index.store import Manifest, Store

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
        store_engine="server" if settings.qdrant_url else settings.embedded_engine,
    )


def corpus_hash(documents: list[Document]) -> str:
    digest = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        digest.update(doc.content_hash.encode())
    return digest.hexdigest()[:16]


def build_index(settings: Settings, *, rebuild: bool = False, progress: bool = False) -> BuildReport:
    """Build a new index generation from the corpus and switch to it once it has passed a smoke
    query. An unchanged corpus (same content, same settings) builds nothing unless `rebuild`."""
    started = time.perf_counter()
    loaded = load_corpus(settings.corpus_dir)
    report = BuildReport(problems=list(loaded.problems), documents=len(loaded.documents))
    embedder = load_embedder(settings.dense_model)
    sparse = sparse_encoder_for(settings)
    manifest = manifest_for(settings, embedder, sparse)
    generations = Generations(settings)
    try:
        current = generations.current()
        previous = generations.info(current) if current else None
        documents = list(loaded.documents)
        if loaded.problems and previous is not None:
            # A broken file must not erase what was indexed: its last good version stays.
            loaded_ids = {d.id for d in documents}
            documents += [d for d in previous.documents if d.id not in loaded_ids]
        chunks = [c for doc in documents for c in chunk_document(doc, settings.chunk_max_chars)]
        manifest.corpus_hash = corpus_hash(documents)
        manifest.documents, manifest.chunks = len(documents), len(chunks)
        report.chunks = len(chunks)
        same_build = previous is not None and previous.manifest.differences(manifest) == []
        before = (
            {c.id for d in previous.documents for c in chunk_document(d, settings.chunk_max_chars)}
            if same_build and previous
            else set()
        )
        report.added = len({c.id for c in chunks} - before)
        report.removed = len(before - {c.id for c in chunks})
        if same_build and previous and previous.manifest.corpus_hash == manifest.corpus_hash and not rebuild:
            report.seconds = time.perf_counter() - started
            return report  # nothing changed: the served generation stays as it is

        name = generations.new_name()
        store = generations.open(name)
        try:
            _fill(store, manifest, documents, chunks, embedder, sparse, progress)
            smoke_test(store, embedder, sparse, len(chunks))
        except BaseException:
            _close_local(store, generations)
            generations.discard(name)
            raise
        _close_local(store, generations)
        generations.write_info(name, GenerationInfo(manifest=manifest, documents=documents))
        generations.activate(name)
        generations.prune(keep={name, *([current] if current else [])})
    finally:
        generations.close()
    report.seconds = time.perf_counter() - started
    return report


def _fill(
    store: Store,
    manifest: Manifest,
    documents: list[Document],
    chunks: list[Chunk],
    embedder: Embedder,
    sparse: SparseEncoder,
    progress: bool,
) -> None:
    store.ensure_collections(manifest)
    bar = tqdm(total=len(chunks), desc="Einbetten", unit="Abschnitte", file=sys.stderr, disable=not progress)
    for i in range(0, len(chunks), BATCH):
        batch = chunks[i : i + BATCH]
        texts = [c.indexed_text for c in batch]
        store.upsert_chunks(batch, embedder.embed(texts).tolist(), [sparse.encode_document(t) for t in texts])
        bar.update(len(batch))
    bar.close()
    store.put_documents(documents)
    store.put_term_stats(TermStats.from_texts(sparse.analyzer, [c.indexed_text for c in chunks]))
    store.write_manifest(manifest)
    store.finish()


def smoke_test(store: Store, embedder: Embedder, sparse: SparseEncoder, chunks: int) -> None:
    """A new generation must hold every chunk and answer a hybrid query before it is served."""
    manifest = store.read_manifest()
    stored = sum(1 for _ in store.iter_chunks())
    if stored != chunks or manifest.chunks != chunks:
        raise CorpusError(f"Der neue Index ist unvollständig ({stored} von {chunks} Abschnitten).")
    if chunks:
        probe = "Förderung Antrag Frist"
        hits = store.search(
            embedder.embed_query([probe])[0].tolist(),
            sparse.encode_query(probe, {}),
            mode="hybrid",
            limit=1,
            prefetch_k=10,
            weights=(1.0, 1.0),
        )
        if not hits:
            raise CorpusError("Der neue Index beantwortet keine Probeabfrage; er wird nicht übernommen.")


def _close_local(store: Store, generations: Generations) -> None:
    if not generations.server:  # a server's client is shared by all generations
        store.close()
