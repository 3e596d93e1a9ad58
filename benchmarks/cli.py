"""How fast the command answers: ``nevindex --help`` and ``nevindex edition list`` (prints figures; not a test).

    PYTHONPATH=src python benchmarks/cli.py [--repeats 9]

Each figure is a whole process (interpreter start, imports, argument parsing, output), the median
of several runs, next to two baselines measured in the same run on the same machine: the bare
interpreter (``python -c pass``) and the interpreter importing Typer, the CLI's own framework.
``edition list`` reads a small store (SQLite, two built editions of a synthetic index) made first.
The target for ``--help`` is under 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def timed(argv: list[str], env: dict[str, str], repeats: int) -> tuple[float, float, float]:
    """(median, min, max) seconds of ``argv`` as a whole process over ``repeats`` runs (one warm-up)."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def small_store(folder: Path) -> str:
    """A SQLite store with two built editions of a synthetic index (20 units × 10 indicators)."""
    from nevindex.store import editions as ed
    from nevindex.store import open_store
    from nevindex.synth import write_synthetic

    write_synthetic(folder, units=20, indicators=10, years=2, seed=1)
    url = f"sqlite:///{folder / 'bench.db'}"
    with open_store(url) as store:
        data = ed.import_data(store, folder / "data.csv")
        for year in data.years:
            ed.create_edition(store, year=year, methodology=folder / "framework.yaml", dataset=data.id)
            ed.build_edition(store, str(year))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env["NEVINDEX_DB"] = small_store(Path(tmp))
        rows = [
            ("python -c pass (baseline)", [py, "-c", "pass"]),
            ("python -c 'import typer' (baseline)", [py, "-c", "import typer"]),
            ("nevindex --help", [py, "-m", "nevindex", "--help"]),
            ("nevindex edition --help", [py, "-m", "nevindex", "edition", "--help"]),
            ("nevindex edition list", [py, "-m", "nevindex", "edition", "list"]),
        ]
        print(f"whole process, median of {args.repeats} runs (min–max), {os.cpu_count()} cores")
        results = {}
        for name, argv in rows:
            med, lo, hi = timed(argv, env, args.repeats)
            results[name] = med
            print(f"  {name:40} {med:6.3f} s  ({lo:.3f}–{hi:.3f})")
    base = results["python -c pass (baseline)"]
    typer_base = results["python -c 'import typer' (baseline)"]
    help_time = results["nevindex --help"]
    print(f"--help: {help_time - base:.3f} s above the bare interpreter, {help_time - typer_base:.3f} s above "
          f"importing Typer; target < 0.300 s: {'met' if help_time < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
