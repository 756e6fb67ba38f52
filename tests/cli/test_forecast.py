"""A forecaster, end to end with real Keras: `train` reports its test MAE in the series' units, `predict
--forecast` shows the same number over the same windows, and `predict RUN "text"` says how to get there."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from seqtui.cli.main import app


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})


def test_train_and_predict_agree_on_a_forecasts_error_in_the_series_units(runs_dir):
    result = invoke("train", "--preset", "series-rnn", "--epochs", "1", "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    end = json.loads(result.stdout.splitlines()[-1])
    assert end["event"] == "run_end" and end["unit"] == ""  # the toy sine names no unit
    std = end["scales"]["mae"]
    assert std != 1.0 and math.isclose(end["scales"]["mse"], std**2)
    trained = end["test_metrics"]["mae"] * std  # Keras' MAE on the normalised series, in the series' units

    shown = invoke("predict", end["run_dir"], "--forecast", "--json")
    assert shown.exit_code == 0, shown.output
    forecast = json.loads(shown.stdout)
    assert math.isclose(forecast["mae"], trained, rel_tol=1e-3), (forecast["mae"], trained)
    errors = [abs(p - r) for p, r in zip(forecast["predicted"], forecast["real"], strict=True)]
    assert math.isclose(sum(errors) / len(errors), forecast["mae"], rel_tol=1e-6)

    table = invoke("predict", end["run_dir"], "--forecast")
    assert f"test MAE {forecast['mae']:.4f} in the series' units" in table.output

    refused = invoke("predict", end["run_dir"], "how warm tomorrow?")
    assert refused.exit_code == 2 and "seqtui predict RUN --forecast" in refused.output
    both = invoke("predict", end["run_dir"], "text", "--forecast")
    assert both.exit_code == 2 and "give no text" in both.output


def test_forecast_refuses_a_classifier_clearly(runs_dir):
    result = invoke("train", "--preset", "digits-mlp", "--epochs", "1", "--limit", "200", "--json")
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    refused = invoke("predict", run, "--forecast")
    assert refused.exit_code == 2 and "not a forecaster" in refused.output
