"""Editions of the NEV index: the shipped methodology built on the shipped data for one year.

``build_edition(year)`` is the one call other areas (store, report, web, CLI) use: it loads the
methodology file and the data, applies the declared derivations, suspends indicators with no
observation at all in that year (nothing can be scored; the suspension is recorded in the
edition framework's meta and in the coverage note), builds with the engine and applies the
coverage rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.derive import apply_derivations
from nevindex.errors import DataError
from nevindex.framework import Framework, framework_from_mapping, load_framework
from nevindex.nev.coverage import CoverageRules, coverage_note, coverage_table
from nevindex.nev.data import FX_PREFIX, load_nev_dataset
from nevindex.result import Result

__all__ = ["EDITIONS", "Edition", "FRAMEWORK_FILE", "build_edition", "demo_editions", "edition_framework",
           "framework_path", "nev_dataset", "nev_framework", "observed_counts", "scored_columns",
           "write_edition"]


FRAMEWORK_FILE = "nev-2025.yaml"
EDITIONS = (2023, 2024)


def framework_path() -> Any:
    return resources.files("nevindex").joinpath(f"frameworks/{FRAMEWORK_FILE}")


@lru_cache(maxsize=1)
def nev_framework() -> Framework:
    """The shipped methodology file, validated."""
    with resources.as_file(framework_path()) as path:
        return load_framework(path)


@lru_cache(maxsize=1)
def nev_dataset() -> Dataset:
    """The shipped data with the methodology's derivations applied (all years)."""
    return apply_derivations(nev_framework(), load_nev_dataset())


def observed_counts(framework: Framework, dataset: Dataset, year: int) -> dict[str, int]:
    """How many units have a value of each indicator in ``year``."""
    matrix = dataset.matrix(framework.indicator_codes, year)
    return dict(zip(framework.indicator_codes, (~np.isnan(matrix)).sum(axis=0).tolist(), strict=True))


def edition_framework(framework: Framework, dataset: Dataset, year: int) -> tuple[Framework, tuple[str, ...]]:
    """The framework without indicators that have no observation in ``year`` (and aggregates
    left empty by that); returns it with the suspended indicator codes."""
    counts = observed_counts(framework, dataset, year)
    suspended = tuple(code for code, n in counts.items() if n == 0)
    if not suspended:
        return framework, ()
    data = framework.model_dump(mode="python", exclude_defaults=False)
    data["indicators"] = [i for i in data["indicators"] if i["code"] not in suspended]
    if not data["indicators"]:
        raise DataError(f"no indicator of the framework has data in {year}", file=dataset.source)
    while True:
        parents = {n["parent"] for n in (*data["indicators"], *data["aggregates"]) if n["parent"]}
        empty = [a["code"] for a in data["aggregates"] if a["code"] not in parents]
        if not empty:
            break
        data["aggregates"] = [a for a in data["aggregates"] if a["code"] not in empty]
        suspended = (*suspended, *empty)
    kept = {n["code"] for n in (*data["indicators"], *data["aggregates"])}
    data["weight_sets"] = {k: {c: w for c, w in v.items() if c in kept} for k, v in data["weight_sets"].items()}
    data["recipe"]["aggregate"]["by_node"] = {
        k: v for k, v in data["recipe"]["aggregate"]["by_node"].items() if k in kept}
    data["recipe"]["treat"]["skip"] = [c for c in data["recipe"]["treat"]["skip"] if c in kept]
    data["framework"]["meta"] = {**data["framework"]["meta"],
                                 "edition": {"year": year, "suspended": list(suspended),
                                             "reason": "no observation in the edition year"}}
    return framework_from_mapping(data, source=f"{framework.framework.code} {year} edition"), suspended


def scored_columns(framework: Framework, dataset: Dataset) -> Dataset:
    """The dataset reduced to the columns the methodology reads or derives (with provenance),
    without the year-wide exchange-rate columns: "brands with data in a year" then means brands
    with an observation of their own, not brands that merely share that year's rate. Converted
    values keep the rate and its source in their own provenance rows."""
    used = {c for spec in framework.derived for c in (*_inputs(spec), spec["code"])} | set(framework.indicator_codes)
    keep = [c for c in dataset.columns if c in used and not c.startswith(FX_PREFIX)]
    idx = [dataset.columns.index(c) for c in keep]
    prov = dataset.provenance
    if prov is not None:
        prov = prov[prov["column"].isin(keep)].reset_index(drop=True)
    return Dataset(dataset.units, tuple(keep), dataset.years, dataset.values[:, :, idx], dataset.names,
                   dataset.attributes, prov, dataset.source)


def _inputs(spec: Any) -> list[str]:
    from nevindex.derive import input_columns

    return input_columns(spec)


@dataclass(frozen=True)
class Edition:
    """One built edition: the engine's Result plus the published coverage/rating table."""

    year: int
    result: Result
    table: pd.DataFrame
    suspended: tuple[str, ...]
    rules: CoverageRules

    @property
    def note(self) -> str:
        return coverage_note(self.result, self.table, self.suspended, self.rules)


def build_edition(year: int, *, framework: Framework | None = None, dataset: Dataset | None = None) -> Edition:
    """Build the ``year`` edition. Defaults: the shipped methodology and data. ``dataset`` is raw
    data (observations plus any ``fx_per_usd_*`` rate columns); the framework's derivations are
    applied to it here, so a self-evaluation or a what-if passes data exactly as observed."""
    base = framework or nev_framework()
    if framework is None and dataset is None:
        data = nev_dataset()  # cached: the shipped data with the shipped derivations
    else:
        data = apply_derivations(base, dataset if dataset is not None else load_nev_dataset())
    data = scored_columns(base, data)
    fw, suspended = edition_framework(base, data, year)
    result = build(fw, data, fw.recipe, year=year)
    rules = CoverageRules.from_framework(fw)
    return Edition(year, result, coverage_table(result, rules), suspended, rules)


def demo_editions(years: tuple[int, ...] = EDITIONS) -> dict[int, Edition]:
    """Every demonstration edition, keyed by year."""
    return {year: build_edition(year) for year in years}


def write_edition(edition: Edition, out: str | Path) -> list[str]:
    """Every table of the edition's Result (nevindex.export) plus ``coverage.csv`` (the published
    ranking with coverage, k/n and ratings), ``coverage_note.txt`` and ``provenance.csv`` (the
    source, or for derived values the inputs, rate and sources, of every value of the year)."""
    from nevindex.export import write_result
    from nevindex.io import write_all, write_csv

    files = write_result(edition.result, out)
    extra = {"coverage.csv": lambda path: write_csv(edition.table, path),
             "coverage_note.txt": lambda path: path.write_text(edition.note + "\n", encoding="utf-8")}
    prov = edition.result.dataset.provenance
    if prov is not None:
        year_rows = prov[prov["year"] == edition.year].reset_index(drop=True)
        extra["provenance.csv"] = lambda path: write_csv(year_rows, path)
    write_all(out, extra)
    return sorted([*files, *extra])
