"""Time the edition workflow on a synthetic edition: import, build, publish, verify, export, compare.

    python benchmarks/store.py [--units 500] [--indicators 60] [--db URL]

Default store: a fresh SQLite file in a temporary folder. Prints seconds per step and row counts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml


def synthetic(folder: Path, units: int, indicators: int, seed: int = 7) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    elements = 5
    fw = {"framework": {"code": "SYN", "version": "1", "name": "Synthetic benchmark index"},
          "aggregates": [{"code": "Index", "name": "Index"}]
          + [{"code": f"E{e}", "name": f"Element {e}", "parent": "Index"} for e in range(elements)],
          "indicators": [{"code": f"i{k}", "name": f"Indicator {k}", "parent": f"E{k % elements}",
                          "direction": 1 if k % 4 else -1} for k in range(indicators)]}
    fw_path = folder / "framework.yaml"
    fw_path.write_text(yaml.safe_dump(fw), encoding="utf-8")
    rows = []
    for year in (2023, 2024):
        values = rng.lognormal(3, 1, size=(units, indicators))
        values[rng.random(values.shape) < 0.15] = np.nan
        for u in range(units):
            for k in range(indicators):
                if not np.isnan(values[u, k]):
                    rows.append((f"u{u:04d}", year, f"i{k}", values[u, k], f"source {u}-{k}", "https://example.org"))
    data_path = folder / "data.csv"
    pd.DataFrame(rows, columns=["unit", "year", "indicator", "value", "source_title", "source_url"]).to_csv(
        data_path, index=False)
    return fw_path, data_path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()

    from nevindex.store import editions as ed
    from nevindex.store import open_store
    from nevindex.workflows import compare_editions

    folder = Path(tempfile.mkdtemp(prefix="nevindex-bench-"))
    fw_path, data_path = synthetic(folder, args.units, args.indicators)
    with open_store(args.db or f"sqlite:///{folder / 'store.db'}") as store:
        timings: list[tuple[str, float]] = []

        def step(name, fn):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            out = fn()
            timings.append((name, time.perf_counter() - started))
            return out

        data = step("import", lambda: ed.import_data(store, data_path))
        for year in (2023, 2024):
            step(f"create {year}", lambda y=year: ed.create_edition(store, year=y, methodology=fw_path, dataset=data.id))
            step(f"build {year}", lambda y=year: ed.build_edition(store, str(y)))
            step(f"publish {year}", lambda y=year: ed.publish(store, str(y)))
        step("verify 2024", lambda: ed.verify(store, "2024"))
        step("export 2024", lambda: ed.export_edition(store, "2024", folder / "export"))
        step("compare 2023 2024", lambda: compare_editions(store, "2023", "2024"))
        counts = ed.counts(store)
    print(f"{args.units} units × {args.indicators} indicators × 2 years; {counts['observations']:,} observations, "
          f"{counts['unit_results'] + counts['indicator_results']:,} result rows; store {store.url.split('@')[-1]}")
    for name, seconds in timings:
        print(f"  {name:20} {seconds:8.2f} s")


if __name__ == "__main__":
    main()
