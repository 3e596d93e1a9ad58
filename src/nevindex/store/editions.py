"""The editions service: the one API of the store that the CLI, the REST API and the web pages call.

import data → create an edition (methodology + data + recipe) → build (stores every result) →
store the audit's tables → publish (frozen for ever) → export / verify. Import, build and publish
are each one database transaction: a crash leaves the store as it was before or as it is after.
A published edition is never changed; a correction is a new edition that names the one it
corrects and says why.

This module is a facade (``from nevindex.store import editions as ed``); the code lives in
private modules by job: ``_data`` (methodology and data in), ``_lifecycle`` (create, build,
publish), ``_results`` (stored results, audit tables, log), ``_verify`` (verify, against the store's
records and against a receipt), ``_export`` (open data), :mod:`nevindex.store.receipts` and
:mod:`nevindex.store.queries` (which edition, history, rank intervals). Running the audit of an
edition and comparing two editions are use cases above the store: :mod:`nevindex.workflows`.
"""

from __future__ import annotations

from nevindex.store._data import (
    get_dataset,
    import_data,
    import_methodology,
    list_datasets,
    read_data_file,
    store_dataset,
)
from nevindex.store._export import export_edition
from nevindex.store._lifecycle import (
    build_edition,
    create_edition,
    default_label,
    delete_draft,
    edition_inputs,
    publish,
    rebuild,
)
from nevindex.store._records import (
    AmbiguousEditionError,
    DataSetInfo,
    EditionInfo,
    EmptyIndicatorError,
    MethodologyInfo,
    VerificationError,
    VerifyReport,
)
from nevindex.store._results import activity, audit_tables, counts, edition_tables, store_audit
from nevindex.store._session import actor_name
from nevindex.store._verify import edition_receipt, stored_receipt, verify, verify_receipt
from nevindex.store._verify_export import verify_export
from nevindex.store.queries import (
    LATEST,
    HistoryPoint,
    brand_history,
    get_edition,
    history_editions,
    latest_published,
    list_editions,
    previous_edition,
    rank_intervals,
    resolve_edition,
)

__all__ = [
    "LATEST", "AmbiguousEditionError", "DataSetInfo", "EditionInfo", "EmptyIndicatorError", "HistoryPoint", "MethodologyInfo",
    "VerificationError", "VerifyReport", "activity", "actor_name", "audit_tables", "brand_history", "edition_receipt",
    "build_edition", "counts", "create_edition", "default_label", "delete_draft", "edition_inputs", "edition_tables", "export_edition",
    "get_dataset", "get_edition", "history_editions", "import_data", "import_methodology", "latest_published",
    "list_datasets", "list_editions", "previous_edition", "publish", "rank_intervals", "read_data_file",
    "rebuild", "resolve_edition", "store_audit", "store_dataset", "stored_receipt", "verify", "verify_export", "verify_receipt",
]
