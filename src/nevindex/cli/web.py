"""``nevindex serve``, ``nevindex site export`` and ``nevindex admin create-user|revoke``: the portal from the shell."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import DbOpt, console
from nevindex.errors import NevIndexError

__all__ = ["app"]

app = typer.Typer()
site_app = typer.Typer(help="The public site as static files.", no_args_is_help=True)
admin_app = typer.Typer(help="Portal administrators.", no_args_is_help=True)
app.add_typer(site_app, name="site")
app.add_typer(admin_app, name="admin")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; 0.0.0.0 for all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOpt = None,
    demo: Annotated[bool, typer.Option("--demo", help="First add the demonstration editions to the store.")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the portal, the API (/api/v1) and the admin side (uploads: at most NEVINDEX_MAX_UPLOAD_MB per file, 20 by default)."""
    import uvicorn

    from nevindex.cli._reports import render_report
    from nevindex.store.db import as_url, open_store
    from nevindex.web.app import create_app

    url = as_url(db) if db else None
    store = open_store(url)
    if demo:
        from nevindex.nev.publish import publish_demo_editions

        with console.status("adding the demonstration editions…"):
            added = publish_demo_editions(store)
        console.print(f"demonstration editions: {', '.join(added) or 'already present'}")
    if host not in ("127.0.0.1", "localhost", "::1") and os.environ.get("NEVINDEX_SECURE_COOKIES") != "1":
        console.print("[yellow]warning:[/] listening beyond loopback: put the portal behind HTTPS and set "
                      "NEVINDEX_SECURE_COOKIES=1 so that session cookies are never sent in clear")

    console.print(f"nevindex portal on http://{host}:{port}/  (API: /api/v1, store: {store.safe_url})", soft_wrap=True)
    if workers > 1:
        if url:
            os.environ["NEVINDEX_DB"] = url
        uvicorn.run("nevindex.cli._reports:portal_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", proxy_headers=False)
    else:
        uvicorn.run(create_app(store=store, reports=render_report), host=host, port=port, log_level="warning", proxy_headers=False)


@site_app.command("export")
def site_export(out: Annotated[Path, typer.Argument(help="Folder for the site (created if missing).")],
                db: DbOpt = None,
                reports: Annotated[bool, typer.Option("--reports",
                                                      help="Also render each edition's annual report (PDF and HTML, "
                                                           "en and zh; several seconds per file) for the Downloads page.")] = False,
                ) -> None:
    """Write the public site of every published edition as plain files (with CSV/XLSX/JSON downloads)."""
    from nevindex.cli._reports import render_report
    from nevindex.io import prepare_output
    from nevindex.store.db import open_store
    from nevindex.web.service import Portal
    from nevindex.web.site import export_site

    prepare_output(out, folder=True, option="OUT")
    with open_store(db, create=False) as store, console.status("rendering the site…"):
        files = export_site(Portal(store), out, reports=render_report if reports else None)
    console.print(f"wrote {len(files)} files to {out}")


@admin_app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="User name (no spaces).")],
    db: DbOpt = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]
    = False,
) -> None:
    """Add a portal administrator, or set a new password (which signs that user out everywhere); the
    password is stored as an argon2 hash."""
    from nevindex.store.db import open_store
    from nevindex.web import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise NevIndexError("the password is empty")
    with open_store(db) as store:
        auth.create_user(store.engine, username, password)
    console.print(f"administrator '{auth.check_username(username)}' can now sign in")


@admin_app.command("revoke")
def revoke(username: Annotated[str, typer.Argument(help="User name.")], db: DbOpt = None) -> None:
    """Sign an administrator out everywhere: end every session cookie and API token of that user."""
    from nevindex.store.db import open_store
    from nevindex.web import auth

    with open_store(db, create=False) as store:
        auth.revoke_sessions(store.engine, username.strip())
    console.print(f"administrator '{username.strip()}' is signed out everywhere: every session and API token "
                  "issued so far no longer works (signing in again works)")
