"""SYNTHETIC consumer surveys and expert panels, for examples, tests and benchmarks — never for publication.

Everything is marked synthetic: file names (``synthetic-survey-…``), a ``synthetic`` column in every
row, ``syn_`` indicator codes, and specs that say ``synthetic: true`` (so every observation built
from them says so too). The same seed gives byte-identical files.

Survey: each brand has a latent quality; a respondent's answers load on it plus noise (satisfaction
1–5, likelihood to recommend 0–10 with 99 = "don't know", main purchase reason 1–4); design weights
are lognormal; the last ``thin`` brands get a tenth of the respondents, so the minimum-sample rule
shows. Panel: experts score each brand on each criterion (1–10) as quality + their own leniency +
noise; the last expert is erratic, so the far-from-consensus flag shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from nevindex.io import write_all, write_csv

__all__ = [
    "MARKETS", "REASONS", "CRITERIA", "SURVEY_FILES", "PANEL_FILES", "brand_codes", "synthetic_survey",
    "synthetic_panel", "write_synthetic_survey", "write_synthetic_panel",
]

MARKETS = ("CN", "EU", "US")
REASONS = {1: "price", 2: "range", 3: "design", 4: "technology"}
CRITERIA = ("design", "safety", "software", "brand_trust", "after_sales")
SURVEY_FILES = ("synthetic-survey-responses.csv", "synthetic-survey-spec.yaml")
PANEL_FILES = ("synthetic-panel-ratings.csv", "synthetic-panel-spec.yaml")


def brand_codes(units: int, codes: Sequence[str] | None = None) -> list[str]:
    """``codes`` (real unit codes, e.g. from a units table) or syn-b01, syn-b02, …"""
    if codes is not None:
        if len(codes) < 2:
            raise ValueError("need at least 2 brand codes")
        return list(codes)
    if units < 2:
        raise ValueError("need at least 2 brands")
    width = max(2, len(str(units)))
    return [f"syn-b{i:0{width}d}" for i in range(1, units + 1)]


def synthetic_survey(units: int = 30, respondents: int = 200, *, seed: int = 0, year: int = 2025,
                     thin: int = 1, codes: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(respondent table, survey spec mapping); ``respondents`` per brand on average."""
    if respondents < 2:
        raise ValueError("need at least 2 respondents per brand")
    brands = brand_codes(units, codes)
    g = len(brands)
    rng = np.random.default_rng(seed)
    sizes = np.full(g, respondents)
    if thin:
        sizes[-min(thin, g - 1):] = max(2, respondents // 10)
    brand = np.repeat(np.arange(g), sizes)
    n = len(brand)
    quality = rng.normal(0.0, 0.6, size=g)
    eta = quality[brand] + rng.normal(0.0, 1.0, size=n)
    satisfaction = np.digitize(eta, [-1.5, -0.5, 0.5, 1.5]) + 1.0
    recommend = np.clip(np.rint(6.8 + 1.9 * (eta + rng.normal(0.0, 0.6, size=n))), 0, 10)
    reason_logits = rng.normal(0.0, 0.5, size=(g, len(REASONS)))[brand] + rng.gumbel(size=(n, len(REASONS)))
    reason = reason_logits.argmax(axis=1) + 1.0
    market_mix = rng.dirichlet(np.full(len(MARKETS), 2.0), size=g)
    market = (rng.random(n)[:, None] > np.cumsum(market_mix[brand], axis=1)).sum(axis=1)
    weight = np.round(rng.lognormal(0.0, 0.35, size=n), 4)
    satisfaction[rng.random(n) < 0.03] = np.nan
    recommend[rng.random(n) < 0.02] = 99.0
    frame = pd.DataFrame({
        "respondent_id": [f"syn-r{i:07d}" for i in range(1, n + 1)],
        "brand_id": np.asarray(brands, dtype=object)[brand],
        "market": np.asarray(MARKETS, dtype=object)[np.minimum(market, len(MARKETS) - 1)],
        "weight": weight,
        "satisfaction": pd.array(satisfaction, dtype="Int64"),
        "recommend": recommend.astype(np.int64),
        "purchase_reason": reason.astype(np.int64),
        "synthetic": "yes",
    })
    spec = {
        "survey": _study("consumer survey", "survey", seed, year),
        "columns": {"respondent": "respondent_id", "brand": "brand_id", "market": "market", "weight": "weight"},
        "items": {
            "satisfaction": {"scale": {"min": 1, "max": 5}},
            "recommend": {"scale": {"min": 0, "max": 10}, "missing_codes": [99]},
            "purchase_reason": {"scale": {"values": list(REASONS), "labels": dict(REASONS)}},
        },
        "indicators": [
            {"code": "syn_cx_satisfaction", "item": "satisfaction", "statistic": "mean"},
            {"code": "syn_cx_satisfaction_t2b", "item": "satisfaction", "statistic": "top_box", "k": 2},
            {"code": "syn_cx_nps", "item": "recommend", "statistic": "nps"},
            {"code": "syn_cx_reason_range", "item": "purchase_reason", "statistic": "share", "answers": [2]},
            {"code": "syn_cx_nps_cn", "item": "recommend", "statistic": "nps", "markets": ["CN"]},
        ],
        "minimum_effective_n": 30,
    }
    return frame, spec


def synthetic_panel(units: int = 30, experts: int = 8, criteria: int = 3, *, seed: int = 0, year: int = 2025,
                    codes: Sequence[str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(ratings table, panel spec mapping): every expert scores every brand on every criterion."""
    if experts < 3:
        raise ValueError("need at least 3 experts")
    if not 1 <= criteria <= len(CRITERIA):
        raise ValueError(f"criteria must be between 1 and {len(CRITERIA)}")
    brands = brand_codes(units, codes)
    g, names = len(brands), CRITERIA[:criteria]
    rng = np.random.default_rng(seed)
    quality = rng.normal(0.0, 1.0, size=(g, criteria))
    leniency = rng.normal(0.0, 0.4, size=experts)
    noise = np.full(experts, 0.6)
    noise[-1] = 4.0
    e, b, c = np.meshgrid(np.arange(experts), np.arange(g), np.arange(criteria), indexing="ij")
    raw = 5.5 + 1.5 * quality[b, c] + leniency[e] + rng.normal(0.0, 1.0, size=e.shape) * noise[e]
    score = np.clip(np.rint(raw), 1, 10).astype(np.int64)
    width = max(2, len(str(experts)))
    frame = pd.DataFrame({
        "expert": np.asarray([f"syn-expert-{i:0{width}d}" for i in range(1, experts + 1)], dtype=object)[e.ravel()],
        "brand_id": np.asarray(brands, dtype=object)[b.ravel()],
        "criterion": np.asarray(names, dtype=object)[c.ravel()],
        "score": score.ravel(),
        "synthetic": "yes",
    })
    spec = {
        "panel": _study("expert panel", "panel", seed, year),
        "columns": {"expert": "expert", "brand": "brand_id", "criterion": "criterion", "score": "score"},
        "scale": {"min": 1, "max": 10},
        "consensus": {"method": "trimmed_mean", "trim": 0.2},
        "minimum_raters": 3,
        "flag_deviation": 0.2,
        "criteria": {name: {"indicator": f"syn_exp_{name}"} for name in names},
    }
    return frame, spec


def _study(what: str, command: str, seed: int, year: int) -> dict[str, Any]:
    """The spec's ``survey:`` / ``panel:`` header, marked synthetic."""
    title = f"SYNTHETIC {what} (nevindex synth {command}, seed {seed}) — not real data"
    return {"code": f"syn-{command}-{seed}", "title": title, "year": year, "synthetic": True,
            "source": {"title": title, "organisation": "nevindex synth (generated)"}}


def _write(out: str | Path, names: tuple[str, str], frame: pd.DataFrame, spec: dict[str, Any]) -> list[Path]:
    text = "# SYNTHETIC spec written by nevindex synth — not real data\n" + yaml.safe_dump(
        spec, sort_keys=False, allow_unicode=True)
    write_all(out, {names[0]: lambda p: write_csv(frame, p), names[1]: lambda p: p.write_text(text, encoding="utf-8")})
    return [Path(out) / n for n in names]


def write_synthetic_survey(out: str | Path, **kwargs: Any) -> list[Path]:
    """Write synthetic-survey-responses.csv and synthetic-survey-spec.yaml into ``out``."""
    return _write(out, SURVEY_FILES, *synthetic_survey(**kwargs))


def write_synthetic_panel(out: str | Path, **kwargs: Any) -> list[Path]:
    """Write synthetic-panel-ratings.csv and synthetic-panel-spec.yaml into ``out``."""
    return _write(out, PANEL_FILES, *synthetic_panel(**kwargs))
