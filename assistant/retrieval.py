"""Retrieval stage: a question (plus context) -> ranked chunks from Qdrant's hybrid query."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.lexicon import Lexicon
from assistant.settings import Settings
from index.dense import Embedder
from index.sparse import SparseEncoder
from index.store import Hit, Mode, QdrantStore


@dataclass(frozen=True)
class Query:
    """What retrieval searches for: the text, lexicon expansions and a programme preference."""

    text: str
    programmes: tuple[str, ...] = ()
    filters: tuple[tuple[str, str | list[str]], ...] = ()


class Retriever:
    def __init__(
        self, store: QdrantStore, embedder: Embedder, sparse: SparseEncoder, lexicon: Lexicon,
        settings: Settings,
    ) -> None:
        self.store, self.embedder, self.sparse = store, embedder, sparse
        self.lexicon, self.settings = lexicon, settings

    def search(self, query: Query, *, mode: Mode = "hybrid", limit: int | None = None) -> list[Hit]:
        """Top chunks; chunks of a programme the question names come first."""
        limit = limit or self.settings.top_k
        dense = self.embedder.embed([query.text])[0].tolist() if mode != "sparse" else None
        sparse = (
            self.sparse.encode_query(
                query.text, self.lexicon.expansions(query.text, self.sparse.analyzer)
            )
            if mode != "dense"
            else None
        )
        base = dict(query.filters)

        def run(filters: dict[str, str | list[str]]) -> list[Hit]:
            return self.store.search(
                dense, sparse, mode=mode, limit=limit, prefetch_k=self.settings.prefetch_k,
                weights=(self.settings.dense_weight, self.settings.sparse_weight),
                filters=filters or None,
            )  # fmt: skip

        if not query.programmes or "programme" in base:
            return run(base)
        preferred: list[Hit] = []
        for programme in query.programmes:
            preferred.extend(run({**base, "programme": programme}))
        preferred.sort(key=lambda h: h.score, reverse=True)
        seen = {h.chunk.id for h in preferred}
        # Keep the best of the named programme(s) first, then fill with the open search.
        head = preferred[: max(1, limit // 2 + 1)] if len(query.programmes) == 1 else preferred[:limit]
        rest = [h for h in run(base) if h.chunk.id not in {x.chunk.id for x in head}]
        rest += [h for h in preferred if h not in head and h.chunk.id in seen]
        merged, ids = [], set()
        for hit in head + rest:
            if hit.chunk.id not in ids:
                merged.append(hit)
                ids.add(hit.chunk.id)
        return merged[:limit]
