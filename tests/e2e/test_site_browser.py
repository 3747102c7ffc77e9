"""The exhibition site in a real browser: headless Chromium (Debian's) driven by Playwright, from a local server.

Checks that the sections and items appear, the deep-zoom viewer draws tiles (a non-blank canvas), the language
switch works (and is remembered), no request leaves 127.0.0.1, and a catalogue title containing ``<script>``
shows as text and runs nothing. Saves ``docs/img/home.png`` and ``docs/img/item.png`` when they are missing
or ``HERITAGE_LD_UPDATE_SCREENSHOTS=1`` (so that test runs do not churn the committed images).

Needs ``/usr/bin/chromium`` (``scripts/install-system-deps.sh``); skipped without it unless
``HERITAGE_LD_REQUIRE_BROWSER=1`` (CI), which makes its absence a failure.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from heritage_ld.catalogue import read_catalogue
from heritage_ld.cli import app
from heritage_ld.publish.server import make_app, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
EVIL = "HNM.1972.036"
EVIL_TITLE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">Evil & title'
SHOWN = "HNM.1972.001"


def _screenshot(tab: Any, name: str, scratch: Path) -> None:
    shot = scratch / name
    tab.screenshot(path=str(shot))
    target = DOCS_IMG / name
    if not target.exists() or os.environ.get("HERITAGE_LD_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found (Debian: apt-get install chromium; make test installs it)"
    if os.environ.get("HERITAGE_LD_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " but HERITAGE_LD_REQUIRE_BROWSER=1")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    """The Hanoi example with one English title that tries to run a script."""
    _require_browser()
    folder = tmp_path_factory.mktemp("browser") / "hanoi-1972"
    shutil.copytree(example_dir, folder)
    path = folder / "items.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    for row in rows:
        if row["accession"] == EVIL:
            row["title@en"] = EVIL_TITLE
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def built(catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-out")
    result = CliRunner().invoke(app, ["build", str(catalogue), "-o", str(out), "--only", "rdf,iiif,site", "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with running(make_app(built)) as origin:
        yield origin


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watch:
    """Every request of a page: those to 127.0.0.1 go through, any other is aborted and remembered."""

    def __init__(self, context: Any) -> None:
        self.local: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.dialogs: list[str] = []
        context.route("**/*", self.route)

    def route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            self.local.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def attach(self, page: Any) -> None:
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))


@pytest.fixture()
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    watch = Watch(context)
    page = context.new_page()
    watch.attach(page)
    yield page, watch
    context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"


def test_home_shows_the_sections_in_order_with_their_items(server: str, page: tuple[Any, Watch],
                                                            catalogue: Path, tmp_path: Path) -> None:
    tab, watch = page
    collection = read_catalogue(catalogue)
    tab.goto(f"{server}/?lang=en")
    assert tab.url == f"{server}/site/index.html?lang=en"
    headings = tab.locator("section.section h2").all_inner_texts()
    unsectioned = [i for i in collection.items if i.section is None]
    assert headings == [s.title["en"] for s in collection.sections] + (["Other items"] if unsectioned else [])
    assert tab.locator("ul.cards li.card").count() == len(collection.items)
    for img in tab.locator("li.card img").all()[:6]:
        assert img.get_attribute("alt")
    tab.wait_for_load_state("networkidle")
    _screenshot(tab, "home.png", tmp_path)
    assert watch.failed == []


def test_the_language_switch_works_and_is_remembered(server: str, page: tuple[Any, Watch], catalogue: Path) -> None:
    tab, _ = page
    title = read_catalogue(catalogue).title
    tab.goto(f"{server}/site/index.html")
    h1 = tab.locator("h1")
    assert tab.evaluate("document.documentElement.lang") == "vi"  # the catalogue's first language
    assert h1.inner_text() == title["vi"]
    tab.get_by_role("link", name="English").click()
    assert h1.inner_text() == title["en"]
    assert tab.evaluate("document.documentElement.lang") == "en"
    tab.goto(f"{server}/site/section/peace.html")  # remembered (localStorage)
    assert tab.evaluate("document.documentElement.lang") == "en"
    tab.goto(f"{server}/site/index.html?lang=vi")  # ?lang= wins
    assert h1.inner_text() == title["vi"]


def test_without_script_every_language_is_shown(browser: Any, server: str, catalogue: Path) -> None:
    title = read_catalogue(catalogue).title
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{server}/site/index.html")
    text = tab.locator("h1").inner_text()
    assert title["vi"] in text and title["en"] in text
    context.close()


def test_the_viewer_draws_tiles(server: str, page: tuple[Any, Watch], tmp_path: Path) -> None:
    tab, watch = page
    tab.goto(f"{server}/site/object/{SHOWN}.html?lang=en")
    tab.wait_for_function(
        "() => window.heritageViewer && window.heritageViewer.world.getItemCount() > 0"
        " && window.heritageViewer.world.getItemAt(0).getFullyLoaded()", timeout=30_000)
    distinct = tab.evaluate("""() => {
        const c = document.querySelector('#viewer canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
        return seen.size;
    }""")
    assert distinct > 10, "the viewer canvas is blank"
    assert any("/iiif/image/" in u and u.endswith("/default.jpg") for u in watch.local)
    assert tab.locator("script[type='application/ld+json']").count() == 1
    _screenshot(tab, "item.png", tmp_path)


def test_a_script_in_a_title_is_text(server: str, page: tuple[Any, Watch]) -> None:
    tab, watch = page
    tab.goto(f"{server}/site/object/{EVIL}.html?lang=en")
    tab.wait_for_load_state("networkidle")
    assert tab.evaluate("typeof window.__xss") == "undefined"
    assert EVIL_TITLE in tab.locator("h1").inner_text()
    assert watch.dialogs == []
    data = tab.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert EVIL_TITLE in str(data)
    tab.goto(f"{server}/site/section/peace.html")
    assert tab.evaluate("typeof window.__xss") == "undefined"


def test_opened_from_disk_the_item_page_shows_the_largest_still(browser: Any, built: Path) -> None:
    """``site/index.html`` opened from disk, as the build suggests: the tile viewer cannot read its tiles over
    file:// (browsers refuse), so the page shows the largest static size as a plain image, not an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.goto((built / "site" / "object" / f"{SHOWN}.html").as_uri())
    tab.wait_for_load_state("load")
    image = tab.locator("#viewer img.preview")
    image.wait_for(state="visible", timeout=15_000)
    tab.wait_for_function("() => document.querySelector('#viewer img.preview').naturalWidth > 0", timeout=15_000)
    src = image.get_attribute("src") or ""
    assert "/full/" in src and src == tab.locator("#viewer").get_attribute("data-full")
    sizes = sorted(int(p.parent.parent.name.split(",")[0]) for p in (built / "iiif" / "image").glob(
        f"{SHOWN}-1/full/*,*/0/default.jpg"))
    assert src.split("/full/")[1].startswith(f"{sizes[-1]},")  # the largest static size
    assert "Unable to open" not in tab.locator("body").inner_text()
    context.close()
