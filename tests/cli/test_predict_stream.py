"""`seqtui predict RUN --input FILE` and `predict RUN -` (issue 29): many sentences in one process, the model
loaded once; the same answers as one call per sentence (Korean morphemes included); bad lines skipped with a
message each; Ctrl+C and a closed stdout in a real process; generators take one seed a line; forecasters and
image models are refused before Keras loads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqtui.cli.main import app
from seqtui.headless.line_stream import batches, decode_line

SENTENCES = [
    "오늘 날씨가 정말 좋네요",
    "what is your favorite food",
    "영화가 너무 재미있었어요 ㅋㅋ",
    "컴퓨터 🙂 AI",
]
TINY = ["--epochs", "1", "--units", "4", "--embedding-dim", "4", "--batch-size", "64"]


def invoke(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin, env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def ko_run(tmp_path_factory) -> str:
    """A tiny morpheme run of the Korean topics (trained once for the module, in its own folders)."""
    root = tmp_path_factory.mktemp("stream")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KERAS_HOME", str(root / "keras_home"))
        env.setenv("XDG_STATE_HOME", str(root / "state"))
        result = invoke("train", "--preset", "topics-ko-lstm", *TINY, "--json", "--runs-dir", root / "runs")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.splitlines()[-1])["run_dir"]


def single_json(run: str, sentence: str) -> dict:
    result = invoke("predict", run, sentence, "--json")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    return json.loads(line)


def probabilities(row: dict) -> dict[str, float]:
    return {c["name"]: c["p"] for c in row["classes"]}


def test_streamed_answers_are_the_single_calls_answers(ko_run, tmp_path):
    source = tmp_path / "reviews.txt"
    source.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    result = invoke("predict", ko_run, "--input", source, "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4] and [r["text"] for r in rows] == SENTENCES
    for row, sentence in zip(rows, SENTENCES, strict=True):
        alone = single_json(ko_run, sentence)
        assert row["tokens"] == alone["tokens"] and row["cut"] == alone["cut"]
        streamed, single = probabilities(row), probabilities(alone)
        assert streamed.keys() == single.keys() and len(single) == 19
        assert all(abs(streamed[name] - single[name]) <= 2e-6 for name in single), (streamed, single)
        assert row["classes"][0]["p"] == pytest.approx(alone["classes"][0]["p"], abs=2e-6)
    assert [t["text"] for t in rows[0]["tokens"]][:2] == ["오늘", "날씨"]  # morphemes, not words

    plain = invoke("predict", ko_run, "-", "--top", "2", stdin="\n".join(SENTENCES).encode())
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert len(lines) == len(SENTENCES)
    for line, row in zip(lines, rows, strict=True):
        best, second = row["classes"][:2]
        assert line == f"{best['name']} {best['p']:.3f}  {second['name']} {second['p']:.3f}  | {row['text']}"


def test_bad_lines_get_a_message_each_and_the_stream_goes_on(ko_run):
    raw = (
        "\ufeff좋은 하루\r\n\n   \n".encode() + b"caf\xe9 au lait\n" + "마지막 문장".encode()
    )  # no final newline
    result = invoke("predict", ko_run, "-", "--json", stdin=raw)
    assert result.exit_code == 2, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["text"]) for r in rows] == [(1, "좋은 하루"), (5, "마지막 문장")]  # BOM and \r gone
    errors = result.stderr
    assert "line 2: empty; skipped" in errors and "line 3: empty; skipped" in errors
    assert "line 4: not UTF-8 text (byte 0xe9 at byte 4)" in errors
    assert "2 lines answered, 3 skipped (lines 2, 3, 4)" in " ".join(errors.split())
    assert "Traceback" not in result.output


def test_lines_come_in_batches_and_a_long_line_is_skipped(tmp_path):
    assert decode_line(1, "\ufeffa\r\n".encode()).text == "a" and decode_line(2, b"\n").problem == "empty"
    source = tmp_path / "lines.txt"
    source.write_bytes(b"".join(f"s{i}\n".encode() for i in range(10)))
    with source.open("rb") as stream:
        got = list(batches(stream, size=4, wait=1.0))
    assert [[line.number for line in batch] for batch in got] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    assert got[2][1].text == "s9"


def test_wrong_inputs_are_refused_before_the_model_loads(ko_run, tmp_path):
    cases = [
        (["-", "more"], "a lone - reads sentences from standard input"),
        (["x", "--input", "-"], "give sentences as arguments, --input FILE or --image, one of them"),
        (["--input", tmp_path / "none.txt"], "none.txt does not exist"),
        (["--input", tmp_path], "is a folder"),
        ([], "--input FILE (- for standard input)"),
    ]
    for args, message in cases:
        result = invoke("predict", ko_run, *args)
        assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


def test_a_forecaster_refuses_text_before_keras_loads(tmp_path):
    code = (
        "import sys; from seqtui.cli.main import app; sys.argv = ['seqtui', 'predict', sys.argv[1], '-']\n"
        "try: app()\nexcept SystemExit as e: print('keras' in sys.modules, e.code, file=sys.stderr)"
    )
    run = tmp_path / "forecaster"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"status": "completed"}))
    (run / "config.json").write_text(json.dumps({"task": "regression", "class_names": []}))
    (run / "encoder.json").write_text(
        json.dumps(
            {
                "kind": "series",
                "columns": ["t"],
                "target": "t",
                "mean": [0.0],
                "std": [1.0],
                "lookback": 3,
                "step": 1,
                "delay": 1,
            }
        )
    )
    from seqtui.core.hardware.backend import import_keras

    keras = import_keras()  # a real checkpoint, in this process: the command's process must not need Keras
    keras.Sequential([keras.Input((3, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]).save(
        run / "model.keras"
    )
    result = subprocess.run([sys.executable, "-c", code, str(run)], capture_output=True, text=True, input="")
    assert "regression model, not a text classifier" in result.stderr, result.stderr
    assert "a forecaster reads windows of its own series, not sentences" in " ".join(result.stderr.split())
    assert result.stderr.strip().endswith("False 2")  # Keras never imported, exit code 2


def test_a_generator_continues_one_seed_a_line(tmp_path):
    runs = tmp_path / "runs"
    result = invoke("train", "--preset", "lines-ko-gen", *TINY, "--json", "--runs-dir", runs)
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout.splitlines()[-1])["run_dir"]
    seeds = ["오늘은", "바람이 분다"]
    streamed = invoke("predict", run, "-", "--json", "--temperature", "0", "--words", "3",
                      stdin="\n".join(seeds).encode())  # fmt: skip
    assert streamed.exit_code == 0, streamed.output
    rows = [json.loads(line) for line in streamed.stdout.splitlines()]
    assert [(r["line"], r["seed"]) for r in rows] == [(1, seeds[0]), (2, seeds[1])]
    for row, seed in zip(rows, seeds, strict=True):
        alone = invoke("predict", run, seed, "--json", "--temperature", "0", "--words", "3")
        assert json.loads(alone.stdout) == {"seed": seed, "continuation": row["continuation"]}
        assert len(row["continuation"]) == 3  # three characters: a character-level model


def _seqtui(*args: str) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("seqtui")), *args]
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)  # fmt: skip


def test_ctrl_c_stops_a_real_process_with_the_answers_printed(ko_run):
    process = _seqtui("predict", ko_run, "-")
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write("오늘 날씨가 좋네요\nwhat is your favorite food\n".encode())
    process.stdin.flush()  # stdin stays open: the process waits for more, as at a terminal
    answers = [process.stdout.readline().decode() for _ in range(2)]
    assert answers[0].rstrip().endswith("| 오늘 날씨가 좋네요") and "| what is your" in answers[1]
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=60)
    assert process.returncode == 130 and rest == b""
    assert "stopped (Ctrl+C) after 2 answers" in errors.decode() and b"Traceback" not in errors


def test_a_closed_stdout_ends_quietly(ko_run, tmp_path):
    source = tmp_path / "many.txt"
    source.write_text("오늘 날씨가 좋네요\n" * 3000, encoding="utf-8")
    process = _seqtui("predict", ko_run, "--input", str(source), "--json")
    assert process.stdout and process.stderr
    first = json.loads(process.stdout.readline())
    assert first["line"] == 1 and first["text"] == "오늘 날씨가 좋네요"
    process.stdout.close()  # `| head -1`: the reader is gone
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) in (0, 1) and errors == ""
