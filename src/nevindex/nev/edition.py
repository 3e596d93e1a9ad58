"""Editions of the NEV index: a methodology version built on the shipped data for one year.

``build_edition(year)`` is the one call other areas (store, report, web, CLI) use: it loads the
methodology file (the current version unless another is asked for) and the data, applies the
declared derivations, leaves out the indicators the edition cannot score (no value, too few
brands, an input ratio without its level measure: ``nevindex.nev.coverage.unscored_indicators``;
recorded in the edition framework's meta and in the coverage note), builds with the engine and
applies the coverage rules.
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
from nevindex.derive import apply_derivations, input_columns
from nevindex.errors import DataError, NotFoundError
from nevindex.framework import Framework, framework_from_mapping, load_framework
from nevindex.nev.coverage import (
    EMPTY_AGGREGATE,
    CoverageRules,
    coverage_note,
    coverage_table,
    unscored_indicators,
)
from nevindex.nev.data import is_rate_column, load_nev_dataset
from nevindex.result import Result

__all__ = ["CURRENT", "EDITIONS", "METHODOLOGIES", "Edition", "FRAMEWORK_FILE", "build_edition", "demo_editions",
           "edition_framework", "framework_path", "nev_dataset", "nev_framework", "observed_counts",
           "scored_columns", "write_edition"]

#: Every shipped methodology version and its file, oldest first; the last is the current one.
METHODOLOGIES = {"2025.1": "nev-2025.yaml", "2026.1": "nev-2026.yaml"}
CURRENT = "2026.1"
FRAMEWORK_FILE = METHODOLOGIES[CURRENT]
EDITIONS = (2023, 2024)


def _version(version: str | None) -> str:
    chosen = version or CURRENT
    if chosen not in METHODOLOGIES:
        raise NotFoundError(f"no shipped NEV methodology version '{chosen}'; versions: {', '.join(METHODOLOGIES)}")
    return chosen


def framework_path(version: str | None = None) -> Any:
    return resources.files("nevindex").joinpath(f"frameworks/{METHODOLOGIES[_version(version)]}")


@lru_cache(maxsize=4)
def _framework(version: str) -> Framework:
    with resources.as_file(framework_path(version)) as path:
        return load_framework(path)


def nev_framework(version: str | None = None) -> Framework:
    """A shipped methodology file, validated (default: the current version)."""
    return _framework(_version(version))


@lru_cache(maxsize=4)
def _dataset(version: str) -> Dataset:
    return apply_derivations(_framework(version), load_nev_dataset())


def nev_dataset(version: str | None = None) -> Dataset:
    """The shipped data with a methodology's derivations applied (all years)."""
    return _dataset(_version(version))


def observed_counts(framework: Framework, dataset: Dataset, year: int) -> dict[str, int]:
    """How many units have a value of each indicator in ``year``."""
    matrix = dataset.matrix(framework.indicator_codes, year)
    return dict(zip(framework.indicator_codes, (~np.isnan(matrix)).sum(axis=0).tolist(), strict=True))


def edition_framework(framework: Framework, dataset: Dataset, year: int) -> tuple[Framework, tuple[str, ...]]:
    """The framework without the indicators the edition cannot score in ``year`` (see
    :func:`~nevindex.nev.coverage.unscored_indicators`) and the aggregates left empty by that;
    returns it with the suspended codes. Their reasons go to ``framework.meta.edition.reasons``."""
    counts = observed_counts(framework, dataset, year)
    reasons = unscored_indicators(framework, counts, CoverageRules.from_framework(framework))
    suspended = tuple(reasons)
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
        reasons |= dict.fromkeys(empty, EMPTY_AGGREGATE)
    kept = {n["code"] for n in (*data["indicators"], *data["aggregates"])}
    data["weight_sets"] = {k: {c: w for c, w in v.items() if c in kept} for k, v in data["weight_sets"].items()}
    data["recipe"]["aggregate"]["by_node"] = {
        k: v for k, v in data["recipe"]["aggregate"]["by_node"].items() if k in kept}
    data["recipe"]["treat"]["skip"] = [c for c in data["recipe"]["treat"]["skip"] if c in kept]
    data["framework"]["meta"] = {**data["framework"]["meta"],
                                 "edition": {"year": year, "suspended": list(suspended),
                                             "reason": "not scored in the edition year (see reasons)",
                                             "reasons": reasons,
                                             "observed": {c: int(counts[c]) for c in suspended if c in counts}}}
    return framework_from_mapping(data, source=f"{framework.framework.code} {year} edition"), suspended


def scored_columns(framework: Framework, dataset: Dataset) -> Dataset:
    """The dataset reduced to the columns the methodology reads or derives (with provenance),
    without the year-wide exchange-rate columns: "brands with data in a year" then means brands
    with an observation of their own, not brands that merely share that year's rate. Converted
    values keep the rate and its source in their own provenance rows."""
    used = {c for spec in framework.derived for c in (*input_columns(spec), spec["code"])} | set(framework.indicator_codes)
    keep = [c for c in dataset.columns if c in used and not is_rate_column(c)]
    idx = [dataset.columns.index(c) for c in keep]
    prov = dataset.provenance
    if prov is not None:
        prov = prov[prov["column"].isin(keep)].reset_index(drop=True)
    return Dataset(dataset.units, tuple(keep), dataset.years, dataset.values[:, :, idx], dataset.names,
                   dataset.attributes, prov, dataset.source)


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


def build_edition(year: int, *, framework: Framework | None = None, dataset: Dataset | None = None,
                  methodology: str | None = None) -> Edition:
    """Build the ``year`` edition. Defaults: the shipped methodology (``methodology`` names a
    shipped version, else the current one) and data. ``dataset`` is raw data (observations plus
    any rate columns); the framework's derivations are applied to it here, so a self-evaluation or
    a what-if passes data exactly as observed."""
    base = framework or nev_framework(methodology)
    if framework is None and dataset is None:
        data = nev_dataset(methodology)  # cached: the shipped data with the shipped derivations
    else:
        data = apply_derivations(base, dataset if dataset is not None else load_nev_dataset())
    data = scored_columns(base, data)
    fw, suspended = edition_framework(base, data, year)
    result = build(fw, data, fw.recipe, year=year)
    rules = CoverageRules.from_framework(fw)
    return Edition(year, result, coverage_table(result, rules), suspended, rules)


def demo_editions(years: tuple[int, ...] = EDITIONS, methodology: str | None = None) -> dict[int, Edition]:
    """Every demonstration edition of a methodology version (default: the current), keyed by year."""
    return {year: build_edition(year, methodology=methodology) for year in years}


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
