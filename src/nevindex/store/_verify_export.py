"""A reader's check of a downloaded edition against its receipt, without the store.

``nevindex edition verify --receipt receipt.json --export DIR``: the receipt's signature (against a
trusted key), then every hash it signs recomputed from the files (the methodology text, the recipe,
the data set as stored, the result rows as stored), then the edition rebuilt from those inputs and
compared bit for bit, then every other file (CSV, JSON, observations, workbook) regenerated from the
checked content and compared with the one in DIR.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nevindex import __version__
from nevindex.build import build
from nevindex.canonical import recipe_sha256
from nevindex.errors import NevIndexError
from nevindex.framework import framework_from_yaml
from nevindex.inputs import load_inputs
from nevindex.recipe import recipe_from_mapping
from nevindex.store import codec, opendata, receipts, schemes
from nevindex.store._records import VerificationError, VerifyReport

__all__ = ["verify_export"]


def verify_export(document: dict[str, Any], folder: str | Path, *, key: str | None = None) -> VerifyReport:
    """Check the open-data files in ``folder`` against the receipt ``document``; raise VerificationError
    naming every difference."""
    trusted, source = receipts.trusted_key(key)
    signer = receipts.check(document, trusted)
    body = receipts.body_of(document)
    label, signed = body["edition"]["label"], body["hashes"]
    folder = Path(folder)
    names = opendata.file_names(label)
    missing = [n for n in names.values() if not (folder / n).is_file()]
    if missing:
        raise VerificationError(f"{folder} is not the open data of edition '{label}': missing {', '.join(missing)} "
                                "(export it with `nevindex edition export`)")
    checks = [f"receipt: signed by key {signer[:16]}… (trusted key: {source})"]
    problems: list[str] = []
    rebuild_note: str | None = None

    def same(what: str, actual: str, name: str) -> bool:
        if actual != signed.get(name):
            problems.append(f"{what}: the files give {actual[:12]}, the receipt signs {str(signed.get(name))[:12]}")
            return False
        checks.append(f"{what}: {actual[:12]} as signed")
        return True

    try:
        yaml_text = (folder / names["methodology"]).read_text(encoding="utf-8")
        fw = framework_from_yaml(yaml_text, source=names["methodology"], quiet=True)
        recipe_text = (folder / names["recipe"]).read_text(encoding="utf-8")
        choices = json.loads(recipe_text)
        recipe_hash = _recipe_hash(choices, str(signed.get("recipe_sha256")))
        year = choices.pop("year", None)  # the data year is stored beside the method choices
        recipe = recipe_from_mapping(choices, source=names["recipe"], quiet=True)
        stored_data = json.loads((folder / names["dataset"]).read_text(encoding="utf-8"))
        rows = [SimpleNamespace(**dict(zip(stored_data["fields"], r, strict=True))) for r in stored_data["rows"]]
        dataset = codec.dataset_from_rows(stored_data["structure"], rows)
        results = json.loads((folder / names["results"]).read_text(encoding="utf-8"))
        unit_rows, ind_rows = ([dict(zip(results[t]["fields"], r, strict=True)) for r in results[t]["rows"]]
                               for t in ("unit_results", "indicator_results"))
    except (NevIndexError, OSError, ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"edition '{label}' FAILED verification: the files cannot be read "
                                f"({exc.__class__.__name__}: {str(exc)[:160]})") from None
    meth_signed = str(signed.get("methodology_sha256"))
    meth_hash = meth_signed if schemes.methodology_scheme(yaml_text, meth_signed, fw) else fw.sha256()
    inputs_ok = all([same("methodology", meth_hash, "methodology_sha256"),
                     same("recipe", recipe_hash, "recipe_sha256"),
                     same("data set", codec.dataset_sha256(dataset, codec.observation_rows(dataset)), "dataset_sha256")])
    same("result rows", codec.rows_sha256(unit_rows, ind_rows), "result_sha256")
    if year != body.get("data_year"):
        problems.append(f"data year: the recipe file says {year}, the receipt signs {body.get('data_year')}")
        inputs_ok = False
    if inputs_ok:
        inputs = load_inputs(fw, dataset, recipe, year=year)
        result = build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
        release = body.get("package_version")
        rebuilt = {"data_sha256": result.hashes["data"], "result_sha256": result.content_sha256()}
        if release and release != __version__ and any(rebuilt[k] != signed.get(k) for k in rebuilt) \
                and not problems:  # the signed files are intact: another engine rebuilds them differently
            rebuild_note = (f"engine changed: published with nevindex {release}, rebuilt with nevindex {__version__}: "
                           f"the rebuild gives result {rebuilt['result_sha256'][:12]}, data as built "
                           f"{rebuilt['data_sha256'][:12]}; the files are intact, the published numbers are those of "
                           f"nevindex {release}")
        else:
            same("data as built", rebuilt["data_sha256"], "data_sha256")
            rounding = (codec.rounding_only(unit_rows, ind_rows, *codec.result_rows(result))
                        if rebuilt["result_sha256"] != signed.get("result_sha256") and not problems else None)
            if rounding is None:
                same("rebuild from the files' inputs", rebuilt["result_sha256"], "result_sha256")
            else:  # the same release on another machine: the last bits of its floating point
                checks.append("rebuild from the files' inputs: equal to the signed results to within rounding")
                rebuild_note = (f"rounding: the rebuild on this machine differs from the signed numbers only in the "
                               f"last bits (largest difference {rounding[0]:.1e}, at {rounding[1]}; below "
                               f"{codec.ROUNDING:.0e} of every value): this CPU's or maths library's floating "
                               "point, not a changed number")
        content = opendata.EditionContent(
            meta=_meta(body, year), framework=fw, methodology_yaml=yaml_text, recipe_json=recipe_text,
            structure=stored_data["structure"], observations=rows, unit_rows=unit_rows, indicator_rows=ind_rows,
            built=inputs.dataset)
        problems += _compare_files(content, folder, checks)
    if problems:
        raise VerificationError(f"edition '{label}' FAILED verification of {folder}: " + "; ".join(problems))
    notes = [] if trusted is not None else [
        f"the receipt's key {signer[:16]}… was not checked against a trusted key: compare it with the publisher's "
        "fingerprint or pass --key"]
    notes += [rebuild_note] if rebuild_note else []
    return VerifyReport(label, str(signed["result_sha256"]), len(unit_rows) + len(ind_rows), tuple(notes),
                        tuple(checks), signer)


def _recipe_hash(stored: dict[str, Any], signed: str) -> str:
    """The recipe file's hash: the signed one when a definition of some release gives it from the file
    (:mod:`nevindex.store.schemes`), else this release's."""
    if schemes.recipe_scheme(stored, signed) is not None:
        return signed
    return recipe_sha256({k: v for k, v in stored.items() if k != "year"})


