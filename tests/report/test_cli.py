"""`nevindex report` from files: writes the file; bad options are one-line errors with exit code 2."""

from __future__ import annotations

import pytest

from nevindex.cli import main

pytestmark = pytest.mark.slow  # end to end: a whole report rendered


def test_report_html_from_files(tmp_path, report_files):
    out = tmp_path / "r.html"
    assert main(["report", *report_files, "--edition", "2024", "--lang", "zh", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "2024新能源汽车品牌发展报告" in page
    assert "比亚迪" in page
    assert "与2023年相比" in page and "变化分解不可用" not in page  # the data have 2023: the change is shown
    assert (tmp_path / "fonts" / "NevSansCJKsc-Regular.woff2").is_file()  # the webfonts it links, beside it


def test_bad_options_exit_2(tmp_path, capsys, report_files):
    args = report_files
    assert main(["report", *args, "--lang", "fr", "--out", str(tmp_path / "x.html")]) == 2
    assert main(["report", *args, "--edition", "1999", "--out", str(tmp_path / "x.html")]) == 2
    assert main(["report", "--framework", args[1], "--out", str(tmp_path / "x.html")]) == 2
    assert not (tmp_path / "x.html").exists()
    assert "--lang must be one of en, zh" in capsys.readouterr().err.replace("\n", "")
