"""Synthetic data sets of any size, for benchmarks and load tests — never for publication.

Shapes imitate real indicator data: units have a latent "strength" (plus a group effect and a
slow drift over years) that every indicator loads on, so indicators correlate; most indicators
are lognormal-ish (right-skewed, positive), a few are symmetric and may be negative, some are
"lower is better"; 10–30 % of values are missing (more often for weaker units, as in real
data); a few cells are outliers. Everything is marked synthetic: unit names, a ``synthetic``
column, the framework's name and meta. The same seed gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nevindex.io import write_all, write_csv

__all__ = ["GROUPS", "SyntheticSet", "synthesise", "write_synthetic"]

GROUPS = ("north", "south", "east", "west", "centre")


@dataclass(frozen=True)
class SyntheticSet:
    data: pd.DataFrame  # wide: unit, name, year, group, synthetic, then one column per indicator
    framework: dict     # a framework mapping (see nevindex.framework.framework_from_mapping)


def _tree(k: int) -> tuple[list[dict], list[str]]:
    """Aggregates of a 3-level (few indicators) or 4-level tree, and each indicator's parent."""
    n_sub = max(2, round(k / 5))
    aggregates: list[dict] = [{"code": "index", "name": {"en": "SYNTHETIC index", "zh": "合成指数（虚构数据）"}}]
    if n_sub <= 2 or k < 6:  # indicators → pillars → index
        n_pil = min(max(2, k // 2), k)
        aggregates += [{"code": f"P{p + 1}", "parent": "index", "name": {"en": f"Synthetic pillar {p + 1}"}}
                       for p in range(n_pil)]
        return aggregates, [f"P{(i % n_pil) + 1}" for i in range(k)]
    n_sub = min(n_sub, k)
    n_pil = max(2, round(n_sub / 3))
    aggregates += [{"code": f"P{p + 1}", "parent": "index", "name": {"en": f"Synthetic pillar {p + 1}"}}
                   for p in range(n_pil)]
    aggregates += [{"code": f"P{(s % n_pil) + 1}.{s // n_pil + 1}", "parent": f"P{(s % n_pil) + 1}",
                    "name": {"en": f"Synthetic sub-pillar {(s % n_pil) + 1}.{s // n_pil + 1}"}} for s in range(n_sub)]
    subs = [a["code"] for a in aggregates if "." in a["code"]]
    return aggregates, [subs[i % n_sub] for i in range(k)]


def synthesise(units: int, indicators: int, years: int = 1, seed: int = 0, missing: float = 0.2,
               first_year: int = 2020) -> SyntheticSet:
    """A synthetic wide data set and a matching framework mapping (pure: no files)."""
    if units < 2 or indicators < 2 or years < 1:
        raise ValueError("need at least 2 units, 2 indicators and 1 year")
    if not 0.0 <= missing < 0.9:
        raise ValueError("missing must lie in [0, 0.9)")
    rng = np.random.default_rng(seed)
    k = indicators
    group = rng.integers(0, len(GROUPS), size=units)
    group_effect = rng.normal(0.0, 0.5, size=len(GROUPS))[group]
    latent0 = rng.normal(0.0, 1.0, size=units) + group_effect
    drift = rng.normal(0.0, 0.15, size=(years, units)).cumsum(axis=0)
    latent = latent0[None, :] + drift                                        # years × units
    loading = rng.uniform(0.4, 0.9, size=k)
    direction = np.where(rng.random(k) < 0.2, -1, 1)
    lognormal = rng.random(k) < 0.75
    scale = 10 ** rng.uniform(0, 5, size=k)                                  # spread of magnitudes
    noise = rng.normal(0.0, 1.0, size=(years, units, k))
    z = latent[..., None] * (loading * direction) + noise * np.sqrt(1 - loading**2)
    values = np.where(lognormal, scale * np.exp(0.8 * z), 50 + 15 * z)
    # outliers: about half the indicators get 1–3 extreme cells
    for j in np.flatnonzero(rng.random(k) < 0.5):
        cells = rng.choice(units, size=min(units, int(rng.integers(1, 4))), replace=False)
        values[:, cells, j] *= rng.uniform(5, 20) if lognormal[j] else 1
        if not lognormal[j]:
            values[:, cells, j] += 6 * 15
    # missingness: per-indicator share around the target, more likely for weaker units
    share = np.clip(rng.uniform(0.5, 1.5, size=k) * missing, 0.0, 0.9)
    weakness = 1.0 / (1.0 + np.exp(latent))                                 # 0…1, higher = weaker
    p = share[None, None, :] * (0.5 + weakness[..., None])
    gaps = rng.random((years, units, k)) < p
    # every indicator keeps at least 3 values per year; every unit at least one value per year
    for t in range(years):
        for j in range(k):
            if (~gaps[t, :, j]).sum() < 3:
                gaps[t, rng.choice(units, size=3, replace=False), j] = False
        empty = gaps[t].all(axis=1)
        gaps[t, empty, rng.integers(0, k, size=int(empty.sum()))] = False
    values = np.where(gaps, np.nan, values)
    values = np.round(values, 6)

    codes = [f"x{j + 1:03d}" for j in range(k)]
    width = len(str(units))
    unit_codes = [f"u{i + 1:0{width}d}" for i in range(units)]
    rows = []
    for t in range(years):
        frame = pd.DataFrame(values[t], columns=codes)
        frame.insert(0, "synthetic", "yes")
        frame.insert(0, "group", [GROUPS[g] for g in group])
        frame.insert(0, "year", first_year + t)
        frame.insert(0, "name", [f"Synthetic unit {c[1:]}" for c in unit_codes])
        frame.insert(0, "unit", unit_codes)
        rows.append(frame)
    data = pd.concat(rows, ignore_index=True)

    aggregates, parents = _tree(k)
    framework = {
        "framework": {
            "code": f"synthetic-{units}x{k}-s{seed}", "version": "1",
            "name": {"en": f"SYNTHETIC test index ({units} units × {k} indicators, seed {seed})",
                     "zh": "合成测试指数（虚构数据）"},
            "description": {"en": "Synthetic data for benchmarks and load tests. Not real; never publish."},
            "meta": {"synthetic": True, "generator": "nevindex.synth", "seed": seed, "units": units,
                     "indicators": k, "years": years, "missing_target": missing},
        },
        "aggregates": aggregates,
        "indicators": [
            {"code": c, "name": {"en": f"Synthetic indicator {c}"}, "parent": parents[j],
             "direction": int(direction[j]), "unit": "synthetic",
             "meta": {"shape": "lognormal" if lognormal[j] else "normal", "synthetic": True}}
            for j, c in enumerate(codes)],
        "recipe": {"impute": {"method": "median"}, "treat": {"method": "winsorise"},
                   "normalise": {"method": "minmax"}, "aggregate": {"method": "arithmetic"}},
    }
    return SyntheticSet(data, framework)


def write_synthetic(out: str | Path, *, units: int, indicators: int, years: int = 1, seed: int = 0,
                    missing: float = 0.2) -> list[Path]:
    """Write ``data.csv`` and ``framework.yaml`` into ``out`` (all or nothing)."""
    synthetic = synthesise(units, indicators, years, seed, missing)
    header = "# SYNTHETIC methodology generated by nevindex.synth — not real data; never publish.\n"
    text = header + yaml.safe_dump(synthetic.framework, allow_unicode=True, sort_keys=False)
    write_all(out, {
        "data.csv": lambda path: write_csv(synthetic.data, path),
        "framework.yaml": lambda path: path.write_text(text, encoding="utf-8"),
    })
    return [Path(out) / "data.csv", Path(out) / "framework.yaml"]
