"""End to end in headless Chromium (Debian's chromium and chromium-driver) against
``symbiosis serve`` started on a free loopback port. Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from graph import EmbeddedStore

from .browser import FLAGS, chromium
from .web_support import PASSWORD, copy_world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(store: Path, users: Path) -> Iterator[str]:
    """``symbiosis serve`` on ``store`` with the accounts in ``users``: its address."""
    port = _free_port()
    env = {**os.environ, "SYMBIOSIS_SECRET_KEY": "e2e-secret"}
    proc = subprocess.Popen([sys.executable, "-m", "symbiosis.cli", "--store", str(store),
                             "serve", "--port", str(port), "--users", str(users)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode()) from None  # type: ignore[union-attr]
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def server(web_world, tmp_path):
    store, users = copy_world(web_world[0], tmp_path)
    with _serving(store, users) as url:
        yield url, store


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=1300,1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    if driver_path is None:
        raise RuntimeError("Debian's chromium-driver is not installed: `make test` installs it")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _shot(driver, artifacts: Path, name: str) -> None:
    path = artifacts / f"e2e-{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5_000


def _submit(driver, wait, button_id: str) -> None:
    """Click a button that loads a new page, and wait until the old page is gone (so the
    next look finds the new page, never the old one)."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()

    def gone(_driver) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:  # stale, or "node does not belong to the document"
            return True
        return False

    wait.until(gone)


def _sign_in(driver, wait, base: str, username: str) -> None:
    driver.get(base + "/login")
    _fill(driver, {"username": username, "password": PASSWORD})
    _submit(driver, wait, "login")


def _console_problems(driver) -> list[str]:
    """Errors in the browser console since the last look: scripts that failed or were
    refused by the Content-Security-Policy (answers with an error status, such as the
    upload page refusing a bad file, are no problem)."""
    return [e["message"] for e in driver.get_log("browser")
            if (e["level"] == "SEVERE" and e.get("source") != "network")
            or "Content Security Policy" in e["message"]]


