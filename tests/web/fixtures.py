"""A small hand-made store for the portal tests: five elements with one indicator each, seven brands
over two years, two published editions and one built draft. Two brands carry hostile names
(``<script>alert(1)</script>`` and ``=HYPERLINK("x")``) to prove escaping everywhere.

With one indicator per element, min-max normalisation onto 0–100, equal weights and arithmetic
means, every score has a closed form computed in :func:`expected_scores` independently of the engine.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("x")'
ELEMENTS = ("tangible", "quality", "innovation", "service", "intangible")
INDICATORS = ("sales", "recalls", "patents", "stores", "value")
DIRECTION = {"sales": 1, "recalls": -1, "patents": 1, "stores": 1, "value": 1}
ZH = {"tangible": "有形要素", "quality": "质量要素", "innovation": "创新要素", "service": "服务要素", "intangible": "无形要素"}

#: Chinese justification and unit of one indicator only (the others fall back to English)
ZH_META = {"sales": ", justification_zh: 因为销量, unit_zh: 辆"}

FRAMEWORK = """
framework:
  code: TESTNEV
  version: "1.0"
  name: {en: Test NEV index, zh: 测试指数}
  meta:
    method_notes: {impute: No imputation here, weights: Equal weights here}
    method_notes_zh: {impute: 此处不插补}
aggregates:
  - {code: index, name: {en: Index, zh: 指数}}
""" + "".join(f"  - {{code: {e}, name: {{en: {e.title()}, zh: {ZH[e]}}}, parent: index}}\n" for e in ELEMENTS) + """
indicators:
""" + "".join(f"  - {{code: {i}, name: {{en: {i.title()} indicator, zh: 指标{k}}}, parent: {e}, direction: {DIRECTION[i]}, "
              f"unit: units, meta: {{element: {e}, justification: because {i}{ZH_META.get(i, '')}}}}}\n"
              for k, (i, e) in enumerate(zip(INDICATORS, ELEMENTS, strict=True))) + """
recipe:
  impute: {method: none}
  treat: {method: none}
  normalise: {method: minmax, params: {lower: 0, upper: 100}}
  weights: {method: manual}
  aggregate: {method: arithmetic}
ratings:
  - {label: A, min: 60}
  - {label: B, min: 30}
  - {label: C, min: 0}
"""

#: code -> (name, name_zh, country)
BRANDS = {
    "alpha": ("Alpha Motors", "阿尔法", "CN"),
    "beta": ("Beta Cars", None, "CN"),
    "gamma": ("Gamma EV", "伽马", "DE"),
    "delta": ("Delta Auto", None, "DE"),
    "epsilon": ("Epsilon", None, "US"),
    "xss": (SCRIPT_NAME, None, "US"),
    "formula": (FORMULA_NAME, None, "US"),
}

#: year -> code -> values of INDICATORS
VALUES = {
    2023: {
        "alpha": [100, 5, 40, 10, 7], "beta": [80, 2, 10, 30, 3], "gamma": [60, 8, 50, 20, 9],
        "delta": [40, 1, 20, 5, 1], "epsilon": [20, 4, 30, 15, 5], "xss": [10, 3, 35, 25, 2],
        "formula": [50, 6, 5, 8, 4],
    },
    2024: {
        "alpha": [120, 4, 45, 12, 8], "beta": [90, 3, 12, 35, 4], "gamma": [70, 9, 60, 22, 10],
        "delta": [30, 1, 25, 6, 2], "epsilon": [25, 5, 28, 18, 6], "xss": [15, 2, 40, 30, 3],
        "formula": [55, 7, 8, 9, 5],
    },
}


def expected_scores(year: int, table: dict[str, list[float]] | None = None) -> dict[str, float]:
    """Index by hand: min-max each column (direction applied), then the mean of the five."""
    table = table or VALUES[year]
    codes = list(table)
    x = np.array([table[c] for c in codes], dtype=float)
    d = np.array([DIRECTION[i] for i in INDICATORS], dtype=float)
    x = x * d
    norm = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)) * 100
    return dict(zip(codes, norm.mean(axis=1).tolist(), strict=True))


def expected_elements(year: int) -> dict[str, dict[str, float]]:
    """Element scores by hand: with one indicator per element, the min-max of that indicator."""
    codes = list(VALUES[year])
    x = np.array([VALUES[year][c] for c in codes], dtype=float) * np.array([DIRECTION[i] for i in INDICATORS])
    norm = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)) * 100
    return {c: dict(zip(ELEMENTS, norm[k].tolist(), strict=True)) for k, c in enumerate(codes)}


def ranks_of(scores: dict[str, float]) -> dict[str, int]:
    """Rank 1 = highest score (no ties in these data)."""
    order = sorted(scores, key=lambda c: -scores[c])
    return {c: k + 1 for k, c in enumerate(order)}


def write_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """The framework YAML, a tidy data CSV (with sources) and a units CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    fw = folder / "framework.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    lines = ["unit,year,indicator,value,source_title,source_url"]
    for year, table in VALUES.items():
        for code, vals in table.items():
            for ind, v in zip(INDICATORS, vals, strict=True):
                lines.append(f'{code},{year},{ind},{v},"Report {code} {year}",https://example.org/{code}/{ind}')
    data = folder / "data.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = ["code,name,name_zh,country"]
    for code, (name, zh, country) in BRANDS.items():
        quoted = '"' + name.replace('"', '""') + '"'
        units.append(f"{code},{quoted},{zh or ''},{country}")
    units_path = folder / "units.csv"
    units_path.write_text("\n".join(units) + "\n", encoding="utf-8")
    return fw, data, units_path


def make_store(folder: Path):  # noqa: ANN201 - nevindex.store.db.Store
    """A store with editions t2023 and t2024 published and a built draft d2024."""
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    fw, data, units = write_inputs(folder / "inputs")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    ds = ed.import_data(store, data, label="test-data", units_file=units, actor="setup")
    for year in (2023, 2024):
        ed.create_edition(store, year=year, methodology=fw, dataset=ds.id, label=f"t{year}", data_year=year,
                          actor="setup")
        ed.build_edition(store, f"t{year}", actor="setup")
        ed.publish(store, f"t{year}", actor="setup")
    ed.create_edition(store, year=2024, methodology=fw, dataset=ds.id, label="d2024", data_year=2024, actor="setup")
    ed.build_edition(store, "d2024", actor="setup")
    return store
