"""The rooms stay apart: core and datasets import no UI, and never Keras until they train."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import seqtui.common
import seqtui.core
import seqtui.datasets

UI_MODULES = (
    "textual",
    "plotext",
    "textual_plotext",
    "seqtui.tui",
    "seqtui.console",
    "seqtui.headless",
    "seqtui.cli",
)
KERAS_USERS = {"seqtui.core.callbacks", "seqtui.core.pruning"}  # Keras callbacks, imported when training


def modules_of(package) -> list[str]:
    return [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


def test_core_and_datasets_import_no_ui_and_no_keras():
    modules = modules_of(seqtui.common) + modules_of(seqtui.core) + modules_of(seqtui.datasets)
    names = [m for m in modules if m not in KERAS_USERS]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow') "
        f"or any(m == u or m.startswith(u + '.') for u in {UI_MODULES!r}))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_command_line_and_the_presets_start_without_numpy():
    """`seqtui --help`, `seqtui presets`: numpy (~0.1 s) loads with data or a model, not at start-up (the
    console imports core.baselines for `beats`; the presets name the Korean stopwords)."""
    code = "import sys, seqtui.cli, seqtui.core.presets; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
