"""Brand submissions, end to end: questionnaire → import (pending) → review → merge.

The use cases the CLI and the portal call. Each gathers what the store knows of the edition
(:func:`context`), hands it to the pure parts (:mod:`~nevindex.collect.questionnaire`,
:mod:`~nevindex.collect.questionnaire_read`, :mod:`~nevindex.collect.plausibility`,
:mod:`~nevindex.collect.merge`) and stores the outcome in one transaction
(:mod:`nevindex.store.submissions`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from nevindex.collect.merge import merged_dataset
from nevindex.collect.plausibility import warnings_for
from nevindex.collect.questionnaire import TEMPLATE_VERSION, Context, write_template
from nevindex.collect.questionnaire_read import MAX_BYTES, QuestionnaireError, read_meta, read_questionnaire
from nevindex.errors import NevIndexError, NotFoundError
from nevindex.store import editions as ed
from nevindex.store import submissions as subs
from nevindex.store.db import Store

__all__ = ["context", "import_submission", "merge_edition", "review", "template"]


def _goalposts(fw, code: str, raw) -> tuple[float | None, float | None]:  # type: ignore[no-untyped-def]
    if raw.goalposts is not None:
        return raw.goalposts.min, raw.goalposts.max
    node = next((i for i in fw.indicators if i.code == code), None)
    params = (node.params.get("normalise") or {}) if node is not None else {}
    if params.get("method") == "goalposts":
        return params.get("lower"), params.get("upper")
    return None, None


def _cells(ds, year: int, codes: Iterable[str]) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    """(brand, code) → value of ``year`` in a data set, where observed (a merged value's public one)."""
    out: dict[tuple[str, str], float] = {}
    if year not in ds.years:
        return out
    t = ds.years.index(year)
    merged = {}
    if ds.provenance is not None and "collection" in ds.provenance.columns:
        p = ds.provenance
        for rec in p[(p["year"] == year) & (p["collection"] == "submission")].to_dict("records"):
            public = rec.get("public_value")
            merged[(rec["unit"], rec["column"])] = float(public) if public not in (None, "") and public == public \
                else math.nan
    for code in codes:
        if code not in ds.columns:
            continue
        c = ds.columns.index(code)
        for u, unit in enumerate(ds.units):
            value = merged.get((unit, code), float(ds.values[t, u, c]))
            if math.isfinite(value):
                out[(unit, code)] = value
    return out


def _data_year(store: Store, label: str) -> int:
    inputs = ed.edition_inputs(store, label)
    return int(inputs.year) if inputs.year is not None else int(max(inputs.dataset.years))


def context(store: Store, edition: str | int) -> Context:
    """What the store knows of an edition that its questionnaire needs."""
    info = ed.get_edition(store, edition)
    fw = ed.edition_inputs(store, info.label).framework
    raws = fw.collected_by("submission")
    if not raws:
        raise NevIndexError(f"the methodology of edition '{info.label}' ({info.methodology}) collects nothing by "
                            "submission: declare raw_indicators with collection: submission (docs/collection.md)")
    year = _data_year(store, info.label)
    codes = [r.code for r in raws]
    data = ed.get_dataset(store, info.dataset_sha256)
    last: dict[tuple[str, str], float] = {}
    previous = ed.previous_edition(store, info.label)
    if previous is not None:
        last = _cells(ed.get_dataset(store, previous.dataset_sha256), _data_year(store, previous.label), codes)
    names = {lang: fw.framework.name.get(lang) for lang in ("en", "zh")}
    return Context(info.label, info.id, names, year, info.methodology_sha256, raws, tuple(data.units),
                   _cells(data, year, codes), last, {r.code: _goalposts(fw, r.code, r) for r in raws})


def template(store: Store, edition: str | int, out: str | Path, *, brand: str | None = None,
             lang: str = "en") -> Path:
    """Write the questionnaire of an edition (for one brand, or for any brand to fill in)."""
    ctx = context(store, edition)
    if brand is not None and brand not in ctx.units:
        from nevindex.validation import nearest

        hint = nearest(brand, ctx.units)
        raise NotFoundError(f"brand '{brand}' is not in edition '{ctx.edition}'" +
                            (f" (did you mean '{hint}'?)" if hint else "") + " (--brand)")
    return write_template(ctx, out, brand=brand, lang=lang)


def import_submission(store: Store, path: str | Path, *, submitted_by: str, edition: str | None = None,
                      max_bytes: int = MAX_BYTES, actor: str | None = None) -> subs.SubmissionInfo:
    """Check a filled questionnaire and store it as pending with its warnings; hard errors store nothing."""
    path = Path(path)
    if not submitted_by or not submitted_by.strip():
        raise NevIndexError("say who submitted the questionnaire (--submitted-by)")
    wb, meta = read_meta(path, max_bytes=max_bytes)
    named = edition if edition is not None else meta["edition"]
    if edition is not None and meta["edition"] != edition:
        raise QuestionnaireError(f"sheet '_nevindex', cell B3: the questionnaire is for edition '{meta['edition']}', "
                                 f"not '{edition}' (--edition); nothing was stored", file=str(path))
    try:
        ctx = context(store, named)
    except NotFoundError as exc:
        raise QuestionnaireError(f"sheet '_nevindex', cell B3: the questionnaire is for edition '{named}', which "
                                 f"this store does not have ({exc}); nothing was stored", file=str(path)) from None
    if ctx.edition != named:  # a bare year found another edition of that year: the file names a label
        raise QuestionnaireError(f"sheet '_nevindex', cell B3: the questionnaire is for edition '{named}', which "
                                 f"this store does not have (its edition of that year is '{ctx.edition}'); nothing "
                                 "was stored", file=str(path))
    filled = read_questionnaire(path, ctx, wb=wb, meta=meta)
    values = tuple(subs.NewValue(
        v.code, v.year, v.value, v.unit, v.evidence, v.note, v.cell, ctx.public.get((filled.brand, v.code)),
        ctx.last.get((filled.brand, v.code)),
        warnings_for(v.value, last=ctx.last.get((filled.brand, v.code)), public=ctx.public.get((filled.brand, v.code)),
                     goalposts=ctx.goalposts.get(v.code, (None, None)))) for v in filled.values)
    new = subs.NewSubmission(ctx.edition_id, filled.brand, ctx.methodology_sha256, TEMPLATE_VERSION, path.name,
                             path.read_bytes(), submitted_by.strip(), values)

    def duplicate(open_one: subs.SubmissionInfo) -> NevIndexError:
        sheet, cell = filled.brand_cell.split("!")
        return QuestionnaireError(
            f"sheet '{sheet}', cell {cell}: brand '{filled.brand}' already has submission #{open_one.id} for edition "
            f"'{open_one.edition}' ({open_one.status}); nothing was stored", file=str(path),
            hint="an analyst reviews (and merges) or rejects that one first: `nevindex collect show "
                 f"{open_one.id}`")

    return subs.add_submission(store, new, actor=actor, on_open=duplicate)


def review(store: Store, submission_id: int, decisions: dict[str, tuple[str, str]], *, reviewer: str,
           every: tuple[str, str] | None = None) -> subs.SubmissionInfo:
    """Decide on values of a submission: ``decisions`` maps an indicator code (or value id) to
    (approve|reject, comment); ``every`` decides every value still pending the same way."""
    info = subs.get_submission(store, submission_id)
    by_key = {v.indicator: v for v in info.values} | {str(v.id): v for v in info.values}
    chosen: list[tuple[int, str, str]] = []
    for key, (decision, comment) in decisions.items():
        value = by_key.get(key)
        if value is None:
            raise NotFoundError(f"submission #{submission_id} has no value '{key}'; its values: "
                                f"{', '.join(v.indicator for v in info.values)}")
        chosen.append((value.id, decision, comment))
    if every is not None:
        named = {vid for vid, _, _ in chosen}
        chosen += [(v.id, *every) for v in info.values if v.status == "pending" and v.id not in named]
    if not chosen:
        raise NevIndexError(f"nothing to decide: every value of submission #{submission_id} has a decision "
                            "(name a value to change its decision)")
    return subs.add_reviews(store, submission_id, chosen, reviewer=reviewer)


def merge_edition(store: Store, edition: str | int, *, actor: str | None = None) -> subs.MergeOutcome:
    """A new data-set version of the edition's data plus every approved value (see
    :func:`nevindex.store.submissions.merge_approved`: a draft takes it, a published edition gets a
    correction)."""
    return subs.merge_approved(store, edition, merged_dataset, actor=actor)

