"""The report's interactive map in a real headless browser (Debian's chromium + chromedriver).

The page of the JJJ links section is built from the bundled data and opened from disk with no
network: it must load with no console errors, list the link kinds and adoption windows in its
legend, and, as the year slider moves, draw exactly the link rows (pair x kind) whose first
dated event is in or before that year, counted by a query of our own over the raw link rows
(``coordination_link_at``). A screenshot is kept under ``test-artifacts/`` (git-ignored; or
``$POLICYLINK_ARTIFACTS``) and the pytest tmp dir.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from policylink.maps import KIND_LABELS
from policylink.report.builder import ReportWriter
from policylink.report.context import Context
from policylink.report.sections import JJJ_LINK_PROGRAMME, section_jjj_links

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium / chromium-driver not installed (scripts/ensure_system.sh test)",
)
JJJ = ["110000", "120000", "130000"]
ARTIFACTS = Path(
    os.environ.get("POLICYLINK_ARTIFACTS", Path(__file__).parents[1] / "test-artifacts")
)

# Rows per unordered pair and kind, with the first dated year: a second route to the count the
# page must draw (the map reads coordination_link_kind_at; this groups coordination_link_at).
_FIRST_YEARS = """
SELECT min(event_year) AS first_year
FROM coordination_link_at(p_level => 'prefecture', p_programme => %s, p_within => %s)
GROUP BY LEAST(from_code, to_code), GREATEST(from_code, to_code), kind
"""


@pytest.fixture(scope="module")
def page(bundled_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("webmap")
    with psycopg.connect(bundled_url) as conn:
        ctx = Context(conn, ReportWriter(out), lang="en", log=lambda _m: None)
        sec = section_jjj_links(ctx)
    assert not sec.missing
    return out / "interactive_map.html"


@pytest.fixture(scope="module")
def first_years(bundled_url: str) -> list[int | None]:
    with psycopg.connect(bundled_url) as conn:
        return [r[0] for r in conn.execute(_FIRST_YEARS, (JJJ_LINK_PROGRAMME, JJJ)).fetchall()]


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _links_drawn(driver) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, "path.pl-link"))


def test_page_loads_offline_without_errors(driver, page, tmp_path):
    driver.get(page.as_uri())
    assert driver.execute_script("return typeof L") == "object"  # Leaflet is inline
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    # Every JJJ prefecture is drawn and labelled (13 units, 13 name labels).
    assert len(driver.find_elements(By.CSS_SELECTOR, ".pl-label")) == 13
    assert "北京市" in driver.find_element(By.CSS_SELECTOR, ".leaflet-marker-pane").text
    # Toggles: units, labels and one per kind.
    toggles = driver.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays label")
    assert len(toggles) >= 3
    shot = tmp_path / "interactive_map.png"
    assert driver.save_screenshot(str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "interactive_map.png")
    assert shot.stat().st_size > 10_000


def test_legend_lists_classes(driver, page, bundled_url):
    driver.get(page.as_uri())
    legend = driver.find_element(By.CSS_SELECTOR, ".pl-legend").text
    with psycopg.connect(bundled_url) as conn:
        kinds = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT kind FROM coordination_link_at(p_level => 'prefecture', "
                "p_programme => %s, p_within => %s)",
                (JJJ_LINK_PROGRAMME, JJJ),
            )
        }
    assert kinds
    for k in kinds:
        assert KIND_LABELS["en"][k] in legend
    # Seed 001's three adoption windows, and the class of units without a policy yet.
    for label in ("before 2008", "2008-2014", "2014-2016", "no policy"):
        assert label in legend


def test_slider_draws_the_links_of_each_year(driver, page, first_years):
    driver.get(page.as_uri())
    slider = driver.find_element(By.ID, "pl-year")
    lo, hi = int(slider.get_attribute("min")), int(slider.get_attribute("max"))
    dated = [y for y in first_years if y is not None]
    # The range covers every dated link (adoption may start earlier); the last step is "all".
    assert lo <= min(dated) and hi - 1 >= max(dated)
    # Initially "all": every row, undated ones included.
    assert _links_drawn(driver) == len(first_years)
    slider.send_keys(Keys.HOME)
    seen = set()
    for year in range(lo, hi):
        shown = int(driver.find_element(By.ID, "pl-year-label").text)
        assert shown == year
        expected = sum(1 for y in dated if y <= year)
        assert _links_drawn(driver) == expected, year
        seen.add(expected)
        if year == 2014:  # seed 001's middle window ends: a second artefact
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(ARTIFACTS / "interactive_map_2014.png"))
        slider.send_keys(Keys.ARROW_RIGHT)
    assert len(seen) > 2  # the slider really changes the map
    assert _links_drawn(driver) == len(first_years)  # back at "all"
    # A toggle hides one kind's links.
    toggle = driver.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays input")[-1]
    toggle.click()
    assert _links_drawn(driver) < len(first_years)


def test_tooltip_on_hover(driver, page):
    from selenium.webdriver import ActionChains

    driver.get(page.as_uri())
    units = driver.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive:not(.pl-link)")
    assert len(units) == 13
    ActionChains(driver).move_to_element(units[0]).perform()
    tips = driver.find_elements(By.CSS_SELECTOR, ".leaflet-tooltip")
    assert tips and "policy adoption window" in tips[0].text
