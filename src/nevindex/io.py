"""Writing files so that a reader never sees half of one: write aside, then rename.

A crash mid-write leaves the previous file (or folder) intact; ``os.replace`` is atomic on
POSIX within one filesystem.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import yaml


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; a published file is readable as usual
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    """CSV with full float precision (shortest repr that round-trips) and formula-safe text."""
    safe_frame(frame).to_csv(path, index=index, lineterminator="\n")


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table; the same tables give the same bytes (no save-time stamps)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    _strip_timestamps(path)


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _strip_timestamps(path: Path) -> None:
    """Rewrite an XLSX (a zip) with fixed entry dates and document dates, for reproducible bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula (CSV/XLSX injection) with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
            return value  # a negative number written as text is data, not a formula
        except ValueError:
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    text_cols = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text_cols:
        return frame
    out = frame.copy()
    for c in text_cols:
        out[c] = out[c].map(neutralise_formula)
    return out


#: A staging folder of :func:`write_all`: ``.nevindex-<pid>-<random>.part`` with an ``.owner`` file.
_STAGING = re.compile(r"\.nevindex-(\d+)-[A-Za-z0-9_]+\.part")
_OWNER = ".owner"


def write_all(target: str | Path, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write several files into folder ``target``: all are written aside first, then moved in.

    If any writer fails nothing in ``target`` changes. Other files in ``target`` are left alone.
    The staging folder names its process; one left by a writer that was killed (its process is gone)
    is removed by the next write into the same folder (:func:`remove_stale_staging`).
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target)
    staging = Path(tempfile.mkdtemp(prefix=f".nevindex-{os.getpid()}-", suffix=".part", dir=target))
    try:
        (staging / _OWNER).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}),
                                      encoding="utf-8")
        for name, write in writers.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            write(staging / name)
        for name in writers:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove the staging folders in ``folder`` that :func:`write_all` left behind when its process was
    killed: only folders named as it names them, whose ``.owner`` says this host and a process that no
    longer runs (a folder of another host, of a running process, or without its owner file is kept)."""
    removed = []
    host = socket.gethostname()
    for path in folder.glob(".nevindex-*.part"):
        match = _STAGING.fullmatch(path.name)
        if match is None or not path.is_dir() or path.is_symlink():
            continue
        try:
            owner = json.loads((path / _OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if owner.get("host") != host or owner.get("pid") != int(match.group(1)) or _running(owner["pid"]):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def read_yaml_mapping(path: str | Path, *, what: str, error: type[Exception]) -> dict:
    """A YAML file that must hold a mapping (a recipe, a spec); problems raise ``error`` naming the file."""
    path = Path(path)
    if not path.exists():
        raise error("file not found", file=str(path), hint=f"check the path to the {what} file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise error(f"cannot read the {what} ({exc.__class__.__name__})", file=str(path)) from None
    if not isinstance(data, dict):
        raise error(f"a {what} file must be a mapping of settings", file=str(path))
    return data
