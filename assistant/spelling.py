"""Umlauts typed as "ae", "oe", "ue" (and "ß" as "ss"), read back as the words they stand for.

Users often type without umlauts ("koennen wir", "foerderfaehig", "fuer wen"). Word weights fold
umlauts anyway, but the patterns that tell what a question asks ("können" opens a yes/no question,
"für wen" asks who) and the dense models read the word as typed. A question word that neither the
documents, OpenThesaurus nor the lexicon know is read with umlauts where exactly that form is known,
or else where that form is a compound of known parts; known words stay as typed ("aktuell",
"Quelle", "zuerst", "Steuer").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from itertools import combinations

from assistant.lexicon import load_thesaurus
from index.sparse import split_compound

_WORD = re.compile(r"[^\W\d_]+")
_ADDRESS = re.compile(r"\S*(?:://|www\.|@)\S*")  # web and mail addresses spell without umlauts
_SPELLED = re.compile(r"ae|oe|ue|ss", re.IGNORECASE)
_UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
_MOST_SPOTS = 4  # a longer word with more such pairs is left as typed (16 readings at most)


class Umlauts:
    """Restores umlauts in the words of a question, against the words known to be German."""

    def __init__(self, known: frozenset[str]) -> None:
        self.known = known

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Umlauts:
        """Known: the words of `texts` (the documents), of OpenThesaurus and of the lexicon."""
        lexicon = resources.files("assistant").joinpath("data/lexicon.yaml").read_text("utf-8")
        words = {w.lower() for text in (*texts, lexicon) for w in _WORD.findall(_ADDRESS.sub(" ", text))}
        return cls(frozenset(words | set(load_thesaurus().index)))

    def restore(self, text: str) -> str:
        return _WORD.sub(lambda m: self._word(m.group(0)), text)

    def _word(self, word: str) -> str:
        lower = word.lower()
        if lower in self.known:
            return word
        spots = [m.start() for m in _SPELLED.finditer(lower)]
        if not spots or len(spots) > _MOST_SPOTS:
            return word
        readings = [_read(word, chosen) for count in range(1, len(spots) + 1) for chosen in combinations(spots, count)]
        # the reading with the fewest changes first; else one that is a compound of known parts
        # ("honorarkraefte" -> "Honorarkräfte"), where the word as typed splits into none
        known = next((r for r in readings if r.lower() in self.known), None)
        if known is None and len(split_compound(lower)) == 1:
            known = next((r for r in readings if len(split_compound(r.lower())) > 1), None)
        return known or word


def _read(word: str, spots: tuple[int, ...]) -> str:
    out, at = [], 0
    for spot in spots:
        pair = word[spot : spot + 2]
        umlaut = _UMLAUT[pair.lower()]
        out += [word[at:spot], umlaut.upper() if pair[0].isupper() and umlaut != "ß" else umlaut]
        at = spot + 2
    return "".join(out) + word[at:]
