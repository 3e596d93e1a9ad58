"""One edition naming rule (issue 12, item 6): every command reads a label or a year the same way,
`profile` defaults to the latest published edition and finds a brand by its Chinese name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # the whole demo store built (every demo edition published)


def _first_line(out: str) -> str:
    return out.strip().splitlines()[0]


def test_profile_defaults_to_the_latest_published_edition(run, demo_store_url):
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    with open_store(demo_store_url) as store:
        latest = ed.latest_published(store)
    code, out, err = run("profile", "byd", "--db", demo_store_url)
    assert code == 0, err
    code, named, err = run("profile", "byd", "--edition", latest.label, "--db", demo_store_url)
    assert code == 0, err
    assert f"{latest.label} ({latest.year})" in _first_line(out)
    assert _first_line(out) == _first_line(named)


@pytest.mark.parametrize("ref", ["2024", "nev-2024"])
def test_profile_reads_a_year_as_its_one_edition(run, demo_store_url, ref):
    code, out, err = run("profile", "byd", "--edition", ref, "--db", demo_store_url)
    assert code == 0, err
    assert "nev-2024 (2024)" in _first_line(out)


@pytest.mark.parametrize("name", ["比亚迪", "BYD", "Byd"])
def test_profile_finds_a_brand_by_any_of_its_names(run, demo_store_url, name):
    code, out, err = run("profile", name, "--edition", "nev-2024", "--db", demo_store_url)
    assert code == 0, err
    assert _first_line(out).startswith("BYD (byd)")


def test_a_brand_name_with_a_space_is_found_as_its_slug(run, demo_store_url):
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    names = dict(zip(result.units, result.unit_names(), strict=True))
    code, name = next((c, n) for c, n in names.items() if " " in n and c != n.lower().replace(" ", "-"))
    slug = name.lower().replace(" ", "-")  # "Xiaomi Auto" → "xiaomi-auto", not its code
    rc, out, err = run("profile", slug, "--edition", "nev-2024", "--db", demo_store_url)
    assert rc == 0, err
    assert _first_line(out).startswith(f"{name} ({code})")


@pytest.mark.parametrize("ref", ["nev-2024", "2024"])
def test_report_reads_the_edition_as_every_command_does(run, demo_store_url, tmp_path, ref):
    out = tmp_path / "report.html"
    code, printed, err = run("report", "--edition", ref, "--format", "html", "--out", str(out), "--db", demo_store_url)
    assert code == 0, err
    assert "nev-2024" in out.read_text(encoding="utf-8")
