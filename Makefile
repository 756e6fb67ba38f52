# Two commands do all set-up: `make run` and `make test`. Both create .venv/ when missing,
# reinstall only when pyproject.toml changed, and are quick when already set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
PYTEST_ARGS ?=
# Where an NVIDIA driver answers, the `gpu` extra (JAX with CUDA) comes too; elsewhere nothing changes.
# The stamps name the extra, so a set-up made before the GPU (or its driver) came installs it once.
GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo 1)
comma := ,
EXTRA := $(if $(GPU),$(comma)gpu,)
STAMP := $(if $(GPU),-gpu,)

.PHONY: run test test-slow lint format bench mutate mutate-sample clean

run: $(VENV)/.stamp-run$(STAMP)
	$(BIN)/seqtui $(ARGS)

# The engine's tests (build, summary, train, resume, predict, fused steps, cuDNN conditions, inspect's exact states, gates and gradients) again on JAX.
JAX_TESTS := tests/core/model/test_architectures.py tests/core/training/test_runner.py tests/core/hardware/test_acceleration.py tests/cli/test_commands.py \
	tests/core/inference/test_inspect.py tests/core/training/test_probes.py \
	tests/core/inference/test_inspect_units.py tests/core/inference/test_inspect_projection.py
JAX_SELECT := (matches_seeds and (reuters or mnist)) or lstm-tokens-multiclass or complete_folder or more_epochs \
	or fused_steps or device_line or cudnn_conditions or train_then_predict or exact

test: $(VENV)/.stamp-dev$(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	KERAS_BACKEND=jax $(BIN)/python -m pytest -n 2 $(JAX_TESTS) -k '$(JAX_SELECT)' $(PYTEST_ARGS)

test-slow: $(VENV)/.stamp-dev$(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev$(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check seqtui tests bench tools
	$(BIN)/ruff format --check seqtui tests bench tools

format: $(VENV)/.stamp-dev$(STAMP)
	$(BIN)/ruff format seqtui tests bench tools
	$(BIN)/ruff check --fix seqtui tests bench tools

# Mutation testing of seqtui/core and seqtui/datasets ([tool.mutmut] in pyproject.toml; docs/testing.md).
# Long: run it when you change the engine, then `$(BIN)/mutmut results` lists the survivors.
mutate: $(VENV)/.stamp-dev$(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/mutmut run --max-children 2 $(ARGS)
	$(BIN)/mutmut results

# A seeded random sample of core's mutants, with the killed share and its 95% interval (docs/testing.md).
mutate-sample: $(VENV)/.stamp-dev$(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python tools/mutation_sample.py $(ARGS)

bench: $(VENV)/.stamp-run$(STAMP)
	$(BIN)/python bench/bridge_overhead.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[samples,korean$(EXTRA)]'
	touch $@

$(VENV)/.stamp-dev$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev$(EXTRA)]'
	touch $@ $(VENV)/.stamp-run$(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache mutants
