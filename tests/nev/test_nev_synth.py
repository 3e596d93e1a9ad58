"""Synthetic data: promised shape, missing share, skew, correlation, outliers, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nevindex.build import build
from nevindex.cli import main
from nevindex.dataset import load_dataset
from nevindex.framework import framework_from_mapping, load_framework
from nevindex.synth import synthesise


def test_shape_and_marking():
    s = synthesise(120, 25, years=3, seed=7)
    assert s.data.shape == (120 * 3, 5 + 25)
    assert list(s.data.columns[:5]) == ["unit", "name", "year", "group", "synthetic"]
    assert (s.data["synthetic"] == "yes").all() and s.data["name"].str.startswith("Synthetic").all()
    assert sorted(s.data["year"].unique()) == [2020, 2021, 2022]
    fw = framework_from_mapping(s.framework)
    assert fw.framework.meta["synthetic"] is True and "SYNTHETIC" in fw.framework.name.en
    assert len(fw.indicators) == 25 and fw.max_level == 4
    assert framework_from_mapping(synthesise(10, 4, seed=1).framework).max_level == 3


@pytest.mark.parametrize("target", [0.1, 0.2, 0.3])
def test_missing_share_is_near_the_target(target):
    values = synthesise(800, 30, seed=3, missing=target).data.filter(regex=r"^x\d+$")
    share = float(values.isna().to_numpy().mean())
    assert abs(share - target) < 0.05
    assert (values.notna().sum() >= 3).all()                       # no empty indicator
    assert values.notna().any(axis=1).all()                        # no empty unit


def test_skewed_correlated_and_with_outliers():
    s = synthesise(1000, 20, seed=11)
    values = s.data.filter(regex=r"^x\d+$")
    shapes = {i["code"]: i["meta"]["shape"] for i in s.framework["indicators"]}
    direction = {i["code"]: i["direction"] for i in s.framework["indicators"]}
    skews = values.skew()
    assert skews[[c for c, v in shapes.items() if v == "lognormal"]].median() > 1.0
    # a common latent factor: oriented indicators correlate positively on average
    oriented = values * pd.Series(direction)
    corr = oriented.rank().corr().to_numpy()
    assert corr[np.triu_indices_from(corr, 1)].mean() > 0.15
    # outliers: at least one value more than 6 robust s.d. from the median of its column
    med = values.median()
    mad = (values - med).abs().median() * 1.4826
    assert ((values - med).abs() > 6 * mad).to_numpy().any()


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = synthesise(50, 8, 2, seed=5), synthesise(50, 8, 2, seed=5), synthesise(50, 8, 2, seed=6)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.framework == b.framework
    assert not a.data.equals(c.data)


def test_cli_writes_files_that_load_and_build(tmp_path):
    code = main(["synth", "--units", "60", "--indicators", "12", "--years", "2", "--seed", "4", "--out", str(tmp_path)])
    assert code == 0
    fw = load_framework(tmp_path / "framework.yaml")
    data = load_dataset(tmp_path / "data.csv")
    assert data.units == tuple(f"u{i:02d}" for i in range(1, 61)) and data.years == (2020, 2021)
    assert "synthetic" in data.attributes and "group" in data.attributes
    result = build(fw, data)
    assert np.isfinite(result.index).all() and len(result.units) == 60
    again = tmp_path / "again"
    main(["synth", "--units", "60", "--indicators", "12", "--years", "2", "--seed", "4", "--out", str(again)])
    assert (again / "data.csv").read_bytes() == (tmp_path / "data.csv").read_bytes()
    assert (again / "framework.yaml").read_bytes() == (tmp_path / "framework.yaml").read_bytes()


def test_no_missing_when_asked_and_bad_sizes_refused():
    assert not synthesise(30, 5, seed=2, missing=0.0).data.filter(regex=r"^x\d+$").isna().any().any()
    with pytest.raises(ValueError):
        synthesise(1, 5)
