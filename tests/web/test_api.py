"""REST API: every public endpoint, its numbers against hand computations, and its errors."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from .fixtures import (
    BRANDS,
    DIRECTION,
    ELEMENTS,
    FORMULA_NAME,
    INDICATORS,
    SCRIPT_NAME,
    VALUES,
    expected_elements,
    expected_scores,
    ranks_of,
)

API = "/api/v1"


def error_of(response) -> str:  # noqa: ANN001
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    return body["error"]["message"]


def test_editions_lists_published_only_newest_first(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions")
    assert r.status_code == 200
    labels = [e["label"] for e in r.json()["editions"]]
    assert labels == ["t2024", "t2023"]  # the draft d2024 is not public
    assert all(e["status"] == "published" and e["built"] for e in r.json()["editions"])


def test_edition_meta_and_latest_alias(client) -> None:  # noqa: ANN001
    meta = client.get(f"{API}/editions/latest").json()
    assert meta["label"] == "t2024" and meta["data_year"] == 2024
    assert [e["code"] for e in meta["elements"]] == list(ELEMENTS)
    assert meta["elements"][1]["name"] == {"en": "Quality", "zh": "质量要素"}
    assert meta["groups"] == {"country": ["CN", "DE", "US"]}
    assert [b["label"] for b in meta["ratings"]] == ["A", "B", "C"]
    assert meta["n_units"] == len(BRANDS)
    assert client.get(f"{API}/editions/t2023").json()["data_year"] == 2023


def test_ranking_scores_and_ranks_match_hand_computation(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/ranking")
    assert r.status_code == 200
    body = r.json()
    expected = expected_scores(2024)
    ranks = ranks_of(expected)
    assert body["total"] == len(BRANDS)
    assert [row["code"] for row in body["items"]] == sorted(expected, key=lambda c: ranks[c])
    elements = expected_elements(2024)
    for row in body["items"]:
        assert row["score"] == pytest.approx(expected[row["code"]], abs=1e-9)
        assert row["rank"] == ranks[row["code"]]
        assert row["rating"] == ("A" if row["score"] >= 60 else "B" if row["score"] >= 30 else "C")
        for e in ELEMENTS:
            assert row["elements"][e]["score"] == pytest.approx(elements[row["code"]][e], abs=1e-9)


def test_ranking_group_rating_search_filters(client) -> None:  # noqa: ANN001
    expected = expected_scores(2024)
    de = client.get(f"{API}/editions/t2024/ranking", params={"group": "country:DE"}).json()
    assert {r["code"] for r in de["items"]} == {c for c, b in BRANDS.items() if b[2] == "DE"}
    assert de["total"] == 2
    rated_a = client.get(f"{API}/editions/t2024/ranking", params={"rating": "A"}).json()
    assert {r["code"] for r in rated_a["items"]} == {c for c, s in expected.items() if s >= 60}
    both = client.get(f"{API}/editions/t2024/ranking", params=[("rating", "A"), ("rating", "C")]).json()
    assert {r["code"] for r in both["items"]} == {c for c, s in expected.items() if s >= 60 or s < 30}
    found = client.get(f"{API}/editions/t2024/ranking", params={"q": "伽马"}).json()
    assert [r["code"] for r in found["items"]] == ["gamma"]
    found = client.get(f"{API}/editions/t2024/ranking", params={"q": "MOTORS"}).json()
    assert [r["code"] for r in found["items"]] == ["alpha"]
    combined = client.get(f"{API}/editions/t2024/ranking", params={"group": "country:US", "rating": "C"}).json()
    assert {r["code"] for r in combined["items"]} == {c for c, b in BRANDS.items()
                                                       if b[2] == "US" and expected[c] < 30}


def test_ranking_by_element_sorts_by_that_element(client) -> None:  # noqa: ANN001
    body = client.get(f"{API}/editions/t2024/ranking", params={"element": "quality"}).json()
    recalls = {c: v[INDICATORS.index("recalls")] for c, v in VALUES[2024].items()}
    # lower recalls is better: the element order is ascending recalls
    assert [r["code"] for r in body["items"]][0] in {c for c, v in recalls.items() if v == min(recalls.values())}
    scores = [r["element"]["score"] for r in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert body["element"] == "quality"


def test_ranking_sort_and_pagination(client) -> None:  # noqa: ANN001
    names = client.get(f"{API}/editions/t2024/ranking", params={"sort": "name"}).json()["items"]
    assert [r["name"]["en"].casefold() for r in names] == sorted(b[0].casefold() for b in BRANDS.values())
    worst = client.get(f"{API}/editions/t2024/ranking", params={"sort": "-rank"}).json()["items"]
    assert [r["rank"] for r in worst] == sorted((r["rank"] for r in worst), reverse=True)
    page = client.get(f"{API}/editions/t2024/ranking", params={"limit": 3, "offset": 2}).json()
    full = client.get(f"{API}/editions/t2024/ranking").json()
    assert page["total"] == len(BRANDS) and len(page["items"]) == 3
    assert [r["code"] for r in page["items"]] == [r["code"] for r in full["items"][2:5]]
    beyond = client.get(f"{API}/editions/t2024/ranking", params={"offset": 100}).json()
    assert beyond["items"] == [] and beyond["total"] == len(BRANDS)


@pytest.mark.parametrize(("params", "status", "needle"), [
    ({"group": "continent:EU"}, 400, "unknown group column 'continent'"),
    ({"group": "country"}, 400, "must be column:value"),
    ({"element": "nope"}, 400, "unknown element 'nope'"),
    ({"rating": "Z"}, 400, "unknown rating 'Z'"),
    ({"sort": "colour"}, 400, "unknown sort key 'colour'"),
    ({"limit": 0}, 422, "limit"),
    ({"limit": 100000}, 422, "limit"),
    ({"offset": -1}, 422, "offset"),
    ({"lang": "fr"}, 422, "lang"),
])
def test_ranking_bad_filters_are_clear_4xx(client, params, status, needle) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/ranking", params=params)
    assert r.status_code == status
    assert needle in error_of(r)


def test_unknown_and_draft_editions_are_404(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t1999/ranking")
    assert r.status_code == 404 and "t1999" in error_of(r)
    r = client.get(f"{API}/editions/d2024")
    assert r.status_code == 404 and "no published edition 'd2024'" in error_of(r)
    assert client.get(f"{API}/editions/d2024/download.csv").status_code == 404
    assert client.get(f"{API}/nothing-here").status_code == 404


def test_brand_profile(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/brands/gamma")
    assert r.status_code == 200
    p = r.json()
    expected = expected_scores(2024)
    assert p["unit"] == "gamma" and p["brand_names"] == {"en": "Gamma EV", "zh": "伽马"}
    assert p["score"] == pytest.approx(expected["gamma"], abs=1e-9)
    assert p["rank"] == ranks_of(expected)["gamma"]
    inds = {i["code"]: i for i in p["indicators"]}
    assert set(inds) == set(INDICATORS)
    assert inds["sales"]["raw"] == VALUES[2024]["gamma"][0]
    assert inds["sales"]["source"]["source_url"] == "https://example.org/gamma/sales"
    # strengths are better ranked than weaknesses
    sw = p["standing"][0]
    best = min(s["rank"] for s in sw["indicator_strengths"])
    worst = max(s["rank"] for s in sw["indicator_weaknesses"])
    assert best <= worst
    assert p["levers"]["levers"], "levers are listed"
    assert [h["label"] for h in p["history"]] == ["t2023", "t2024"]


def test_brand_unknown_is_404_with_hint(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/brands/gama")
    assert r.status_code == 404
    message = error_of(r)
    assert "no brand 'gama'" in message and "gamma" in message
    r = client.get(f"{API}/editions/t2024/brands/gamma", params={"peers": "planet"})
    assert r.status_code == 400 and "planet" in error_of(r)


def test_brand_history_over_published_editions(client) -> None:  # noqa: ANN001
    h = client.get(f"{API}/brands/alpha/history").json()
    assert [p["edition"] for p in h["points"]] == ["t2023", "t2024"]
    for p in h["points"]:
        assert p["score"] == pytest.approx(expected_scores(p["year"])["alpha"], abs=1e-9)
        assert p["rank"] == ranks_of(expected_scores(p["year"]))["alpha"]
    r = client.get(f"{API}/brands/nobody/history")
    assert r.status_code == 404 and "nobody" in error_of(r)


def test_compare_two_to_four(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/compare", params=[("brands", "alpha"), ("brands", "delta")])
    assert r.status_code == 200
    body = r.json()
    assert [b["code"] for b in body["brands"]] == ["alpha", "delta"]
    sales = next(i for i in body["indicators"] if i["code"] == "sales")
    assert [v["raw"] for v in sales["values"]] == [VALUES[2024]["alpha"][0], VALUES[2024]["delta"][0]]
    comma = client.get(f"{API}/editions/t2024/compare", params={"brands": "alpha,beta,gamma,delta"})
    assert comma.status_code == 200 and len(comma.json()["brands"]) == 4
    for bad in (["alpha"], ["alpha", "alpha"], ["alpha", "beta", "gamma", "delta", "epsilon"]):
        r = client.get(f"{API}/editions/t2024/compare", params=[("brands", b) for b in bad])
        assert r.status_code == 400 and "2 to 4" in error_of(r)
    r = client.get(f"{API}/editions/t2024/compare", params=[("brands", "alpha"), ("brands", "zzz")])
    assert r.status_code == 404
    assert client.get(f"{API}/editions/t2024/compare").status_code == 422


def test_whatif_recomputes_with_the_engine(client) -> None:  # noqa: ANN001
    url = f"{API}/editions/t2024/brands/delta/whatif"
    same = client.post(url, json={"changes": {"sales": VALUES[2024]["delta"][0]}}).json()
    assert same["after"]["score"] == pytest.approx(same["before"]["score"], abs=1e-12)
    # delta's sales beyond the maximum: the min-max bounds move for everybody
    r = client.post(url, json={"changes": {"sales": 500, "stores": 40}})
    assert r.status_code == 200
    table = {c: list(v) for c, v in VALUES[2024].items()}
    table["delta"][INDICATORS.index("sales")] = 500
    table["delta"][INDICATORS.index("stores")] = 40
    expected = expected_scores(2024, table)
    body = r.json()
    assert body["after"]["score"] == pytest.approx(expected["delta"], abs=1e-9)
    assert body["after"]["rank"] == ranks_of(expected)["delta"]
    assert body["before"]["score"] == pytest.approx(expected_scores(2024)["delta"], abs=1e-9)


@pytest.mark.parametrize(("payload", "status", "needle"), [
    ({"changes": {"speed": 3}}, 400, "unknown indicator 'speed'"),
    ({"changes": {}}, 400, "at least one"),
    ({"changes": {"sales": "lots"}}, 422, "changes"),
    ({"changes": {"sales": 1}, "extra": 1}, 422, "extra"),
])
def test_whatif_errors(client, payload, status, needle) -> None:  # noqa: ANN001
    r = client.post(f"{API}/editions/t2024/brands/delta/whatif", json=payload)
    assert r.status_code == status
    assert needle in error_of(r)
    assert client.post(f"{API}/editions/t2024/brands/nobody/whatif", json={"changes": {"sales": 1}}).status_code == 404


def test_indicators_and_methodology(client) -> None:  # noqa: ANN001
    inds = client.get(f"{API}/editions/t2024/indicators").json()["indicators"]
    assert [i["code"] for i in inds] == list(INDICATORS)
    assert {i["code"]: i["direction"] for i in inds} == DIRECTION
    assert {i["code"]: i["element"] for i in inds} == dict(zip(INDICATORS, ELEMENTS, strict=True))
    m = client.get(f"{API}/editions/t2024/methodology").json()
    assert m["framework"]["code"] == "TESTNEV"
    assert m["recipe"]["normalise"] == "minmax" and m["recipe"]["year"] == 2024
    assert m["tree"][0]["code"] == "index" and m["tree"][0]["depth"] == 0
    assert {n["code"] for n in m["tree"]} == {"index", *ELEMENTS, *INDICATORS}


def test_downloads_csv_xlsx_json(client) -> None:  # noqa: ANN001
    csv = client.get(f"{API}/editions/t2024/download.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="edition-t2024.csv"' in csv.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(csv.text))
    index_rows = frame[(frame["kind"] == "aggregate") & (frame["code"] == "index")]
    scores = dict(zip(index_rows["unit"], index_rows["score"], strict=True))
    for code, s in expected_scores(2024).items():
        assert scores[code] == pytest.approx(s, abs=1e-9)
    xlsx = client.get(f"{API}/editions/t2024/download.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert "data" in book.sheetnames
    js = client.get(f"{API}/editions/t2024/download.json")
    assert js.status_code == 200
    assert json.loads(js.content)["edition"]["label"] == "t2024"
    r = client.get(f"{API}/editions/t2024/download.exe")
    assert r.status_code == 400 and "unknown download format" in error_of(r)


def test_audit_of_published_edition(client) -> None:  # noqa: ANN001
    r = client.get(f"{API}/editions/t2024/audit")
    assert r.status_code == 200
    assert r.json()["edition"] == "t2024" and r.json()["status"] == "published"


def test_openapi_documents_every_endpoint_with_models(client) -> None:  # noqa: ANN001
    spec = client.get(f"{API}/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/editions", "/api/v1/editions/{edition}/ranking", "/api/v1/editions/{edition}/brands/{brand}",
                 "/api/v1/brands/{brand}/history", "/api/v1/editions/{edition}/compare",
                 "/api/v1/editions/{edition}/indicators", "/api/v1/editions/{edition}/methodology",
                 "/api/v1/editions/{edition}/download.{fmt}", "/api/v1/editions/{edition}/audit",
                 "/api/v1/editions/{edition}/brands/{brand}/whatif", "/api/v1/admin/editions/{edition}/publish"):
        assert path in paths, path
    ranking = paths["/api/v1/editions/{edition}/ranking"]["get"]
    assert ranking["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Ranking")
    assert "404" in ranking["responses"] and "400" in ranking["responses"]
    assert {p["name"] for p in ranking["parameters"]} >= {"group", "element", "rating", "sort", "limit", "offset", "q"}
    assert not any(p.startswith("/editions") or p == "/" for p in paths), "pages are not in the API schema"


def test_security_headers_on_api_and_pages(client) -> None:  # noqa: ANN001
    for url in (f"{API}/editions", "/", "/zh/about/", "/static/app.js", f"{API}/editions/x"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"


def test_published_reads_are_cached_per_result(read_app, client) -> None:  # noqa: ANN001
    portal = read_app.state.portal
    url = f"{API}/editions/t2023/ranking?limit=2"
    first = client.get(url).content
    cached = [k for k in portal.cache._data if "ranking" in k and k[0] is not None]
    assert cached, "the ranking answer is cached"
    assert client.get(url).content == first
    assert all(isinstance(k[1], str) and len(k[1]) == 64 for k in cached), "keys carry the result hash"


def test_script_and_formula_names_round_trip_in_json(client) -> None:  # noqa: ANN001
    rows = client.get(f"{API}/editions/t2024/ranking").json()["items"]
    names = {r["code"]: r["name"]["en"] for r in rows}
    assert names["xss"] == SCRIPT_NAME and names["formula"] == FORMULA_NAME
    assert client.get(f"{API}/editions/t2024/brands/xss").json()["brand_names"]["en"] == SCRIPT_NAME
    assert client.get(f"{API}/editions/t2024/ranking").headers["content-type"] == "application/json"
