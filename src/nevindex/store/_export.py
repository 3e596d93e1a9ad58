"""A published edition out of the store as open data (the file formats are :mod:`nevindex.store.opendata`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nevindex.store import codec, opendata
from nevindex.store._records import edition_info
from nevindex.store._session import find_edition, require
from nevindex.store._stored import inputs_of, observations, stored_framework, stored_rows
from nevindex.store.db import Store

__all__ = ["export_edition"]


def export_edition(store: Store, ref: int | str, out: str | Path, *, allow_draft: bool = False) -> list[str]:
    """Write a published edition as open data (long CSV, XLSX, JSON, observations, methodology, recipe)."""
    with store.read() as s:
        edition = find_edition(s, ref)
        require(edition, published=None if allow_draft else "publish it first (or export with --draft)",
                built="nothing to export")
        info = edition_info(edition)
        meth, data = edition.methodology, edition.dataset
        fw = stored_framework(meth)
        structure = json.loads(data.structure)
        recipe_json = edition.recipe
        year = int(json.loads(recipe_json)["year"])
        units, inds = stored_rows(s, edition.id)
        obs = observations(s, data.id)
        fallback = data.source_name or data.label
        # Sources of the values as built: observations as imported plus any derived by the methodology.
        built = inputs_of(s, edition).dataset
        sources, notes = opendata.sources_of(built.provenance, year, fallback)
        observed = {(o.unit, o.indicator) for o in obs if o.year == year}
        observations_frame = pd.DataFrame(
            [{"year": o.year, "unit": o.unit, "indicator": o.indicator, "value": o.value, "row": o.row,
              "source": opendata.source_text(o.source, fallback)} for o in obs],
            columns=["year", "unit", "indicator", "value", "row", "source"])
    names = dict(zip(structure["units"], structure["names"], strict=True))
    scores = codec.rows_frame(units, codec.UNIT_FIELDS)
    long = opendata.long_table(info.label, year, fw, names, scores, codec.rows_frame(inds, codec.INDICATOR_FIELDS),
                               sources, observed, fallback, notes)
    wide = scores.pivot(index="unit", columns="node", values="score")[list(fw.display_order)]
    ranks = scores.pivot(index="unit", columns="node", values="rank")[list(fw.display_order)]
    wide = wide.join(ranks.add_suffix("_rank")).reset_index()
    wide.insert(1, "unit_name", [names.get(u, u) for u in wide["unit"]])
    wide = wide.sort_values([f"{fw.root}_rank", "unit"], na_position="last").reset_index(drop=True)
    meta = {"edition": {"label": info.label, "year": info.year, "status": info.status,
                        "published_at": info.published_at.isoformat() if info.published_at else None,
                        "corrects": info.corrects, "correction_reason": info.correction_reason},
            "data_year": year,
            "methodology": {"code": fw.framework.code, "version": fw.framework.version,
                            "sha256": info.methodology_sha256},
            "dataset": {"label": info.dataset, "sha256": info.dataset_sha256},
            "recipe_sha256": info.recipe_sha256, "result_sha256": info.result_sha256,
            "package_version": info.package_version,
            "licence_note": "open data; cite the edition label and result_sha256"}
    return opendata.write_open_data(out, long, wide, meta, meth.yaml_text, recipe_json, observations_frame)
