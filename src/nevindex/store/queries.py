"""One answer to the questions every reader of the store asks: which edition is meant, which came
before it, a brand's history, how sure its rank is.

The CLI, the report and the portal call these functions and nothing else for those questions, so
they cannot disagree about them:

- :func:`resolve_edition`: a reference as people type it: label, ``latest``, a year when it names one
  edition (the published edition no correction supersedes), or an id. The rule is
  :func:`nevindex.store._session.find_edition`'s, which every store operation uses too.
- :func:`history_editions` / :func:`previous_edition`: an edition's history is, for each earlier
  year, the current published edition of the same index (methodology code), then the edition itself.
- :func:`brand_history`: a unit's stored index score, rank, rating and element scores over that history.
- :func:`rank_intervals`: the audit's typed :class:`~nevindex.intervals.RankIntervals`.

Listing and resolving editions load neither pandas nor the engine, so ``nevindex edition list`` is quick.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nevindex.errors import NotFoundError
from nevindex.intervals import INTERVALS_TABLE, SPEC_TABLE, RankIntervals
from nevindex.store._records import EditionInfo, edition_info
from nevindex.store._session import LATEST, current_of_year, find_edition
from nevindex.store.db import Store
from nevindex.store.models import PUBLISHED, Edition, UnitResult

__all__ = ["LATEST", "HistoryPoint", "brand_history", "get_edition", "history_editions", "latest_published",
           "list_editions", "previous_edition", "rank_intervals", "resolve_edition", "unit_names"]


def resolve_edition(store: Store, ref: str | int, *, published_only: bool = False) -> EditionInfo:
    """The edition ``ref`` names (label, ``latest``, unambiguous year, or id; an ``int`` is an id).

    Raises NotFoundError (listing the editions) when none matches, or when ``published_only`` and
    the edition is a draft; AmbiguousEditionError listing the candidates when a year names several.
    """
    with store.read() as s:
        edition = find_edition(s, ref)
        if published_only and edition.status != PUBLISHED:
            raise NotFoundError(f"no published edition '{ref}'")
        return edition_info(edition)


def get_edition(store: Store, ref: int | str) -> EditionInfo:
    """Same as :func:`resolve_edition` (the name the store's first callers used)."""
    return resolve_edition(store, ref)


def list_editions(store: Store) -> list[EditionInfo]:
    """Every edition, oldest year first (within a year, in order of creation)."""
    with store.read() as s:
        return [edition_info(e) for e in s.scalars(select(Edition).order_by(Edition.year, Edition.id))]


def latest_published(store: Store, year: int | None = None) -> EditionInfo | None:
    """The newest published edition (of ``year``): a correction supersedes what it corrects."""
    with store.read() as s:
        query = select(Edition).where(Edition.status == PUBLISHED)
        if year is not None:
            query = query.where(Edition.year == year)
        row = s.scalars(query.order_by(Edition.year.desc(), Edition.published_at.desc(), Edition.id.desc())).first()
        return edition_info(row) if row is not None else None


def _history(session: Session, edition: Edition) -> list[Edition]:
    code = edition.methodology.code
    earlier = session.scalars(select(Edition).where(Edition.year < edition.year, Edition.status == PUBLISHED)
                              .order_by(Edition.year, Edition.published_at, Edition.id)).all()
    by_year: dict[int, list[Edition]] = {}
    for e in earlier:
        if e.methodology.code == code:
            by_year.setdefault(e.year, []).append(e)
    # two current editions of one year and index: the one published last stands
    return [current_of_year(same)[-1] for _, same in sorted(by_year.items())] + [edition]


def history_editions(store: Store, ref: str | int = LATEST) -> list[EditionInfo]:
    """The editions a reader of ``ref`` sees as its history, oldest first, ending with ``ref`` itself:
    for each earlier year, the current published edition of the same index (methodology code)."""
    with store.read() as s:
        return [edition_info(e) for e in _history(s, find_edition(s, ref))]


def previous_edition(store: Store, ref: str | int) -> EditionInfo | None:
    """The edition before ``ref`` in its history (the nearest earlier year), or None."""
    history = history_editions(store, ref)
    return history[-2] if len(history) > 1 else None


@dataclass(frozen=True)
class HistoryPoint:
    """A unit in one edition, as stored at its build (NaN score and rank where it was not scored)."""

    label: str
    year: int
    score: float
    rank: float
    n_ranked: int  # units with a rank in that edition
    rating: str | None
    elements: Mapping[str, float] = field(default_factory=dict)  # the root's children: code → score


def brand_history(store: Store, unit: str, *, upto: str | int = LATEST) -> list[HistoryPoint]:
    """The unit's stored numbers in each edition of :func:`history_editions` ``(upto)`` that has it,
    oldest first (an empty list when no edition has the unit)."""
    from nevindex.store._stored import stored_framework  # the engine's types: loaded only when asked

    points = []
    with store.read() as s:
        for edition in _history(s, find_edition(s, upto)):
            fw = stored_framework(edition.methodology)
            rows = {r.node: r for r in s.scalars(select(UnitResult).where(UnitResult.edition_id == edition.id,
                                                                          UnitResult.unit == unit))}
            root = rows.get(fw.root)
            if root is None:
                continue
            ranked = s.scalar(select(func.count()).select_from(UnitResult).where(
                UnitResult.edition_id == edition.id, UnitResult.node == fw.root, UnitResult.rank.is_not(None)))
            points.append(HistoryPoint(
                label=edition.label, year=edition.year, score=_nan(root.score), rank=_nan(root.rank),
                n_ranked=int(ranked or 0), rating=root.rating or None,
                elements={c: _nan(rows[c].score) for c in fw.children[fw.root] if c in rows}))
    return points


def unit_names(store: Store, ref: str | int) -> dict[str, str]:
    """Each unit's name in the edition's data set (code → name), for tables people read: ``edition
    show`` and ``compare`` print names, not codes. Read from the stored structure, without the engine."""
    with store.read() as s:
        edition = find_edition(s, ref)
        structure = json.loads(edition.dataset.structure)
    return {str(u): str(n or u) for u, n in zip(structure["units"], structure["names"], strict=True)}


def rank_intervals(store: Store, ref: str | int) -> RankIntervals | None:
    """The rank intervals of the edition's stored audit (None when it was audited without a spec,
    or not at all)."""
    from nevindex.store._results import audit_tables  # pandas: loaded only when asked

    return RankIntervals.from_tables(audit_tables(store, ref, names=(INTERVALS_TABLE, SPEC_TABLE)))


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)
