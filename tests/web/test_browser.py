"""Browser tests: the system Chromium (never a downloaded one) drives a real uvicorn server.

Each test saves a screenshot of the page it checks to ``artifacts/screenshots/``. Console errors
(including Content-Security-Policy violations) fail the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import PASSWORD
from .fixtures import VALUES, expected_scores, ranks_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # end to end: the portal in a real browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    path = os.environ.get("NEVINDEX_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not Path(path).exists():
        pytest.fail("system Chromium not found: run `eval \"$(bash .ci/chromium.sh)\"` (installs the distribution's "
                    "chromium package and sets NEVINDEX_CHROMIUM)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(seeded_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a random free loopback port, on a private copy of the test store."""
    import uvicorn

    from nevindex.web.app import create_app

    folder = tmp_path_factory.mktemp("browser-store")
    shutil.copy(seeded_folder / "store.db", folder / "store.db")
    app = create_app(f"sqlite:///{folder / 'store.db'}")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not errors, f"console errors: {errors}"


def shot(pg, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def visible_names(pg) -> list[str]:  # noqa: ANN001
    return pg.eval_on_selector_all("table.ranking tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")


def test_sort_the_ranking(server: str, page) -> None:  # noqa: ANN001
    page.goto(server + "/")
    scores = expected_scores(2024)
    by_rank = sorted(scores, key=lambda c: -scores[c])
    names = dict(zip(by_rank, visible_names(page), strict=True))
    assert list(names) == by_rank
    page.get_by_role("button", name="Score").click()
    assert page.locator("th[data-key=score]").get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="Score").click()
    assert page.locator("th[data-key=score]").get_attribute("aria-sort") == "ascending"
    ascending = sorted(scores, key=lambda c: scores[c])
    assert visible_names(page) == [names[c] for c in ascending]
    page.get_by_role("button", name="Brand").click()
    shown = visible_names(page)
    assert shown == sorted(shown, key=str.casefold) or shown == sorted(shown)
    shot(page, "ranking-sorted")


def test_filter_the_ranking(server: str, page) -> None:  # noqa: ANN001
    page.goto(server + "/")
    page.get_by_label("Search brands").fill("gam")
    assert visible_names(page) == ["Gamma EV"]
    assert page.locator("#ranking-count").text_content() == "Showing 1 of 7 brands"
    page.get_by_label("Search brands").fill("")
    page.get_by_label("Country").select_option("country:DE")
    assert sorted(visible_names(page)) == ["Delta Auto", "Gamma EV"]
    assert "group=country%3ADE" in page.url
    shot(page, "ranking-filtered")
    page.get_by_label("Rank by").select_option("quality")  # needs the server: submits the form
    page.wait_for_url("**element=quality**")
    assert "ranked by Quality" in page.locator("caption").first.text_content()


def test_open_a_brand_and_what_if(server: str, page) -> None:  # noqa: ANN001
    page.goto(server + "/")
    page.get_by_role("link", name="Delta Auto").click()
    page.wait_for_url("**/brands/delta/")
    assert page.locator("h1").text_content().startswith("Delta Auto")
    assert page.locator("svg.radar").count() == 1 and page.locator("svg.history").count() == 1
    page.get_by_label("Sales indicator").fill("500")
    page.get_by_role("button", name="Recompute").click()
    result = page.locator("[data-whatif-result] table")
    result.wait_for()
    table = {c: list(v) for c, v in VALUES[2024].items()}
    table["delta"][0] = 500
    expected = expected_scores(2024, table)
    text = result.text_content()
    assert f"{expected['delta']:.2f}" in text
    assert str(ranks_of(expected)["delta"]) in page.locator("[data-whatif-result] tr").nth(2).text_content()
    assert "/editions/t2024/brands/delta/" in page.url and "w.sales" not in page.url, "no reload: recomputed via API"
    shot(page, "brand")


