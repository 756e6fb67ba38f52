"""Shared fixtures: every test gets its own runs folder and an empty Keras cache, never the user's."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# `make mutate` runs the tests under mutmut's tracing, many times: fewer examples, no timing checks.
settings.register_profile(
    "mutmut", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Point SEQTUI_RUNS_DIR, KERAS_HOME and XDG_STATE_HOME at temporary folders for each test."""
    runs = tmp_path / "runs"
    keras_home = tmp_path / "keras_home"
    monkeypatch.setenv("SEQTUI_RUNS_DIR", str(runs))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("SEQTUI_BATCH_EVENTS_PER_S", "1000")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # what the app remembers between launches
    monkeypatch.delenv("SEQTUI_NOTIFY", raising=False)  # the user's notifier is never told of a test run
    config = sys.modules.get("keras.src.backend.config")
    if config is not None:  # Keras read KERAS_HOME when it was imported: point it here too
        monkeypatch.setattr(config, "_KERAS_DIR", str(keras_home))
    return runs


@pytest.fixture
def runs_dir(isolated_dirs):
    return isolated_dirs