def _fill(driver, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = driver.find_element(By.ID, name)
        if field.tag_name == "select":  # a county from the register
            Select(field).select_by_visible_text(value)
            continue
        field.clear()
        field.send_keys(value)


def test_a_cluster_manager_day(server, browser, artifacts, tmp_path):
    base, store_path = server
    d = browser
    wait = WebDriverWait(d, 30)

    # log in
    d.get(base + "/")
    _fill(d, {"username": "solor", "password": PASSWORD})
    _submit(d, wait, "login")
    wait.until(ec.presence_of_element_located((By.CLASS_NAME, "kpi")))
    _shot(d, artifacts, "01-home")

    # add a company with two flows
    d.get(base + "/companies/new")
    _fill(d, {"id": "E2E-C1", "name": "Solør Biogass AS", "lat": "60.69", "lon": "11.88",
              "municipality": "Våler", "county": "Innlandet"})
    _submit(d, wait, "save")
    wait.until(ec.presence_of_element_located((By.ID, "add-flow")))
    for fid, direction, resource, amount, unit in (
            ("E2E-F1", "supply", "biogas", "3", "GWh"),
            ("E2E-F2", "demand", "wood_residues", "1200", "t")):
        _submit(d, wait, "add-flow")
        _fill(d, {"id": fid, "resource": resource, "amount": amount, "unit": unit})
        Select(d.find_element(By.ID, "direction")).select_by_value(direction)
        _submit(d, wait, "save")
        wait.until(ec.presence_of_element_located((By.ID, "add-flow")))
    rows = d.find_elements(By.CSS_SELECTOR, "#flows tr")
    assert len(rows) == 3  # header + two flows
    _shot(d, artifacts, "02-company")
    assert {f.id for f in EmbeddedStore(store_path).flows(company_id="E2E-C1")} == \
        {"E2E-F1", "E2E-F2"}

    # upload with a bad row, see the error, fix, commit
    bad = tmp_path / "companies.csv"
    header = "id,name,lat,lon,municipality,county,cluster\n"
    bad.write_text(header + "E2E-C2,Good Row AS,60.7,11.9,Våler,Innlandet,Sirkulære Solør\n"
                   "E2E-C3,Bad Row AS,sixty,11.9,Våler,Innlandet,Sirkulære Solør\n",
                   encoding="utf-8")
    d.get(base + "/upload/")
    d.find_element(By.ID, "file").send_keys(str(bad))
    _submit(d, wait, "check")
    errors = wait.until(ec.presence_of_element_located((By.ID, "upload-errors")))
    assert "companies.csv" in errors.text and "lat" in errors.text and "3" in errors.text
    _shot(d, artifacts, "03-upload-error")
    assert EmbeddedStore(store_path).company("E2E-C2") is None
    bad.write_text(header + "E2E-C2,Good Row AS,60.7,11.9,Våler,Innlandet,Sirkulære Solør\n"
                   "E2E-C3,Bad Row AS,60.71,11.9,Våler,Innlandet,Sirkulære Solør\n",
                   encoding="utf-8")
    d.find_element(By.ID, "file").send_keys(str(bad))
    _submit(d, wait, "check")
    wait.until(ec.presence_of_element_located((By.ID, "preview")))
    _shot(d, artifacts, "04-upload-preview")
    _submit(d, wait, "commit")
    wait.until(ec.presence_of_element_located((By.ID, "companies")))
    assert EmbeddedStore(store_path).company("E2E-C3").name == "Bad Row AS"

    # search candidates (after matching the new flows)
    d.get(base + "/candidates/")
    _submit(d, wait, "run-matching")
    wait.until(ec.presence_of_element_located((By.ID, "search")))
    _fill(d, {"municipality": "Våler", "max_distance": "50"})
    _submit(d, wait, "do-search")
    total = int(wait.until(ec.presence_of_element_located((By.ID, "total"))).text)
    assert total > 0 and len(d.find_elements(By.CSS_SELECTOR, "tr.candidate")) == min(total,
                                                                                      100)
    assert "E2E-F2" in {c.demand_flow for c in EmbeddedStore(store_path).candidates()}
    _shot(d, artifacts, "05-candidates")

    # run the optimizer and see the plan
    d.get(base + "/optimize/")
    _fill(d, {"time_limit": "30", "frontier_points": "3"})
    _submit(d, wait, "run-optimizer")
    status = wait.until(ec.presence_of_element_located((By.ID, "plan-status")))
    assert "optimal" in status.text
    assert d.find_elements(By.CSS_SELECTOR, "tr.plan-row")
    assert d.find_elements(By.CSS_SELECTOR, "#frontier svg circle")
    _shot(d, artifacts, "06-plan")

    # the network picture: a canvas and nodes
    d.get(base + "/network/?company=E2E-C1")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#net canvas")))
    nodes = d.execute_script("return window.symbiosisNetwork.body.data.nodes.length")
    assert nodes >= 3
    time.sleep(1)
    _shot(d, artifacts, "07-network")

    # the map: markers and lines with no internet
    d.get(base + "/map/")
    wait.until(lambda drv: drv.execute_script("return window.symbiosisMap !== undefined"))
    assert len(d.find_elements(By.CSS_SELECTOR, "path.company-marker")) >= 17
    assert d.find_elements(By.CSS_SELECTOR, "path.exchange-line")
    _shot(d, artifacts, "08-map")
    assert _console_problems(d) == []


HOSTILE = {"SOL-C04": "<!--<script>", "SOL-C01": "</script><script>alert(1)</script>"}


def test_hostile_names_draw_under_the_content_security_policy(server, browser, artifacts):
    """Companies named to break a page: the network and the map still draw, no script in
    a name runs, the delete confirmation still asks, and the console has no CSP error."""
    base, store_path = server
    d = browser
    wait = WebDriverWait(d, 30)
    _sign_in(d, wait, base, "admin")
    for company_id, name in HOSTILE.items():
        d.get(f"{base}/companies/{company_id}/edit")
        _fill(d, {"name": name})
        _submit(d, wait, "save")
        wait.until(ec.presence_of_element_located((By.ID, "flows")))
    assert {EmbeddedStore(store_path).company(c).name for c in HOSTILE} == set(HOSTILE.values())

    d.get(base + "/network/")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#net canvas")))
    labels = d.execute_script(
        "return window.symbiosisNetwork.body.data.nodes.get().map(n => n.label)")
    assert set(HOSTILE.values()) <= set(labels)
    _shot(d, artifacts, "09-network-hostile-names")

    d.get(base + "/map/")
    wait.until(lambda drv: drv.execute_script("return window.symbiosisMap !== undefined"))
    assert len(d.find_elements(By.CSS_SELECTOR, "path.company-marker")) >= 17
    _shot(d, artifacts, "10-map-hostile-names")

    d.get(base + "/companies/SOL-C04")
    d.find_element(By.CSS_SELECTOR, "form[data-confirm] button").click()
    alert = wait.until(ec.alert_is_present())
    assert "Delete this company" in alert.text
    alert.dismiss()
    assert EmbeddedStore(store_path).company("SOL-C04") is not None
    assert _console_problems(d) == []


# -- the network picture at county and store scale ---------------------------------------------

@pytest.fixture(scope="module")
def network_world(tmp_path_factory):
    from .conftest import CASE_FILES
    from .network_world import build_network_world

    return build_network_world(tmp_path_factory.mktemp("network-world"), CASE_FILES)


@pytest.fixture
def network_server(network_world, tmp_path):
    store, users = copy_world(network_world[0].parent, tmp_path)
    with _serving(store, users) as url:
        yield url


def _net(driver, name: str) -> str:
    return driver.execute_script(f"return document.getElementById('net').dataset.{name}")


def _settle(driver, wait) -> int:
    """Wait until the layout has settled and the physics is off; the nodes drawn."""
    wait.until(lambda drv: _net(drv, "settled") == "true")
    assert driver.execute_script("return window.symbiosisNetwork.physics.physicsEnabled") \
        is False
    return int(_net(driver, "visibleNodes"))


def _still(driver) -> None:
    """Nothing moves once settled: no endless jiggling."""
    script = "return window.symbiosisNetwork.getPositions(window.symbiosisPicture.drawn())"
    before = driver.execute_script(script)
    time.sleep(1.0)
    assert driver.execute_script(script) == before


def _double_click(driver, node_id: str) -> None:
    """Double-click a node where it is drawn on the canvas."""
    x, y = driver.execute_script(
        "const n = window.symbiosisNetwork; const p = n.canvasToDOM(n.getPosition(arguments[0]));"
        "return [p.x, p.y];", node_id)
    canvas = driver.find_element(By.CSS_SELECTOR, "#net canvas")
    size = canvas.size
    assert 0 < x < size["width"] and 0 < y < size["height"], (node_id, x, y)
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).double_click().perform()


