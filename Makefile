# Förderlotse: every command a developer or CI needs. `make run` and `make test` are the front door.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

DEMO_PORT ?= 8080

.PHONY: install browser run demo index test test-fast eval train calibrate bench loadtest lint docs clean

install: $(STAMP)

# torch 2.13.0 (CPU build) goes first so that nothing pulls a CUDA build.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) fehlt: Förderlotse braucht Python 3.11 (oder make PYTHON=/pfad/zu/python3.11)." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

index: install
	$(BIN)/foerderlotse index build

run: install
	$(BIN)/foerderlotse index build
	$(BIN)/foerderlotse serve --host 127.0.0.1 --port 7860

# Debian's chromium for the browser tests: installed where the machine allows it, else a message.
browser:
	.ci/ensure-chromium

# The demo host page of a Verband (ui/demo/index.html) on a second loopback port, embedding the
# widget of the app served on 7860; the demo's origin is the one allowed origin.
demo: install
	$(BIN)/foerderlotse index build
	mkdir -p .foerderlotse/demo
	sed 's#{{FOERDERLOTSE_URL}}#http://127.0.0.1:7860#' ui/demo/index.html > .foerderlotse/demo/index.html
	@echo "Demo-Seite des Verbands: http://127.0.0.1:$(DEMO_PORT)/  (Förderlotse selbst: http://127.0.0.1:7860/)"
	$(BIN)/python -m http.server $(DEMO_PORT) --bind 127.0.0.1 --directory .foerderlotse/demo >/dev/null 2>&1 & \
	pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	FOERDERLOTSE_ALLOWED_ORIGINS=http://127.0.0.1:$(DEMO_PORT) $(BIN)/foerderlotse serve --host 127.0.0.1 --port 7860

# Everything, browser tests included. Exit code 5 (no tests collected) fails.
test: install browser
	.ci/pytest

# The edit loop: no browser, nothing that builds a real index or loads a model.
test-fast: install
	.ci/pytest -m "not slow and not browser"

eval: install
	$(BIN)/foerderlotse index build
	$(BIN)/python -m evals run --split all --out eval-out --today 2026-11-21; rc=$$?; \
	$(BIN)/python -m evals metadata --out eval-out; exit $$rc

# Learn the span model (index/data/e5-spans.npz), the ranker and the answerability gate (assistant/data/learned.json)
# from dev and the training documents; hours on two cores at today's 3 300 questions (one of its nine epochs took
# 26 minutes). `python -m evals train --unseen-only` refits only the ranker and the gate, in minutes.
train: install
	$(BIN)/python -m evals train --today 2026-11-21

# Calibrate the gate's probability (Platt scaling, into assistant/data/learned.json) on the dev and training
# questions the trained models did not learn from; about a minute. For a deployment that prefers answers to
# refusals: the packaged weights carry no calibration (docs/generalisation.md, "What did not help").
calibrate: install
	$(BIN)/python -m evals calibrate --today 2026-11-21

# Encoders on the real corpus, then the real corpus up to 50 000 chunks (synthetic distractors)
# per store engine: build, retrieval and answer latency, peak memory. Takes ~20 minutes; not in CI.
bench: install
	$(BIN)/python -m evals bench --out bench-out
	$(BIN)/python -m evals scale --chunks 1000 10000 20000 50000 --out bench-out

loadtest: install
	$(BIN)/foerderlotse index build
	$(BIN)/python -m evals loadtest

lint: install
	$(BIN)/ruff check core assistant index ui evals tests
	$(BIN)/ruff format --check core assistant index ui evals tests

# docs/configuration.md from the settings class (tests/test_docs.py checks that it is current).
docs: install
	$(BIN)/python -m core.settings > docs/configuration.md

clean:
	rm -rf .foerderlotse eval-out bench-out test-output
