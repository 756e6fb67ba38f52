"""The README and docs/ name modules that exist: a file moved or split must take its mentions with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# `seqtui/core/runs.py`, `tests/test_cli.py`, `bench/gpu.py`, or short `core/runs.py` (inside seqtui/).
FILE = re.compile(r"(?<![\w/.-])((?:seqtui|tests|bench|core|tui|datasets|common)/[\w/]*\w\.py)\b")
TEST = re.compile(r"(?<![\w/.-])(test_\w+\.py)\b")  # a test file named alone, as in `test_cli.py::test_x`
PACKAGE = re.compile(r"(?<![\w/.-])(seqtui(?:/\w+)+)/(?![\w.])")  # a folder such as `seqtui/tui/screens/`
SHORT = ("core/", "tui/", "datasets/", "common/")


def named_paths(text: str) -> set[str]:
    files = {f"seqtui/{p}" if p.startswith(SHORT) else p for p in FILE.findall(text)}
    tests = {f"tests/{name}" for name in TEST.findall(text)}
    return files | tests | set(PACKAGE.findall(text))


def test_the_pattern_finds_every_form_of_path():
    text = (
        "see `seqtui/core/run_list.py`, core/resume.py, (tests/test_cli.py), `test_runs.py::test_x` "
        "and `seqtui/tui/screens/`."
    )
    assert named_paths(text) == {
        "seqtui/core/run_list.py",
        "seqtui/core/resume.py",
        "tests/test_cli.py",
        "tests/test_runs.py",
        "seqtui/tui/screens",
    }


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_module_path_in_the_docs_exists(doc):
    named = named_paths(doc.read_text(encoding="utf-8"))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def test_the_docs_name_some_modules():
    """The check above means something only while the pattern still finds the paths the docs use."""
    assert {"seqtui/cli_runs.py", "seqtui/core/run_list.py"} <= named_paths((ROOT / "README.md").read_text())