def _in_page(driver, place: str, name: str) -> int:
    """How many nodes of the page's data lie in ``place`` (county, municipality) ``name``."""
    return int(driver.execute_script(
        "return JSON.parse(document.getElementById('network-data').textContent).nodes"
        ".filter(n => n[arguments[0]] === arguments[1]).length", place, name))


def _clusters(driver) -> dict[str, str]:
    """The groups drawn closed, and their labels."""
    return driver.execute_script(
        "const n = window.symbiosisNetwork;"
        "return Object.fromEntries(window.symbiosisPicture.drawn().filter(id => n.isCluster(id))"
        ".map(id => [id, n.body.nodes[id].options.label]));")


def test_the_network_picture_of_a_county_and_of_the_store(network_server, browser, artifacts):
    base = network_server
    d = browser
    wait = WebDriverWait(d, 60)
    _sign_in(d, wait, base, "viewer")

    # a county of ~260 companies starts as its municipalities, and the layout settles
    d.get(base + "/network/?county=Innlandet")
    drawn = _settle(d, wait)
    clusters = _clusters(d)
    assert 5 <= len(clusters) <= drawn <= 12
    assert all(label.endswith(" companies") for label in clusters.values())
    assert int(_net(d, "iterations")) > 0  # the physics ran, then stopped
    _still(d)
    _shot(d, artifacts, "network-county-en")

    # open Hamar: its companies (and its park, a group of its own) are drawn
    hamar = "municipality:Hamar"
    _double_click(d, hamar)
    opened = _settle(d, wait)
    assert hamar not in _clusters(d)
    assert "municipality:Hamar/park:IN-PARK-HAMAR" in _clusters(d)
    assert opened > drawn + 20
    _still(d)
    _shot(d, artifacts, "network-county-open-en")

    # a company's flows come out around it on double-click
    company = d.execute_script(
        "const n = window.symbiosisNetwork;"
        "return window.symbiosisPicture.drawn().find(id => !n.isCluster(id) &&"
        " n.body.data.nodes.get(id).flows.length >= 3 &&"
        " n.body.data.nodes.get(id).municipality === 'Hamar')")
    flows = d.execute_script("return window.symbiosisNetwork.body.data.nodes.get(arguments[0])"
                             ".flows.length", company)
    _double_click(d, company)
    wait.until(lambda drv: int(_net(drv, "visibleNodes")) == opened + flows)
    _shot(d, artifacts, "network-company-flows-en")

    # filters: one municipality, then no candidates
    shown = int(_net(d, "shownCompanies"))
    valer = _in_page(d, "municipality", "Våler")
    Select(d.find_element(By.ID, "filter-municipality")).select_by_visible_text("Våler")
    only = _settle(d, wait)
    assert only == 1 and _clusters(d) == {"municipality:Våler": f"Våler\n{valer} companies"}
    assert int(_net(d, "shownCompanies")) == valer < shown
    Select(d.find_element(By.ID, "filter-municipality")).select_by_index(0)
    assert _settle(d, wait) == opened  # Hamar stays open
    edges = d.execute_script("return window.symbiosisNetwork.body.data.edges.length")
    d.find_element(By.CSS_SELECTOR, 'input[name="status"][value="candidate"]').click()
    _settle(d, wait)
    fewer = d.execute_script("return window.symbiosisNetwork.body.data.edges.get()"
                             ".map(e => e.status)")
    assert 0 < len(fewer) < edges and "candidate" not in fewer
    _shot(d, artifacts, "network-county-filtered-en")

    # the store in bokmål: one group per county, and one opens on double-click
    d.get(base + "/lang/nb?next=/network/")
    counties = _settle(d, wait)
    clusters = _clusters(d)
    assert counties == len(clusters) == 14
    assert clusters["county:Innlandet"] == \
        f"Innlandet\n{_in_page(d, 'county', 'Innlandet')} bedrifter"
    _still(d)
    assert "Tegnforklaring" in d.find_element(By.ID, "network-legend").text
    _shot(d, artifacts, "network-store-nb")
    _double_click(d, "county:Innlandet")
    more = _settle(d, wait)
    assert "county:Innlandet" not in _clusters(d)
    assert _clusters(d)["county:Innlandet/municipality:Hamar"] == \
        f"Hamar\nInnlandet · {_in_page(d, 'municipality', 'Hamar')} bedrifter"
    assert more > counties + 5
    _still(d)
    _shot(d, artifacts, "network-store-open-nb")
    assert _console_problems(d) == []
    assert _console_problems(d) == []


