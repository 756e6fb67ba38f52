# Two commands do all set-up: `make run` and `make test`. Both create .venv/ when missing,
# reinstall only when pyproject.toml changed, and are quick when already set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test test-slow lint format bench mutate clean

run: $(VENV)/.stamp-run
	$(BIN)/seqtui $(ARGS)

test: $(VENV)/.stamp-dev
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-slow: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check seqtui tests bench
	$(BIN)/ruff format --check seqtui tests bench

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format seqtui tests bench
	$(BIN)/ruff check --fix seqtui tests bench

# Mutation testing of seqtui/core and seqtui/datasets ([tool.mutmut] in pyproject.toml; docs/testing.md).
# Long: run it when you change the engine, then `$(BIN)/mutmut results` lists the survivors.
mutate: $(VENV)/.stamp-dev
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/mutmut run --max-children 2 $(ARGS)
	$(BIN)/mutmut results

bench: $(VENV)/.stamp-run
	$(BIN)/python bench/bridge_overhead.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[samples,korean]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.stamp-run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache mutants
