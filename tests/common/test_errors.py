"""One error type: every expected failure carries a title, a message and an exit code, and the CLI and the
app describe any exception the same way (a KeyError from a bug is a bug in both)."""

from __future__ import annotations

import pytest

from seqtui.common.errors import BUG_TITLE, EXIT_FAILED, EXIT_INTERRUPTED, SeqtuiError, describe_error
from seqtui.common.keras_door import BackendError
from seqtui.common.names import UnknownName
from seqtui.core.config.errors import Cancelled, ConfigError
from seqtui.core.config.settings import SettingsError
from seqtui.core.config.validation import Problem
from seqtui.core.runs.folder import RunFolderError, SaveError
from seqtui.datasets.errors import DataError
from seqtui.tui.errors import describe_error as app_describe_error


@pytest.mark.parametrize(
    ("exc", "title", "code"),
    [
        (DataError("no such column 'txt'"), "The data could not be loaded", 2),
        (RunFolderError("runs/x is not a run folder"), "Run folder problem", 2),
        (BackendError("unknown backend 'theano'"), "Keras could not start", 2),
        (SettingsError("SEQTUI_BACKEND='x'"), "Bad environment setting", 2),
        (UnknownName("unknown preset 'x'. Did you mean 'y'?"), "Unknown name", 2),
        (Cancelled("stopped before training started"), "Stopped", EXIT_INTERRUPTED),
        (SaveError(__import__("pathlib").Path("runs/x"), OSError(28, "No space left")), "Could not save", 1),
    ],
)
def test_every_expected_failure_has_a_title_a_message_and_an_exit_code(exc, title, code):
    assert isinstance(exc, SeqtuiError)
    got_title, message = describe_error(exc)
    assert got_title.startswith(title) and message == str(exc) and message
    assert exc.exit_code == code


def test_unknown_names_are_key_errors_whose_message_is_not_quoted():
    exc = UnknownName("unknown dataset 'imbd'. Did you mean 'imdb'?")
    assert isinstance(exc, KeyError)
    assert str(exc) == "unknown dataset 'imbd'. Did you mean 'imdb'?"


def test_config_errors_name_fields_in_the_app_and_options_on_the_command_line():
    exc = ConfigError(
        [Problem("units", "must be a whole number above 0 (got 0)"), Problem("sample_limit", "x")]
    )
    assert describe_error(exc) == (
        "Invalid settings",
        "units: must be a whole number above 0 (got 0)\nsample_limit: x",
    )
    assert exc.cli_message.splitlines() == [
        "invalid settings:",
        "  --units: must be a whole number above 0 (got 0)",
        "  --limit: x",
    ]


def test_a_key_error_from_a_bug_is_a_bug_in_the_app_too():
    """The app used to show any KeyError as "Not found"; it is a bug, as the CLI says."""
    title, message = app_describe_error(KeyError("val_loss"))
    assert title == BUG_TITLE and message == "unexpected KeyError: 'val_loss'"


def test_out_of_memory_gets_advice():
    title, message = describe_error(RuntimeError("ResourceExhaustedError: OOM when allocating tensor"))
    assert title == "Out of memory" and "Lower the batch size" in message
    assert EXIT_FAILED == 1
