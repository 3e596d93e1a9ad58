"""End to end: questionnaire → filled → import → review on the admin page (signed in, CSRF) → merge →
build → publish; the submitted value and its provenance show in `profile`, on the portal's brand page and
in the open data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs
from nevindex.web import auth

PASSWORD = "correct horse battery"
EVIDENCE = "https://example.org/acme/sites-2024"


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.mark.slow
def test_template_to_published_value_with_provenance(tmp_path: Path, capsys, cli, fill, make_store) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    make_store(url, tmp_path)
    with open_store(url) as store:
        auth.create_user(store.engine, "admin", PASSWORD)
    template = tmp_path / "q.xlsx"
    assert cli(url, "collect", "template", "--edition", "2024", "--brand", "acme", "--out", str(template)) == 0
    filled = fill(template, tmp_path / "filled.xlsx", {"G8": 320, "H8": EVIDENCE, "I8": "incl. partner sites",
                                                       "G9": 50})
    assert cli(url, "collect", "import", str(filled), "--submitted-by", "Acme data office") == 0

    from nevindex.web.app import create_app

    client = TestClient(create_app(url))
    # admin only: anonymous visitors are sent to the sign-in page, a post without the CSRF token is refused
    assert client.get("/admin/submissions/1", follow_redirects=False).status_code == 303
    assert client.post("/admin/submissions/1/review", data={"decision_1": "approve", "comment_1": "x"},
                       follow_redirects=False).status_code == 401
    token = _csrf(client.get("/admin/login").text)
    assert client.post("/admin/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    page = client.get("/admin/submissions/1")
    assert page.status_code == 200
    row = re.search(r'<tr data-value="1".*?</tr>', page.text, flags=re.S).group(0)
    cells = re.findall(r'<td class="num">(.*?)</td>', row, flags=re.S)
    # submitted 320 beside the public 200 and last edition's 100, with the warnings
    assert [" ".join(re.sub(r"<.*?>", " ", c).split()) for c in cells] == ["320 sites", "200", "100"]
    assert "change +220% against the last edition&#39;s 100" in row and "differs from the public value 200" in row
    csrf = _csrf(page.text)
    assert client.post("/admin/submissions/1/review", data={"decision_1": "approve", "comment_1": "seen"},
                       follow_redirects=False).status_code == 403  # signed in, but no CSRF token
    done = client.post("/admin/submissions/1/review", follow_redirects=False, data={
        "csrf_token": csrf, "decision_1": "approve", "comment_1": "matches the network map",
        "decision_2": "approve", "comment_2": "plausible"})
    assert done.status_code == 303
    with open_store(url) as store:
        info = subs.get_submission(store, 1)
    assert [(v.status, v.reviews[-1].reviewer) for v in info.values] == [("approve", "admin"), ("approve", "admin")]

    assert cli(url, "collect", "merge", "--edition", "2024", "--as", "analyst") == 0
    assert cli(url, "edition", "build", "2024") == 0 and cli(url, "edition", "publish", "2024") == 0
    with open_store(url) as store:
        ed.verify(store, "2024")
    capsys.readouterr()

    # profile
    assert cli(url, "profile", "acme", "--edition", "2024", "--json") == 0
    line = next(i for i in json.loads(capsys.readouterr().out)["indicators"] if i["code"] == "sites")
    assert line["raw"] == 320
    assert (line["source"]["submission"], line["source"]["submitted_by"], line["source"]["reviewed_by"],
            line["source"]["evidence"], line["source"]["public_value"]) == ("1", "Acme data office", "admin", EVIDENCE,
                                                                             "200.0")
    # the portal's brand page (a fresh app: the publication is new)
    brand = TestClient(create_app(url)).get("/brands/acme")
    assert brand.status_code == 200
    assert f'href="{EVIDENCE}"' in brand.text and "brand submission #1 (acme, edition 2024) by Acme data office" in \
        brand.text
    # the open data
    out = tmp_path / "open"
    assert cli(url, "edition", "export", "2024", "--out", str(out)) == 0
    obs = pd.read_csv(next(out.glob("*-observations.csv")))
    hit = obs[(obs.unit == "acme") & (obs.indicator == "sites") & (obs.year == 2024)]
    assert len(hit) == 1 and hit.iloc[0].value == 320
    assert "brand submission #1 (acme, edition 2024) by Acme data office, reviewed by admin" in hit.iloc[0].source
    assert EVIDENCE in hit.iloc[0].source and "acme annual report 2024" in hit.iloc[0].source  # both sources
    stored = json.loads(next(out.glob("*-dataset.json")).read_text(encoding="utf-8"))
    rows = [dict(zip(stored["fields"], r, strict=True)) for r in stored["rows"]]
    cell = next(o for o in rows if (o["year"], o["unit"], o["indicator"]) == (2024, "acme", "sites"))
    source = json.loads(cell["source"])
    assert (source["submission"], source["submitted_by"], source["evidence"], source["reviewed_by"],
            source["review_comment"], source["public_value"]) == ("1", "Acme data office", EVIDENCE, "admin",
                                                                  "matches the network map", "200.0")
