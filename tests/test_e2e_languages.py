"""Every main page in headless Chromium in English and in bokmål: a screenshot of each in
test-artifacts/ (``e2e-page-<name>-en.png`` and ``-nb.png``), and the bokmål pages, as
the browser shows them, free of the interface's English."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from graph import EmbeddedStore
from symbiosis.co2 import default_co2
from symbiosis.places import default_register

from .test_bokmal import english_left, english_numbers, english_terms, without_literals
from .test_e2e import _console_problems, _sign_in, browser, server  # noqa: F401
from .web_support import SECRET_EXCHANGE, USERS

#: the main pages: name -> address (``{plan}``: the stored plan)
PAGES = {
    "home": "/", "companies": "/companies/", "company": "/companies/SOL-C01",
    "flow-form": "/companies/SOL-C01/flows/new", "upload": "/upload/",
    "candidates": "/candidates/", "optimize": "/optimize/", "plan": "/optimize/plans/{plan}",
    "scenarios": "/scenarios/", "exchanges": "/exchanges/", "network": "/network/",
    "map": "/map/", "indicators": "/indicators/", "parks": "/parks/",
    "park": "/parks/FINNFJORD", "co2-factors": "/admin/factors",
}


def _user_words(store: EmbeddedStore) -> list[str]:
    """What users wrote (names, places, ids, descriptions), longest first."""
    data = store.dataset()
    texts = {*USERS, SECRET_EXCHANGE, store.url}
    for c in data.companies:
        texts |= {c.id, c.name, c.name[:40], c.name[:59], c.municipality or "",
                  c.county or "", c.cluster or ""}
    # the register's place names (the map's filters) and the base map's licence
    register = default_register()
    texts |= {c.name for c in register.counties.values()}
    texts |= {register.label(m.number) for m in register.municipalities.values()}
    texts |= {m.name for m in register.municipalities.values()}
    texts.add("© Kartverket 2024, CC BY 4.0 (robhop/fylker-og-kommuner)")
    for f in data.flows:
        texts |= {f.id, f.description, f.resource_text}
    for p in (*data.parks, *data.processes):
        texts |= {p.id, p.name}
    texts |= {p.id for p in store.plans()}
    for f in default_co2().factors.values():  # reference data: keys, labels, sources
        texts |= {f.key, f.label, f.source, f.notes}
    return sorted((t for t in texts if t), key=len, reverse=True)


def test_every_main_page_in_english_and_bokmal(server, browser, artifacts):  # noqa: F811
    base, store_path = server
    d = browser
    wait = WebDriverWait(d, 30)
    store = EmbeddedStore(store_path)
    plan = store.plans()[0].id
    _sign_in(d, wait, base, "admin")
    wait.until(ec.presence_of_element_located((By.CLASS_NAME, "kpi")))
    terms, data = english_terms(), _user_words(store)
    english: dict[str, list[str]] = {}
    for lang in ("en", "nb"):
        d.get(f"{base}/lang/{lang}?next=/")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, f'html[lang="{lang}"]')))
        for name, address in PAGES.items():
            d.get(base + address.format(plan=plan))
            wait.until(ec.presence_of_element_located((By.TAG_NAME, "main")))
            if name == "network":
                wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#net canvas")))
                time.sleep(1)  # let the picture settle
            if name == "map":
                wait.until(lambda drv: drv.execute_script(
                    "return window.symbiosisMap !== undefined"))
            assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            path = artifacts / f"e2e-page-{name}-{lang}.png"
            d.save_screenshot(str(path))
            assert path.stat().st_size > 5_000, path
            if lang == "nb":
                text = without_literals(d.execute_script("return document.body.innerText"))
                left = english_left(text, terms, data) + english_numbers(text, data)
                if left:
                    english[name] = left
    assert english == {}
    assert _console_problems(d) == []
