"""The NEV index's rules for data and editions in the (generic) store.

The store keeps any index's data and editions and knows nothing of the NEV index. Two NEV rules
apply on the way in, and live here:

- exchange rates: the sourced annual rates (``fx_rates.csv``) become one data column per currency, and
  the declared proxies of an ``fx_monthly.csv`` beside it (years without an annual average) columns of
  their own (:func:`nevindex.nev.data.attach_rate_files`), so currency conversions are declared derivations;
- suspension: an edition's methodology leaves out the indicators the edition's data cannot score
  (:func:`nevindex.nev.edition.edition_framework` says which), and the aggregates left empty; the
  store is given that methodology like any other.
"""

from __future__ import annotations

from pathlib import Path

from nevindex.framework import Framework, load_framework
from nevindex.inputs import load_inputs
from nevindex.nev.data import attach_rate_files
from nevindex.nev.edition import edition_framework
from nevindex.store import editions as ed
from nevindex.store.db import Store

__all__ = ["edition_methodology", "import_data_with_rates"]


def import_data_with_rates(store: Store, path: str | Path, fx_rates: str | Path, *, label: str | None = None,
                           units_file: str | Path | None = None, framework: str | Path | Framework | None = None,
                           actor: str | None = None) -> ed.DataSetInfo:
    """Import a data file with the sourced exchange rates attached as ``fx_per_usd_<ccy>`` columns and
    the proxies of an ``fx_monthly.csv`` beside ``fx_rates`` as ``fx_proxy_per_usd_<ccy>`` (one
    transaction, like :func:`nevindex.store.editions.import_data`)."""
    ds = ed.read_data_file(path, units_file=units_file, framework=framework)
    ds = attach_rate_files(ds, fx_rates)
    return ed.store_dataset(store, ds, label=label or Path(path).stem, source_path=path, units_path=units_file,
                            actor=actor)


def edition_methodology(store: Store, methodology: str | Path | Framework, dataset: int | str, year: int,
                        data_year: int | None = None) -> Framework:
    """The methodology an edition of ``year`` is created with: without the indicators that the stored
    data set cannot score in the data year (recorded in the methodology's ``meta.edition``)."""
    fw = methodology if isinstance(methodology, Framework) else load_framework(methodology)
    raw = ed.get_dataset(store, dataset)
    chosen = data_year if data_year is not None else (year if year in raw.years else raw.years[-1])
    reduced, _ = edition_framework(fw, load_inputs(fw, raw).dataset, chosen)
    return reduced
