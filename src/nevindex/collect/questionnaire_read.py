"""Reading a filled questionnaire back, refusing anything but the template as written, filled in.

Every hard error names the sheet and the cell, all of them are collected and reported together,
and nothing is stored: a changed template (a sheet, header, code or row that is not the
template's), a different edition or methodology, text or a formula in a number cell, a unit or
year that is not the methodology's, an unknown indicator, a brand that is unknown, a value outside
its hard bounds, missing evidence where the methodology requires it, and a file that is too large.
Pure apart from reading the file: the edition's facts come in a :class:`Context`.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nevindex.collect.questionnaire import (
    BRAND_CELL,
    COLUMNS,
    EDITION_CELL,
    FIRST_ROW,
    HEADER_ROW,
    LETTER,
    META_KEYS,
    META_SHEET,
    TEMPLATE_VERSION,
    YEAR_CELL,
    Context,
    catalogue,
)
from nevindex.errors import DataError
from nevindex.i18n import LANGUAGES
from nevindex.validation import nearest

__all__ = ["MAX_BYTES", "Filled", "FilledValue", "QuestionnaireError", "read_meta", "read_questionnaire"]

#: A questionnaire is a few kilobytes; anything beyond this is not one (and is not opened).
MAX_BYTES = 2 * 1024 * 1024
#: Problems listed in one message (the count says how many there are in all).
SHOWN = 12


class QuestionnaireError(DataError):
    """A questionnaire the import refuses; the message names each sheet and cell."""

    where_label = "cell"


@dataclass(frozen=True)
class FilledValue:
    code: str
    value: float
    unit: str
    year: int
    evidence: str | None
    note: str | None
    cell: str  # "Questionnaire!G8"


@dataclass(frozen=True)
class Filled:
    meta: dict[str, str]
    brand: str
    brand_cell: str
    values: tuple[FilledValue, ...]


def _where(sheet: str, cell: str) -> str:
    return f"sheet '{sheet}', cell {cell}"


def _fail(path: Path, problems: list[str]) -> QuestionnaireError:
    shown = "; ".join(problems[:SHOWN]) + (f"; … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else "")
    changed = any("template was changed" in p or "hidden, written by the template" in p for p in problems)
    hint = ("fill in a fresh questionnaire (`nevindex collect template`) without changing its structure, and import "
            "it again") if changed else "correct the cells named and import the file again"
    return QuestionnaireError(f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the questionnaire, nothing "
                              f"was stored: {shown}", file=str(path), hint=hint)


def _open(path: Path, max_bytes: int):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    size = path.stat().st_size if path.exists() else None
    if size is None:
        raise QuestionnaireError("file not found", file=str(path))
    if size > max_bytes:
        raise QuestionnaireError(f"the file is {size:,} bytes, more than the {max_bytes:,} a questionnaire may have; "
                                 "nothing was stored", file=str(path),
                                 hint="import the questionnaire as written by `nevindex collect template`, filled in")
    try:
        # formulas are kept as written (not their cached results), so a formula in a number cell is seen
        return load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise QuestionnaireError(f"not an Excel workbook ({exc.__class__.__name__}); nothing was stored",
                                 file=str(path), hint="import the .xlsx file `nevindex collect template` wrote") from None


def read_meta(path: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[Any, dict[str, str]]:
    """The workbook and its hidden sheet's keys (edition, methodology hash, template version …)."""
    path = Path(path)
    wb = _open(path, max_bytes)
    if META_SHEET not in wb.sheetnames:
        raise _fail(path, [f"sheet '{META_SHEET}' (hidden, written by the template) is missing: the template was "
                           "changed or this file is not a nevindex questionnaire"])
    ws = wb[META_SHEET]
    meta, problems = {}, []
    for i, key in enumerate(META_KEYS, start=1):
        if ws[f"A{i}"].value != key:
            problems.append(f"{_where(META_SHEET, f'A{i}')}: expected '{key}' (the template was changed)")
        value = ws[f"B{i}"].value
        meta[key] = "" if value is None else str(value)
    if not problems and meta["template_version"] != TEMPLATE_VERSION:
        problems.append(f"{_where(META_SHEET, 'B2')}: template version '{meta['template_version']}' is not this "
                        f"nevindex's {TEMPLATE_VERSION}")
    if not problems and meta["language"] not in LANGUAGES:
        problems.append(f"{_where(META_SHEET, 'B6')}: language '{meta['language']}' is not one of {', '.join(LANGUAGES)}")
    if problems:
        raise _fail(path, problems)
    return wb, meta


