"""Embedders remember the last questions and embed the new ones of a call in one batch."""

from __future__ import annotations

import numpy as np

from index.dense import _RemembersQuestions


class Counting(_RemembersQuestions):
    dim = 2

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts])


def test_new_questions_of_a_call_are_embedded_in_one_batch_and_remembered() -> None:
    model = Counting()
    whole = "Wie hoch ist die Förderquote in Sachsen und beim Bund?"
    halves = ["Wie hoch ist die Förderquote in Sachsen", "beim Bund?"]
    first = model.embed_query([whole, *halves, whole])
    assert model.calls == [[whole, *halves]]  # once each, in one batch
    assert first.shape == (4, 2) and first[0, 0] == len(whole) and first[2, 0] == len(halves[1])
    again = model.embed_query([halves[1], "neu"])
    assert model.calls[-1] == ["neu"] and again[0, 0] == len(halves[1])
    assert model.embed_query([]).shape == (0, 2)


def test_only_the_last_questions_are_kept() -> None:
    model = Counting()
    model._REMEMBERED = 2
    model.embed_query(["a"])
    model.embed_query(["bb"])
    model.embed_query(["a"])  # used again: kept
    model.embed_query(["ccc"])  # "bb" goes
    model.embed_query(["a", "bb"])
    assert model.calls == [["a"], ["bb"], ["ccc"], ["bb"]]
