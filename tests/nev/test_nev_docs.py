"""docs/methodology.md agrees with the methodology file: its generated tables are current."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevindex.nev.docs import MARKER, SECTIONS, main, render_sections, update_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


@pytest.mark.slow  # the generator builds every demo edition
def test_committed_methodology_matches_the_generator():
    text = DOC.read_text(encoding="utf-8")
    assert {m.group("name") for m in MARKER.finditer(text)} == set(SECTIONS)
    assert update_document(text, render_sections()) == text, "run: python -m nevindex.nev.docs docs/methodology.md"
    assert main(["--check", str(DOC)]) == 0


def test_every_indicator_with_names_justification_and_source_is_in_the_doc(nev):
    fw, _ = nev
    text = DOC.read_text(encoding="utf-8")
    for ind in fw.indicators:
        assert f"`{ind.code}`" in text
        for part in (ind.name.en, ind.name.zh, ind.meta["justification"], ind.meta["source"]):
            assert part.replace("|", "\\|") in text, (ind.code, part)


@pytest.mark.slow  # the generator builds every demo edition
def test_a_stale_document_is_detected(tmp_path):
    stale = tmp_path / "m.md"
    stale.write_text("intro\n<!-- BEGIN GENERATED: ratings -->\nold\n<!-- END GENERATED: ratings -->\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main([str(stale)]) == 0
    assert "**AAA**" in stale.read_text(encoding="utf-8") and main(["--check", str(stale)]) == 0
