#!/usr/bin/env python3
"""Throughput of ``Pattern.match_many`` against Python peers.

Corpora come from the shared generator (``gen_corpus.py``: apache combined
log, RFC 3164 syslog). For each workload it times, single-threaded, corpus
in memory, median of ``--repeat`` runs (each run's result freed before the
next starts its clock):

* ``grok match_many``   - this package, one batch call
* ``grok match loop``   - ``[p.match(line) for line in lines]``
* ``grok match_columns``- the columnar batch call
* ``rustgrok``          - ``Grok.match_against`` per line (Rust grok + onig)
* ``pygrok``            - ``Grok.match`` per line (Python ``regex``)
* ``json.loads``        - parsing JSON objects of the same fields: the cost of
  building the same dicts from text, the baseline for the dict-building part

Peers are used when importable: install them next to grok in a scratch
virtualenv (not the test requirements), e.g.

    python -m venv /tmp/bench && /tmp/bench/bin/pip install ./grok-py rustgrok pygrok
    /tmp/bench/bin/python grok-py/bench/bench_match_many.py

Every implementation's match count is checked before it is timed (a
benchmark that silently stops matching measures nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional

import grok

WORKLOADS = {
    "apache": "%{COMBINEDAPACHELOG}",
    "syslog": "%{SYSLOGLINE}",
}


def default_generator() -> Path:
    here = Path(__file__).resolve()
    return here.parents[3] / "shared" / "bench" / "gen_corpus.py"


def corpus(generator: Path, lines: int, seed: int) -> dict[str, list[str]]:
    out = Path(tempfile.gettempdir()) / f"grok-py-bench-{lines}-{seed}"
    wanted = {name: out / f"{name}.log" for name in WORKLOADS}
    if not all(p.exists() for p in wanted.values()):
        subprocess.run(
            [sys.executable, str(generator), "--lines", str(lines), "--seed", str(seed),
             "--out", str(out), "--only", ",".join(WORKLOADS)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return {name: path.read_text(encoding="utf-8").splitlines() for name, path in wanted.items()}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        # Free the previous run's objects before the clock starts: freeing
        # them is the caller's cost, the same whichever library built them.
        result = None
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peers(expr: str) -> dict[str, Callable[[list[str]], list[Any]]]:
    found: dict[str, Callable[[list[str]], list[Any]]] = {}
    try:
        import rustgrok  # type: ignore[import-not-found,import-untyped,unused-ignore]

        g = rustgrok.Grok()
        g.compile(expr)
        found["rustgrok"] = lambda lines: [g.match_against(line) or None for line in lines]
    except ImportError:
        pass
    try:
        import pygrok  # type: ignore[import-not-found,import-untyped,unused-ignore]

        pg = pygrok.Grok(expr)
        found["pygrok"] = lambda lines: [pg.match(line) for line in lines]
    except ImportError:
        pass
    return found


def run(name: str, expr: str, lines: list[str], repeat: int, slow_lines: int) -> None:
    p = grok.compile(expr)
    expected = sum(r is not None for r in p.match_many(lines))
    print(f"\n== {name}: {expr} on {len(lines):,} lines ({sum(map(len, lines)) / 1e6:.1f} MB), "
          f"{expected:,} match, is_linear={p.is_linear}")
    rows: list[tuple[str, float, str]] = []

    def measure(label: str, fn: Callable[[list[str]], Any], subset: Optional[int] = None,
                count: Callable[[Any], int] = lambda r: sum(x is not None for x in r)) -> None:
        sample = lines if subset is None else lines[:subset]
        want = expected if subset is None else sum(r is not None for r in p.match_many(sample))
        got = count(fn(sample))
        if got != want:
            print(f"  {label:<20} SKIPPED: matched {got:,} lines, expected {want:,}")
            return
        secs, _ = timed(lambda: fn(sample), repeat)
        note = "" if subset is None else f"(first {len(sample):,} lines)"
        rows.append((label, len(sample) / secs, note))

    measure("grok match_many", p.match_many)
    measure("grok match loop", lambda ls: [p.match(line) for line in ls])
    measure("grok match_columns", p.match_columns,
            count=lambda cols: sum(v is not None for v in next(iter(cols.values()))))
    for label, fn in peers(expr).items():
        measure(label, fn, subset=slow_lines if label == "pygrok" else None)
    docs = [json.dumps(r) for r in p.match_many(lines) if r is not None]
    secs, _ = timed(lambda: [json.loads(d) for d in docs], repeat)
    rows.append(("json.loads (same dicts)", len(docs) / secs, "baseline for building the dicts"))

    base = rows[0][1]
    print(f"  {'implementation':<24}{'lines/s':>12}{'vs match_many':>15}")
    for label, rate, note in rows:
        print(f"  {label:<24}{rate:>12,.0f}{rate / base:>14.2f}x  {note}")


def import_time(runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import grok"], check=True)
        times.append(time.perf_counter() - start)
    baseline = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - start)
    return statistics.median(times) - statistics.median(baseline)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--slow-lines", type=int, default=20_000, help="lines given to pygrok")
    ap.add_argument("--generator", type=Path, default=Path(os.environ.get("GROK_GEN_CORPUS", default_generator())))
    args = ap.parse_args()
    print(f"grok {grok.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    data = corpus(args.generator, args.lines, args.seed)
    for name, expr in WORKLOADS.items():
        run(name, expr, data[name], args.repeat, args.slow_lines)
    print(f"\nimport grok: {import_time() * 1000:.1f} ms (median of 10, interpreter start-up subtracted)")


if __name__ == "__main__":
    main()