def _map_ready(driver, wait) -> dict:
    """Wait until the map drew its base layers; the page's map state."""
    wait.until(lambda drv: drv.execute_script(
        "return window.symbiosisMap !== undefined && (window.symbiosisMap.base !== null"
        " || window.symbiosisMap.baseError !== undefined)"))
    state = driver.execute_script(
        "const s = window.symbiosisMap; return {base: s.base, error: s.baseError || null,"
        " shown: s.shown, zoom: s.map.getZoom(), center: s.map.getCenter()}")
    assert state["error"] is None, state["error"]
    return state


def _markers(driver) -> int:
    return len(driver.find_elements(By.CSS_SELECTOR, "path.company-marker"))


def _click_map_at(driver, lat: float, lon: float) -> None:
    """A real click on the map where ``lat``, ``lon`` is drawn (in the window's
    coordinates: the map may be taller than the part of it in view)."""
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = driver.execute_script(
        "const s = window.symbiosisMap, el = s.map.getContainer();"
        " el.scrollIntoView({block: 'center'});"
        " const p = s.map.latLngToContainerPoint([arguments[0], arguments[1]]);"
        " const r = el.getBoundingClientRect();"
        " return [r.left + el.clientLeft + p.x, r.top + el.clientTop + p.y]", lat, lon)
    actions = ActionChains(driver)
    actions.w3c_actions.pointer_action.move_to_location(int(x), int(y))
    actions.w3c_actions.pointer_action.click()
    actions.perform()


