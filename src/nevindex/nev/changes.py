"""What the methodology's choices do to the published ranking: the tables behind the reasons.

Each function rebuilds editions with the shipped code and returns a plain table, so that
docs/methodology.md can quote the effect of a choice instead of asserting it:

* :func:`rank_moves` — every brand's index, rating and rank under the earlier and the current
  methodology on the same data (the "What changed from 2025.1" table);
* :func:`proxy_effect` — the edition built with and without the declared proxy exchange rates;
* :func:`element_gaps` — which elements the brands that are not rated lack (why fewer are rated);
* :func:`missing_effect` — every edition ranked under each treatment of a missing element.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nevindex.dataset import Dataset
from nevindex.framework import framework_from_mapping
from nevindex.nev.coverage import elements_of
from nevindex.nev.data import PROXY_PREFIX, load_nev_dataset
from nevindex.nev.edition import CURRENT, EDITIONS, METHODOLOGIES, Edition, build_edition, nev_framework

__all__ = [
    "MISSING_CHOICES", "previous_version", "rank_moves", "blank_proxies", "proxy_effect", "element_gaps",
    "missing_effect",
]

#: The treatments of a missing element compared by :func:`missing_effect` (the engine's names).
MISSING_CHOICES = ("lower_quartile", "median", "reweight")


def previous_version(version: str = CURRENT) -> str | None:
    """The shipped methodology version before ``version`` (None for the first)."""
    versions = list(METHODOLOGIES)
    at = versions.index(version)
    return versions[at - 1] if at > 0 else None


def _published(edition: Edition) -> pd.DataFrame:
    t = edition.table.set_index("unit")
    return t[["name", "rated", "index", "rating", "rank", "elements_rated"]]


def rank_moves(year: int, old: str | None = None, new: str = CURRENT) -> pd.DataFrame:
    """One row per brand with data: published index, rating and rank under ``old`` (default: the
    version before ``new``) and ``new``, and the move in places (positive = up; NaN when the brand
    is not rated under one of them). Rows: rated under ``new`` by rank, then the others."""
    old = old or previous_version(new)
    if old is None:
        raise ValueError(f"methodology {new} has no earlier version")
    before, after = _published(build_edition(year, methodology=old)), _published(build_edition(year, methodology=new))
    units = list(after.index) + [u for u in before.index if u not in after.index]
    frame = pd.DataFrame({"unit": units})
    frame["name"] = [after["name"].get(u, before["name"].get(u)) for u in units]
    for tag, table in (("old", before), ("new", after)):
        for col in ("rated", "index", "rating", "rank"):
            frame[f"{col}_{tag}"] = [table[col].get(u) if u in table.index else None for u in units]
        frame[f"rated_{tag}"] = frame[f"rated_{tag}"].fillna(False).astype(bool)
    frame["move"] = frame["rank_old"].astype(float) - frame["rank_new"].astype(float)
    return frame


def blank_proxies(dataset: Dataset) -> Dataset:
    """The raw data with the proxy exchange-rate columns emptied (as if no proxy were declared; the
    columns stay, because the methodology's derivations name them)."""
    cols = [i for i, c in enumerate(dataset.columns) if c.startswith(PROXY_PREFIX)]
    values = dataset.values.copy()
    values[:, :, cols] = np.nan
    prov = dataset.provenance
    if prov is not None:
        prov = prov[~prov["column"].astype(str).str.startswith(PROXY_PREFIX)].reset_index(drop=True)
    return Dataset(dataset.units, dataset.columns, dataset.years, values, dataset.names, dataset.attributes, prov,
                   dataset.source)


def proxy_effect(year: int, methodology: str = CURRENT) -> pd.DataFrame:
    """Per brand rated in either build: innovation score, index and rank with the declared proxy
    rates and without them (then a converted amount of ``year`` exists only where a sourced annual
    rate does)."""
    empty = blank_proxies(load_nev_dataset())
    with_ = build_edition(year, methodology=methodology).table.set_index("unit")
    without = build_edition(year, methodology=methodology, dataset=empty).table.set_index("unit")
    units = [u for u in with_.index if with_.loc[u, "rated"] or (u in without.index and without.loc[u, "rated"])]
    rows = []
    for u in units:
        w = with_.loc[u]
        o = without.loc[u] if u in without.index else None
        rows.append({"unit": u, "name": w["name"], "proxy": w["proxy"],
                     "innovation_with": w.get("innovation_score"), "index_with": w["index"], "rank_with": w["rank"],
                     "innovation_without": o.get("innovation_score") if o is not None else np.nan,
                     "index_without": o["index"] if o is not None else np.nan,
                     "rank_without": o["rank"] if o is not None else np.nan})
    return pd.DataFrame(rows)


def element_gaps(edition: Edition) -> pd.DataFrame:
    """The brands with data that are not rated: how many elements are rated and which are not."""
    elements = elements_of(edition.result.framework)
    t = edition.table[~edition.table["rated"].astype(bool)]
    rows = [{"unit": r["unit"], "name": r["name"], "elements_rated": int(r["elements_rated"]),
             "rated": [e for e in elements if r[f"{e}_rated"]],
             "missing": [e for e in elements if not r[f"{e}_rated"]]} for r in t.to_dict("records")]
    return pd.DataFrame(rows, columns=["unit", "name", "elements_rated", "rated", "missing"])


def missing_effect(methodology: str = CURRENT, years: tuple[int, ...] = EDITIONS) -> pd.DataFrame:
    """One row per brand rated in an edition: its rank and index under each treatment of a missing
    element at the root (``aggregate.by_node.<root>.missing``), every other choice as shipped."""
    fw = nev_framework(methodology)
    rows = []
    for year in years:
        tables = {}
        for choice in MISSING_CHOICES:
            data = fw.model_dump(mode="python")
            data["recipe"]["aggregate"]["by_node"].setdefault(fw.root, {})["missing"] = choice
            variant = framework_from_mapping(data, source=f"{fw.framework.code} {methodology}, missing {choice}")
            tables[choice] = build_edition(year, framework=variant).table.set_index("unit")
        first = tables[MISSING_CHOICES[0]]
        for unit in first.index[first["rated"].astype(bool)]:
            row = {"year": year, "unit": unit, "name": first.loc[unit, "name"]}
            for choice, table in tables.items():
                row[f"rank_{choice}"] = float(table.loc[unit, "rank"]) if table.loc[unit, "rated"] else np.nan
                row[f"index_{choice}"] = float(table.loc[unit, "index"]) if table.loc[unit, "rated"] else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
