"""Uploaded data files: size and type limits, checked before the store parses anything, then imported.

The request as a whole was already authenticated and capped before its body was read
(:mod:`nevindex.web.limits`); here each file is held to ``max_upload_bytes``.

The type is judged by extension *and* content (an .xlsx must be a zip, a .parquet must start
with ``PAR1``, a .csv must be UTF-8 text without NUL bytes). The name the browser sent is never used
as a path: the working copy gets a sanitised version of it in a private temporary folder, and every
error names the file as the analyst knows it (its own base name), never the server's working copy.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from nevindex.errors import NevIndexError

ALLOWED = (".csv", ".xlsx", ".parquet")
CHUNK = 1 << 16

__all__ = ["ALLOWED", "TooLargeError", "UploadError", "import_upload", "safe_label", "save_upload", "shown_name",
           "workdir"]


class UploadError(NevIndexError):
    """An uploaded file the portal or the store refuses; ``status_code`` is the store's where it refused."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code


class TooLargeError(UploadError):
    status_code = 413


def safe_label(name: str) -> str:
    stem = Path(name or "data").stem
    return re.sub(r"[^\w.\-]+", "-", stem, flags=re.UNICODE).strip("-.")[:100] or "data"


def shown_name(filename: str | None) -> str:
    """The uploaded file's own name as messages show it: its base name, printable characters only."""
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    base = "".join(c for c in base if c.isprintable())[:150].strip()
    return base or "the uploaded file"


async def save_upload(upload: UploadFile, folder: Path, *, limit: int) -> Path:
    """Copy the upload into ``folder`` under a sanitised version of its name, enforcing the limits."""
    name = shown_name(upload.filename)
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError(f"{name}: unsupported file type '{suffix or '(none)'}'; upload {', '.join(ALLOWED)}")
    folder.mkdir()
    target = folder / f"{safe_label(upload.filename or 'data')}{suffix}"
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLargeError(f"{name}: the file is larger than the limit of {limit:,} bytes "
                                    "(set NEVINDEX_MAX_UPLOAD_MB to change it)")
            out.write(chunk)
    if size == 0:
        raise UploadError(f"{name}: the uploaded file is empty")
    head = target.read_bytes()[:4096]
    if suffix == ".xlsx" and not head.startswith(b"PK\x03\x04"):
        raise UploadError(f"{name}: the .xlsx file is not an Excel workbook")
    if suffix == ".parquet" and not head.startswith(b"PAR1"):
        raise UploadError(f"{name}: the .parquet file is not a Parquet file")
    if suffix == ".csv":
        if b"\x00" in head:
            raise UploadError(f"{name}: the .csv file is not text")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a multi-byte character cut at the 4 KiB boundary is fine
                raise UploadError(f"{name}: the .csv file is not UTF-8 text") from None
    return target


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="nevindex-upload-")


@contextmanager
def named_as_uploaded(names: dict[Path, str], root: Path) -> Iterator[None]:
    """Re-raise the store's errors about the working copies ``names`` with the uploaded names instead."""
    try:
        yield
    except NevIndexError as exc:
        text = str(exc)
        for path, name in names.items():
            for form in {str(path), str(path.resolve())}:
                text = text.replace(form, name)
        for form in {str(root), str(root.resolve())}:  # anything else in the working folder
            text = text.replace(form + "/", "").replace(form, "the upload")
        raise UploadError(text, exc.status_code) from None


async def import_upload(request: Request, user: str, file: UploadFile, units: UploadFile | None,
                        label: str | None) -> dict[str, Any]:
    """Shared by the API and the admin form: save with limits, import into the store."""
    limit = request.app.state.settings.max_upload_bytes
    with workdir() as tmp:
        root = Path(tmp)
        data = await save_upload(file, root / "data", limit=limit)
        names = {data: shown_name(file.filename)}
        units_path = None
        if units is not None and units.filename:
            units_path = await save_upload(units, root / "units", limit=limit)
            names[units_path] = shown_name(units.filename)
        name = (label or "").strip() or safe_label(file.filename or "data")
        portal = request.app.state.portal
        with named_as_uploaded(names, root):
            return await run_in_threadpool(portal.import_data, data, label=name,  # type: ignore[no-any-return]
                                           units_file=units_path, actor=user)
