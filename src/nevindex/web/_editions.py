"""Which edition a request means, and its prepared view: the portal's hot path to the store.

Public references ("latest", a label) resolve to published editions only; a resolution is reused
for :data:`~nevindex.web._caching.REF_TTL` seconds, and an edition's :class:`EditionView` for as long
as its result hash is unchanged. Publishing through this process forgets all of it at once.
"""

from __future__ import annotations

from typing import Any

from nevindex.errors import NevIndexError, NotFoundError
from nevindex.web._caching import REF_TTL, Memo, TimedMemo, cache_control, etag
from nevindex.web._views import EditionView, group_columns, ranking_rows

LATEST = "latest"

__all__ = ["LATEST", "EditionAccess", "info_dict"]


class EditionAccess:
    """Editions of one store, resolved and prepared for display (the base of the portal)."""

    def __init__(self, store: Any):
        from nevindex.store import editions as ed

        self.store = store
        self._ed = ed
        self._views = Memo(16)
        self._refs = TimedMemo(REF_TTL)
        #: bumped on every publication: response caches keyed by it forget "latest" at once
        self.generation = 0
        self.cache = Memo(1024)  # serialised API answers and anonymous pages of published editions

    def forget(self) -> None:
        """Forget every resolution and prepared answer ("latest" may now mean another edition)."""
        self._refs.clear()
        self.cache.clear()
        self.generation += 1

    # -- which editions ---------------------------------------------------------------------

    def editions(self, *, include_drafts: bool = False) -> list[dict[str, Any]]:
        """Editions newest first (published only, unless asked; the public list is reused for ``REF_TTL``)."""
        if include_drafts:
            return self._editions(True)
        return list(self._refs.get("\0editions", lambda: self._editions(False)))

    def _editions(self, include_drafts: bool) -> list[dict[str, Any]]:
        return [info_dict(info) for info in reversed(self._ed.list_editions(self.store))
                if info.published or include_drafts]

    def edition_info(self, ref: str | None, *, allow_draft: bool = False) -> Any:
        if ref in (None, "", LATEST):
            info = self._ed.latest_published(self.store)
            if info is None:
                raise NotFoundError("no edition has been published yet")
            return info
        try:
            info = self._ed.get_edition(self.store, ref)
        except NotFoundError:
            raise NotFoundError(f"no edition '{ref}'") from None
        if not info.published and not allow_draft:
            raise NotFoundError(f"no published edition '{ref}'")
        return info

    def recent_info(self, ref: str | None) -> Any:
        """The published edition ``ref`` resolved less than ``REF_TTL`` seconds ago, else None (no I/O)."""
        return self._refs.peek(ref or LATEST)

    def published_info(self, ref: str | None) -> Any:
        """A published edition's info, resolved at most every ``REF_TTL`` seconds (the hot path)."""
        return self._refs.get(ref or LATEST, lambda: self.edition_info(ref))

    # -- prepared views ---------------------------------------------------------------------

    def view(self, ref: str | None, *, allow_draft: bool = False) -> EditionView:
        info = self.edition_info(ref, allow_draft=True) if allow_draft else self.published_info(ref)
        if info.result_sha256 is None:
            raise NevIndexError(f"edition '{info.label}' has not been built yet")
        return self._views.get((info.id, info.result_sha256), lambda: self._make_view(info))

    def _make_view(self, info: Any) -> EditionView:
        result = self._ed.rebuild(self.store, info.id)
        tables = self._ed.edition_tables(self.store, info.id)
        intervals = self._ed.rank_intervals(self.store, info.id)
        groups = group_columns(result)
        rows = ranking_rows(result, tables.get("scores"), intervals, groups)
        values = {c: sorted({str(r["groups"][c]) for r in rows if r["groups"].get(c) not in (None, "")})
                  for c in groups}
        return EditionView(info=info, result=result, rows=rows, intervals=intervals, groups=values)

    def published_views(self) -> list[EditionView]:
        """Every published edition, oldest first."""
        return [self.view(e["label"]) for e in reversed(self.editions())]

    # -- HTTP caching -----------------------------------------------------------------------

    def recent_editions(self) -> list[dict[str, Any]] | None:
        """The public edition list if resolved less than ``REF_TTL`` seconds ago, else None (no I/O)."""
        listed = self._refs.peek("\0editions")
        return None if listed is None else list(listed)

    def http_cache(self, ref: str | None, info: Any, latest_max_age: float,
                   published: list[dict[str, Any]] | None = None) -> dict[str, str]:
        """``ETag`` and ``Cache-Control`` of published data of edition ``info`` asked for as ``ref``
        (``info`` None: data of every published edition, such as their list or a brand's history).

        The tag covers every published edition's result hash (``published``, default: asked for),
        because pages and profiles show the others too (the edition list, a brand's history)."""
        listed = self.editions() if published is None else published
        hashes = [info.result_sha256 if info is not None else "all", *(e["result_sha256"] for e in listed)]
        return {"ETag": etag(hashes), "Cache-Control": cache_control(ref in (None, "", LATEST), latest_max_age)}


def info_dict(info: Any) -> dict[str, Any]:
    """An edition's summary as the API shows it."""
    return {"label": info.label, "year": info.year, "status": info.status, "methodology": info.methodology,
            "dataset": info.dataset, "built": info.result_sha256 is not None, "result_sha256": info.result_sha256,
            "corrects": info.corrects, "created_by": info.created_by,
            "created_at": info.created_at.isoformat() if info.created_at else None,
            "published_at": info.published_at.isoformat() if info.published_at else None}
