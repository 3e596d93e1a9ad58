"""Session fixtures of the report tests: a small five-element framework and a two-year panel of synthetic
brands (with Chinese names), their results, models and rendered outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import framework_from_mapping
from nevindex.recipe import recipe_from_mapping

_ELEMENTS = {
    "tangible": ("Tangible element", "有形要素"),
    "quality": ("Quality element", "质量要素"),
    "innovation": ("Innovation element", "创新要素"),
    "service": ("Service element", "服务要素"),
    "intangible": ("Intangible element", "无形要素"),
}
_INDICATORS = [  # code, element, en, zh, unit, direction, dimension
    ("sales", "tangible", "NEV sales", "新能源汽车销量", "units", 1, "market"),
    ("revenue", "tangible", "Revenue", "营业收入", "USD million", 1, "financial"),
    ("recalls", "quality", "Recalled vehicles", "召回车辆数", "units", -1, "legal"),
    ("satisfaction", "quality", "Owner satisfaction", "车主满意度", "points", 1, "customer"),
    ("rd_spend", "innovation", "R&D spending", "研发投入", "USD million", 1, "financial"),
    ("patents", "innovation", "Patents granted", "授权专利", "count", 1, "legal"),
    ("stores", "service", "Stores", "门店数量", "count", 1, "customer"),
    ("chargers", "service", "Charging stations", "充电站数量", "count", 1, "economic_political"),
    ("brand_value", "intangible", "Brand value", "品牌价值", "USD million", 1, "market"),
    ("awareness", "intangible", "Brand awareness", "品牌知名度", "percent", 1, "customer"),
]
_BRANDS = [  # code, name, zh name ("" = unknown), country
    ("byd", "BYD", "比亚迪", "CN"), ("tesla", "Tesla", "特斯拉", "US"), ("aito", "AITO", "问界", "CN"),
    ("li", "Li Auto", "理想汽车", "CN"), ("nio", "NIO", "蔚来", "CN"), ("xpeng", "XPeng", "小鹏汽车", "CN"),
    ("zeekr", "Zeekr", "极氪", "CN"), ("bmw", "BMW", "", "DE"), ("audi", "Audi", "", "DE"),
    ("leap", "Leapmotor", "零跑汽车", "CN"), ("voyah", "Voyah", "岚图", "CN"), ("rivian", "Rivian", "", "US"),
]


def _framework_mapping() -> dict:
    aggregates = [{"code": "index", "name": {"en": "NEV Brand Index", "zh": "新能源汽车品牌指数"}}]
    aggregates += [{"code": c, "name": {"en": en, "zh": zh}, "parent": "index", "weight": 0.2}
                   for c, (en, zh) in _ELEMENTS.items()]
    indicators = [{"code": c, "name": {"en": en, "zh": zh}, "parent": el, "unit": unit, "direction": d,
                   "weight": 1.0, "meta": {"dimension": dim, "source": "company filings",
                                          "justification": {"en": f"Measures {en.lower()}.", "zh": f"衡量{zh}。"}}}
                  for c, el, en, zh, unit, d, dim in _INDICATORS]
    return {
        "framework": {"code": "nev-test", "version": "1.0", "name": {"en": "Test NEV framework", "zh": "测试框架"}},
        "aggregates": aggregates,
        "indicators": indicators,
        "ratings": [{"label": "AAA", "min": 70}, {"label": "AA", "min": 55}, {"label": "A", "min": 40},
                    {"label": "B", "min": 0}],
    }


def _write_data(folder, seed: int = 7):
    """Tidy observations (two years, a few gaps, a source per value) and a units table."""
    rng = np.random.default_rng(seed)
    strength = np.linspace(1.0, 0.2, len(_BRANDS))
    rows = []
    for year in (2023, 2024):
        for b, (code, *_rest) in enumerate(_BRANDS):
            for j, (ind, *_r) in enumerate(_INDICATORS):
                if (b + j + year) % 11 == 0:  # a gap
                    continue
                base = strength[b] * (1 + 0.3 * rng.standard_normal()) + 0.05 * (year - 2023) * (b % 3)
                value = round(abs(base) * 1000 + 10 * j, 3)
                rows.append({"unit": code, "year": year, "indicator": ind, "value": value,
                             "source_title": f"{ind} report {year}", "source_url": f"https://example.org/{ind}/{year}"})
    data = folder / "observations.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    units = folder / "brands.csv"
    pd.DataFrame([{"unit": c, "name": n, "name_zh": z, "country": k} for c, n, z, k in _BRANDS]).to_csv(units, index=False)
    return data, units



@pytest.fixture(scope="session")
def nev_inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nevdata")
    data, units = _write_data(folder)
    fw = framework_from_mapping(_framework_mapping())
    ds = load_dataset(data, numeric=[c for c, *_ in _INDICATORS], units_file=units)
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


@pytest.fixture(scope="session")
def report_text() -> str:
    """Every brand, element and indicator name (Chinese included) of the synthetic panel."""
    return "".join([z for *_x, z, _c in _BRANDS] + [zh for _en, zh in _ELEMENTS.values()]
                   + [i[3] for i in _INDICATORS])


@pytest.fixture
def report_files(tmp_path) -> list[str]:
    """The synthetic panel as files: ``--framework F --data D --units U`` for the command line."""
    data, units = _write_data(tmp_path)
    fw = tmp_path / "framework.yaml"
    fw.write_text(framework_from_mapping(_framework_mapping()).to_yaml(), encoding="utf-8")
    return ["--framework", str(fw), "--data", str(data), "--units", str(units)]
