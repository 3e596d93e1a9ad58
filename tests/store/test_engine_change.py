"""verify tells tampering from an engine change: changed stored bytes fail; the same stored bytes
rebuilt differently by another release are a note naming both releases, not a failure."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from tests.store.test_verify import _tamper

from nevindex.build import build as real_build
from nevindex.store import _verify
from nevindex.store import editions as ed


def _another_engine(monkeypatch, version: str | None) -> None:
    """This release reads the same stored recipe differently (here: another normalisation), as a later
    release with a changed method could; ``version``: the release it claims to be (None: the same)."""
    monkeypatch.setattr(_verify, "build", lambda fw, ds, rc, year=None: real_build(
        fw, ds, rc.with_setting("normalise.method", "zscore"), year=year))
    if version is not None:
        monkeypatch.setattr(_verify, "__version__", version)


def test_another_release_rebuilding_differently_is_a_note(published_edition, store, files, monkeypatch):
    info = published_edition(store, files)
    built_with = ed.get_edition(store, "2024").package_version
    _another_engine(monkeypatch, "99.0")
    report = ed.verify(store, "2024")
    assert report.result_sha256 == info.result_sha256
    changed = [n for n in report.notes if n.startswith("engine changed")]
    assert len(changed) == 1
    assert f"built with nevindex {built_with}, rebuilt with nevindex 99.0" in changed[0]
    assert "first difference: unit" in changed[0]
    assert any("stored rows match" in c and "intact" in c for c in report.checks)


def test_the_same_release_rebuilding_differently_fails(published_edition, store, files, monkeypatch):
    published_edition(store, files)
    _another_engine(monkeypatch, None)
    with pytest.raises(ed.VerificationError, match="rebuild from stored inputs gives different numbers"):
        ed.verify(store, "2024")


def test_changed_stored_bytes_fail_whatever_the_release(published_edition, store, files, monkeypatch):
    published_edition(store, files)
    monkeypatch.setattr(_verify, "__version__", "99.0")
    _tamper(store, "UPDATE methodologies SET yaml_text = replace(yaml_text, 'direction: -1', 'direction: 1')",
            "methodologies")
    with store.engine.connect() as conn:
        assert "direction: -1" not in conn.execute(text("SELECT yaml_text FROM methodologies")).scalar_one()
    with pytest.raises(ed.VerificationError, match="methodology of edition '2024' no longer matches its hash"):
        ed.verify(store, "2024")


def test_a_download_rebuilt_differently_by_another_release_is_a_note(published_edition, store, files, tmp_path,
                                                                      monkeypatch):
    from nevindex.store import _verify_export, receipts

    published_edition(store, files)
    folder = tmp_path / "open-data"
    ed.export_edition(store, "2024", folder)
    document = receipts.read(folder / receipts.FILE_NAME)
    monkeypatch.setattr(_verify_export, "build", lambda fw, ds, rc, year=None: real_build(
        fw, ds, rc.with_setting("normalise.method", "zscore"), year=year))
    with pytest.raises(ed.VerificationError, match="rebuild from the files' inputs"):
        ed.verify_export(document, folder)  # the same release: it must reproduce its numbers
    monkeypatch.setattr(_verify_export, "__version__", "99.0")
    report = ed.verify_export(document, folder)
    assert [n for n in report.notes if n.startswith("engine changed: published with nevindex")]
    assert any("result rows" in c and "as signed" in c for c in report.checks)  # the files themselves are intact


def test_a_release_that_cannot_read_intact_stored_inputs_says_so(published_edition, store, files, monkeypatch):
    from nevindex.errors import MethodologyError
    from nevindex.store import _stored

    info = published_edition(store, files)

    def cannot_read(row):
        raise MethodologyError("setting 'colour' is unknown")

    monkeypatch.setattr(_stored, "stored_framework", cannot_read)
    report = ed.verify(store, "2024")  # the stored text still gives its hash: not tampering
    assert report.result_sha256 == info.result_sha256
    note = next(n for n in report.notes if n.startswith("engine changed"))
    assert "cannot read the inputs" in note and "colour" in note and "not rebuilt" in note
    assert any("not rebuilt" in c for c in report.checks)
    _tamper(store, "UPDATE unit_results SET score = score + 1 WHERE unit = 'bolt' AND node = 'Index'", "unit_results")
    with pytest.raises(ed.VerificationError, match="stored results were changed after the build"):
        ed.verify(store, "2024")  # without a rebuild, the stored rows are still checked against their hash


def _nudged_rebuild(monkeypatch, factor: float, module=_verify) -> None:  # noqa: ANN001
    """This release rebuilds the same numbers times ``factor``: what another CPU's maths does to the last
    bits (factor 1 + 1e-13), or a real change (1 + 1e-6)."""
    import dataclasses

    def rebuilt(fw, ds, rc, year=None):  # noqa: ANN001, ANN202
        result = real_build(fw, ds, rc, year=year)
        return dataclasses.replace(result, scores=result.scores * factor)

    monkeypatch.setattr(module, "build", rebuilt)


def test_the_same_release_differing_only_by_rounding_is_a_note(published_edition, store, files, monkeypatch):
    info = published_edition(store, files)
    _nudged_rebuild(monkeypatch, 1 + 1e-13)
    report = ed.verify(store, "2024")
    assert report.result_sha256 == info.result_sha256
    rounding = [n for n in report.notes if n.startswith("rounding:")]
    assert len(rounding) == 1 and "largest difference" in rounding[0] and "score" in rounding[0]
    assert any("to within rounding" in c for c in report.checks)
    assert not any(n.startswith("engine changed") for n in report.notes)


def test_the_same_release_differing_by_more_than_rounding_fails(published_edition, store, files, monkeypatch):
    published_edition(store, files)
    _nudged_rebuild(monkeypatch, 1 + 1e-6)
    with pytest.raises(ed.VerificationError, match="rebuild from stored inputs gives different numbers"):
        ed.verify(store, "2024")


def test_a_download_differing_only_by_rounding_is_a_note(published_edition, store, files, tmp_path, monkeypatch):
    from nevindex.store import _verify_export, receipts

    published_edition(store, files)
    folder = tmp_path / "open-data"
    ed.export_edition(store, "2024", folder)
    document = receipts.read(folder / receipts.FILE_NAME)
    _nudged_rebuild(monkeypatch, 1 + 1e-13, _verify_export)
    report = ed.verify_export(document, folder)
    assert [n for n in report.notes if n.startswith("rounding: the rebuild on this machine")]
    assert any("to within rounding" in c for c in report.checks)
    _nudged_rebuild(monkeypatch, 1 + 1e-6, _verify_export)
    with pytest.raises(ed.VerificationError, match="rebuild from the files' inputs"):
        ed.verify_export(document, folder)