def read_questionnaire(path: str | Path, ctx: Context, *, max_bytes: int = MAX_BYTES, wb: Any = None,
                       meta: dict[str, str] | None = None) -> Filled:
    """The filled values of a questionnaire for ``ctx``'s edition, or QuestionnaireError listing every problem."""
    path = Path(path)
    if wb is None or meta is None:
        wb, meta = read_meta(path, max_bytes=max_bytes)
    problems: list[str] = []
    if meta["edition"] != ctx.edition:
        problems.append(f"{_where(META_SHEET, 'B3')}: the questionnaire is for edition '{meta['edition']}', not "
                        f"'{ctx.edition}'")
    if meta["methodology_sha256"] != ctx.methodology_sha256:
        problems.append(f"{_where(META_SHEET, 'B4')}: the questionnaire was made for methodology "
                        f"{meta['methodology_sha256'][:12]}, but edition '{ctx.edition}' uses {ctx.methodology_sha256[:12]}")
    if problems:
        raise _fail(path, problems)
    cat = catalogue(meta["language"])
    name = cat.t("sheet.questionnaire")
    expected_sheets = [cat.t("sheet.cover"), name, META_SHEET]
    if wb.sheetnames != expected_sheets:
        raise _fail(path, [f"the workbook's sheets are {wb.sheetnames}, the template's {expected_sheets}: the template "
                           "was changed"])
    ws = wb[name]
    for key in COLUMNS:
        cell = f"{LETTER[key]}{HEADER_ROW}"
        if ws[cell].value != cat.t(f"column.{key}"):
            problems.append(f"{_where(name, cell)}: header '{ws[cell].value}' is not the template's "
                            f"'{cat.t(f'column.{key}')}' (the template was changed)")
    if ws[EDITION_CELL].value != ctx.edition:
        problems.append(f"{_where(name, EDITION_CELL)}: edition '{ws[EDITION_CELL].value}' is not '{ctx.edition}'")
    if ws[YEAR_CELL].value != ctx.year:
        problems.append(f"{_where(name, YEAR_CELL)}: reference year '{ws[YEAR_CELL].value}' is not {ctx.year}")
    brand = _brand(ws, name, meta, ctx, problems)
    codes = [c for c in meta["codes"].split(",") if c]
    values = _rows(ws, name, codes, ctx, problems)
    if not problems and not values:
        problems.append(f"{_where(name, LETTER['value'] + str(FIRST_ROW))} and below: no value is filled in")
    if problems:
        raise _fail(path, problems)
    return Filled(meta, brand, f"{name}!{BRAND_CELL}", tuple(values))


def _brand(ws: Any, name: str, meta: dict[str, str], ctx: Context, problems: list[str]) -> str:
    raw = ws[BRAND_CELL].value
    brand = "" if raw is None else str(raw).strip()
    if meta["brand"] and brand != meta["brand"]:
        problems.append(f"{_where(name, BRAND_CELL)}: the questionnaire was made for brand '{meta['brand']}', the cell "
                        f"says '{brand}' (the template was changed)")
    elif not brand:
        problems.append(f"{_where(name, BRAND_CELL)}: enter your brand's code")
    elif brand not in ctx.units:
        hint = nearest(brand, ctx.units)
        problems.append(f"{_where(name, BRAND_CELL)}: unknown brand '{brand}' in edition '{ctx.edition}'"
                        + (f" (did you mean '{hint}'?)" if hint else ""))
    return brand


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _rows(ws: Any, name: str, codes: list[str], ctx: Context, problems: list[str]) -> list[FilledValue]:
    """Every filled row, checked; rows beyond the template's are a changed template."""
    out: list[FilledValue] = []
    known = [r.code for r in ctx.raws]
    last_row = max(ws.max_row, FIRST_ROW + len(codes) - 1)
    for row in range(FIRST_ROW, last_row + 1):
        cell = {key: ws[f"{LETTER[key]}{row}"] for key in COLUMNS}
        code = _text(cell["code"].value)
        k = row - FIRST_ROW
        if k >= len(codes):
            if any(c.value is not None for c in cell.values()):
                problems.append(f"{_where(name, f'A{row}')}: row {row} is not in the template (it has "
                                f"{len(codes)} indicator rows): the template was changed")
            continue
        if code is None or code not in known:
            hint = nearest(code, known) if code else None
            what = f"unknown indicator '{code}'" if code else "the indicator code is missing"
            problems.append(f"{_where(name, f'A{row}')}: {what}" + (f" (did you mean '{hint}'?)" if hint else "")
                            + f"; the methodology of edition '{ctx.edition}' asks for {', '.join(known)}")
            continue
        if code != codes[k]:
            problems.append(f"{_where(name, f'A{row}')}: '{code}' is where the template had '{codes[k]}' (rows were "
                            "moved: the template was changed)")
            continue
        raw = ctx.raw(code)
        assert raw is not None
        unit = _text(cell["unit"].value) or ""
        if unit != raw.unit:
            problems.append(f"{_where(name, cell['unit'].coordinate)}: unit '{unit}' of '{code}' is not the "
                            f"methodology's '{raw.unit}'")
        year = cell["year"].value
        if year != ctx.year:
            problems.append(f"{_where(name, cell['year'].coordinate)}: year '{year}' of '{code}' is not the "
                            f"reference year {ctx.year}")
        filled = _number(cell["value"], name, code, raw, problems)
        if filled is None:
            continue
        evidence = _text(cell["evidence"].value)
        if raw.evidence == "required" and evidence is None:
            problems.append(f"{_where(name, cell['evidence'].coordinate)}: '{code}' needs evidence (a URL or a document "
                            "name): the methodology requires it")
        out.append(FilledValue(code, filled, raw.unit, ctx.year, evidence, _text(cell["note"].value),
                               f"{name}!{cell['value'].coordinate}"))
    return out


def _number(cell: Any, name: str, code: str, raw: Any, problems: list[str]) -> float | None:
    where = _where(name, cell.coordinate)
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
        problems.append(f"{where}: '{code}' holds a formula ({str(value)[:40]}); enter the number itself")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{where}: '{code}' holds text '{str(value)[:40]}', not a number")
        return None
    number = float(value)
    if not math.isfinite(number):
        problems.append(f"{where}: '{code}' is not a finite number")
        return None
    if not raw.bounds.contains(number):
        low = "−∞" if raw.bounds.min is None else f"{raw.bounds.min:g}"
        high = "∞" if raw.bounds.max is None else f"{raw.bounds.max:g}"
        problems.append(f"{where}: '{code}' = {number:g} is outside its hard bounds [{low}, {high}]")
        return None
    return number
