"""The site in a real headless Chromium: search, figure outlines, tier filter, enrichment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pfocr.web.app import create_app
from pfocr.web.testing import serve_in_thread
from test_web import FIG1, build_example_store

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian chromium is not installed"
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = build_example_store(tmp_path_factory.mktemp("browser"))
    with serve_in_thread(create_app(store, preload=False)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.requests = requests
    try:
        yield page
    finally:
        context.close()


def test_search_gene_then_open_figure_with_outlines(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("header input[name=gene]", "bax")
    page.click("header button[type=submit]")
    page.wait_for_url("**/figures?**")
    assert page.inner_text("#total") == "1"
    page.click(f'a.title[href^="/figure/{FIG1}"]')
    page.wait_for_function("document.getElementById('figure-image')?.complete === true")
    assert page.evaluate("document.getElementById('figure-image').naturalWidth") == 400
    assert page.locator("rect.mark-gene").count() == 6
    assert page.locator("rect.mark.hl").count() == 1  # BAX highlighted from the search
    assert page.locator("polyline.edge").count() == 3
    box = page.locator("rect.mark-gene").first.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5
    # Every request stayed on the local server: no CDN, no outside fonts or scripts.
    assert all(url.startswith(base_url) for url in page.requests), page.requests


def test_click_outline_shows_match_and_links(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/figure/{FIG1}")
    erk = page.locator('rect.mark[data-labels="MAPK3 MAPK1"]')
    erk.click()
    info = page.locator("#mark-info")
    info.wait_for(state="visible")
    text = info.inner_text()
    assert "ERK1/2" in text and "MAPK3" in text and "MAPK1" in text and "famplex" in text
    links = info.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert "https://www.ncbi.nlm.nih.gov/gene/5595" in links
    assert any(link.startswith("https://www.genenames.org/") for link in links)
    assert page.evaluate("document.querySelectorAll('#mark-info script').length") == 0


def test_tier_filter_hides_looser_matches(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/figure/{FIG1}")
    visible_rows = "#gene-table tbody tr:not(.off)"
    assert page.locator(visible_rows).count() == 7
    page.select_option("#tier-filter", "strict")
    assert page.locator(visible_rows).count() == 3  # EGFR, TP53, BAX
    assert not page.locator('rect.mark[data-labels="MAPK3 MAPK1"]').is_visible()
    page.select_option("#tier-filter", "synonyms")
    assert page.locator(visible_rows).count() == 5
    page.uncheck("#show-edges")
    assert not page.locator("polyline.edge").first.is_visible()


def test_enrichment_flow_links_to_highlighted_figure(page: Any, base_url: str) -> None:
    page.goto(base_url + "/enrich")
    page.fill("#genes", "egfr\nBax, tp53; unknown1")
    page.fill("input[name=min_size]", "1")
    page.click("#enrich-form button[type=submit]")
    page.wait_for_selector("#enrich-table")
    assert page.inner_text("#unmapped") == "unknown1"
    first = page.locator("#enrich-table tbody tr").first
    assert "3/6" in first.inner_text()
    first.locator("a").click()
    page.wait_for_selector("#figure-image")
    assert page.locator("rect.mark.hl").count() == 4  # EGFR, BAX and TP53 (read twice)


def test_gmt_download_from_home(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/")
    with page.expect_download() as info:
        page.click('a[href="/api/gmt/Homo_sapiens"]')
    target = tmp_path / "library.gmt"
    info.value.save_as(target)
    lines = target.read_text("utf-8").splitlines()
    assert any(f"%{FIG1}%Homo sapiens" in line for line in lines)