def test_switch_language(server: str, page) -> None:  # noqa: ANN001
    page.goto(server + "/editions/t2024/brands/gamma/")
    page.get_by_role("link", name="中文").click()
    page.wait_for_url("**/zh/editions/t2024/brands/gamma/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").text_content().startswith("伽马")
    assert page.get_by_role("heading", name="优势与不足").count() == 1
    shot(page, "brand-zh")
    page.goto(server + "/zh/")
    shot(page, "ranking-zh")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(server + "/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_compare_two_brands(server: str, page) -> None:  # noqa: ANN001
    page.goto(server + "/compare/")
    page.get_by_label("Brand 1").select_option("alpha")
    page.get_by_label("Brand 2").select_option("delta")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**brands=delta**")
    headers = page.eval_on_selector_all("table.compare thead th a", "els => els.map(e => e.textContent)")
    assert headers == ["Alpha Motors", "Delta Auto"]
    shot(page, "compare")


def test_keyboard_skip_link_and_mobile(server: str, browser) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(server + "/")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.textContent") == "Skip to content"
    pg.keyboard.press("Enter")
    assert pg.evaluate("document.activeElement.id") == "main"
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(pg, "ranking-mobile")
    pg.goto(server + "/editions/t2024/brands/alpha/")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    shot(pg, "brand-mobile")
    context.close()


def test_other_pages(server: str, page) -> None:  # noqa: ANN001
    for name, path in (("methodology", "/methodology/"), ("downloads", "/downloads/"), ("about", "/about/"),
                       ("methodology-zh", "/zh/methodology/")):
        page.goto(server + path)
        assert page.locator("h1").count() == 1
        shot(page, name)


def test_log_in_and_publish_a_draft(server: str, page) -> None:  # noqa: ANN001
    import httpx

    assert "d2024" not in httpx.get(server + "/api/v1/editions").text
    page.goto(server + "/admin/login")
    shot(page, "admin-login")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/admin/")
    row = page.locator("tr[data-edition=d2024]")
    assert "draft (built)" in row.text_content()
    row.get_by_role("button", name="Run audit").click()
    page.wait_for_url("**/admin/editions/d2024/audit**")
    assert "audited edition" in page.locator(".message").text_content()
    shot(page, "admin-audit")
    page.goto(server + "/admin/")
    page.once("dialog", lambda d: d.accept())
    page.locator("tr[data-edition=d2024]").get_by_role("button", name="Publish").click()
    page.wait_for_url("**msg=published**")
    assert "published edition 'd2024'" in page.locator(".message").text_content()
    assert "published" in page.locator("tr[data-edition=d2024]").text_content()
    assert page.locator("tr[data-edition=d2024]").get_by_role("button", name="Publish").count() == 0
    shot(page, "admin-dashboard")
    assert "d2024" in httpx.get(server + "/api/v1/editions").text


@pytest.fixture(scope="module")
def static_site(read_app, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: ANN001
    """The static export, served by a plain file server (as a CDN would)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from nevindex.web.site import export_site

    out = tmp_path_factory.mktemp("static-site")
    export_site(read_app.state.portal, out)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_static_copy_filters_and_compares(static_site: str, page) -> None:  # noqa: ANN001
    page.goto(static_site + "/")
    assert len(visible_names(page)) == 7
    page.get_by_label("Search brands").fill("delta")
    assert visible_names(page) == ["Delta Auto"]
    page.get_by_role("link", name="Delta Auto").click()
    page.wait_for_url("**/editions/t2024/brands/delta/")
    assert "needs the live portal" in page.locator(".whatif").text_content()
    page.goto(static_site + "/compare/")
    page.get_by_label("Brand 1").select_option("alpha")
    page.get_by_label("Brand 2").select_option("gamma")
    page.get_by_role("button", name="Compare").click()
    page.locator("[data-compare-result] table").wait_for()
    headers = page.eval_on_selector_all("[data-compare-result] thead th", "els => els.map(e => e.textContent)")
    assert headers == ["Measure", "Alpha Motors", "Gamma EV"]
    shot(page, "static-compare")
