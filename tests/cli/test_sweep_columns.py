"""`seqtui sweep` reads a table's columns as `train` does (--text-column, --label-column)."""

from __future__ import annotations

from typer.testing import CliRunner

from seqtui.cli.main import app
from tests.data_files import write_reviews_csv


def test_sweep_takes_the_tables_columns_like_train(tmp_path):
    csv = write_reviews_csv(tmp_path / "reviews.csv")
    args = ["sweep", "--data", str(csv), "--arch", "lstm", "--runs-dir", str(tmp_path / "runs")]
    wrong = CliRunner().invoke(app, [*args, "--text-column", "nope", "--label-column", "verdict"])
    assert wrong.exit_code == 2 and "nope" in wrong.output and "No such option" not in wrong.output
    assert "Traceback" not in wrong.output
