"""REST API, version 1 (``/api/v1``): thin routes over :class:`nevindex.web.service.Portal`.

Reads of published editions are cached as serialised JSON (published editions never change;
the cache key includes the edition's result hash). Every admin route depends on
:func:`nevindex.web.access.api_admin` (bearer token, or session cookie plus CSRF header).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from nevindex.web import access, auth, report_routes, schemas, uploads
from nevindex.web._caching import etag_matches
from nevindex.web.limits import GuardedRoute
from nevindex.web.service import Portal, RankingQuery

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorResponse, "description": "Bad request (e.g. unknown filter value)"},
    404: {"model": schemas.ErrorResponse, "description": "Unknown edition or brand"},
    422: {"model": schemas.ErrorResponse, "description": "Invalid parameter"},
}
ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": schemas.ErrorResponse, "description": "Not signed in / bad token"},
    403: {"model": schemas.ErrorResponse, "description": "Missing or wrong CSRF token"},
    409: {"model": schemas.ErrorResponse, "description": "The edition is published and cannot change"},
    413: {"model": schemas.ErrorResponse, "description": "The request body is larger than its limit"},
}

router = APIRouter(tags=["public"], responses=ERRORS, route_class=GuardedRoute)
admin_router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN_ERRORS, dependencies=[Depends(access.api_admin)],
                         route_class=GuardedRoute)

Lang = Literal["en", "zh"]
#: Marks a response as published data that the response cache may keep (see nevindex.web.cache).
CACHEABLE = {"x-nevindex-cacheable": "1"}
EditionRef = Annotated[str, "edition label, or 'latest' for the newest published edition"]

__all__ = ["CACHEABLE", "admin_router", "router"]


def _portal(request: Request) -> Portal:
    return request.app.state.portal  # type: ignore[no-any-return]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


async def _cached(request: Request, edition: str, key: tuple[Any, ...], make: Callable[[], Any],
                  model: type[BaseModel] | None) -> Response:
    """The JSON of ``make()`` for a published edition, computed once per edition result, with the
    ``ETag`` and ``Cache-Control`` that let any proxy keep it (``If-None-Match`` → 304)."""
    portal = _portal(request)
    info = portal.recent_info(edition) or await run_in_threadpool(portal.published_info, edition)
    listed = portal.recent_editions() or await run_in_threadpool(portal.editions)
    headers = {**portal.http_cache(edition, info, request.app.state.settings.response_ttl, listed), **CACHEABLE}
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    full_key = (info.id, info.result_sha256, headers["ETag"], *key)
    body = portal.cache.peek(full_key)
    if body is None:
        data = await run_in_threadpool(make)
        if model is not None:
            model.model_validate(data)  # the cached answer must match the documented schema
        body = _json(data)
        portal.cache.put(full_key, body)
    return Response(body, media_type="application/json", headers=headers)


async def _every_published(request: Request, make: Callable[[], Any]) -> Response:
    """The JSON of ``make()``, data of every published edition, with its ``ETag`` and ``Cache-Control``."""
    portal = _portal(request)
    listed = portal.recent_editions() or await run_in_threadpool(portal.editions)
    headers = portal.http_cache(None, None, request.app.state.settings.response_ttl, listed)
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(_json(await run_in_threadpool(make)), media_type="application/json", headers=headers)


@router.get("/editions", response_model=schemas.EditionList, summary="Published editions, newest first")
async def editions(request: Request) -> Any:
    return await _every_published(request, lambda: {"editions": _portal(request).editions()})


@router.get("/editions/{edition}", response_model=schemas.EditionMeta, summary="One edition: elements, ratings, groups")
async def edition(request: Request, edition: EditionRef) -> Any:
    return await _cached(request, edition, ("meta",), lambda: _portal(request).view(edition).meta(),
                         schemas.EditionMeta)


@router.get("/editions/{edition}/ranking", response_model=schemas.Ranking,
            summary="The ranking, filtered, sorted and paged")
async def ranking(
    request: Request,
    edition: EditionRef,
    group: Annotated[list[str], Query(description="column:value, e.g. country:CN (repeat to combine)")] = [],  # noqa: B006
    element: Annotated[str | None, Query(description="rank by this element (or any aggregate) instead of the index")] = None,
    rating: Annotated[list[str], Query(description="keep these rating labels (repeatable)")] = [],  # noqa: B006
    q: Annotated[str | None, Query(max_length=100, description="search in brand code and names")] = None,
    sort: Annotated[str, Query(description="rank, score, name, rating or country, ascending; prefix - for descending (-score: highest first)")] = "rank",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    lang: Lang = "en",
) -> Any:
    query = RankingQuery(group=tuple(group), element=element, rating=tuple(rating), q=q, sort=sort, limit=limit,
                         offset=offset)
    return await _cached(request, edition, ("ranking", query, lang),
                         lambda: _portal(request).ranking(edition, query, lang), schemas.Ranking)


@router.get("/editions/{edition}/brands/{brand}", response_model=schemas.Profile,
            summary="A brand's profile: scores, indicators with sources, strengths and weaknesses, levers, peers")
async def brand(request: Request, edition: EditionRef, brand: str,
                peers: Annotated[str | None, Query(description="group column for peer comparisons")] = None) -> Any:
    return await _cached(request, edition, ("brand", brand, peers),
                         lambda: _portal(request).brand(edition, brand, peers=peers), schemas.Profile)


@router.post("/editions/{edition}/brands/{brand}/whatif", response_model=schemas.WhatIf,
             summary="Change indicator values of a brand and get its new scores and rank (engine rebuild)")
def whatif(request: Request, edition: EditionRef, brand: str, body: schemas.WhatIfRequest) -> Any:
    return _portal(request).whatif(edition, brand, body.changes, natural=body.units == "natural")


@router.get("/brands/{brand}/history", response_model=schemas.History,
            summary="A brand's index, rank and rating in every published edition")
async def history(request: Request, brand: str) -> Any:
    return await _every_published(request, lambda: _portal(request).history(brand))


@router.get("/editions/{edition}/compare", response_model=schemas.Comparison, summary="Two to four brands side by side")
async def compare(request: Request, edition: EditionRef,
                  brands: Annotated[list[str], Query(description="2 to 4 brand codes (repeat the parameter)")]) -> Any:
    codes = tuple(c for b in brands for c in b.split(","))
    return await _cached(request, edition, ("compare", codes),
                         lambda: _portal(request).compare(edition, codes), schemas.Comparison)


@router.get("/editions/{edition}/indicators", response_model=schemas.Indicators, summary="Indicators and their metadata")
async def indicators(request: Request, edition: EditionRef) -> Any:
    return await _cached(request, edition, ("indicators",), lambda: _portal(request).indicators(edition),
                         schemas.Indicators)


@router.get("/editions/{edition}/methodology", response_model=schemas.Methodology,
            summary="The methodology: framework tree with weights, method choices, rating bands")
async def methodology(request: Request, edition: EditionRef) -> Any:
    return await _cached(request, edition, ("methodology",), lambda: _portal(request).methodology(edition),
                         schemas.Methodology)


@router.get("/editions/{edition}/audit", response_model=schemas.Audit, summary="Audit results of a published edition")
async def audit(request: Request, edition: EditionRef) -> Any:
    return await _cached(request, edition, ("audit",), lambda: _portal(request).audit(edition), schemas.Audit)


@router.get("/editions/{edition}/download.{fmt}", summary="Open data of a published edition (csv, xlsx or json)",
            response_class=Response, responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def download(request: Request, edition: EditionRef, fmt: str) -> Response:
    portal = _portal(request)
    content, media, name = portal.download(edition, fmt)
    headers = portal.http_cache(edition, portal.published_info(edition), request.app.state.settings.response_ttl)
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media, headers={**headers, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/editions/{edition}/receipt", summary="The signed receipt of a published edition: its hashes, "
            "the log head at publication and the signer's key (check it: `nevindex edition verify --receipt`)")
async def receipt(request: Request, edition: EditionRef) -> Any:
    return await _cached(request, edition, ("receipt",), lambda: _portal(request).receipt(edition), None)


@router.post("/auth/token", response_model=schemas.Token, tags=["admin"],
             summary="A bearer token for the admin API (rate-limited)")
def token(request: Request, body: schemas.TokenRequest) -> Any:
    limiter: auth.LoginLimiter = request.app.state.limiter
    client = access.client_address(request)
    limiter.check(client, body.username)
    if not auth.verify_user(request.app.state.store.engine, body.username, body.password):
        limiter.failed(client, body.username)
        raise auth.AuthError("wrong user name or password")
    limiter.succeeded(client, body.username)
    user = body.username.strip()
    version = auth.session_version(request.app.state.store.engine, user)
    if version is None:  # removed between the password check and now
        raise auth.AuthError("wrong user name or password")
    return {"access_token": auth.issue_token(request.app.state.signer, user, version),
            "token_type": "bearer", "expires_in": auth.TOKEN_SECONDS}


# --- admin ---------------------------------------------------------------------------------------


@admin_router.get("/editions", response_model=schemas.EditionList, summary="Every edition, drafts included")
def admin_editions(request: Request) -> Any:
    return {"editions": _portal(request).all_editions()}


@admin_router.get("/datasets", response_model=list[schemas.DataSetInfo], summary="Imported data sets")
def admin_datasets(request: Request) -> Any:
    return _portal(request).datasets()


@admin_router.post("/datasets", response_model=schemas.DataSetInfo, status_code=201,
                   summary="Import a data file (CSV, XLSX or Parquet; size-limited), with an optional units table")
async def admin_import(request: Request, user: Annotated[str, Depends(access.api_admin)],
                       file: Annotated[UploadFile, File()], units: Annotated[UploadFile | None, File()] = None,
                       label: Annotated[str | None, Form(max_length=200)] = None) -> Any:
    return await uploads.import_upload(request, user, file, units, label)


@admin_router.post("/editions", response_model=schemas.EditionSummary, status_code=201, summary="Create a draft edition")
def admin_create(request: Request, body: schemas.CreateEdition, user: Annotated[str, Depends(access.api_admin)]) -> Any:
    return _portal(request).create_edition(year=body.year, dataset=body.dataset, methodology=body.methodology,
                                           label=body.label, actor=user)


@admin_router.post("/editions/{edition}/build", response_model=schemas.EditionSummary, summary="Build a draft edition")
def admin_build(request: Request, edition: str, user: Annotated[str, Depends(access.api_admin)]) -> Any:
    return _portal(request).build_edition(edition, actor=user)


@admin_router.post("/editions/{edition}/audit", response_model=schemas.Audit, summary="Run and store a draft's audit")
def admin_run_audit(request: Request, edition: str, user: Annotated[str, Depends(access.api_admin)]) -> Any:
    return _portal(request).audit_edition(edition, actor=user)


@admin_router.get("/editions/{edition}/audit", response_model=schemas.Audit, summary="Audit of any edition (drafts too)")
def admin_audit(request: Request, edition: str) -> Any:
    return _portal(request).audit(edition, allow_draft=True)


@admin_router.post("/editions/{edition}/publish", response_model=schemas.EditionSummary,
                   summary="Publish a built draft (irreversible)")
def admin_publish(request: Request, edition: str, user: Annotated[str, Depends(access.api_admin)]) -> Any:
    return _portal(request).publish(edition, actor=user)


admin_router.post("/editions/{edition}/report", summary="Render the edition's annual report (en and zh, PDF and HTML; "
                  "drafts too): the admin pages serve the files, the public /reports/ those of published editions"
                  )(report_routes.api_render)
