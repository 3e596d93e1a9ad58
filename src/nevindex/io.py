"""Writing files so that a reader never sees half of one: write aside, then rename.

A crash mid-write leaves the previous file (or folder) intact; ``os.replace`` is atomic on
POSIX within one filesystem.
"""

from __future__ import annotations

import contextlib
import errno
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

from nevindex.errors import OutputError

__all__ = [
    "prepare_output", "atomic_path", "write_text", "write_bytes", "write_csv", "xlsx_overflow", "write_xlsx",
    "neutralise_formula", "safe_frame", "write_all", "remove_stale_staging", "YAML_MAX_DEPTH", "YamlTooDeep",
    "load_yaml", "read_yaml_mapping",
]


def prepare_output(path: str | Path, *, folder: bool, option: str = "--out") -> Path:
    """Check that ``path`` can be written (a folder to write files into, or one file) before any work.

    One check for every command that writes: a name too long for the file system, a file where a
    folder must go (or the reverse), a parent that is a file (``/dev/null/x``), a place that refuses
    new files (``/proc/x``, a read-only folder or mount). It creates nothing: the probe is a
    temporary folder removed at once. Raises :class:`~nevindex.errors.OutputError` (exit 2).
    """
    shown = f"{option} {path}" if option else str(path)
    raw = str(path)
    if not raw.strip():
        raise OutputError(shown or "''", "the path is empty", "give a folder or file name")
    target = Path(raw).expanduser()
    existing = _nearest_existing(target)
    name_max, path_max = _limits(existing if existing.is_dir() else existing.parent)
    for part in target.parts:
        if len(os.fsencode(part)) > name_max:
            raise OutputError(shown, f"the name '{part[:24]}…' has {len(part)} characters, more than the "
                                     f"{name_max} the file system allows", "give a shorter name")
    if len(os.fsencode(str(target.absolute()))) >= path_max:
        raise OutputError(shown, f"the path is longer than the {path_max} bytes the system allows",
                          "give a shorter path")
    if target.exists():
        if folder and not target.is_dir():
            raise OutputError(shown, "it is a file, not a folder", "give a folder (new or existing)")
        if not folder and target.is_dir():
            raise OutputError(shown, "it is a folder, not a file", "give a file name")
    if existing == target and not folder:
        existing = target.parent  # an existing file is replaced: its folder must take the new one
    elif not existing.is_dir():
        raise OutputError(shown, f"{existing} is a file, not a folder", "give a path inside a folder")
    _probe(existing, shown)
    return target


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (``.`` for a relative path with none)."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists() or candidate.is_symlink():
                return candidate
        except OSError:  # a component too long to even look up: its parent decides
            continue
    return Path.cwd()


def _limits(folder: Path) -> tuple[int, int]:
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 255, 4096


def _probe(folder: Path, shown: str) -> None:
    """Create and remove a temporary folder in ``folder``: the only honest test of "can write here"
    (permission bits say nothing for root, nor for /proc or a read-only mount)."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".nevindex-probe-", dir=folder))
    except OSError as exc:
        reason = {errno.EROFS: "it is on a read-only file system", errno.EACCES: "permission denied",
                  errno.EPERM: "the system does not allow it", errno.ENOSPC: "the disk is full",
                  errno.ENOENT: "this file system does not accept new files"}.get(exc.errno, exc.strerror)
        raise OutputError(shown, f"{folder} does not take new files ({reason})",
                          "give a folder you can write to") from None


@contextlib.contextmanager
def _writing(target: Path, *, folder: bool) -> Iterator[None]:
    """Around a write into ``target``: folders made for it are removed again if it fails (never an empty
    output folder), and an ``OSError`` becomes an :class:`OutputError` naming the target."""
    made = [p for p in ((target,) if folder else ()) + tuple(target.parents) if not p.exists()]
    try:
        yield
    except OSError as exc:
        _remove_empty(made)
        raise OutputError(str(target), f"the write failed ({exc.strerror or exc})",
                          "give a path you can write to, with room on its disk") from None
    except BaseException:
        _remove_empty(made)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically."""
    target = prepare_output(target, folder=False, option="")
    with _writing(target, folder=False):
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


#: What one worksheet holds (Excel's limits, openpyxl's ``MAX_ROW``/``MAX_COLUMN``): rows with the header.
XLSX_MAX_ROWS, XLSX_MAX_COLUMNS = 1_048_576, 16_384


def xlsx_overflow(sheets: dict[str, pd.DataFrame]) -> str | None:
    """Why these tables do not fit one workbook, or None. (pandas' own check leaves out the header row, so
    a table of exactly 1,048,576 rows passes it and fails in openpyxl half-way through the file.)"""
    max_rows, max_cols = XLSX_MAX_ROWS, XLSX_MAX_COLUMNS
    for name, frame in sheets.items():
        rows, cols = frame.shape[0] + 1, frame.shape[1]
        if rows > max_rows or cols > max_cols:
            return (f"table '{name}' has {rows - 1:,} rows and {cols:,} columns, more than a worksheet holds "
                    f"({max_rows - 1:,} rows under the header, {max_cols:,} columns)")
    return None


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
    target = prepare_output(target, folder=True, option="")
    with _writing(target, folder=True):
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


#: The deepest nesting of mappings and lists a YAML file may have. A methodology, recipe or spec needs
#: about five; PyYAML builds nested values by recursion, so a file nested thousands deep would crash it.
YAML_MAX_DEPTH = 64


class YamlTooDeep(yaml.YAMLError):
    """Raised by :func:`load_yaml` before PyYAML recurses; carries the line as a ``problem_mark``."""

    def __init__(self, line: int, mark: object) -> None:
        self.problem = f"nested more than {YAML_MAX_DEPTH} levels deep at line {line}; flatten it"
        self.problem_mark = mark
        super().__init__(self.problem)


def load_yaml(text: str) -> object:
    """``yaml.safe_load`` that refuses nesting over :data:`YAML_MAX_DEPTH` first (:class:`YamlTooDeep`).

    The check walks the parser's events, which are produced without recursion; then the text is loaded,
    with libyaml when it is installed (the same safe constructor, ten times faster).
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > YAML_MAX_DEPTH:
                raise YamlTooDeep(event.start_mark.line + 1, event.start_mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def read_yaml_mapping(path: str | Path, *, what: str, error: type[Exception]) -> dict:
    """A YAML file that must hold a mapping (a recipe, a spec); problems raise ``error`` naming the file."""
    path = Path(path)
    if not path.exists():
        raise error("file not found", file=str(path), hint=f"check the path to the {what} file")
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except YamlTooDeep as exc:
        raise error(f"cannot read the {what}: {exc.problem}", file=str(path)) from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise error(f"cannot read the {what} ({exc.__class__.__name__})", file=str(path)) from None
    if not isinstance(data, dict):
        raise error(f"a {what} file must be a mapping of settings", file=str(path))
    return data
