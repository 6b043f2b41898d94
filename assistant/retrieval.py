"""Retrieval stage: a question (plus context) -> ranked chunks from Qdrant's hybrid query."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.lexicon import Lexicon
from assistant.settings import Settings
from index.dense import Embedder
from index.sparse import SparseEncoder
from index.store import Hit, Mode, Store


@dataclass(frozen=True)
class Query:
    """What retrieval searches for: the text, lexicon expansions and a programme preference."""

    text: str
    programmes: tuple[str, ...] = ()
    filters: tuple[tuple[str, str | list[str]], ...] = ()


class Retriever:
    def __init__(
        self, store: Store, embedder: Embedder, sparse: SparseEncoder, lexicon: Lexicon,
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
        if len(query.programmes) == 1:
            # The best chunks of the named programme come first, then the open search fills up.
            preferred = run({**base, "programme": list(query.programmes)})[: limit // 2 + 1]
        else:
            # A comparison needs evidence from every programme it names: take turns.
            per = [run({**base, "programme": p}) for p in query.programmes]
            preferred = [h for rank in zip(*per, strict=False) for h in rank]
            preferred += [h for hits in per for h in hits]
        merged = {h.chunk.id: h for h in preferred + run(base)}
        return list(merged.values())[:limit]
