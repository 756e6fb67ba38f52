"""The rooms stay apart: core and datasets import no UI, and never Keras until they train."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import grimp

import seqtui.common
import seqtui.core
import seqtui.datasets

UI_MODULES = (
    "textual",
    "plotext",
    "textual_plotext",
    "seqtui.tui",
    "seqtui.render",
    "seqtui.headless",
    "seqtui.cli",
)
KERAS_USERS = {
    "seqtui.core.training.callbacks",
    "seqtui.core.experiments.pruning",
    "seqtui.core.training.lr_range",
    "seqtui.core.training.epoch_watch",
}  # Keras callbacks, imported when training


def modules_of(package) -> list[str]:
    """Every module of the package, those of its subpackages (the rooms of core) included."""
    return [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def test_the_walk_reaches_the_rooms_of_core():
    assert {"seqtui.core.training.runner", "seqtui.core.config.run_config"} <= set(modules_of(seqtui.core))


def import_cycles(package: str = "seqtui") -> list[list[str]]:
    """Every set of modules that import each other round a circle (Tarjan's strongly connected components),
    imports inside functions included, `if TYPE_CHECKING:` imports left out."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    edges = {
        m: {n for n in graph.find_modules_directly_imported_by(m) if n in graph.modules}
        for m in graph.modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while component[-1:] != [module]:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_of_seqtui_imports_itself_round_a_circle():
    assert import_cycles() == []


def test_the_circle_check_finds_a_circle(tmp_path, monkeypatch):
    """The check above means something: two modules that import each other inside functions are found."""
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from circled import b\n")
    (package / "b.py").write_text("from circled import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circled import a\n"
    )
    (package / "d.py").write_text("from circled import c\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circled") == [["circled.a", "circled.b"]]


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
    console imports core.model.verdicts for `beats`; the presets name the Korean stopwords)."""
    code = "import sys, seqtui.cli.main, seqtui.core.config.presets; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
