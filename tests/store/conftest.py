"""Store fixtures: a fresh store per test on SQLite and, when NEVINDEX_TEST_PG_URL is set, PostgreSQL.

Each PostgreSQL test gets its own schema (dropped afterwards), so tests can run in parallel.
Small hand-made methodology and data files are written per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nevindex.store import open_store

REPO = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("NEVINDEX_TEST_PG_URL")

FRAMEWORK_YAML = """
framework:
  code: MINI
  version: "1.0"
  name: {en: Mini brand index, zh: 迷你品牌指数}
aggregates:
  - {code: Index, name: Index}
  - {code: tangible, name: {en: Tangible, zh: 有形要素}, parent: Index, weight: 1}
  - {code: quality, name: {en: Quality, zh: 质量要素}, parent: Index, weight: 1}
indicators:
  - {code: sales, name: Sales, parent: tangible, weight: 1, direction: 1}
  - {code: revenue, name: Revenue, parent: tangible, weight: 1, direction: 1}
  - {code: recalls, name: Recalls, parent: quality, weight: 1, direction: -1}
  - {code: rating, name: Rating, parent: quality, weight: 1, direction: 1}
"""

# Version 2 of the methodology: quality counts three times as much.
FRAMEWORK_V2_YAML = FRAMEWORK_YAML.replace('version: "1.0"', 'version: "2.0"').replace(
    "parent: Index, weight: 1}\nindicators", "parent: Index, weight: 3}\nindicators")

UNITS_CSV = """code,name,country
acme,Acme Motors,CN
bolt,Bolt Cars,DE
cyan,Cyan EV,US
dyna,Dyna Auto,CN
"""

# Tidy observations with their sources; 2024 differs from 2023 and one value is a formula-like text.
DATA_ROWS = {
    2023: {"acme": (100, 50, 4, 3.5), "bolt": (80, 70, 2, 4.0), "cyan": (60, 40, 6, 3.0), "dyna": (40, 30, 1, 4.5)},
    2024: {"acme": (120, 55, 3, 3.5), "bolt": (70, 75, 2, 4.5), "cyan": (90, 45, 5, 3.0), "dyna": (45, 35, 2, None)},
}


def data_csv(years: tuple[int, ...] = (2023, 2024), bump: float = 0.0) -> str:
    lines = ["brand,year,indicator,value,source_title,source_url,notes"]
    names = ("sales", "revenue", "recalls", "rating")
    for year in years:
        for unit, values in DATA_ROWS[year].items():
            for name, value in zip(names, values, strict=True):
                if value is None:
                    continue
                title = "=HYPERLINK(\"http://evil\")" if (unit, name, year) == ("acme", "sales", 2024) else \
                    f"{unit} annual report {year}"
                v = value + (bump if name == "sales" and unit == "acme" else 0)
                note = "SCOPE: group figure" if (unit, name) == ("bolt", "revenue") else ""
                lines.append(f"{unit},{year},{name},{v},\"{title.replace(chr(34), chr(34) * 2)}\","
                             f"https://example.org/{unit}/{year},{note}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, content in (("framework.yaml", FRAMEWORK_YAML), ("framework_v2.yaml", FRAMEWORK_V2_YAML),
                          ("units.csv", UNITS_CSV), ("data.csv", data_csv()),
                          ("data_fixed.csv", data_csv(bump=1.0))):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        out[name.split(".")[0]] = path
    return out


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI"):  # CI must test PostgreSQL, never skip it
            pytest.fail("NEVINDEX_TEST_PG_URL is not set in CI: .ci/run should have started PostgreSQL")
        pytest.skip("NEVINDEX_TEST_PG_URL is not set (run .ci/postgres.sh to start a server)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def store(store_url: str):
    st = open_store(store_url)
    yield st
    st.close()
