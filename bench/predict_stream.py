"""How fast does `seqtui predict RUN -` answer? (issue 29)

For a trained run: the time to the first answer of a real `seqtui predict RUN -` process fed one sentence,
then its throughput on N more sentences after that (the model and analyser loaded), in plain lines and in
JSON; and, in this process, the parts of the first answer: seqtui's imports, Keras' import, the model's
load, the morpheme analyser's load (morpheme runs only), and the first forward pass.

Usage: python bench/predict_stream.py RUN [RUN...] [--lines 2000]
(train the lessons' offline models first, e.g. `seqtui train --preset topics-ko-lstm`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

SENTENCES = [
    "오늘 날씨가 정말 좋네요",
    "what is your favorite food",
    "영화가 너무 재미있었어요",
    "컴퓨터가 고장났어요",
]


def stream(run: str, lines: int, as_json: bool) -> dict:
    """A real process: seconds to its first answer, then answers per second for `lines` more sentences."""
    command = [
        str(Path(sys.executable).with_name("seqtui")),
        "predict",
        run,
        "-",
        *(["--json"] if as_json else []),
    ]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin and process.stdout
    process.stdin.write((SENTENCES[0] + "\n").encode())
    process.stdin.flush()
    process.stdout.readline()
    first = time.perf_counter() - start
    feed = "".join(SENTENCES[i % len(SENTENCES)] + "\n" for i in range(lines)).encode()

    def write() -> None:
        assert process.stdin
        process.stdin.write(feed)
        process.stdin.close()

    begin = time.perf_counter()
    threading.Thread(target=write, daemon=True).start()
    got = sum(1 for _ in process.stdout)
    seconds = time.perf_counter() - begin
    process.wait()
    return {"first_answer_s": round(first, 2), "lines": got, "after_load_s": round(seconds, 2),
            "lines_per_s": round(got / seconds)}  # fmt: skip


def parts(run: str) -> dict:
    """The first answer's parts, timed in this process (each import is the first of its kind here)."""
    timings: dict[str, float] = {}

    def timed(name: str, work):  # noqa: ANN001, ANN202
        begin = time.perf_counter()
        result = work()
        timings[name] = round(time.perf_counter() - begin, 2)
        return result

    timed("seqtui_imports_s", lambda: __import__("seqtui.cli.main"))
    from seqtui.common.keras_door import import_keras
    from seqtui.core.inference.predict import Predictor

    timed("keras_import_s", import_keras)
    predictor = timed("model_load_s", lambda: Predictor.load(run, reads="text"))
    tokenizer = predictor.encoder.tokenizer
    if tokenizer.split == "morpheme":
        timed("analyser_s", lambda: tokenizer.split_texts([SENTENCES[0]]))
    timed("first_inference_s", lambda: predictor.classify_texts([SENTENCES[1]]))
    timed("second_inference_s", lambda: predictor.classify_texts([SENTENCES[2]]))
    return {**timings, "split": tokenizer.split}


def single(run: str) -> float:
    command = [str(Path(sys.executable).with_name("seqtui")), "predict", run, SENTENCES[0]]
    begin = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return round(time.perf_counter() - begin, 2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"# {platform.node()} {os.cpu_count()} cores, load {load:.1f}, {date.today()}", flush=True)
    for run in args.runs:
        row = {"run": Path(run).name, "single_call_s": single(run)}
        row["plain"] = stream(run, args.lines, False)
        row["json"] = stream(run, args.lines, True)
        code = f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); " \
               f"import predict_stream as b; print(json.dumps(b.parts({run!r})))"  # fmt: skip
        row["parts"] = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                 check=True).stdout.splitlines()[-1])  # fmt: skip
        print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
