"""Issue 16, item 10: an unwritable ``--out`` was a raw traceback (exit 1) for build, edition export, report,
site export, edition compare and synth. Now every command checks its output path first (one helper,
``nevindex.io.prepare_output``): exit 2, one sentence naming the path and what to do, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nevindex.cli import main
from nevindex.errors import OutputError
from nevindex.io import atomic_path, prepare_output, write_all
from nevindex.store import editions as ed

LONG = "n" * 300
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _bad_paths(tmp_path: Path, *, folder: bool) -> dict[str, Path]:
    """The five kinds of the probe; for a command that writes one file, "an existing folder" stands for
    "an existing file" (overwriting a file is what such a command is for)."""
    afile = tmp_path / "afile.txt"
    afile.write_text("keep me\n")
    (tmp_path / "adir").mkdir(exist_ok=True)
    suffix = "" if folder else ".pdf"
    return {"existing": afile if folder else tmp_path / "adir",
            "proc": Path("/proc/x" + suffix),
            "dev-null": Path("/dev/null/x" + suffix),
            "under-a-file": afile / ("x" + suffix),
            "long-name": tmp_path / (LONG + suffix),
            "sys": Path("/sys/x" + suffix)}  # a place that takes no new files, for root too


def _read_only(tmp_path: Path) -> Path:
    if ROOT:
        pytest.skip("root writes into a read-only (0555) folder anyway; /proc and /sys stand for read-only places")
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def _listing(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if "store.db" not in p.name)


def _assert_refused(args: list[str], path: Path, tmp_path: Path, capsys) -> None:
    before = _listing(tmp_path)
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    err = captured.err.replace("\n", " ")
    assert code == 2, (args, captured.out, captured.err)
    assert "Traceback" not in captured.err and "Errno" not in captured.err
    assert "cannot write" in err and str(path)[:60] in err, err
    assert err.strip().endswith("."), err
    assert _listing(tmp_path) == before  # nothing half-written, no empty folder
    assert (tmp_path / "afile.txt").read_text() == "keep me\n"


@pytest.fixture
def two_editions(store, files, monkeypatch):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    for year in (2023, 2024):
        ed.create_edition(store, year=year, methodology=files["framework"], dataset=data.id, label=str(year))
        ed.build_edition(store, str(year))
        ed.publish(store, str(year))
    monkeypatch.setenv("NEVINDEX_DB", store.url)
    return store


def _store_commands(out: Path, *, folder: bool) -> list[list[str]]:
    if folder:
        return [["edition", "export", "2024", "--out", out], ["edition", "compare", "2023", "2024", "--out", out],
                ["site", "export", out]]
    return [["report", "--edition", "2024", "--label", "2024", "--out", out],
            ["edition", "receipt", "2024", "--out", out]]


@pytest.mark.slow  # five commands × six paths on a store with two published editions
@pytest.mark.parametrize("folder", [True, False], ids=["folder", "file"])
def test_store_commands_refuse_an_unwritable_out(two_editions, tmp_path, capsys, folder):
    """edition export, edition compare, site export, report (from the store) and edition receipt, on
    SQLite and PostgreSQL."""
    for path in _bad_paths(tmp_path, folder=folder).values():
        for args in _store_commands(path, folder=folder):
            _assert_refused(args, path, tmp_path, capsys)


def test_store_commands_refuse_a_read_only_folder(two_editions, tmp_path, capsys):
    folder = _read_only(tmp_path)
    for args in [*_store_commands(folder / "x", folder=True), *_store_commands(folder / "x.pdf", folder=False)]:
        _assert_refused(args, folder, tmp_path, capsys)


def _file_commands(files: dict[str, Path], out: Path, *, folder: bool) -> list[list[str]]:
    if folder:
        inputs = ["-f", files["framework"], "-d", files["data"], "--units", files["units"]]
        return [["build", *inputs, "--out", out], ["audit", *inputs, "--out", out], ["synth", "--out", out],
                ["synth", "survey", "--out", out], ["synth", "panel", "--out", out]]
    spec, responses = out.parent.parent / "spec.yaml", out.parent.parent / "responses.csv"
    return [["report", "--framework", files["framework"], "--data", files["data"], "--units", files["units"],
             "--edition", "2024", "--out", out],
            ["survey", "build", _write(responses, RESPONSES), "--spec", _write(spec, SURVEY_SPEC), "--out", out]]


SURVEY_SPEC = """\
survey: {code: cx-test, title: Test owner survey, year: 2024, source: {title: Owner survey 2024}}
columns: {respondent: rid, brand: brand}
items:
  sat: {column: q_sat, scale: {min: 1, max: 5}}
indicators:
  - {code: cx_sat, item: sat, statistic: mean}
minimum_effective_n: 2
"""
RESPONSES = "rid,brand,q_sat\nr1,acme,5\nr2,acme,4\nr3,bolt,2\nr4,bolt,3\n"


def _write(path: Path, text: str) -> Path:
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("folder", [True, False], ids=["folder", "file"])
@pytest.mark.parametrize("kind", ["existing", "proc", "dev-null", "under-a-file", "long-name", "sys"])
def test_file_commands_refuse_an_unwritable_out(files, tmp_path, capsys, folder, kind):
    """build, audit, synth, synth survey, synth panel, report (from files) and survey build."""
    work = tmp_path / "work"
    work.mkdir()
    path = _bad_paths(work, folder=folder)[kind]
    for args in _file_commands(files, path, folder=folder):
        _assert_refused(args, path, work, capsys)


def test_file_commands_refuse_a_read_only_folder(files, tmp_path, capsys):
    work = tmp_path / "work"
    work.mkdir()
    (work / "afile.txt").write_text("keep me\n")
    folder = _read_only(work)
    for args in [*_file_commands(files, folder / "x", folder=True), *_file_commands(files, folder / "x.pdf",
                                                                                      folder=False)]:
        _assert_refused(args, folder, work, capsys)


def test_prepare_output_creates_nothing_and_accepts_what_can_be_written(tmp_path):
    deep = tmp_path / "a" / "b" / "c"
    assert prepare_output(deep, folder=True) == deep
    assert prepare_output(tmp_path / "new.pdf", folder=False) == tmp_path / "new.pdf"
    assert list(tmp_path.iterdir()) == []  # the probe left nothing
    (tmp_path / "old.csv").write_text("old")
    assert prepare_output(tmp_path / "old.csv", folder=False) == tmp_path / "old.csv"  # replaced, as ever
    assert prepare_output(tmp_path, folder=True) == tmp_path  # an existing folder takes more files
    with pytest.raises(OutputError, match=r"cannot write --out /proc/x: /proc does not take new files"):
        prepare_output("/proc/x", folder=True)
    with pytest.raises(OutputError, match="--raters"):
        prepare_output(tmp_path / LONG, folder=False, option="--raters")


def test_a_write_that_fails_half_way_leaves_no_folder_and_says_so(tmp_path):
    """A disk that fills up mid-write (an OSError from a writer) is an OutputError naming the folder; the
    folders made for the write are removed again, so no empty output folder stays behind."""
    target = tmp_path / "out" / "deeper"

    def full(path: Path) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match=r"cannot write .*deeper: the write failed \(No space left on device\)"):
        write_all(target, {"a.csv": lambda p: p.write_text("a"), "b.csv": full})
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="No space left"):
        with atomic_path(tmp_path / "new" / "report.pdf") as tmp:
            tmp.write_text("half")
            raise OSError(28, "No space left on device")
    assert list(tmp_path.iterdir()) == []
