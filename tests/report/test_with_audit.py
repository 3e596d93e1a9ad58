"""With the real audit (nevindex.audit): rank intervals, α and sensitivity reach the report unchanged."""

from __future__ import annotations

import re

import pytest
from test_render import RankingTable

from nevindex.report.render import render_html
from nevindex.report.sources import ReportInputs

pytestmark = pytest.mark.slow  # end to end: a whole report rendered, with a real audit

audit = pytest.importorskip("nevindex.audit")  # the audit area; on main since the audit branch landed

SPEC = {
    "runs": 200, "seed": 11,
    "factors": [{"address": "impute.method", "alternatives": ["mean", "median"]}],
    "weight_noise": [{"level": 1}, {"level": 2}],
    "sensitivity": {"n": 16, "bootstrap": 50},
}


@pytest.fixture(scope="module")
def audited(results):
    r = results[2024]
    return audit.run_audit(r.framework, r.dataset, r.recipe, SPEC)


def test_intervals_alpha_and_sensitivity_in_the_model_and_html(results, audited):
    tables = audited.tables()
    model = ReportInputs(result=results[2024], audit_tables=tables, audit_seed=11).model("en")
    assert model.availability.audit is None
    intervals = tables["rank_intervals"].set_index("unit")
    for u in model.units:
        assert u.interval.low == intervals.loc[u.code, "q05_rank"]
        assert u.interval.high == intervals.loc[u.code, "q95_rank"]
        assert u.interval.nominal == u.rank  # the audit's nominal build is ours
    alpha = tables["consistency"].set_index("aggregate")["cronbach_alpha"]
    assert model.audit.alpha["index"] == pytest.approx(alpha["index"])
    assert [f for f, _, _ in model.audit.sensitivity] == list(tables["sensitivity"]["factor"])
    assert model.correlations_from_audit
    page = render_html(model)
    parser = RankingTable()
    parser.feed(page)
    for u in model.units:
        assert parser.rows[u.code][4] == f"{u.interval.low:.0f}–{u.interval.high:.0f}"
    assert "200 Monte Carlo runs (seed 11)" in page
    assert "Rank intervals are not shown" not in page


def test_coherence_flags_are_translated(results, audited):
    tables = dict(audited.tables())
    corr = tables["correlations"].copy()
    corr.loc[corr.index[0], "flag"] = "weak"  # the fixture is coherent: plant two flags
    corr.loc[corr.index[1], "flag"] = "collinear"
    tables["correlations"] = corr
    model = ReportInputs(result=results[2024], audit_tables=tables).model("zh")
    assert [f[2] for f in model.audit.flags] == ["weak", "collinear"]
    page = render_html(model)
    assert "与上级相关性弱" in page and "同级共线" in page
    assert "weak" not in page.split("<body>")[1].replace("weak_", "")


# --- issue 12 item 11: n behind correlations, no flag on fewer than 5 brands, the varied choices --------


def test_flags_need_five_brands_and_show_their_n(result):
    import pandas as pd

    from nevindex.report.sources import audit_view

    fw = result.framework
    element = fw.children[fw.root][0]
    corr = pd.DataFrame([
        {"node": element, "other": fw.root, "pearson": 0.1, "n": 4, "flag": "weak"},
        {"node": fw.children[fw.root][1], "other": fw.root, "pearson": -0.2, "n": 9, "flag": "negative"},
    ])
    runs = pd.DataFrame({"run": [1, 2, 3], "treat.method": ["winsorise", "none", "none"],
                         "aggregate.method": ["arithmetic"] * 3, "weight_set": ["w1", "w2", "w3"],
                         "mean_abs_rank_shift": [0.1, 0.2, 0.3]})
    sets = pd.DataFrame({"set": ["w1", "w2", "w3"], element: [0.2, 0.25, 0.18]})
    view = audit_view({"correlations": corr, "runs": runs, "weight_sets": sets}, result)
    assert [f[:2] for f in view.flags] == [(fw.children[fw.root][1], fw.root)]
    assert view.flags[0][4] == 9 and view.unflagged == 1
    assert view.varied == (("treat.method", ("winsorise", "none")),)  # aggregation did not vary
    assert view.weights_varied


def test_the_annex_names_the_varied_choices_and_never_an_empty_reason(result):
    from nevindex.report.model import build_model
    from nevindex.report.render import render_html
    from nevindex.report.types import AuditView, RankInterval

    intervals = {u: RankInterval(1.0, 1.0, 1.0, 2.0) for u in result.units}
    audit = AuditView(intervals=intervals, runs=50, seed=1, varied=(("treat.method", ("winsorise", "none")),),
                      weights_varied=True)
    html = render_html(build_model(result, "en", audit=audit))
    annex = html[html.index('id="audit"'):]
    assert "outlier treatment: winsorise / none" in annex
    assert "the weights, drawn at random" in annex
    # sensitivity was not part of this audit: the sentence says so instead of "Not available:" and nothing
    assert not re.search(r"Not available:\s*</p>", annex)
    assert "this part was not produced" in annex
