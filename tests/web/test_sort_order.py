"""Issue 12 item 2: ``-`` means descending for every sort key, so ``sort=-score`` is the top first
(the "top 5" example of docs/portal.md and of the Downloads page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .fixtures import BRANDS, expected_scores

API = "/api/v1"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "portal.md"


def test_minus_score_is_highest_first(client) -> None:  # noqa: ANN001
    items = client.get(f"{API}/editions/t2024/ranking", params={"sort": "-score"}).json()["items"]
    by_hand = expected_scores(2024)
    assert [r["code"] for r in items] == sorted(by_hand, key=lambda c: -by_hand[c])


def test_plain_score_is_lowest_first(client) -> None:  # noqa: ANN001
    items = client.get(f"{API}/editions/t2024/ranking", params={"sort": "score"}).json()["items"]
    by_hand = expected_scores(2024)
    assert [r["code"] for r in items] == sorted(by_hand, key=lambda c: by_hand[c])


@pytest.mark.parametrize("key", ["rank", "name", "country", "rating"])
def test_minus_reverses_every_key(client, key) -> None:  # noqa: ANN001
    up = client.get(f"{API}/editions/t2024/ranking", params={"sort": key}).json()["items"]
    down = client.get(f"{API}/editions/t2024/ranking", params={"sort": f"-{key}"}).json()["items"]
    field = {"rank": lambda r: r["rank"], "name": lambda r: r["name"]["en"].casefold(),
             "country": lambda r: r["groups"]["country"], "rating": lambda r: r["rating"]}[key]
    assert [field(r) for r in up] == sorted(field(r) for r in up)
    assert [field(r) for r in down] == sorted((field(r) for r in down), reverse=True)


def test_documented_top_five_example_is_the_top_five(client) -> None:  # noqa: ANN001
    """The docs' curl example (group=country:CN&sort=-score&limit=5) returns the best CN brands."""
    example = re.search(r"ranking\?group=country:CN&sort=-score&limit=5", DOCS.read_text(encoding="utf-8"))
    assert example is not None
    items = client.get(f"{API}/editions/t2024/ranking",
                       params={"group": "country:CN", "sort": "-score", "limit": 5}).json()["items"]
    by_hand = expected_scores(2024)
    cn = [c for c, b in BRANDS.items() if b[2] == "CN"]
    assert [r["code"] for r in items] == sorted(cn, key=lambda c: -by_hand[c])[:5]


def test_ranking_page_offers_highest_score_first(client) -> None:  # noqa: ANN001
    html = client.get("/", params={"sort": "-score"}).text
    assert 'value="-score" selected' in html
    assert re.search(r'data-key="score"[^>]*aria-sort="descending"', html)