def _meta(body: dict[str, Any], data_year: int | None) -> dict[str, Any]:
    edition = body["edition"]
    return opendata.edition_meta(
        label=edition["label"], year=edition["year"], status="published", published_at=edition["published_at"],
        corrects=edition["corrects"], correction_reason=edition["correction_reason"], data_year=int(data_year or 0),
        methodology=body["methodology"], dataset=body["dataset"], hashes=body["hashes"],
        package_version=body["package_version"])


def _compare_files(content: opendata.EditionContent, folder: Path, checks: list[str]) -> list[str]:
    """Regenerate every file from the checked content and compare it with the one in ``folder``."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="nevindex-check-") as tmp:
        for name, write in opendata.open_data_writers(content).items():
            fresh = Path(tmp) / name
            write(fresh)
            given = folder / name
            if name.endswith(".xlsx"):
                cells = _cells(given)
                equal = cells is not None and cells == _cells(fresh)
            else:
                equal = fresh.read_bytes() == given.read_bytes()
            if not equal:
                problems.append(f"{name} differs from what the signed content gives: it was changed")
    if not problems:
        checks.append(f"files: {len(opendata.file_names(content.label))} files equal what the signed content gives "
                      "(workbook: cell by cell)")
    return problems


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]] | None:
    """Every cell value by sheet (None when the file is not a workbook)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - a damaged or replaced workbook is a difference, not a crash
        return None
    try:
        return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()
