"""The front door stays true: README and docs name only settings, make targets and files that exist,
the configuration reference is generated from the settings class, the document template loads, and
the helpers behind `make test` (browser install, no-tests-is-a-failure) behave as documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.settings import Settings, configuration_markdown
from index.documents import DocumentMeta, load_document
from tests.conftest import ROOT

DOCS = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    ROOT / "deploy" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
TEMPLATE = ROOT / "docs" / "document-template.md"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_configuration_doc_is_what_the_generator_prints() -> None:
    assert _text(ROOT / "docs" / "configuration.md") == configuration_markdown(), (
        "docs/configuration.md is stale: run `make docs`"
    )


def test_every_setting_has_a_meaning_in_the_reference() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not missing, missing


def test_docs_name_only_settings_that_exist() -> None:
    known = {"FOERDERLOTSE_" + name.upper() for name in Settings.model_fields}
    for path in DOCS:
        named = set(re.findall(r"FOERDERLOTSE_[A-Z0-9_]*[A-Z0-9]", _text(path)))
        assert named <= known, (path.name, sorted(named - known))


def test_docs_name_only_make_targets_that_exist() -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", _text(ROOT / "Makefile"), flags=re.M))
    for path in DOCS:
        text = _text(path)
        named = set(re.findall(r"`make ([a-z][a-z-]*)", text)) | set(re.findall(r"^make ([a-z][a-z-]*)", text, re.M))
        assert named <= targets, (path.name, sorted(named - targets))


def test_relative_links_point_at_files() -> None:
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", _text(path)):
            if re.match(r"[a-z]+:", target):
                continue
            assert (path.parent / target).exists(), (path.name, target)


def test_readme_is_a_front_door() -> None:
    text = _text(ROOT / "README.md")
    assert len(text.splitlines()) <= 150
    for command in ("make run", "make test", "FOERDERLOTSE_ALLOWED_ORIGINS", "docker compose", "widget.js"):
        assert command in text, command


def test_document_template_loads_as_a_corpus_document(tmp_path: Path) -> None:
    copy = tmp_path / "mein-programm-2027.md"
    copy.write_text(_text(TEMPLATE), encoding="utf-8")
    doc = load_document(copy)
    assert doc.meta.kind == "guideline" and doc.meta.deadlines and doc.text.strip()


def test_front_matter_shown_in_the_docs_is_valid() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    blocks = [b for page in pages for b in re.findall(r"```yaml\n---\n(.*?)---\n", _text(page), flags=re.S)]
    blocks.append(_text(TEMPLATE).split("---\n")[1])  # the template everyone starts from
    for block in blocks:
        DocumentMeta.model_validate(yaml.safe_load(block))


# --- .ci/pytest: pytest's exit code 5 (nothing collected) must fail -------------------------------


@pytest.mark.parametrize(
    ("body", "rc"),
    [("def test_ok():\n    assert 1 + 1 == 2\n", 0), ("def test_bad():\n    assert 1 + 1 == 3\n", 1), ("X = 1\n", 1)],
    ids=["passes", "fails", "no-tests"],
)
def test_pytest_wrapper_fails_when_nothing_is_collected(tmp_path: Path, body: str, rc: int) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_probe.py").write_text(body, encoding="utf-8")
    run = subprocess.run(
        [str(ROOT / ".ci" / "pytest"), "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        env={**os.environ, "PYTHON": sys.executable},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == rc, run.stdout + run.stderr
    assert ("keine Tests gesammelt" in run.stderr) == (body == "X = 1\n")


# --- .ci/ensure-chromium: install where allowed, else say what to install ------------------------


def _fake_bin(tmp: Path, *, uid: int, apt: bool = True, apt_fails: bool = False, sudo: bool | None = None) -> Path:
    """A PATH with only fakes (id, apt-get, sudo) and env: nothing is installed for real."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / "env").symlink_to(Path("/usr/bin/env") if Path("/usr/bin/env").exists() else Path("/bin/env"))
    scripts = {"id": f"#!/bin/sh\necho {uid}\n"}
    if apt:
        scripts["apt-get"] = f'#!/bin/sh\necho "apt-get $*" >> "{tmp}/calls"\nexit {100 if apt_fails else 0}\n'
    if sudo is not None:
        scripts["sudo"] = (
            f'#!/bin/sh\n[ "$1" = -n ] && shift\n[ "$1" = true ] && exit {0 if sudo else 1}\n'
            f'echo "sudo" >> "{tmp}/calls"\nexec "$@"\n'
        )
    for name, text in scripts.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def _ensure(tmp: Path, bin_dir: Path, chromium: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    bash = "/bin/bash" if Path("/bin/bash").exists() else "/usr/bin/bash"
    run = subprocess.run(
        [bash, str(ROOT / ".ci" / "ensure-chromium")],
        env={"PATH": str(bin_dir), "CHROMIUM_PATH": str(chromium)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    calls = tmp / "calls"
    return run, calls.read_text(encoding="utf-8") if calls.exists() else ""


def test_present_chromium_is_left_alone(tmp_path: Path) -> None:
    run, calls = _ensure(tmp_path, _fake_bin(tmp_path, uid=0), Path(sys.executable))
    assert (run.returncode, run.stdout, run.stderr, calls) == (0, "", "", "")


@pytest.mark.parametrize(("uid", "sudo", "via_sudo"), [(0, None, False), (1000, True, True)], ids=["root", "sudo"])
def test_missing_chromium_is_installed_where_allowed(
    tmp_path: Path, uid: int, sudo: bool | None, via_sudo: bool
) -> None:
    run, calls = _ensure(tmp_path, _fake_bin(tmp_path, uid=uid, sudo=sudo), tmp_path / "no-chromium")
    assert run.returncode == 0, run.stderr
    assert "apt-get update" in calls
    assert re.search(r"apt-get install -y .*chromium$", calls, re.M), calls
    assert ("sudo" in calls.splitlines()) == via_sudo


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"uid": 1000, "sudo": False}, "apt-get install -y chromium"),
        ({"uid": 1000}, "apt-get install -y chromium"),
        ({"uid": 0, "apt": False}, "Paketmanager"),
        ({"uid": 0, "apt_fails": True}, "fehlgeschlagen"),
    ],
    ids=["no-passwordless-sudo", "no-sudo", "no-apt-get", "apt-get-fails"],
)
def test_where_chromium_cannot_be_installed_the_message_says_what_to_do(
    tmp_path: Path, kwargs: dict, says: str
) -> None:
    run, calls = _ensure(tmp_path, _fake_bin(tmp_path, **kwargs), tmp_path / "no-chromium")
    assert run.returncode == 0  # the browser tests then fail with their own message
    assert "Chromium fehlt" in run.stderr and says in run.stderr, run.stderr
    if not kwargs.get("apt_fails"):
        assert "install" not in calls
