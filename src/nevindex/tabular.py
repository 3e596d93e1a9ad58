"""Strict reading of CSV and XLSX files as cells: the one reader of data, methodology tables, surveys and panels.

Strict where pandas is lenient, because its leniency changes numbers without a word:

* a CSV row with more fields than the header is refused, naming the row and its extra fields (pandas
  silently turns the first column into an index when every row has one more field, and the units shift);
* a header written twice is refused (pandas renames it ``a.1``), in CSV and XLSX alike;
* an XLSX formula cell without a cached value (a file written by a program that does not compute
  formulas) is refused, naming the cells (pandas reads it as empty: a missing value nobody chose); cells
  whose formula has a cached value are read as that value, as a spreadsheet shows them.

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from nevindex.errors import DataError

__all__ = ["CSV_SUFFIXES", "XLSX_SUFFIXES", "check_header", "read_cells", "read_csv_cells", "read_xlsx_cells"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: Cells named in a message before "and N more".
SHOWN = 5


def read_cells(path: str | Path, *, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A CSV (``.tsv``: tab-separated) or XLSX file (its first sheet) as a frame of cells, header stripped.

    CSV cells are text; XLSX cells are what the sheet holds (text, numbers, ISO dates), empty as ''.
    Duplicate headers are refused among ``columns`` when given, else among all.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv_cells(path, sep="\t" if suffix == ".tsv" else ",", columns=columns)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx_cells(path, columns=columns)
    raise DataError(f"unknown file type '{suffix}'", file=str(path), hint="use .csv or .xlsx")


def check_header(header: Sequence[str], file: str, columns: Iterable[str] | None = None) -> list[str]:
    """The header stripped; a name written twice (among ``columns``, when given) is a DataError on row 1."""
    stripped = [str(h).strip() for h in header]
    wanted = None if columns is None else set(columns)
    seen: set[str] = set()
    for name in stripped:
        if name in seen and (wanted is None or name in wanted):
            raise DataError(f"duplicate column header '{name}'", file=file, row=1,
                            hint="give every column its own name")
        seen.add(name)
    return stripped


def read_csv_cells(path: Path, *, sep: str = ",", columns: Iterable[str] | None = None,
                   usecols: Sequence[str] | None = None, dtype: Any = object,
                   na_values: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """A CSV as a frame (text cells unless ``dtype`` says otherwise; ``usecols``: only those columns).

    The header is checked first (duplicates), then every row's length (a longer row is refused, see the
    module), then pandas reads the cells: the checks cost one fast pass of pyarrow's parser.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle, delimiter=sep), None)
    if header is None:
        raise pd.errors.EmptyDataError("no header")
    names = check_header(header, str(path), columns)
    if _has_long_rows(path, sep):
        _raise_ragged(path, sep)
    frame = pd.read_csv(path, sep=sep, usecols=usecols, dtype=dtype, keep_default_na=False,
                        na_values=na_values, encoding="utf-8-sig")
    if usecols is None:
        frame.columns = names  # as written, stripped (pandas renames a repeated name: refused above)
    return frame


