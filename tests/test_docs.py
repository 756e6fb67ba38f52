"""The README and docs/ name modules that exist: a file moved or split must take its mentions with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# `seqtui/core/runs/folder.py`, `tests/cli/test_commands.py`, `bench/gpu.py`, or short `core/runs/folder.py` (inside seqtui/).
FILE = re.compile(
    r"(?<![\w/.-])((?:seqtui|tests|bench|core|tui|datasets|common|cli|headless|render)/[\w/]*\w\.py)\b"
)
TEST = re.compile(
    r"(?<![\w/.-])(test_\w+\.py)\b"
)  # a test file named alone, as in `tests/cli/test_commands.py::test_x`
PACKAGE = re.compile(r"(?<![\w/.-])(seqtui(?:/\w+)+)/(?![\w.])")  # a folder such as `seqtui/tui/screens/`
SHORT = ("core/", "tui/", "datasets/", "common/", "cli/", "headless/", "render/")


def file_of_test(name: str) -> str:
    """A test file named alone lives in the folder of its room: tests/**/NAME (tests/NAME when there is none)."""
    found = sorted((ROOT / "tests").rglob(name))
    return found[0].relative_to(ROOT).as_posix() if found else f"tests/{name}"


def named_paths(text: str) -> set[str]:
    files = {f"seqtui/{p}" if p.startswith(SHORT) else p for p in FILE.findall(text)}
    tests = {file_of_test(name) for name in TEST.findall(text)}
    return files | tests | set(PACKAGE.findall(text))


def test_the_pattern_finds_every_form_of_path():
    text = (
        "see `seqtui/core/runs/listing.py`, core/training/resume.py, (tests/cli/test_commands.py), `test_runs.py::test_x`, `test_nowhere.py` "
        "and `seqtui/tui/screens/`."
    )
    assert named_paths(text) == {
        "seqtui/core/runs/listing.py",
        "seqtui/core/training/resume.py",
        "tests/cli/test_commands.py",
        "tests/tui/test_runs.py",
        "tests/test_nowhere.py",
        "seqtui/tui/screens",
    }


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_module_path_in_the_docs_exists(doc):
    named = named_paths(doc.read_text(encoding="utf-8"))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def test_the_docs_name_some_modules():
    """The check above means something only while the pattern still finds the paths the docs use."""
    assert {"seqtui/core/inference/explain.py", "tests/tui/test_snapshots.py"} <= named_paths(
        (ROOT / "README.md").read_text()
    )
