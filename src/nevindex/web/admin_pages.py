"""The analysts' pages under ``/admin/`` (and ``/zh/admin/``): sign-in, dashboard, import, create,
build, audit, publish, render the report (:mod:`nevindex.web.report_routes`), and review brand
submissions.

Every state-changing form depends on :func:`nevindex.web.access.form_admin` (signed in, and the
form's CSRF token matches); pages are never cached (``no-store``).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nevindex.errors import DataError
from nevindex.web import access, auth, report_routes, uploads
from nevindex.web.i18n import lang_prefix, split_lang
from nevindex.web.limits import GuardedRoute
from nevindex.web.templating import html, page_of, portal_of, render, slug

admin_router = APIRouter(include_in_schema=False, route_class=GuardedRoute)

__all__ = ["admin_router"]


def _back(request: Request, path: str = "/", message: str | None = None) -> RedirectResponse:
    lang, _ = split_lang(request.url.path)
    target = lang_prefix(lang) + "/admin" + path + (f"?{urlencode({'msg': message})}" if message else "")
    return RedirectResponse(target, status_code=303)


@admin_router.get("/admin/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    existing = access.session_of(request)
    session = existing or auth.SessionData.new()
    page = page_of(request)
    page.csrf = session.csrf
    response = html(render(page, "admin/login.html", error=None))
    if existing is None:
        access.set_session(request, response, session)
    return response


@admin_router.post("/admin/login", response_class=HTMLResponse)
async def login(request: Request, username: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=1000)]) -> Response:
    session = access.session_of(request)
    form = await request.form()
    sent = form.get(auth.CSRF_FIELD)
    if not auth.csrf_ok(session, sent if isinstance(sent, str) else None):
        raise auth.ForbiddenError("missing or wrong CSRF token; reload the sign-in page and try again")
    limiter: auth.LoginLimiter = request.app.state.limiter
    client = access.client_address(request)
    try:
        limiter.check(client, username)
    except auth.RateLimitedError as exc:
        page = page_of(request)
        return html(render(page, "admin/login.html", error=str(exc)), 429)
    if not auth.verify_user(request.app.state.store.engine, username, password):
        limiter.failed(client, username)
        page = page_of(request)
        return html(render(page, "admin/login.html", error=page.t("login_failed")), 401)
    limiter.succeeded(client, username)
    response = _back(request)
    session = auth.start_session(request.app.state.store.engine, username.strip())  # new CSRF token too
    access.set_session(request, response, session)
    return response


@admin_router.post("/admin/logout")
async def logout(request: Request, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    """Sign out: ends every session and API token of the user (the session version moves on)."""
    auth.revoke_sessions(request.app.state.store.engine, user)
    request.app.state.visitors.forget()  # this process stops trusting its recent session checks at once
    response = RedirectResponse(lang_prefix(split_lang(request.url.path)[0]) + "/", status_code=303)
    access.clear_session(response)
    return response


@admin_router.get("/admin/", response_class=HTMLResponse)
def dashboard(request: Request, msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = page_of(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    portal = portal_of(request)
    files = request.app.state.reports
    editions = portal.all_editions()
    rendered = {e["label"]: files.rendered(portal.edition_info(e["label"], allow_draft=True)) for e in editions
                if e.get("built")} if files.enabled else {}
    return html(render(page, "admin/dashboard.html", editions=editions, datasets=portal.datasets(),
                        methodologies=portal.methodologies(), message=msg, reports=files.enabled,
                        rendered=rendered, max_upload=request.app.state.settings.max_upload_bytes))


@admin_router.post("/admin/import")
async def admin_import(request: Request, user: Annotated[str, Depends(access.form_admin)],
                       file: Annotated[UploadFile, File()], units: Annotated[UploadFile | None, File()] = None,
                       label: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    info = await uploads.import_upload(request, user, file, units, label)
    return _back(request, message=f"imported data set '{info['label']}' ({info['observations']} observations)")


@admin_router.post("/admin/editions")
async def admin_create(request: Request, user: Annotated[str, Depends(access.form_admin)],
                       year: Annotated[int, Form(ge=1900, le=2200)], dataset: Annotated[str, Form(max_length=200)],
                       label: Annotated[str | None, Form(max_length=200)] = None,
                       methodology: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    info = portal_of(request).create_edition(year=year, dataset=dataset, methodology=methodology,
                                           label=label or None, actor=user)
    return _back(request, message=f"created draft edition '{info['label']}'")


@admin_router.post("/admin/editions/{edition}/build")
async def admin_build(request: Request, edition: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    portal_of(request).build_edition(edition, actor=user)
    return _back(request, message=f"built edition '{edition}'")


@admin_router.post("/admin/editions/{edition}/audit")
async def admin_run_audit(request: Request, edition: str,
                          user: Annotated[str, Depends(access.form_admin)]) -> Response:
    portal_of(request).audit_edition(edition, actor=user)
    return _back(request, f"/editions/{slug(edition)}/audit", message=f"audited edition '{edition}'")


@admin_router.get("/admin/editions/{edition}/audit", response_class=HTMLResponse)
def admin_audit(request: Request, edition: str, msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = page_of(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    portal = portal_of(request)
    info = portal.edition_info(edition, allow_draft=True)
    return html(render(page, "admin/audit.html", edition=info, audit=portal.audit(edition, allow_draft=True),
                        message=msg))


@admin_router.post("/admin/editions/{edition}/publish")
async def admin_publish(request: Request, edition: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    portal_of(request).publish(edition, actor=user)
    return _back(request, message=f"published edition '{edition}'")


# --- brand submissions: each value beside the public one and last year's, approved or rejected ----

def _submission_id(text: str) -> int:
    if not text.isdigit():
        raise DataError(f"'{text}' is not a submission number", column="submission")
    return int(text)


@admin_router.get("/admin/submissions", response_class=HTMLResponse)
def admin_submissions(request: Request, msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = page_of(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    return html(render(page, "admin/submissions.html", submissions=portal_of(request).submissions(), message=msg))


@admin_router.get("/admin/submissions/{submission}", response_class=HTMLResponse)
def admin_submission(request: Request, submission: str,
                     msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = page_of(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    info = portal_of(request).submission(_submission_id(submission))
    return html(render(page, "admin/submission.html", submission=info, message=msg))


@admin_router.post("/admin/submissions/{submission}/review")
async def admin_review(request: Request, submission: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    """One decision per value (``decision_<value id>``: approve, reject or nothing; ``comment_<value id>``)."""
    number = _submission_id(submission)
    form = await request.form()
    decisions: dict[str, tuple[str, str]] = {}
    for key, decision in form.items():
        if key.startswith("decision_") and decision in ("approve", "reject"):
            comment = str(form.get(f"comment_{key.removeprefix('decision_')}", "")).strip()[:2000]
            if not comment:
                raise DataError("each decision needs a comment: say why", column=f"comment_{key[9:]}")
            decisions[key.removeprefix("decision_")] = (str(decision), comment)
    if not decisions:
        raise DataError("choose approve or reject for at least one value", column="decision")
    portal_of(request).review_submission(number, decisions, actor=user)
    return _back(request, f"/submissions/{number}", message=f"recorded {len(decisions)} decision(s)")
# the report's admin routes (render, download a draft's report) are admin pages like the others
admin_router.post("/admin/editions/{edition}/report")(report_routes.admin_render)
admin_router.get("/admin/editions/{edition}/report-{lang}.{fmt}")(report_routes.admin_report)
