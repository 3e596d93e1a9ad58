"""Small survey and panel inputs whose statistics are worked out by hand in the tests."""

from __future__ import annotations

from pathlib import Path

from nevindex.cli import main

SURVEY_SPEC = """\
survey:
  code: cx-test
  title: Test owner survey
  year: 2024
  source: {title: Owner survey 2024, url: https://example.org/survey, organisation: Test Institute}
columns: {respondent: rid, brand: brand, market: market, weight: w}
items:
  sat: {column: q_sat, scale: {min: 1, max: 5}, missing_codes: [9]}
  rec: {column: q_rec, scale: {min: 0, max: 10}}
indicators:
  - {code: cx_sat, item: sat, statistic: mean}
  - {code: cx_sat_t2b, item: sat, statistic: top_box, k: 2}
  - {code: cx_nps, item: rec, statistic: nps}
  - {code: cx_sat_low, item: sat, statistic: share, answers: [1, 2]}
  - {code: cx_nps_eu, item: rec, statistic: nps, markets: [EU]}
minimum_effective_n: 2.5
"""

# byd: sat answered by r1–r3 (r4's 9 = no answer); nio: equal weights; tiny: Kish n 2 < 2.5.
RESPONSES = """\
rid,brand,market,w,q_sat,q_rec
r1,byd,CN,1,5,10
r2,byd,CN,2,4,9
r3,byd,EU,1,2,6
r4,byd,EU,0.5,9,8
r5,nio,CN,1,3,10
r6,nio,CN,1,1,0
r7,nio,CN,1,5,7
r8,tiny,CN,1,4,9
r9,tiny,CN,1,3,9
"""

UNITS = "brand_id,name\nbyd,BYD\nnio,NIO\ntiny,Tiny Motors\n"

PANEL_SPEC = """\
panel:
  code: exp-test
  title: Test expert panel
  year: 2024
columns: {expert: expert, brand: brand, criterion: criterion, score: score}
scale: {min: 1, max: 10}
consensus: {method: median}
minimum_raters: 3
flag_deviation: 0.2
criteria:
  design: {indicator: exp_design}
  safety: {indicator: exp_safety}
"""


def panel_rows(matrix: dict[str, list[int]], brands: list[str], criterion: str) -> list[str]:
    """CSV rows (expert,brand,criterion,score) of an experts → scores-per-brand mapping."""
    return [f"{e},{b},{criterion},{s}" for e, scores in matrix.items() for b, s in zip(brands, scores, strict=True)]


# design: A–C agree, D is far off; safety: every expert rated b1–b3, only two rated b4.
PANEL_BRANDS = ["b1", "b2", "b3"]
DESIGN = {"A": [5, 6, 7], "B": [5, 6, 7], "C": [5, 6, 7], "D": [10, 1, 10]}
SAFETY = {"A": [8, 4, 6], "B": [7, 4, 6], "C": [8, 3, 5], "D": [9, 4, 6]}
RATINGS = "\n".join(["expert,brand,criterion,score", *panel_rows(DESIGN, PANEL_BRANDS, "design"),
                     *panel_rows(SAFETY, PANEL_BRANDS, "safety"), "A,b4,safety,5", "B,b4,safety,6"]) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(args, capsys) -> tuple[int, str]:  # noqa: ANN001
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err