def _settled(driver, wait) -> None:
    """The page at its top, the map still and its popup faded in: for a screenshot."""
    driver.execute_script("window.scrollTo(0, 0)")
    wait.until(lambda drv: drv.execute_script(
        "const p = document.querySelector('.leaflet-popup');"
        " return !window.symbiosisMap.moving && (!p || getComputedStyle(p).opacity === '1')"))


def test_a_planner_reads_the_map_offline(server, browser, artifacts):
    """The map with the coastline, counties and municipalities of the package (the server
    has no basemap and the browser no network beyond it), a legend, filters that change
    what is drawn, and a click that offers a new company there, in English and bokmål."""
    base, store_path = server
    d = browser
    wait = WebDriverWait(d, 30)
    _sign_in(d, wait, base, "solor")
    d.get(base + "/map/")
    state = _map_ready(d, wait)

    # the base layers drew: one path per county and per municipality, and the land
    assert state["base"] == {"counties": 15, "municipalities": 357}
    assert len(d.find_elements(By.CSS_SELECTOR, "path.county-border")) == 15
    assert len(d.find_elements(By.CSS_SELECTOR, "path.municipality-border")) == 357
    assert d.find_elements(By.CSS_SELECTOR, "path.land")
    assert not d.find_elements(By.CSS_SELECTOR, "img.leaflet-tile")  # no tiles asked for
    # the view holds Norway's data: the three cases from Innlandet to Troms
    assert 3 <= state["zoom"] <= 7 and 58 < state["center"]["lat"] < 70
    names = {e.text for e in d.find_elements(By.CSS_SELECTOR, ".place-label.counties")
             if e.is_displayed()}
    assert {"Innlandet", "Nordland"} <= names
    # the legend sits in the map, readable
    legend = d.find_element(By.CSS_SELECTOR, ".leaflet-control-container #map-legend")
    assert legend.is_displayed() and "Legend" in legend.text and "Proposed" in legend.text
    assert "Kartverket" in d.find_element(By.CLASS_NAME, "leaflet-control-attribution").text

    # filters: a family, then a county, change the markers drawn; "show all" brings back
    everything = _markers(d)
    assert everything == 17 == state["shown"]["companies"]
    lines = len(d.find_elements(By.CSS_SELECTOR, "path.exchange-line"))
    assert lines == state["shown"]["exchanges"] > 0
    Select(d.find_element(By.ID, "filter-family")).select_by_value("energy")
    energy = _markers(d)
    assert 0 < energy < everything
    assert d.find_element(By.ID, "map-count").text.startswith(f"{energy} of 17 companies")
    Select(d.find_element(By.ID, "filter-county")).select_by_visible_text("Troms")
    in_troms = _markers(d)
    assert 0 < in_troms < energy
    d.find_element(By.CSS_SELECTOR, "input[name=status][value=proposed]").click()
    assert len(d.find_elements(By.CSS_SELECTOR, "path.exchange-line")) == 0  # all proposals
    d.find_element(By.ID, "filter-reset").click()
    wait.until(lambda drv: _markers(drv) == everything)
    wait.until(lambda drv: drv.execute_script(  # back at the first view
        "const s = window.symbiosisMap; return !s.moving && s.map.getZoom() === arguments[0]",
        state["zoom"]))
    assert len(d.find_elements(By.CSS_SELECTOR, "path.exchange-line")) == lines

    # a click on the map (inside Stor-Elvdal, away from the markers): where it is, and
    # the offer
    lon, lat = next(f["properties"]["label"] for f in json.loads(
        (Path(__file__).parent.parent / "web/static/geo/municipalities.geojson").read_text(
            encoding="utf-8"))["features"] if f["properties"]["kommunenummer"] == "3423")
    _click_map_at(d, lat, lon)
    offer = wait.until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, ".place-popup a.place-company")))
    popup = d.find_element(By.CLASS_NAME, "place-popup").text
    assert "Stor-Elvdal, Innlandet" in popup and "Place a new company here" in offer.text
    href = offer.get_attribute("href")
    assert "/companies/new?" in href and "municipality=3423" in href
    _settled(d, wait)
    _shot(d, artifacts, "map-en")
    assert _console_problems(d) == []

    # the offer opens the company form with the place filled in
    offer.click()
    wait.until(ec.presence_of_element_located((By.ID, "save")))
    placed = (float(d.find_element(By.ID, "lat").get_attribute("value")),
              float(d.find_element(By.ID, "lon").get_attribute("value")))
    assert abs(placed[0] - lat) < 0.1 and abs(placed[1] - lon) < 0.1  # a pixel or two
    assert d.find_element(By.ID, "municipality").get_attribute("value") == "Stor-Elvdal"
    assert Select(d.find_element(By.ID, "county")).first_selected_option.text == "Innlandet"

    # in bokmål: legend, filters and popups in words, Innlandet chosen and zoomed to
    d.get(base + "/lang/nb?next=/map/")
    _map_ready(d, wait)
    legend = d.find_element(By.CSS_SELECTOR, ".leaflet-control-container #map-legend")
    assert "Tegnforklaring" in legend.text and "Foreslått" in legend.text
    Select(d.find_element(By.ID, "filter-county")).select_by_visible_text("Innlandet")
    wait.until(lambda drv: drv.execute_script("return window.symbiosisMap.map.getZoom()") >= 6)
    marker = d.find_element(By.CSS_SELECTOR, 'path.company-marker[data-company="SOL-C06"]')
    d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true,"
                     " clientX: arguments[0].getBoundingClientRect().x + 7,"
                     " clientY: arguments[0].getBoundingClientRect().y + 7}))", marker)
    popup = wait.until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, ".leaflet-popup .map-popup")))
    assert popup.text.startswith("Solør Bioenergi Kirkenær"), popup.text
    # 36 000 with a no-break space, never 36,000
    assert "Damp (steam) \u2014 36\u00a0000 MWh/år tilbud" in popup.get_attribute("textContent")
    assert popup.find_element(By.CSS_SELECTOR, "a").get_attribute("href") == \
        base + "/companies/SOL-C06"
    _settled(d, wait)
    _shot(d, artifacts, "map-nb")
    assert _console_problems(d) == []


