"""Uploaded data files: size and type limits, checked before the store parses anything, then imported.

The type is judged by extension *and* content (an .xlsx must be a zip, a .parquet must start
with ``PAR1``, a .csv must be UTF-8 text without NUL bytes); the name the browser sent is used
only for its extension (never as a path).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from nevindex.errors import NevIndexError

ALLOWED = (".csv", ".xlsx", ".parquet")
CHUNK = 1 << 16

__all__ = ["ALLOWED", "TooLargeError", "UploadError", "check_length", "import_upload", "safe_label", "save_upload",
           "workdir"]


class UploadError(NevIndexError):
    status_code = 400


class TooLargeError(NevIndexError):
    status_code = 413


def check_length(content_length: str | None, limit: int) -> None:
    """Refuse a request body announced larger than ``limit`` (before reading it)."""
    if content_length is None:
        return
    try:
        size = int(content_length)
    except ValueError:
        raise UploadError("bad Content-Length header") from None
    if size > limit + 64 * 1024:  # multipart framing around the file
        raise TooLargeError(f"the upload is too large ({size} bytes); the limit is {limit} bytes")


def safe_label(name: str) -> str:
    stem = Path(name or "data").stem
    return re.sub(r"[^\w.\-]+", "-", stem, flags=re.UNICODE).strip("-.")[:100] or "data"


async def save_upload(upload: UploadFile, folder: Path, *, limit: int, stem: str = "data") -> Path:
    """Copy the upload into ``folder`` (as ``stem`` + its allowed extension), enforcing the limits."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError(f"unsupported file type '{suffix or '(none)'}'; upload {', '.join(ALLOWED)}")
    target = folder / f"{stem}{suffix}"
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLargeError(f"the file is larger than the limit of {limit} bytes")
            out.write(chunk)
    if size == 0:
        raise UploadError("the uploaded file is empty")
    head = target.read_bytes()[:4096]
    if suffix == ".xlsx" and not head.startswith(b"PK\x03\x04"):
        raise UploadError("the .xlsx file is not an Excel workbook")
    if suffix == ".parquet" and not head.startswith(b"PAR1"):
        raise UploadError("the .parquet file is not a Parquet file")
    if suffix == ".csv":
        if b"\x00" in head:
            raise UploadError("the .csv file is not text")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a multi-byte character cut at the 4 KiB boundary is fine
                raise UploadError("the .csv file is not UTF-8 text") from None
    return target


def workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="nevindex-upload-")


async def import_upload(request: Request, user: str, file: UploadFile, units: UploadFile | None,
                        label: str | None) -> dict[str, Any]:
    """Shared by the API and the admin form: save with limits, import into the store."""
    limit = request.app.state.settings.max_upload_bytes
    check_length(request.headers.get("content-length"), 2 * limit)
    with workdir() as tmp:
        data = await save_upload(file, Path(tmp), limit=limit, stem="data")
        units_path = None
        if units is not None and units.filename:
            units_path = await save_upload(units, Path(tmp), limit=limit, stem="units")
        name = (label or "").strip() or safe_label(file.filename or "data")
        portal = request.app.state.portal
        return await run_in_threadpool(portal.import_data, data, label=name, units_file=units_path,  # type: ignore[no-any-return]
                                       actor=user)
