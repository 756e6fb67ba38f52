"""Estimate the mutation score of a package from a seeded random sample of its mutants (`make mutate-sample`).

mutmut checks every mutant it generates; over all of `seqtui/core` that is thousands of mutants and a day
of a 2-core machine. A uniform random sample gives the score within a stated margin (sampled mutation
testing: Wong & Mathur 1995; Zhang et al., ICSE 2013). mutmut generates the mutants and records which
tests reach each function (its coverage stats); this script draws `--size` mutants with a seed and runs
each, as mutmut does, against the tests that reach its function, fastest first, stopping at the first
failure, with the mutant switched on through mutmut's trampolines (MUTANT_UNDER_TEST). Unlike `mutmut run`
it skips the clean run of the whole suite before the mutants (an hour here) and gives each mutant a time
budget: a mutant still passing when its budget runs out counts as *not* killed ("unfinished").
It prints the killed share with a 95% Wilson interval, per module and overall, and the survivors
(`mutmut show NAME` shows one's diff).

    python tools/mutation_sample.py --package seqtui.core --size 200 --seed 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MUTANTS = Path("mutants")
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
RESULT = re.compile(r"^\s*(\S+__mutmut_\d+): (.+)$")
KILLED = {"killed", "timeout"}
"""A test failed, or the tests hung (ran over 5x their normal time, as mutmut counts a timeout)."""
PYTEST = ["-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "--hypothesis-profile=mutmut"]


def mutant_names() -> list[str]:
    """Every generated mutant's name, from `mutmut results --all true`."""
    out = subprocess.run([MUTMUT, "results", "--all", "true"], capture_output=True, text=True, check=True)
    return [m.group(1) for line in out.stdout.splitlines() if (m := RESULT.match(line))]


def pytest(args: list[str], mutant: str, timeout: float) -> tuple[int | None, float]:
    """pytest's exit code in the mutants folder with `mutant` switched on (None: over `timeout`), and seconds."""
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant, "PY_COLORS": "0"}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST, *args],
            cwd=MUTANTS,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        return done.returncode, time.monotonic() - started
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - started


def check(name: str, stats: dict, budget: float) -> str:
    function = name.rsplit("__mutmut_", 1)[0]
    durations = stats["duration_by_test"]
    tests = sorted(
        stats["tests_by_mangled_function_name"].get(function, []), key=lambda t: durations.get(t, 0)
    )
    if not tests:
        return "no tests"
    normal = sum(float(durations.get(t, 1.0)) for t in tests)
    hang = 5 * normal + 30
    code, _ = pytest(tests, name, min(hang, budget))
    if code is None:
        return "timeout" if hang <= budget else "unfinished"
    return {0: "survived", 5: "no tests"}.get(code, "killed")


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion (sound near 0% and 100%, unlike p +- 2 s.e.)."""
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def report(status: dict[str, str], population: int) -> None:
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, state in status.items():
        by_module[name.rsplit(".", 1)[0]][state] += 1
    print(f"\n{len(status)} of {population} mutants sampled\n")
    columns = ["killed", "timeout", "survived", "no tests", "unfinished"]
    print(f"{'module':34}" + "".join(f"{c:>11}" for c in columns))
    for module, counts in sorted(by_module.items()):
        print(f"{module:34}" + "".join(f"{counts[c]:>11}" for c in columns))
    killed = sum(state in KILLED for state in status.values())
    low, high = wilson(killed, len(status))
    share = killed / max(len(status), 1)
    print(f"\nkilled {killed} of {len(status)}: {share:.1%} (95% CI {low:.1%}-{high:.1%})")
    for name, state in sorted(status.items()):
        if state not in KILLED:
            print(f"  {state:>10}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="seqtui.core", help="dotted prefix of the mutants to sample")
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=300, help="seconds of tests per mutant at most")
    parser.add_argument(
        "--probe",
        default="seqtui.core.training.events.x_event_dict__mutmut_1",
        help="a mutant whose `mutmut run` generates every mutant and the coverage stats (when missing)",
    )
    args = parser.parse_args()
    if not (MUTANTS / "mutmut-stats.json").exists():
        subprocess.run([MUTMUT, "run", "--max-children", "1", args.probe], check=False)
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    population = sorted(n for n in mutant_names() if n.startswith(args.package + "."))
    sample = sorted(random.Random(args.seed).sample(population, min(args.size, len(population))))
    reaching = {test for tests in stats["tests_by_mangled_function_name"].values() for test in tests}
    probe = min(reaching, key=lambda test: stats["duration_by_test"].get(test, math.inf))
    code, _ = pytest([probe], "fail", 300)
    if code in (0, None):  # with the "fail" mutant every trampolined call raises: the probe test must notice
        sys.exit("the mutants are not switched on in the tests (a forced failure passed); check mutants/")
    saved = MUTANTS / f"sample-{args.package}-{args.seed}.json"
    status: dict[str, str] = json.loads(saved.read_text()) if saved.exists() else {}
    order = random.Random(args.seed).sample(sample, len(sample))  # any prefix of it is a random sample too
    todo = [n for n in order if n not in status]
    with ThreadPoolExecutor(args.workers) as pool:
        for i, (name, state) in enumerate(
            zip(todo, pool.map(lambda n: check(n, stats, args.budget), todo), strict=True), 1
        ):
            status[name] = state
            saved.write_text(json.dumps(status, indent=1))
            print(f"[{i}/{len(todo)}] {state:>10}  {name}", flush=True)
    report({n: status[n] for n in checked_prefix(order, status)}, len(population))


def checked_prefix(order: list[str], status: dict[str, str]) -> list[str]:
    """The longest start of the sample's random order that is all checked: a run stopped early (or a
    `--size` raised later) still reports a uniform random sample, not the modules that come first."""
    done = next((i for i, name in enumerate(order) if name not in status), len(order))
    return order[:done]


if __name__ == "__main__":
    main()
