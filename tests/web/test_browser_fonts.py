"""Issue 12 "How it is checked": the portal in a Chromium that has no CJK system fonts.

Fontconfig sees only DejaVu and Liberation (a ``FONTCONFIG_FILE`` that hides /usr/share/fonts/opentype/noto
and every other CJK font), as on a server or a fresh Linux desktop. For the ranking, a brand page and
compare, at 1366 px and 390 px, in English and Chinese, the test takes a screenshot
(``artifacts/screenshots/fonts-*.png``) and asks the browser (devtools protocol,
``CSS.getPlatformFontsForNode``) which font drew every text node: it must be one of the portal's own
webfonts, never a fallback (a fallback here is a tofu box). At 390 px the page must not scroll
sideways, and no radar label may stick out of its chart.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_browser import ARGS, SHOTS, chromium_path, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OURS = {"NevSans", "NevSans CJK SC"}
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <dir>/usr/share/fonts/truetype/liberation</dir>
  <cachedir>{cache}</cachedir>
  <config></config>
</fontconfig>
"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal on a store holding the NEV demonstration editions (real names, 30 brands, zh names)."""
    import uvicorn

    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store
    from nevindex.web.app import create_app

    folder = tmp_path_factory.mktemp("demo-store")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    publish_demo_editions(store)
    from nevindex.cli._reports import render_report

    app = create_app(store=store, reports=render_report, reports_dir=folder / "reports")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def bare_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Chromium whose fontconfig knows no CJK font."""
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("fontconfig")
    (folder / "cache").mkdir()
    conf = folder / "fonts.conf"
    conf.write_text(FONTCONFIG.format(cache=folder / "cache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(folder)}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS, env=env)
        yield b
        b.close()


def fonts_of_text(pg) -> dict[str, set[str]]:  # noqa: ANN001
    """Font family → the texts it drew, for every element that directly holds visible text."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
    used: dict[str, set[str]] = {}

    def visit(node: dict) -> None:  # type: ignore[type-arg]
        texts = [c["nodeValue"].strip() for c in node.get("children", ()) if c["nodeType"] == 3]
        texts = [t for t in texts if t]
        if texts and node.get("nodeName") not in ("SCRIPT", "STYLE", "TITLE", "title", "HEAD", "OPTION"):
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]:
                used.setdefault(font["familyName"] + ("" if font["isCustomFont"] else " (system)"),
                                set()).add(" ".join(texts)[:40])
        for child in node.get("children", ()):
            visit(child)

    visit(root)
    cdp.detach()
    return used


def test_the_browser_has_no_cjk_system_font(bare_browser) -> None:  # noqa: ANN001
    """The control: without our webfont, 中文 is drawn by a non-CJK system font (a tofu box)."""
    pg = bare_browser.new_page()
    pg.set_content('<p style="font-family: sans-serif">中文</p>')
    used = fonts_of_text(pg)
    pg.close()
    assert used and not any(name.split(" (")[0] in OURS for name in used)
    assert not any("CJK" in name or "Han" in name or "Hei" in name for name in used), used


PAGES = {"ranking": "/editions/nev-2024/", "brand": "/editions/nev-2024/brands/byd/",
         "compare": "/compare/?edition=nev-2024&brands=byd&brands=tesla&brands=nio",
         "methodology": "/methodology/?edition=nev-2024"}


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_glyph_falls_back(demo_server, bare_browser, name, lang, width) -> None:  # noqa: ANN001
    context = bare_browser.new_context(viewport={"width": width, "height": 900},
                                       locale="zh-CN" if lang == "zh" else "en-GB")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = demo_server + ("/zh" if lang == "zh" else "") + PAGES[name]
    response = pg.goto(url)
    assert response is not None and response.status == 200, url
    pg.evaluate("document.fonts.ready")
    pg.wait_for_function("[...document.fonts].every(f => f.status !== 'loading')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"fonts-{name}-{lang}-{width}.png"), full_page=True)
    used = fonts_of_text(pg)
    strangers = {font: sorted(texts)[:5] for font, texts in used.items() if font not in OURS}
    assert not strangers, f"glyphs drawn by fonts that are not ours (fallbacks): {strangers}"
    assert "NevSans" in used
    if lang == "zh" or name == "brand":
        assert "NevSans CJK SC" in used  # Chinese text, or the 中文 link at least, drawn by our CJK font
    sideways = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"the page scrolls sideways by {sideways} px at {width} px"
    if name == "ranking":
        wrap = pg.evaluate("(() => { const w = document.querySelector('.table-wrap'); "
                           "return w.scrollWidth - w.clientWidth; })()")
        assert wrap <= 0, f"the ranking table scrolls sideways by {wrap} px at {width} px"
    if name == "brand":
        clipped = pg.evaluate("""(() => {
            const svg = document.querySelector('svg.chart.radar, svg.chart.bars');
            const box = svg.viewBox.baseVal;
            return [...svg.querySelectorAll('text')].filter(t => {
                const b = t.getBBox();
                return b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
                    || b.y + b.height > box.y + box.height + 0.5;
            }).map(t => t.textContent);
        })()""")
        assert not clipped, f"radar labels outside the chart: {clipped}"
    context.close()
    assert not errors, errors


def test_the_html_report_uses_the_webfont(bare_browser, tmp_path) -> None:  # noqa: ANN001
    """The zh HTML report, opened from a file with fonts/ beside it, draws its Chinese in our font."""
    from nevindex.report import sources
    from nevindex.report.render import render_html

    html = render_html(sources.from_demo(2024).model("zh"))
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    shutil.copytree(Path(__file__).resolve().parents[2] / "src" / "nevindex" / "fonts" / "web", tmp_path / "fonts")
    pg = bare_browser.new_page(viewport={"width": 1366, "height": 900})
    pg.goto((tmp_path / "report.html").as_uri())
    pg.evaluate("document.fonts.ready")
    pg.wait_for_function("[...document.fonts].every(f => f.status !== 'loading')")
    pg.screenshot(path=str(SHOTS / "fonts-report-zh.png"))
    used = fonts_of_text(pg)
    pg.close()
    assert "NevSans CJK SC" in used
    cjk_fallbacks = {f: t for f, t in used.items() if f not in OURS and any(ord(c) > 0x2E80 for s in t for c in s)}
    assert not cjk_fallbacks, cjk_fallbacks


def test_the_portal_serves_the_html_report_with_its_fonts(demo_server, bare_browser) -> None:  # noqa: ANN001
    """The zh HTML report as the Downloads page links it: its Chinese is drawn by our webfont, which the
    report finds at fonts/ beside it (the report's own CSP allows its inline styles)."""
    pg = bare_browser.new_page(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = pg.goto(demo_server + "/reports/nev-2024/report-zh.html", timeout=300_000)
    assert response is not None and response.status == 200
    pg.evaluate("document.fonts.ready")
    pg.wait_for_function("[...document.fonts].every(f => f.status !== 'loading')")
    pg.screenshot(path=str(SHOTS / "fonts-served-report-zh.png"))
    used = fonts_of_text(pg)
    pg.close()
    assert "NevSans CJK SC" in used
    cjk_fallbacks = {f: t for f, t in used.items() if f not in OURS and any(ord(c) > 0x2E80 for s in t for c in s)}
    assert not cjk_fallbacks, cjk_fallbacks
    assert not errors, errors  # no CSP violation: styles and fonts load
