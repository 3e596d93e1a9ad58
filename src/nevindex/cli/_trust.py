"""``nevindex edition verify | receipt | key``: check an edition, its receipt and a downloaded copy.

Registered on the ``edition`` group by :mod:`nevindex.cli.store`. The library is imported inside
the commands (``--help`` stays light).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import ActorOpt, DbOpt, EditionArg, console

__all__ = ["edition_key", "edition_receipt", "edition_verify"]

KeyOpt = Annotated[str | None, typer.Option(
    "--key", help="The publisher's key the receipt must be signed with: its fingerprint (64 hex digits), or a "
    "file with the public key or a receipt you trust (default: this machine's signing key, if any).")]


def edition_verify(
    edition: Annotated[str | None, typer.Argument(help="Edition label, year or id (with --receipt: the "
                                                        "receipt's edition, if left out).", show_default=False)] = None,
    receipt: Annotated[Path | None, typer.Option("--receipt", help="A receipt file to check against (the "
                                                 "store's edition, or with --export a downloaded copy).")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="With --receipt: a folder of the edition's "
                                                "open data to check without any store.")] = None,
    key: KeyOpt = None,
    db: DbOpt = None,
) -> None:
    """Check an edition: its inputs, log, status history, receipt and every stored number (exit 2 if not).

    Without --receipt, against the store's own records; with --receipt, against a receipt someone kept;
    with --receipt and --export, a downloaded copy against its receipt (no store needed)."""
    from nevindex.errors import NevIndexError
    from nevindex.store import editions as ed
    from nevindex.store import receipts

    if export is not None and receipt is None:
        raise NevIndexError("--export needs --receipt: the receipt says what the files must hash to")
    if receipt is None and edition is None:
        raise NevIndexError("name the edition to verify (or give --receipt FILE)")
    document = receipts.read(receipt) if receipt is not None else None
    if document is not None and edition is not None and edition != receipts.body_of(document)["edition"]["label"]:
        raise NevIndexError(f"the receipt is of edition '{receipts.body_of(document)['edition']['label']}', "
                            f"not '{edition}'")
    if document is not None and export is not None:
        report = ed.verify_export(document, export, key=key)
        where = f"the files in {export}"
    else:
        from nevindex.store.db import open_store

        with open_store(db, create=False) as store:
            report = ed.verify(store, edition, key=key) if document is None else \
                ed.verify_receipt(store, document, key=key)
        where = "the store" + (" and the receipt" if document is not None else "")
    console.print(f"[green]verified[/] edition '{report.label}' ({where}; result {report.result_sha256[:12]}):",
                  highlight=False)
    for line in report.checks:
        console.print(f"  ✓ {line}", highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def edition_receipt(
    edition: EditionArg,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the receipt to this file (default: "
                                             "print it).")] = None,
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """The signed receipt of a published edition (one published before receipts existed is verified and
    signed now)."""
    from nevindex.io import prepare_output, write_text
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    if out is not None:
        prepare_output(out, folder=False)
    with open_store(db, create=False) as store:
        document = ed.edition_receipt(store, edition, actor=actor)
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if out is None:
        console.print(text, highlight=False, soft_wrap=True, markup=False, end="")
        return
    write_text(out, text)
    signer = document["receipt"]["signer"]["fingerprint"]
    console.print(f"wrote the receipt of edition '{document['receipt']['edition']['label']}' to {out} (signed by "
                  f"key {signer})", highlight=False)


def edition_key() -> None:
    """This machine's signing key: where it is and the fingerprint to publish, so readers can check receipts."""
    from nevindex import signing

    path = signing.key_path()
    key = signing.load_key(path)
    if key is None:
        console.print(f"no signing key yet: one is made at {path} on the first `nevindex edition publish` "
                      f"(or set {signing.ENV_VAR})", highlight=False)
        return
    public = signing.public_key_text(key)
    console.print(f"signing key: {path}\npublic key:  {public}\nfingerprint: {signing.fingerprint(public)}\n"
                  "Publish the fingerprint where readers find it independently of the data (report, web site); "
                  "they check a receipt with `nevindex edition verify --receipt receipt.json --key FINGERPRINT`.",
                  highlight=False)
