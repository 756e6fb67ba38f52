"""How fast is loading an NSMC-sized file with Korean morphemes? A synthetic ratings_train.txt in NSMC's
layout (`id<TAB>document<TAB>label`, 150,000 reviews by default) made of review-like sentences composed
from everyday Korean vocabulary below (no NSMC data is used), then:

  (a) the analysis alone: seqtui.datasets.morphemes.analyse over every review, in batches;
  (b) the whole load as `seqtui train --preset nsmc-lstm --data FILE` does it: read the TSV, keep Hangul,
      analyse, drop the lesson's stopwords, fit the vocabulary, pad (the test split comes from the file);
  (c) for scale, the same load with the whitespace (words) tokenizer.

Prints reviews/s of each (wall clock), the process CPU seconds per 1,000 reviews (all threads; steadier than
wall time on a shared machine), the model's load time, and the machine. Usage:
  python bench/morphemes.py [--rows 150000] [--workers N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import tempfile
import time
from pathlib import Path

from seqtui.core.config.presets import get_preset
from seqtui.datasets import morphemes
from seqtui.datasets.registry import load_dataset

SUBJECTS = ["영화", "배우", "감독", "스토리", "연기", "음악", "결말", "주인공", "장면", "대사", "이 작품",
            "내용", "캐릭터", "영상미", "시나리오", "액션", "반전", "연출", "원작", "속편"]  # fmt: skip
PARTICLES = ["가", "는", "도", "이", "은", "만", "까지"]
PRAISE = ["정말 좋았다", "너무 재밌어요", "최고였습니다", "감동적이었다", "훌륭하네요", "기대 이상이었다",
          "다시 보고 싶다", "마음에 든다", "눈물이 났다", "완벽했어요"]  # fmt: skip
BLAME = ["너무 지루했다", "별로였어요", "실망스럽다", "최악이었다", "돈이 아깝다", "이해가 안 된다",
         "어색했다", "시간 낭비였다", "뻔했어요", "유치하네요"]  # fmt: skip
EXTRAS = ["진짜", "솔직히", "완전", "그냥", "좀", "아주", "생각보다", "역시", "ㅋㅋ", "ㅠㅠ", "!!", "...", "10점",
          "강추", "비추", "친구랑 봤는데", "어제 봤는데", "두 번 봤다"]  # fmt: skip


def review(rng: random.Random, label: int) -> str:
    words = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.4:
            words.append(rng.choice(EXTRAS))
        words += [rng.choice(SUBJECTS) + rng.choice(PARTICLES), rng.choice(PRAISE if label else BLAME)]
    return " ".join(words)


def write_nsmc(path: Path, rows: int) -> Path:
    rng = random.Random(0)
    lines = ["id\tdocument\tlabel"]
    for i in range(rows):
        label = rng.randint(0, 1)
        lines.append(f"{9_000_000 + i}\t{review(rng, label)}\t{label}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=150_000)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{morphemes.analyser_name()}, {time.strftime('%Y-%m-%d')}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="seqtui-bench-morphemes-") as tmp:
        path = write_nsmc(Path(tmp) / "ratings_train.txt", args.rows)
        texts = [line.split("\t")[1] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
        start = time.perf_counter()
        morphemes.analyse(["워밍업"])
        print(f"analyser model load: {time.perf_counter() - start:.1f} s")

        start, cpu = time.perf_counter(), time.process_time()
        morphemes.analyse(texts, stopwords=morphemes.KOREAN_STOPWORDS)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"(a) analysis only : {len(texts):,} reviews in {took:.1f} s = {len(texts) / took:,.0f} reviews/s, "
              f"{cpu / len(texts) * 1000:.2f} CPU s per 1k")  # fmt: skip

        config = dataclasses.replace(get_preset("nsmc-lstm").config.data, data_path=str(path))
        for label, data in (
            ("(b) nsmc-lstm load", config),
            ("(c) words load   ", dataclasses.replace(config, split="whitespace")),
        ):
            start, cpu = time.perf_counter(), time.process_time()
            ds = load_dataset(data)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            vocab = len(ds.encoder.tokenizer.word_index)
            print(f"{label}: {len(texts):,} reviews in {took:.1f} s = {len(texts) / took:,.0f} reviews/s, "
                  f"{cpu / len(texts) * 1000:.2f} CPU s per 1k, {vocab:,} distinct tokens")  # fmt: skip


if __name__ == "__main__":
    main()
