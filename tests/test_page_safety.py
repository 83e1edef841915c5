"""Security headers on every response, pages without inline script, and data embedded in
pages so that no name can break them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graph import EmbeddedStore
from web import content_security_policy
from web.forms import company_cells

from .web_support import PASSWORD, SECRET_EXCHANGE

HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin"}
STATIC = ["style.css", "confirm.js", "map.js", "network.js", "vis-network.min.js",
          "leaflet/leaflet.js", "leaflet/leaflet.css", "geo/counties.geojson"]
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def _policy(value: str) -> dict[str, list[str]]:
    directives = (d.split() for d in value.split(";") if d.strip())
    return {d[0]: d[1:] for d in directives}


def _assert_headers(response, what: str) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (what, name)
    policy = _policy(response.headers.get("Content-Security-Policy", ""))
    assert policy.get("script-src") == ["'self'"], what  # no inline script, no eval
    assert policy.get("frame-ancestors") == ["'none'"], what
    assert policy.get("default-src") == ["'self'"] and policy.get("object-src") == ["'none'"]


def _urls(app, job_id: str) -> list[str]:
    """Every GET route of the URL map, arguments filled from the test world (a new route
    argument without a value here fails the test, so that it is not skipped quietly)."""
    plan = EmbeddedStore(app.config["STORE_URL"]).plans()[0].id
    values = {"company_id": "SOL-C01", "flow_id": "SOL-F001", "plan_id": plan,
              "park_id": "FINNFJORD", "code": "nb", "exchange_id": SECRET_EXCHANGE,
              "job_id": job_id, "supply_flow": "SOL-F015", "demand_flow": "SOL-F018"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint == "static":
            urls += [f"/static/{name}" for name in STATIC]
            continue
        urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    return sorted(urls) + ["/network/?company=SOL-C01", "/map/?county=Innlandet"]


def test_every_response_carries_the_security_headers(login, app, tokens):
    admin = login("admin")
    api = {"Authorization": f"Bearer {tokens['admin']}"}
    started = admin.post("/candidates/match")
    admin.finish(started)
    urls = _urls(app, started.headers["Location"].rsplit("/", 1)[1])
    assert len(urls) >= 30
    for url in urls:
        r = admin.get(url, headers=api if url.startswith("/api/") else None)
        assert r.status_code in (200, 302), (url, r.status_code)
        _assert_headers(r, url)
        r.close()
    signed_out = app.test_client()
    for url in urls:  # redirects to the login page and API refusals
        with signed_out.get(url) as r:
            _assert_headers(r, "signed out " + url)
    for what, r in [
            ("not found", admin.get("/no-such-page")),
            ("API not found", admin.get("/api/v1/no-such-thing", headers=api)),
            ("CSRF refused", admin.client.post("/candidates/match", data={})),
            ("forbidden", login("viewer").get("/upload/")),
            ("wrong password", signed_out.post("/login", data={
                "username": "admin", "password": "not-" + PASSWORD})),
            ("form post", admin.post("/candidates/match"))]:
        assert r.status_code in (302, 400, 401, 403, 404), what
        _assert_headers(r, what)


def test_the_policy_admits_the_configured_basemap_only():
    policy = _policy(content_security_policy())
    assert policy["img-src"] == ["'self'"]
    tiles = _policy(content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png"))
    assert tiles["img-src"] == ["'self'", "https://*.tile.example.org"]
    assert tiles["script-src"] == ["'self'"]


def test_no_template_has_inline_script_or_event_handler_attributes():
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for attrs in re.findall(r"<script\b([^>]*)>", text):
            assert "src=" in attrs or 'type="application/json"' in attrs, (path.name, attrs)
        assert not re.search(r"\son[a-z]+\s*=", text), path.name
        assert "javascript:" not in text.lower(), path.name


HOSTILE = {"SOL-C04": "<!--<script>", "SOL-C01": "</script><script>alert(1)</script>"}


def _data_block(page: str, block_id: str) -> object:
    """The JSON of ``<script id=... type="application/json">``, which must hold no ``<``:
    then neither ``</script>`` nor ``<!--`` in a name can end or hide the element."""
    blocks = re.findall(rf'<script id="{block_id}" type="application/json">(.*?)</script>',
                        page, re.S)
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0]
    return json.loads(blocks[0])


@pytest.fixture
def hostile(login, app):
    """Admin session after two companies were renamed through the edit form."""
    s = login("admin")
    store = EmbeddedStore(app.config["STORE_URL"])
    for company_id, name in HOSTILE.items():
        cells = {**company_cells(store.company(company_id)), "name": name}
        r = s.post(f"/companies/{company_id}/edit", cells)
        assert r.status_code == 302, r.get_data(as_text=True)
    assert {EmbeddedStore(app.config["STORE_URL"]).company(c).name for c in HOSTILE} == \
        set(HOSTILE.values())
    return s


@pytest.mark.parametrize("url", ["/network/", "/network/?company=SOL-C04",
                                 "/network/?company=SOL-C01"])
def test_hostile_company_names_leave_the_network_page_intact(hostile, url):
    page = hostile.get(url).get_data(as_text=True)
    data = _data_block(page, "network-data")
    labels = {n["label"] for n in data["nodes"]}
    assert set(HOSTILE.values()) & labels
    assert page.count("<script") == 4  # confirm.js, vis-network, network.js, the data
    assert "<script>alert(1)" not in page and "<!--<script>" not in page
    assert page.rstrip().endswith("</html>")


def test_hostile_company_names_leave_the_map_page_intact(hostile):
    page = hostile.get("/map/").get_data(as_text=True)
    doc = _data_block(page, "map-data")
    names = {f["properties"].get("name") for f in doc["features"]}
    assert set(HOSTILE.values()) <= names
    assert page.count("<script") == 4  # confirm.js, leaflet, map.js, the data
    assert "<script>alert(1)" not in page and "<!--<script>" not in page
