# Förderlotse: every command a developer or CI needs. `make run` and `make test` are the front door.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run index test eval train bench loadtest lint clean

install: $(STAMP)

# torch 2.13.0 (CPU build) goes first so that nothing pulls a CUDA build.
$(STAMP): pyproject.toml
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

test: install
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

eval: install
	$(BIN)/foerderlotse index build
	$(BIN)/python -m evals run --split all --out eval-out --today 2026-11-21; rc=$$?; \
	$(BIN)/python -m evals metadata --out eval-out; exit $$rc

# Learn the answerability gate (assistant/data/answerability.json) from dev and the training documents.
train: install
	$(BIN)/python -m evals train --today 2026-11-21

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

clean:
	rm -rf .foerderlotse eval-out bench-out test-output
