"""Issue 12 item 10, the portal's side: the methodology page publishes the goalposts of every indicator
in natural units, and the what-if form takes natural units ("500" vehicles, "4.27 million"), not log10."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .fixtures import FRAMEWORK, VALUES, expected_elements

API = "/api/v1"
#: the fixture methodology with sales scored on log10(vehicles) between goalposts 10 and 1,000 vehicles
LOG_FRAMEWORK = FRAMEWORK.replace(
    "parent: tangible, direction: 1, unit: units,",
    "parent: tangible, direction: 1, unit: log10(vehicles), "
    "params: {normalise: {method: goalposts, lower: 1, upper: 3, scale: 100}},").replace(
    "unit_zh: 辆", "unit_zh: log10（辆）").replace(
    "parent: quality, direction: -1, unit: units,",
    "parent: quality, direction: -1, unit: units, params: {normalise: {method: goalposts, lower: 0, upper: 10}},")


def _log_store(folder: Path):  # noqa: ANN202
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    from .fixtures import write_inputs

    fw, data, units = write_inputs(folder / "inputs")
    assert LOG_FRAMEWORK != FRAMEWORK
    fw.write_text(LOG_FRAMEWORK, encoding="utf-8")
    lines = data.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        parts = line.split(",")
        if parts[2] == "sales":  # the data carry log10 of the vehicles sold, as the NEV data do
            parts[3] = repr(math.log10(float(parts[3])))
        out.append(",".join(parts))
    data.write_text("\n".join(out) + "\n", encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    ds = ed.import_data(store, data, label="d", units_file=units, actor="t")
    ed.create_edition(store, year=2024, methodology=fw, dataset=ds.id, label="g2024", data_year=2024, actor="t")
    ed.build_edition(store, "g2024", actor="t")
    ed.publish(store, "g2024", actor="t")
    return store


@pytest.fixture(scope="module")
def log_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    from nevindex.web.app import create_app

    return TestClient(create_app(store=_log_store(tmp_path_factory.mktemp("log-store"))))


def test_methodology_page_publishes_goalposts_in_natural_units(log_client) -> None:  # noqa: ANN001
    html = log_client.get("/methodology/").text
    row = re.search(r'<tr data-indicator="sales">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:2] == ["10 vehicles", "1,000 vehicles"]  # 10**1 and 10**3: score 0 and score 100
    assert cells[2] == f"{len(VALUES[2024])} / {len(VALUES[2024])}"
    minmax = re.search(r'<tr data-indicator="patents">(.*?)</tr>', html, re.S).group(1)
    assert "min–max of the edition" in minmax
    zh = log_client.get("/zh/methodology/").text
    assert re.search(r'<tr data-indicator="sales">.*?1,000辆', zh, re.S)


def test_goalposts_of_a_lower_is_better_indicator_swap(log_client) -> None:  # noqa: ANN001
    """Recalls: lower is better, so the score is 0 at the upper goalpost (10) and 100 at the lower (0)."""
    html = log_client.get("/methodology/").text
    row = re.search(r'<tr data-indicator="recalls">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:2] == ["10 units", "0 units"]


def test_whatif_form_shows_natural_units(log_client) -> None:  # noqa: ANN001
    html = log_client.get("/editions/g2024/brands/alpha/").text
    field = re.search(r'<label for="w-1">(.*?)</label>\s*<input[^>]*name="w.sales"[^>]*>', html, re.S)
    assert field and "vehicles" in field.group(1) and "log10" not in field.group(1)
    assert re.search(r'name="w.sales"[^>]*placeholder="120 vehicles"', html)  # 10**log10(120)


def test_whatif_in_natural_units_by_hand(log_client) -> None:  # noqa: ANN001
    """500 vehicles → log10(500) on goalposts 1…3: tangible = (log10 500 − 1) / 2 × 100; the index moves
    by a fifth of the tangible change (five equally weighted elements, the others unchanged)."""
    r = log_client.post(f"{API}/editions/g2024/brands/alpha/whatif", json={"changes": {"sales": 500}, "units": "natural"})
    assert r.status_code == 200, r.text
    body = r.json()
    old = (math.log10(120) - 1) / 2 * 100
    new = (math.log10(500) - 1) / 2 * 100
    assert body["before"]["elements"]["tangible"] == pytest.approx(old, abs=1e-9)
    assert body["after"]["elements"]["tangible"] == pytest.approx(new, abs=1e-9)
    assert body["after"]["score"] == pytest.approx(body["before"]["score"] + (new - old) / 5, abs=1e-9)
    innovation = expected_elements(2024)["alpha"]["innovation"]  # min-max, untouched by alpha's sales
    assert body["after"]["elements"]["innovation"] == pytest.approx(innovation, abs=1e-9)
    scored = log_client.post(f"{API}/editions/g2024/brands/alpha/whatif",
                             json={"changes": {"sales": math.log10(500)}}).json()
    assert scored["after"]["score"] == pytest.approx(body["after"]["score"], abs=1e-9)  # the same, in log10


def test_whatif_page_reads_typed_amounts(log_client) -> None:  # noqa: ANN001
    by_api = log_client.post(f"{API}/editions/g2024/brands/alpha/whatif",
                             json={"changes": {"sales": 4270}, "units": "natural"}).json()["after"]["score"]
    for typed in ("4270", "4,270", "4.27k", "4.27 thousand"):
        html = log_client.get("/editions/g2024/brands/alpha/", params={"w.sales": typed}).text
        assert f"{by_api:,.2f}" in html, typed
    bad = log_client.get("/editions/g2024/brands/alpha/", params={"w.sales": "lots"})
    assert bad.status_code == 400 and "is not a number" in bad.text
    zero = log_client.post(f"{API}/editions/g2024/brands/alpha/whatif", json={"changes": {"sales": 0}, "units": "natural"})
    assert zero.status_code == 422 and "above 0" in zero.json()["error"]["message"]


def test_parse_amount_by_hand() -> None:
    from nevindex.web._units import parse_amount, to_scored

    assert parse_amount("4.27 million", "x") == pytest.approx(4.27e6)
    assert parse_amount("427万", "x") == pytest.approx(4.27e6)
    assert parse_amount("1.2亿", "x") == pytest.approx(1.2e8)
    assert parse_amount("−3.5", "x") == -3.5
    assert to_scored(1e9, "log10(USD million)", "x") == pytest.approx(3.0)  # USD 1 bn = 10**3 USD million
    assert to_scored(12.0, "percent of revenue", "x") == 12.0


def test_methodology_api_has_the_goalposts(log_client) -> None:  # noqa: ANN001
    goal = {g["indicator"]: g for g in log_client.get(f"{API}/editions/g2024/methodology").json()["goalposts"]}
    assert (goal["sales"]["lower"], goal["sales"]["upper"], goal["sales"]["unit"]) == (10.0, 1000.0, "vehicles")
    assert goal["patents"]["lower"] is None and goal["sales"]["log"] is True
