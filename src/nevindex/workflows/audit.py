"""Audit a stored edition: run the statistical audit on its stored inputs and store the tables."""

from __future__ import annotations

from typing import Any

from nevindex.audit.run import AuditResult, run_audit
from nevindex.audit.sampling import RespondentScores
from nevindex.intervals import SPEC_TABLE
from nevindex.store import codec
from nevindex.store import editions as ed
from nevindex.store._results import AUDIT_NEEDS
from nevindex.store._session import find_edition, require
from nevindex.store._stored import inputs_of
from nevindex.store.db import Store

__all__ = ["AUDIT_MAX_CELLS", "audit_edition"]

#: Audit tables larger than this (cells) are not stored (the per-run score/rank matrices of big designs).
AUDIT_MAX_CELLS = 2_000_000


def audit_edition(store: Store, ref: int | str, spec: Any = None, *, actor: str | None = None,
                  max_cells: int = AUDIT_MAX_CELLS, survey: RespondentScores | None = None) -> tuple[AuditResult, list[str]]:
    """Run the statistical audit (:func:`nevindex.audit.run_audit`) on a built draft's stored inputs
    and store its tables, with the spec beside the rank intervals.

    The audit's nominal build must equal the stored results (else it would describe other numbers).
    ``survey`` (:func:`nevindex.collect.respondent_scores`) feeds a spec's ``survey_sampling`` factor.
    Returns the AuditResult and the names of the stored tables.
    """
    with store.read() as s:
        edition = require(find_edition(s, ref), **AUDIT_NEEDS)
        inputs, expected, label = inputs_of(s, edition), edition.result_sha256, edition.label
    outcome = run_audit(inputs.framework, inputs.dataset, inputs.recipe, spec, year=inputs.year, survey=survey)
    if codec.rows_sha256(*codec.result_rows(outcome.result)) != expected:
        raise ed.VerificationError(f"the audit's nominal build of edition '{label}' differs from its stored "
                                   "results; rebuild the edition first")
    tables = {n: t for n, t in outcome.tables().items() if t.size <= max_cells}
    intervals = outcome.intervals_by_unit()
    if intervals is not None and (spec_table := intervals.spec_table()) is not None:
        tables[SPEC_TABLE] = spec_table
    ed.store_audit(store, ref, tables, actor=actor)
    return outcome, sorted(tables)
