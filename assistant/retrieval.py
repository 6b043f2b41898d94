"""Retrieval stage: a question (plus context) -> ranked chunks from Qdrant's hybrid query."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from assistant.lexicon import EXPANSION_WEIGHT, Lexicon
from core.settings import Settings
from index.dense import Embedder
from index.sparse import SparseEncoder, SparseVector
from index.store import Hit, Mode, Store


@dataclass(frozen=True)
class Query:
    """What retrieval searches for: the text, lexicon expansions and a programme preference."""

    text: str
    programmes: tuple[str, ...] = ()
    filters: tuple[tuple[str, str | list[str]], ...] = ()
    clauses: tuple[tuple[str, str], ...] = ()  # a comparison's half per programme, where it splits
    # index terms that stand for words of the question the documents never use (their synonyms)
    also: tuple[str, ...] = ()


class Retriever:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        sparse: SparseEncoder,
        lexicon: Lexicon,
        settings: Settings,
    ) -> None:
        self.store, self.embedder, self.sparse = store, embedder, sparse
        self.lexicon, self.settings = lexicon, settings

    def search(self, query: Query, *, mode: Mode = "hybrid", limit: int | None = None) -> list[Hit]:
        """Top chunks; chunks of a programme the question names come first."""
        limit = limit or self.settings.top_k
        base = dict(query.filters)

        encoded: dict[str, tuple] = {}  # each text is encoded once, however often it is searched

        def run(filters: dict[str, str | list[str]], text: str = query.text) -> list[Hit]:
            if text not in encoded:
                encoded[text] = (
                    self.embedder.embed_query([text])[0].tolist() if mode != "sparse" else None,
                    self._sparse_query(text, query.also) if mode != "dense" else None,
                )
            dense, sparse = encoded[text]
            hits = self.store.search(
                dense,
                sparse,
                mode=mode,
                limit=2 * limit,
                prefetch_k=self.settings.prefetch_k,
                weights=(self.settings.dense_weight, self.settings.sparse_weight),
                filters=filters or None,
            )
            # fused ranks tie often; the engine breaks ties in no fixed order, the chunk id does
            return sorted(hits, key=lambda h: (-round(h.score, 6), h.chunk.id))[:limit]

        if not query.programmes or "programme" in base:
            return run(base)
        if len(query.programmes) == 1:
            # The best chunks of the named programme come first, then the open search fills up.
            preferred = run({**base, "programme": list(query.programmes)})[: limit // 2 + 1]
        else:
            # A comparison needs evidence from every programme it names: take turns; each
            # programme is searched with the half of the question that asks about it.
            halves = dict(query.clauses)  # a half also searches all documents: another's may speak of it
            per = [
                _alternate(
                    run({**base, "programme": p}, halves[p]), run({**base, "programme": p}), run(base, halves[p])
                )
                if p in halves
                else run({**base, "programme": p})
                for p in query.programmes
            ]
            preferred = _alternate(*per)
            # the question asked of each programme: as many chunks for each as for a question alone
            limit *= len(query.programmes)
        merged = {h.chunk.id: h for h in preferred + run(base)}
        return list(merged.values())[:limit]

    def _sparse_query(self, text: str, also: tuple[str, ...] = ()) -> SparseVector:
        """The question's terms and their lexicon expansions; a separable verb also as the joined
        word ("reicht ... ein" as "einreichen"); a light verb ("Antrag stellen") searches for nothing;
        `also` as expansions, too."""
        content = self.lexicon.without_light_verbs(text)
        content = " ".join([content, *(joined for _, joined in self.sparse.analyzer.separable_verbs(content))])
        expansions = self.lexicon.expansions(content, self.sparse.analyzer)
        return self.sparse.encode_query(content, {**dict.fromkeys(also, EXPANSION_WEIGHT), **expansions})


def _alternate(*rankings: list[Hit]) -> list[Hit]:
    """The hits of several searches taking turns, each chunk once."""
    out: dict[str, Hit] = {}
    for turn in zip_longest(*rankings):
        for hit in turn:
            if hit is not None:
                out.setdefault(hit.chunk.id, hit)
    return list(out.values())
