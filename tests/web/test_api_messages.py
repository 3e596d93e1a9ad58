"""Issue 12 item 18: API details — errors name the *parameter* in one line, a non-JSON body says so,
what-if refuses implausible values with a 422 naming the indicator, the brand JSON has one key per
thing, and ``rank_interval.median`` is the audit's median rank."""

from __future__ import annotations

import math

import pytest

from .fixtures import INDICATORS, VALUES

API = "/api/v1"


def message_of(response) -> str:  # noqa: ANN001
    return response.json()["error"]["message"]


@pytest.mark.parametrize(("params", "parameter"), [
    ({"sort": "colour"}, "sort"), ({"element": "nope"}, "element"), ({"rating": "Z"}, "rating"),
    ({"group": "continent:EU"}, "group"),
])
def test_query_errors_name_the_parameter_not_a_column(client, params, parameter) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/ranking", params=params)
    assert r.status_code == 400
    text = message_of(r)
    assert f"parameter '{parameter}'" in text
    assert "column" not in text.replace("group column", "")  # "unknown group column" is about the data
    assert r.json()["error"]["parameter"] == parameter


@pytest.mark.parametrize(("url", "params", "hint"), [
    ("/editions/t2024/ranking", {"sort": "colour"}, "sort by"),
    ("/editions/t2024/brands/alpah", {}, "did you mean"),
    ("/editions/t2024/brands/alpha", {"peers": "continent"}, "group columns"),
])
def test_messages_are_one_line(client, url, params, hint) -> None:  # noqa: ANN001
    r = client.get(API + url, params=params)
    assert r.status_code in (400, 404)
    text = message_of(r)
    assert "\n" not in text and "→" not in text
    assert hint in text  # the hint is kept


def test_a_body_that_is_not_json_says_so(client) -> None:  # noqa: ANN001
    r = client.post(f"{API}/editions/t2024/brands/alpha/whatif", content=b"changes=1",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    text = message_of(r)
    assert "not valid JSON" in text
    assert not text.startswith("0:") and "JSON decode error" not in text.split("(")[0]


def test_validation_errors_name_the_query_parameter(client) -> None:  # noqa: ANN001
    text = message_of(client.get(f"{API}/editions/t2024/ranking", params={"limit": 0}))
    assert text.startswith("query parameter 'limit'")


@pytest.mark.parametrize("value", [1e9, -50, -1])
def test_whatif_refuses_implausible_values_naming_the_indicator(client, value) -> None:  # noqa: ANN001
    r = client.post(f"{API}/editions/t2024/brands/alpha/whatif", json={"changes": {"patents": value}})
    assert r.status_code == 422, r.text
    text = message_of(r)
    assert "'patents'" in text and "plausible" in text
    assert r.json()["error"]["parameter"] == "changes.patents"


def test_whatif_accepts_values_inside_the_range(client) -> None:  # noqa: ANN001
    patents = [v[INDICATORS.index("patents")] for v in VALUES[2024].values()]
    lo, hi = min(patents), max(patents)  # 8 and 60: the range is [0, 60 + 10 × 52]
    for value in (0, hi + 10 * (hi - lo), lo):
        r = client.post(f"{API}/editions/t2024/brands/alpha/whatif", json={"changes": {"patents": value}})
        assert r.status_code == 200, (value, r.text)
    r = client.post(f"{API}/editions/t2024/brands/alpha/whatif", json={"changes": {"patents": hi + 10 * (hi - lo) + 1}})
    assert r.status_code == 422


def test_brand_json_has_one_key_per_thing(client) -> None:  # noqa: ANN001
    body = client.get(f"{API}/editions/t2024/brands/alpha").json()
    assert "node_names" not in body and "aggregates" not in body
    assert set(body["names"]) >= {"index", "tangible", "sales"}
    assert [e["code"] for e in body["elements"]] == ["tangible", "quality", "innovation", "service", "intangible"]
    assert body["sub_aggregates"] == []  # the test tree has no aggregate below its elements
    assert body["names"]["tangible"] == {"en": "Tangible", "zh": "有形要素"}


def test_rank_interval_median_is_the_audits_median(fresh_app) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    portal = fresh_app.state.portal
    portal.audit_edition("d2024", actor="admin", runs=200)
    portal.publish("d2024", actor="admin")
    stored = portal.audit("d2024")["tables"]["rank_intervals"]
    medians = {r["unit"]: r["median_rank"] for r in stored}
    client = TestClient(fresh_app)
    for code in ("alpha", "delta"):
        interval = client.get(f"{API}/editions/d2024/brands/{code}").json()["rank_interval"]
        assert interval["median"] is not None and math.isfinite(interval["median"])
        assert interval["median"] == pytest.approx(medians[code])
        assert interval["low"] <= interval["median"] <= interval["high"]


def test_plausible_range_by_hand() -> None:
    from nevindex.web._plausible import plausible_range

    assert plausible_range([2.0, 4.0]) == (0.0, 24.0)  # never negative: floored at 0
    assert plausible_range([-5.0, 5.0]) == (-105.0, 105.0)
    assert plausible_range([3.0, 9.0], goalposts=(0.0, 15.0)) == (0.0, 165.0)
    assert plausible_range([7.0]) == (0.0, 77.0)  # one value: its size is the width
    assert plausible_range([]) == (-math.inf, math.inf)
