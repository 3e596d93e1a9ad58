"""Timings of the NEV editions and of synthetic builds (prints figures; not a test).

Run from the repository root:  PYTHONPATH=src python benchmarks/nev_synth.py [--big]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.synth import synthesise, write_synthetic


def _clock(label: str, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<52} {time.perf_counter() - start:8.3f} s")
    return out


def main() -> None:
    from nevindex.nev.edition import build_edition, nev_dataset, nev_framework

    _clock("NEV: load methodology", nev_framework)
    _clock("NEV: load data + derivations", nev_dataset)
    for year in (2023, 2024):
        _clock(f"NEV: build {year} edition (+ coverage table)", build_edition, year)
    sizes = [(500, 60, 1), (5000, 60, 1)] + ([(5000, 60, 5), (20000, 60, 1)] if "--big" in sys.argv else [])
    for units, k, years in sizes:
        name = f"{units} × {k} × {years}y"
        _clock(f"synth {name}: generate", synthesise, units, k, years, seed=1)
        with tempfile.TemporaryDirectory() as tmp:
            _clock(f"synth {name}: write files", write_synthetic, tmp, units=units, indicators=k, years=years, seed=1)
            fw = load_framework(Path(tmp) / "framework.yaml")
            data = _clock(f"synth {name}: load data.csv", load_dataset, Path(tmp) / "data.csv")
            _clock(f"synth {name}: build (median impute, treat, minmax)", build, fw, data)


if __name__ == "__main__":
    main()
