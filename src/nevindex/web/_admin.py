"""What analysts change through the portal: import data, create, build, audit and publish editions
(and the list of methodologies to create them with).

Each method is one store use case with the acting user recorded; the store refuses changes to a
published edition (409). Publishing makes "latest" mean another edition, so every cache forgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nevindex.audit.spec import DEFAULT_RUNS, default_spec
from nevindex.web._editions import info_dict
from nevindex.web._errors import ParameterError
from nevindex.web._reads import PortalReads

__all__ = ["AdminWrites", "methodology_source"]


class AdminWrites(PortalReads):
    """The portal with its write side: what an analyst may do besides reading."""

    def all_editions(self) -> list[dict[str, Any]]:
        return self.editions(include_drafts=True)

    def datasets(self) -> list[dict[str, Any]]:
        return [{"id": d.id, "label": d.label, "sha256": d.sha256, "observations": d.n_observations,
                 "units": d.units, "columns": d.columns, "years": list(d.years)}
                for d in reversed(self._ed.list_datasets(self.store))]

    def methodologies(self) -> list[dict[str, Any]]:
        """What an edition can be built with: the shipped NEV methodologies, then every stored one."""
        from sqlalchemy import select

        from nevindex.nev.edition import CURRENT
        from nevindex.store.models import Methodology

        out = [{"value": name, "label": f"{name} (NEV {version}, shipped)", "default": version == CURRENT}
               for name, version in shipped_methodologies().items()]
        with self.store.read() as s:
            for m in s.scalars(select(Methodology).order_by(Methodology.id)):
                out.append({"value": str(m.id), "label": f"#{m.id}: {m.code} {m.version} ({m.sha256[:8]})",
                            "default": False})
        return out

    def import_data(self, path: Path, *, label: str, units_file: Path | None, actor: str) -> dict[str, Any]:
        info = self._ed.import_data(self.store, path, label=label, units_file=units_file, actor=actor)
        return {"id": info.id, "label": info.label, "sha256": info.sha256, "observations": info.n_observations,
                "units": info.units, "columns": info.columns, "years": list(info.years), "created": info.created}

    def create_edition(self, *, year: int, dataset: str, methodology: str | None, label: str | None,
                       actor: str) -> dict[str, Any]:
        meth: Any = methodology_source(methodology)
        info = self._ed.create_edition(self.store, year=year, methodology=meth, dataset=dataset, label=label,
                                       actor=actor)
        return info_dict(info)

    def build_edition(self, ref: str, *, actor: str) -> dict[str, Any]:
        self._require_draft(ref)
        return info_dict(self._ed.build_edition(self.store, ref, actor=actor))

    def audit_edition(self, ref: str, *, actor: str, runs: int = DEFAULT_RUNS) -> dict[str, Any]:
        """Run the statistical audit of a built draft (with rank intervals) and store its tables."""
        self._require_draft(ref)
        inputs = self._ed.edition_inputs(self.store, ref)
        from nevindex.workflows import audit_edition

        audit_edition(self.store, ref, default_spec(inputs.framework, runs=runs), actor=actor)
        return self.audit(ref, allow_draft=True)

    def publish(self, ref: str, *, actor: str) -> dict[str, Any]:
        info = self._ed.publish(self.store, ref, actor=actor)
        self.forget()  # "latest" now means another edition
        return info_dict(info)

    # --- brand submissions (review them value by value) ----------------------------------------

    def submissions(self) -> list[dict[str, Any]]:
        from nevindex.store import submissions as subs

        return [{"id": r.id, "edition": r.edition, "brand": r.brand, "submitted_by": r.submitted_by,
                 "submitted_at": r.submitted_at, "values": len(r.values), "status": r.status,
                 "warnings": sum(len(v.warnings) for v in r.values)}
                for r in reversed(subs.list_submissions(self.store))]

    def submission(self, submission_id: int) -> dict[str, Any]:
        """A submission's values, each beside the public and last published value, with its warnings."""
        from nevindex.store import submissions as subs

        info = subs.get_submission(self.store, submission_id)
        values = [{"id": v.id, "indicator": v.indicator, "year": v.year, "value": v.value, "unit": v.unit_of_measure,
                   "evidence": v.evidence, "note": v.note, "cell": v.cell, "public_value": v.public_value,
                   "last_value": v.last_value, "warnings": list(v.warnings), "status": v.status,
                   "reviews": [{"decision": r.decision, "comment": r.comment, "reviewer": r.reviewer, "at": r.at}
                               for r in v.reviews]} for v in info.values]
        return {"id": info.id, "edition": info.edition, "brand": info.brand, "submitted_by": info.submitted_by,
                "submitted_at": info.submitted_at, "file_name": info.file_name, "file_sha256": info.file_sha256,
                "status": info.status, "values": values}

    def review_submission(self, submission_id: int, decisions: dict[str, tuple[str, str]], *,
                          actor: str) -> dict[str, Any]:
        from nevindex.collect.submissions import review

        review(self.store, submission_id, decisions, reviewer=actor)
        return self.submission(submission_id)

    def _require_draft(self, ref: str) -> None:
        self.edition_info(ref, allow_draft=True)  # 404 for unknown editions; the store refuses published ones


def shipped_methodologies() -> dict[str, str]:
    """The shipped NEV methodologies by the name the form and API accept (``nev-2026``) → version."""
    from nevindex.nev.edition import METHODOLOGIES

    return {Path(file).stem: version for version, file in METHODOLOGIES.items()}


def methodology_source(methodology: str | None) -> Any:
    """A stored methodology id, or a shipped NEV methodology by name (default: the current one)."""
    from nevindex.nev.edition import CURRENT, nev_framework

    if methodology and methodology.strip().isdigit():
        return int(methodology)
    shipped = shipped_methodologies()
    if methodology in (None, "", "nev"):
        return nev_framework(CURRENT)
    if methodology not in shipped:
        raise ParameterError(f"unknown methodology '{methodology}'", parameter="methodology",
                             hint="pick one from the list: a stored methodology id, or " + ", ".join(shipped))
    return nev_framework(shipped[methodology])
