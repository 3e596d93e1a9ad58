"""Issue 12 item 12: one edition showed three "data" hashes and two result hashes across `edition show`,
the report annex, the API and `manifest.json`. Now each hash has one name and one value everywhere:
the CLI, the API's ``hashes``, the open data, the receipt, the report annex, and the engine's manifest
of the same build (whose ``result_sha256`` is the same hash of the same rows)."""

from __future__ import annotations

import json

import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.store import editions as ed
from nevindex.store import receipts

NAMES = ("methodology_sha256", "dataset_sha256", "source_sha256", "units_sha256", "recipe_sha256", "data_sha256",
         "result_sha256")


@pytest.mark.slow  # end to end: the command as a process, the open data and the report annex
def test_every_surface_shows_the_same_named_hashes(published_edition, store, store_url, files, tmp_path, run_cli):
    info = published_edition(store, files)
    hashes = info.hashes
    assert tuple(hashes) == NAMES and all(hashes.values())
    assert len(set(hashes.values())) == len(NAMES)  # seven different things, seven different hashes

    shown = run_cli(store_url, "edition", "show", "2024").stdout  # the CLI
    for name, value in hashes.items():
        assert f"{name}: {value}" in " ".join(shown.split()), name

    ed.export_edition(store, "2024", tmp_path / "open")  # the open data and the receipt
    assert json.loads((tmp_path / "open" / "edition-2024.json").read_text())["hashes"] == hashes
    assert receipts.read(tmp_path / "open" / "receipt.json")["receipt"]["hashes"] == hashes

    from fastapi.testclient import TestClient

    from nevindex.web.app import create_app

    app = create_app(store_url)  # the API
    assert TestClient(app).get("/api/v1/editions/2024").json()["hashes"] == hashes

    from nevindex.report import sources
    from nevindex.report.render import render_html

    model = sources.from_store(2024, url=store_url).model("en")  # the report annex
    assert model.edition["hashes"] == hashes
    html = render_html(model)
    for value in hashes.values():
        assert value in html


def test_the_engine_manifest_names_the_same_hashes(published_edition, store, files, tmp_path):
    """The manifest of the stored edition's build: ``hashes.framework``, ``hashes.data``, ``hashes.recipe``
    and ``result_sha256`` are the edition's methodology, data-as-built, recipe and result hashes."""
    from nevindex.export import write_result

    info = published_edition(store, files)
    write_result(ed.rebuild(store, "2024"), tmp_path / "tables")
    manifest = json.loads((tmp_path / "tables" / "manifest.json").read_text())
    assert manifest["hashes"]["framework"] == info.methodology_sha256
    assert manifest["hashes"]["data"] == info.data_sha256
    assert manifest["hashes"]["recipe"] == info.recipe_sha256
    assert manifest["result_sha256"] == info.result_sha256


def test_one_result_hash_for_a_build_from_files_and_the_stored_edition(published_edition, store, files):
    """Before, `nevindex build` printed Result.content_sha256 (a hash of three arrays) and the store
    `result_sha256` (a hash of the stored rows): two result hashes of the same numbers."""
    info = published_edition(store, files)
    fw = load_framework(files["framework"])
    direct = build(fw, load_dataset(files["data"], units_file=files["units"]), fw.recipe, year=2024)
    assert direct.content_sha256() == info.result_sha256
