"""Where the served index lives, and the atomic switch to a newly built one.

Every build writes a new *generation* and switches to it only after it has finished and passed
a smoke query; a build that fails or is killed leaves the served generation untouched.

- Embedded (Qdrant Edge by default, or qdrant-client's local mode; either is locked by the one
  process that opens it): a generation is a directory `<store_path>/<name>/` with the store
  (`edge/` or `qdrant/`) and a `generation.json` (manifest and documents, readable without opening
  the locked store); the pointer is `<store_path>/CURRENT`, replaced atomically (os.replace).
- Server mode: a generation is the pair of collections `<collection>--<name>` and
  `<collection>--<name>_docs`; the pointer is the alias `<collection>` (and `<collection>_docs`),
  switched for both in one atomic alias operation.

A running server compares `current()` with the generation it serves and reopens when it changed.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid

from pydantic import BaseModel
from qdrant_client import QdrantClient, models

from core.errors import IndexMismatch, IndexMissing
from core.settings import Settings
from index.documents import Document
from index.edge import EdgeStore
from index.store import Manifest, QdrantStore, Store, open_client

ENGINE_DIRS = {"edge": "edge", "local": "qdrant"}  # where each embedded engine keeps a generation

KEEP_OLD = 1  # besides the new and the previously served generation: one more, for rollback


class GenerationInfo(BaseModel):
    """What a build leaves next to a local generation for the next build to read."""

    manifest: Manifest
    documents: list[Document]


class Generations:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server = bool(settings.qdrant_url)
        self._client: QdrantClient | None = None  # server mode: one client for all generations

    # -- naming -----------------------------------------------------------------------------------
    @staticmethod
    def new_name() -> str:
        """Sortable by creation time, also within one second."""
        now = time.time_ns()  # one reading: the second and its fraction of the same instant
        return time.strftime("g%Y%m%d-%H%M%S-", time.localtime(now // 1_000_000_000)) + f"{now % 1_000_000_000:09d}"

    def _physical(self, name: str) -> str:
        return f"{self.settings.collection}--{name}"

    # -- pointer ----------------------------------------------------------------------------------
    def current(self) -> str | None:
        """Name of the served generation, or None if nothing was ever built."""
        if self.server:
            prefix = f"{self.settings.collection}--"
            for alias in self.client().get_aliases().aliases:
                if alias.alias_name == self.settings.collection and alias.collection_name.startswith(prefix):
                    return alias.collection_name.removeprefix(prefix)
            return None
        pointer = self.settings.store_path / "CURRENT"
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.settings.store_path / name).is_dir() else None

    def activate(self, name: str) -> None:
        """Make `name` the served generation, atomically."""
        if self.server:
            ops: list[models.AliasOperations] = []
            for suffix in ("", "_docs"):
                alias = f"{self.settings.collection}{suffix}"
                ops.append(models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias)))
                ops.append(
                    models.CreateAliasOperation(
                        create_alias=models.CreateAlias(
                            collection_name=f"{self._physical(name)}{suffix}", alias_name=alias
                        )
                    )
                )
            existing = {a.alias_name for a in self.client().get_aliases().aliases}
            ops = [
                op
                for op in ops
                if not isinstance(op, models.DeleteAliasOperation) or op.delete_alias.alias_name in existing
            ]
            self.client().update_collection_aliases(change_aliases_operations=ops)
            return
        pointer = self.settings.store_path / "CURRENT"
        tmp = pointer.with_name(f"CURRENT.{uuid.uuid4().hex}.tmp")
        tmp.write_text(name + "\n", encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, pointer)

    # -- stores -----------------------------------------------------------------------------------
    def client(self) -> QdrantClient:
        if self._client is None:
            self._client = open_client(self.settings)
        return self._client

    def open(self, name: str) -> Store:
        """The store of one generation (created empty if new)."""
        if self.server:
            return QdrantStore(
                self.client(),
                self._physical(name),
                self.settings.qdrant_shards,
                self.settings.qdrant_replication_factor,
            )
        root = self.settings.store_path / name
        engine = self.settings.embedded_engine
        other = "local" if engine == "edge" else "edge"
        if not (root / ENGINE_DIRS[engine]).exists() and (root / ENGINE_DIRS[other]).exists():
            raise IndexMismatch(
                f"Der Index wurde für die eingebettete Engine '{other}' gebaut, eingestellt ist '{engine}' "
                "(FOERDERLOTSE_EMBEDDED_ENGINE). Bitte neu aufbauen: 'foerderlotse index build'."
            )
        if engine == "edge":
            return EdgeStore(root / ENGINE_DIRS["edge"])
        path = root / ENGINE_DIRS["local"]
        return QdrantStore(open_client(self.settings.model_copy(update={"store_path": path})), self.settings.collection)

    def open_current(self) -> tuple[str, Store]:
        name = self.current()
        if name is None:
            raise IndexMissing("Es gibt noch keinen Index. Bitte zuerst 'foerderlotse index build' ausführen.")
        return name, self.open(name)

    def info(self, name: str) -> GenerationInfo | None:
        """Manifest and documents of a generation, without opening a (possibly locked) local store."""
        if self.server:
            store = self.open(name)
            return GenerationInfo(manifest=store.read_manifest(), documents=store.documents())
        path = self.settings.store_path / name / "generation.json"
        if not path.is_file():
            return None
        return GenerationInfo.model_validate_json(path.read_text(encoding="utf-8"))

    def write_info(self, name: str, info: GenerationInfo) -> None:
        if not self.server:
            path = self.settings.store_path / name / "generation.json"
            path.write_text(info.model_dump_json(), encoding="utf-8")

    def prune(self, keep: set[str]) -> None:
        """Delete generations that are neither kept nor among the newest old ones."""
        if self.server:
            prefix = f"{self.settings.collection}--"
            collections = self.client().get_collections().collections
            names = sorted(
                {c.name.removeprefix(prefix).removesuffix("_docs") for c in collections if c.name.startswith(prefix)}
            )
        else:
            root = self.settings.store_path
            dirs = root.iterdir() if root.is_dir() else iter(())
            names = sorted(p.name for p in dirs if p.is_dir() and p.name.startswith("g"))
        old = [n for n in names if n not in keep]
        for name in old[: max(0, len(old) - KEEP_OLD)]:
            if self.server:
                for suffix in ("", "_docs"):
                    self.client().delete_collection(f"{self._physical(name)}{suffix}")
            else:
                shutil.rmtree(self.settings.store_path / name, ignore_errors=True)

    def discard(self, name: str) -> None:
        """Remove a generation whose build failed."""
        if self.server:
            for suffix in ("", "_docs"):
                if self.client().collection_exists(f"{self._physical(name)}{suffix}"):
                    self.client().delete_collection(f"{self._physical(name)}{suffix}")
        else:
            shutil.rmtree(self.settings.store_path / name, ignore_errors=True)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
