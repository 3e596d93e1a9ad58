"""CLI conventions a new user expects (issue 12, item 7, and the CLI title of item 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

REPO = Path(__file__).resolve().parents[2]


def _commands(app: typer.Typer, prefix: tuple[str, ...] = ()):
    """Every (path, click command) of the nevindex app."""
    from typer.main import get_command

    root = get_command(app)

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, (*path, name))

    yield from walk(root, prefix)


def test_f_means_framework_everywhere():
    from nevindex.cli import app

    seen = 0
    for path, cmd in _commands(app):
        for param in getattr(cmd, "params", []):
            if "-f" in getattr(param, "opts", []):
                seen += 1
                assert "--framework" in param.opts, (path, param.opts)
    assert seen >= 5


def test_report_old_f_format_gets_a_clear_error(run, tmp_path):
    code, out, err = run("report", "-f", "html", "--out", str(tmp_path / "r.html"))
    assert code == 2
    assert "-f means --framework" in err and "--format html" in err


def test_version(run):
    from nevindex import __version__

    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"nevindex {__version__}"


@pytest.mark.parametrize("args", [["--help"], ["profile", "--help"], ["report", "--help"], ["edition", "show", "--help"]])
def test_no_bool_metavars_and_no_mid_sentence_breaks(run, args):
    code, out, _ = run(*args)
    assert code == 0
    assert "<bool>" not in out


def test_help_paragraphs_are_unwrapped():
    from nevindex.cli import app

    for path, cmd in _commands(app):
        for paragraph in (cmd.help or "").split("\n\n"):
            assert "\n" not in paragraph, (path, paragraph)


def test_help_lines_are_wrapped_by_the_terminal_not_the_source(run):
    code, out, _ = run("--help")
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("│ demo"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("│          "))
    texts = [ln.strip("│ ").rstrip() for ln in lines[start:end]]
    # before: "…build, audit and" ended a line with a third of it empty (the docstring's line break)
    width = max(len(t) for t in texts)
    assert len(texts) >= 2 and all(len(t) >= width - 15 for t in texts[:-1]), texts


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_edition_show_and_compare_print_names(run, demo_store_url):
    code, out, err = run("edition", "show", "nev-2024", "--top", "40", "--db", demo_store_url)
    assert code == 0, err
    assert "Li Auto" in out and "li-auto" not in out.split("(top")[1]
    code, out, err = run("edition", "compare", "nev-2023", "nev-2024", "--top", "40", "--db", demo_store_url)
    assert code == 0, err
    assert "Li Auto" in out and "│ li-auto" not in out


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_report_without_the_edition_is_an_error_unless_demo(run, demo_store_url, tmp_path):
    out_file = tmp_path / "r.html"
    code, out, err = run("report", "--edition", "2031", "--format", "html", "--out", str(out_file),
                         "--db", demo_store_url)
    assert code == 2 and not out_file.exists()
    assert "--demo" in err and "nevindex demo" in err and "Traceback" not in err
    code, out, err = run("report", "--edition", "2024", "--format", "html", "--out", str(out_file),
                         "--db", f"sqlite:///{tmp_path / 'missing.db'}")
    assert code == 2 and not out_file.exists() and "--demo" in err


def test_unbuildable_draft_names_the_methodology_and_suspend_empty(run, tmp_path):
    from nevindex.nev.edition import framework_path

    db = f"sqlite:///{tmp_path / 's.db'}"
    data = Path(framework_path()).parents[1] / "demo" / "nev-brands"
    assert run("data", "import", str(data / "observations.csv"), "--units", str(data / "brands.csv"),
               "--fx-rates", str(data / "fx_rates.csv"), "--db", db)[0] == 0
    assert run("edition", "create", "--year", "2025", "-f", str(framework_path()), "-d", "1", "--db", db)[0] == 0
    code, out, err = run("edition", "build", "nev-2025", "--db", db)
    assert code == 2
    assert "--suspend-empty" in err and f"({Path(framework_path()).name})" in err
    assert "observations.csv" not in err and "site-packages" not in err
    # the draft can go, and a published edition cannot
    code, out, err = run("edition", "delete", "nev-2025", "--db", db)
    assert code == 0, err
    code, out, err = run("edition", "show", "nev-2025", "--db", db)
    assert code == 2 and "no edition 'nev-2025'" in err


def test_audit_advice_is_printed_once():
    import numpy as np

    from nevindex.build import build
    from nevindex.errors import NevIndexError
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    recipe = result.recipe.model_copy(update={"aggregate": result.recipe.aggregate.model_copy(
        update={"method": "geometric", "by_level": {}, "by_node": {}})})
    recipe = type(result.recipe).model_validate(recipe.model_dump())
    with pytest.raises(NevIndexError) as info:
        build(result.framework, result.dataset, recipe, year=result.year)
    text = str(info.value)
    assert text.count("normalise onto") == 1 and np.char.count(text, "[1, 100]") == 1


def test_cli_title_reads_like_a_product_title():
    from rich.console import Console

    from nevindex.cli.nev import edition_table
    from nevindex.nev.edition import build_edition

    edition = build_edition(2023)
    console = Console(width=300, record=True)
    console.print(edition_table(edition, 3))
    first = console.export_text().splitlines()[0].strip()
    version = edition.result.framework.framework.version
    assert first == f"Global NEV Brand Evaluation Index 2023 (methodology {version})"


def test_gitignore_has_the_demo_folder():
    lines = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "nevindex-demo/" in lines


def test_one_unit_one_year(run, tmp_path):
    code, out, err = run("synth", "--units", "3", "--indicators", "2", "--years", "1", "--out", str(tmp_path))
    assert code == 0, err
    assert "3 units × 2 indicators × 1 year," in out
    assert not re.search(r"\b1 (indicators|years)\b", out)


def test_one_brand_uses_agrees_in_the_coverage_note():
    from nevindex.i18n.plural import count, plural

    assert count(1, "brand") == "1 brand" and plural("more brand", 2) == "more brands"
