"""The evaluation splits: which gold questions, asked of which documents.

- dev, test: the project's own gold questions on the corpus (`evals/gold/`).
- heldout-docs: questions on documents nothing was tuned on (`evals/heldout/`), indexed together
  with the corpus when the split runs. Nothing in code or data names them; a failure that is
  looked at moves its item to dev, and a new held-out document replaces it.
- sealed: the latest batch of blind questions on the corpus (`evals/sealed/<date>.jsonl`), written
  by a helper who never saw the code, before anything of a session changed; run once at the end.
- train: questions on the training documents (`evals/train/`); what `python -m evals train`
  learns from, beside dev. Not part of `all`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from evals.gold import GOLD_DIR, GoldError, GoldItem, load_gold
from index.documents import split_front_matter

EVALS_DIR = Path(__file__).parent
HELDOUT_DIR = EVALS_DIR / "heldout"
SEALED_DIR = EVALS_DIR / "sealed"
TRAIN_DIR = EVALS_DIR / "train"


@dataclass(frozen=True)
class Split:
    """A named group of gold files and the document folders indexed beside the corpus for it."""

    name: str
    gold: tuple[Path, ...]
    documents: tuple[Path, ...] = ()

    def load(self) -> list[GoldItem]:
        items = [item for path in self.gold for item in load_gold(path, strict=True)]
        return [item.model_copy(update={"split": self.name}) for item in items]


def all_splits() -> dict[str, Split]:
    """Every split that has gold files, in report order."""
    splits = [
        Split("dev", (GOLD_DIR / "dev.jsonl",)),
        Split("test", (GOLD_DIR / "test.jsonl",)),
        Split("heldout-docs", (HELDOUT_DIR / "gold.jsonl",), (HELDOUT_DIR / "docs",)),
        Split("sealed", tuple(sorted(SEALED_DIR.glob("*.jsonl")))[-1:]),
        Split("train", tuple(sorted(TRAIN_DIR.glob("questions-*.jsonl"))), (TRAIN_DIR / "docs",)),
    ]
    return {s.name: s for s in splits if s.gold and all(p.is_file() for p in s.gold)}


REPORTED = ("dev", "test", "heldout-docs", "sealed")  # what `--split all` runs
BLIND = ("heldout-docs", "sealed")  # the report gives their failures by cause only, never the questions


def load_splits(names: list[str]) -> dict[str, list[GoldItem]]:
    """The items of each named split; an id must be unique across all of them."""
    available = all_splits()
    out: dict[str, list[GoldItem]] = {}
    seen: dict[str, str] = {}
    for name in names:
        if name not in available:
            raise GoldError(f"keine Gold-Fragen im Split '{name}'")
        items = available[name].load()
        for item in items:
            if item.id in seen:
                raise GoldError(f"Feld 'id': '{item.id}' doppelt (in {seen[item.id]} und {name})")
            seen[item.id] = name
        out[name] = items
    return out


def combined_corpus(corpus_dir: Path, extra: tuple[Path, ...], into: Path, *, strip_extra: bool = False) -> Path:
    """A folder with the corpus's files and those of `extra`, for an index of all of them; with
    `strip_extra`, the extra documents lose their front matter (their metadata is then inferred)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for folder in (corpus_dir, *extra):
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            if strip_extra and folder != corpus_dir and path.suffix in (".md", ".txt"):
                _, body = split_front_matter(path.read_text(encoding="utf-8"))
                (into / path.name).write_text(body, encoding="utf-8")
            else:
                shutil.copy2(path, into / path.name)
    return into
