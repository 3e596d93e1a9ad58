"""verify: a published edition rebuilds bit for bit from its stored inputs; tampering is caught."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nevindex.store import editions as ed


def _tamper(store, statement: str, table: str) -> None:
    """What someone with database rights could do: switch the guard off, change a row, switch it on."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            names = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                 {"t": table}).all()
            for name, _ in names:
                conn.execute(text(f"DROP TRIGGER {name}"))
            conn.execute(text(statement))
            for _, sql in names:
                conn.execute(text(sql))


def test_verify_passes_on_a_published_edition(published_edition, store, files):
    info = published_edition(store, files)
    report = ed.verify(store, "2024")
    assert report.result_sha256 == info.result_sha256
    assert report.rows == 3 * 4 + 4 * 4  # unit × aggregate rows + unit × indicator rows


def test_verify_fails_when_a_stored_score_is_tampered_with(published_edition, store, files):
    published_edition(store, files)
    _tamper(store, "UPDATE unit_results SET score = score + 0.000000001 WHERE unit = 'bolt' AND node = 'Index'",
            "unit_results")
    with pytest.raises(ed.VerificationError, match=r"FAILED.*changed after the build.*'bolt' node 'Index' score"):
        ed.verify(store, "2024")


def test_verify_fails_when_a_rank_or_an_imputed_flag_is_tampered_with(published_edition, store, files):
    published_edition(store, files)
    _tamper(store, "UPDATE indicator_results SET imputed_flag = NOT imputed_flag WHERE unit = 'acme' "
                   "AND indicator = 'sales'", "indicator_results")
    with pytest.raises(ed.VerificationError, match="'acme' indicator 'sales' imputed_flag"):
        ed.verify(store, "2024")


def test_verify_fails_when_an_input_observation_is_tampered_with(published_edition, store, files):
    published_edition(store, files)
    _tamper(store, "UPDATE observations SET value = 121 WHERE unit = 'acme' AND indicator = 'sales' "
                   "AND year = 2024", "observations")
    with pytest.raises(ed.VerificationError, match="no longer matches its hash"):
        ed.verify(store, "2024")


def test_cli_verify_exits_2_with_a_clear_message(published_edition, store, store_url, files, capsys, monkeypatch):
    from nevindex.cli import main

    published_edition(store, files)
    monkeypatch.setenv("NEVINDEX_DB", store_url)
    assert main(["edition", "verify", "2024"]) == 0
    assert "verified edition '2024'" in capsys.readouterr().out
    _tamper(store, "UPDATE unit_results SET rank = 1 WHERE unit = 'dyna' AND node = 'Index'", "unit_results")
    assert main(["edition", "verify", "2024"]) == 2
    err = capsys.readouterr().err
    assert "FAILED verification" in err and "'dyna'" in err and "rank" in err


def test_verify_fails_when_the_source_of_an_observation_is_tampered_with(published_edition, store, files):
    published_edition(store, files)
    _tamper(store, "UPDATE observations SET source = '{}' WHERE unit = 'bolt' AND indicator = 'revenue'",
            "observations")
    with pytest.raises(ed.VerificationError, match="no longer matches its hash"):
        ed.verify(store, "2024")