def test_a_candidate_becomes_an_operating_exchange_and_the_plan_reads_as_a_report(
        server, browser, artifacts):
    """A cluster manager opens a candidate from the search, starts an exchange on it with
    a note, and moves it to agreed and operating on its page; then reads a plan in
    bokmål: totals, the workbook link and the frontier on round ticks."""
    base, store_path = server
    d = browser
    wait = WebDriverWait(d, 30)
    _sign_in(d, wait, base, "solor")
    wait.until(ec.presence_of_element_located((By.CLASS_NAME, "kpi")))

    # from the search to the candidate
    d.get(base + "/candidates/?resource=hot_water")
    old = d.find_element(By.TAG_NAME, "html")
    d.find_element(By.CSS_SELECTOR,
                   'a.open-candidate[href="/candidates/SOL-F015/SOL-F018"]').click()
    wait.until(ec.staleness_of(old))
    wait.until(ec.presence_of_element_located((By.ID, "start-form")))
    assert d.find_element(By.ID, "candidate-amount").text == "12,000 MWh/yr"
    _fill(d, {"note": "Called Solør Bioenergi and the Kirkenær dryers; they meet in May"})
    _shot(d, artifacts, "candidate-en")

    # start it, then move it on: proposed -> agreed -> operating
    _submit(d, wait, "start-exchange")
    status = wait.until(ec.presence_of_element_located((By.ID, "exchange-status")))
    assert status.get_attribute("data-status") == "proposed"
    for step, year in (("agreed", "2026"), ("operating", "")):
        Select(d.find_element(By.ID, "next-status")).select_by_value(step)
        _fill(d, {"status-note": f"now {step}", **({"start_year": year} if year else {})})
        _submit(d, wait, "move-on")
        wait.until(lambda drv, want=step: drv.find_element(
            By.ID, "exchange-status").get_attribute("data-status") == want)
    rows = d.find_elements(By.CSS_SELECTOR, "tr.history-row")
    assert [r.get_attribute("data-status") for r in rows] == ["proposed", "agreed", "operating"]
    assert "Called Solør Bioenergi" in rows[0].text and "solor" in rows[2].text
    _shot(d, artifacts, "candidate-to-exchange-en")
    e = EmbeddedStore(store_path).exchange("EX-0001")
    assert (e.status, e.start_year, e.supply_flow, e.demand_flow) == (
        "operating", 2026, "SOL-F015", "SOL-F018")
    assert [h.by for h in e.history] == ["solor"] * 3
    d.find_element(By.ID, "to-candidate").click()
    wait.until(ec.presence_of_element_located((By.ID, "under-way")))
    assert not d.find_elements(By.ID, "start-form")

    # the plan as a report, in bokmål
    plan_id = EmbeddedStore(store_path).plans()[0].id
    d.get(f"{base}/lang/nb?next=/optimize/plans/{plan_id}")
    wait.until(ec.presence_of_element_located((By.ID, "plan-lines")))
    assert "Nettoverdi" in d.find_element(By.ID, "totals").text
    link = d.find_element(By.ID, "plan-xlsx")
    assert link.get_attribute("href").endswith(f"/optimize/plans/{plan_id}/xlsx")
    _shot(d, artifacts, "plan-nb")
    chart = d.find_element(By.CSS_SELECTOR, "#frontier svg")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", chart)
    ticks = [t.text for t in chart.find_elements(By.CSS_SELECTOR, "text.y-tick")]
    # round ticks in Norwegian form: "−75 000 000" (the browser's text shows the no-break
    # spaces as spaces), never "75,000,000"
    assert len(ticks) >= 3 and all(t.replace("\u00a0", " ").endswith("000 000")
                                   for t in ticks), ticks
    assert "CO2 unngått (t CO2/år)" in chart.text
    assert len(chart.find_elements(By.TAG_NAME, "circle")) >= 2
    _shot(d, artifacts, "plan-frontier-nb")
