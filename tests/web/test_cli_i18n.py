"""The portal's commands and the language catalogues."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from nevindex.cli import main
from nevindex.web import auth
from nevindex.web.i18n import HERE, LANGUAGES, catalogue, split_lang, translate


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    cats = {lang: catalogue(lang).messages for lang in LANGUAGES}
    assert set(cats["en"]) == set(cats["zh"])
    for key, text in cats["en"].items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", cats["zh"][key])), key


def test_every_template_key_is_in_the_catalogue() -> None:
    templates = Path(HERE).parent / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_\-]+)'(?! ~)", path.read_text(encoding="utf-8")))
    known = set(catalogue("en").messages)
    assert used and used <= known, used - known


def test_translate_and_paths() -> None:
    assert translate("zh", "showing", n=2, total=5) == "显示 2 / 5 个品牌"
    assert translate("fr", "rank") == "Rank"  # unknown language: English
    assert translate("en", "no-such-key") == "no-such-key"
    assert split_lang("/zh/editions/x/") == ("zh", "/editions/x/")
    assert split_lang("/zh") == ("zh", "/")
    assert split_lang("/zhx/") == ("en", "/zhx/")


@pytest.mark.slow  # end to end: the whole static site exported
def test_cli_create_user_and_site_export(seeded_folder: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shutil

    shutil.copy(seeded_folder / "store.db", tmp_path / "store.db")
    db = str(tmp_path / "store.db")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["admin", "create-user", "carol", "--db", db, "--password-stdin"]) == 0
    from nevindex.store.db import open_store

    store = open_store(f"sqlite:///{db}")
    assert auth.verify_user(store.engine, "carol", "a long enough password")
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["admin", "create-user", "dave", "--db", db, "--password-stdin"]) == 2
    assert main(["site", "export", str(tmp_path / "site"), "--db", db]) == 0
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "zh" / "editions" / "t2024" / "brands" / "alpha" / "index.html").is_file()


def test_serve_help_shows_loopback_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "127.0.0.1" in out and "--db" in out and "--port" in out
