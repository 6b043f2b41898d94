"""The deployment files speak the settings the app has (no Docker here to run them)."""

import re
from pathlib import Path

import yaml

from core.settings import Settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def _environment(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    for service in data["services"].values():
        env |= {k: str(v) for k, v in (service.get("environment") or {}).items()}
    for key, value in data.items():
        if key.startswith("x-") and isinstance(value, dict):
            env |= {k: str(v) for k, v in (value.get("environment") or {}).items()}
    return env


def test_every_foerderlotse_variable_in_the_compose_files_is_a_setting() -> None:
    fields = {f"FOERDERLOTSE_{name.upper()}" for name in Settings.model_fields}
    used = {k for f in DEPLOY.glob("compose*.yaml") for k in _environment(f) if k.startswith("FOERDERLOTSE_")}
    assert {"FOERDERLOTSE_QDRANT_URL", "FOERDERLOTSE_QDRANT_SHARDS", "FOERDERLOTSE_QDRANT_REPLICATION_FACTOR"} <= used
    assert used <= fields, used - fields


def test_compose_values_are_valid_settings() -> None:
    env = {
        k.removeprefix("FOERDERLOTSE_").lower(): v
        for f in sorted(DEPLOY.glob("compose*.yaml"))
        for k, v in _environment(f).items()
        if k.startswith("FOERDERLOTSE_") and "${" not in v
    }
    settings = Settings(_env_file=None, **env)
    assert settings.qdrant_url == "http://qdrant:6333" and settings.qdrant_replication_factor == 2


def test_image_serves_on_all_interfaces_and_installs_cpu_torch_first() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    torch, package = dockerfile.index("torch==2.13.0"), dockerfile.index("pip install .")
    assert torch < package
    assert re.search(r'CMD \["foerderlotse", "serve", "--host", "0\.0\.0\.0"', dockerfile)
