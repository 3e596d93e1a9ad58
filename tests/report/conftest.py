"""Session fixtures of the report tests: inputs, results for two years, models, rendered outputs."""

from __future__ import annotations

import pytest
from report_fixture import INDICATORS, framework_mapping, write_data

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import framework_from_mapping
from nevindex.recipe import recipe_from_mapping


@pytest.fixture(scope="session")
def nev_inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nevdata")
    data, units = write_data(folder)
    fw = framework_from_mapping(framework_mapping())
    ds = load_dataset(data, numeric=[c for c, *_ in INDICATORS], units_file=units)
    return fw, ds


@pytest.fixture(scope="session")
def results(nev_inputs):
    fw, ds = nev_inputs
    recipe = recipe_from_mapping({"impute": {"method": "mean"}, "normalise": {"method": "minmax", "params": {"lower": 0, "upper": 100}}})
    return {year: build(fw, ds, recipe, year=year) for year in (2023, 2024)}


@pytest.fixture(scope="session")
def result(results):
    return results[2024]


@pytest.fixture(scope="session")
def models(results):
    from nevindex.report.sources import ReportInputs, history_from_results

    inputs = ReportInputs(result=results[2024], history=history_from_results(list(results.values())))
    return {lang: inputs.model(lang) for lang in ("en", "zh")}


@pytest.fixture(scope="session")
def html(models):
    from nevindex.report.render import render_html

    return {lang: render_html(m) for lang, m in models.items()}


@pytest.fixture(scope="session")
def pdf(models):
    from nevindex.report.render import render_pdf

    return {lang: render_pdf(m) for lang, m in models.items()}