def _has_long_rows(path: Path, sep: str) -> bool:
    """Whether any row has more fields than the header: pyarrow's parser, one column kept.

    Single-threaded: the row handler is Python code called from Arrow's threads otherwise, the likely
    cause of one process of the bad-input probe (1 in about 400) aborting at exit with "terminate
    called without an active exception"; on one thread the pass is also faster here (1,000,000 rows:
    0.07 s against 0.14 s threaded, 2 cores).

    The header line is read as data, so the expected width is the header's (pandas would instead take a
    first column as the index when every row is one field longer). Shorter rows are pandas' business
    (their last cells are empty). A file pyarrow cannot parse is left to pandas, which says why.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    found = []

    def invalid(row: Any) -> str:
        if row.actual_columns > row.expected_columns:
            found.append(row.actual_columns)
        return "skip"

    try:
        pacsv.read_csv(path, read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
                       parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                                        invalid_row_handler=invalid),
                       convert_options=pacsv.ConvertOptions(include_columns=["f0"], column_types={"f0": pa.string()}))
    except (pa.ArrowException, OSError):
        return False
    return bool(found)


def _raise_ragged(path: Path, sep: str) -> None:
    """Find the rows with more fields than the header and raise a DataError naming them and the extras."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=sep)
        header = next(reader, [])
        long_rows = []
        for number, row in enumerate((r for r in reader if r), start=2):
            if len(row) > len(header):
                long_rows.append((number, row[len(header):]))
    if not long_rows:
        return
    number, extra = long_rows[0]
    shown = ", ".join(f"'{v}'" if v.strip() else "'' (empty)" for v in extra[:SHOWN])
    also = [str(n) for n, _ in long_rows[1:SHOWN + 1]]
    more = len(long_rows) - 1 - len(also)
    hint = "quote values that hold the separator, or add the missing column headers"
    if also:
        hint = f"also rows {', '.join(also)}" + (f" and {more} more" if more > 0 else "") + f"; {hint}"
    raise DataError(f"{len(header) + len(extra)} fields but the header has {len(header)}: the extra "
                    f"{'field is' if len(extra) == 1 else 'fields are'} {shown}", file=str(path), row=number,
                    hint=hint)


def read_xlsx_cells(path: Path, *, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The first sheet of an XLSX workbook as cells; formula cells without a cached value are refused."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        rows, formulas = _sheet_rows(book.worksheets[0])
    finally:
        book.close()
    if formulas:
        rows = _cached_values(path, rows, formulas)
    while rows and all(_empty(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise pd.errors.EmptyDataError("no rows")
    width = max(len(r) for r in rows)
    rows = [[*r, *([None] * (width - len(r)))] for r in rows]
    keep = []
    for position, name in enumerate(rows[0]):
        used = any(not _empty(r[position]) for r in rows[1:])
        if _empty(name) and used:
            raise DataError(f"column {_letter(position)} has values but no header", file=str(path), row=1,
                            hint="give the column a name, or delete it")
        if not _empty(name):
            keep.append(position)
    rows = [[r[p] for p in keep] for r in rows]
    header = rows[0]
    names = check_header([_text(h) for h in header], str(path), columns)
    body = [[_cell(v) for v in r] for r in rows[1:]]
    return pd.DataFrame(body, columns=names, dtype=object) if body else pd.DataFrame(columns=names, dtype=object)


def _sheet_rows(sheet: Any) -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    """Values row by row, and the (row, column) positions of formula cells with their coordinates."""
    rows: list[list[Any]] = []
    formulas: dict[tuple[int, int], str] = {}
    for r, row in enumerate(sheet.iter_rows()):
        values = []
        for c, cell in enumerate(row):
            if cell.data_type == "f":
                formulas[(r, c)] = f"{_letter(c)}{r + 1}"
                values.append(None)
            else:
                values.append(cell.value)
        rows.append(values)
    return rows, formulas


def _cached_values(path: Path, rows: list[list[Any]], formulas: dict[tuple[int, int], str]) -> list[list[Any]]:
    """Put the cached value of each formula cell in place; refuse the cells that have none."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        cached = {}
        for r, row in enumerate(book.worksheets[0].iter_rows(values_only=True)):
            for c, value in enumerate(row):
                if (r, c) in formulas:
                    cached[(r, c)] = value
    finally:
        book.close()
    missing = [coordinate for key, coordinate in formulas.items() if cached.get(key) is None]
    if missing:
        shown = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
        raise DataError(f"{len(missing)} formula {'cell has' if len(missing) == 1 else 'cells have'} no computed "
                        f"value ({shown}): read as empty they would be missing values nobody chose",
                        file=str(path), hint="open the file in a spreadsheet and save it (which stores the "
                                             "values), or paste the values over the formulas")
    for (r, c), value in cached.items():
        rows[r][c] = value
    return rows


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _cell(value: Any) -> Any:
    """An XLSX cell as the readers expect: '' for empty, ISO text for dates, else as stored."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value
