"""The web front end through Flask's test client: every route, every denial, and the
confidential flow anonymised on every output path."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from graph import EmbeddedStore
from symbiosis.matching import find_candidates

from .web_support import (
    PARTNER_FLOW,
    SECRET_AMOUNT,
    SECRET_BAND,
    SECRET_EXCHANGE,
    SECRET_FLOW,
)

SECRET_COMPANY = "Nortura Samvirkekylling"


def _first_plan(app) -> str:
    return EmbeddedStore(app.config["STORE_URL"]).plans()[0].id


def _values(app) -> dict[str, str]:
    return {"company_id": "SOL-C01", "flow_id": "SOL-F001", "plan_id": _first_plan(app),
            "park_id": "FINNFJORD", "code": "nb", "exchange_id": SECRET_EXCHANGE,
            "filename": "style.css", "job_id": "no-such-job",
            "supply_flow": "SOL-F015", "demand_flow": "SOL-F018"}


def _routes(app, method: str) -> list[str]:
    values = _values(app)
    out = []
    for rule in app.url_map.iter_rules():
        if method in (rule.methods or ()):
            out.append(rule.rule if not rule.arguments else
                       re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    return sorted(out)


PUBLIC = {"/login", "/lang/nb", "/api/v1/openapi.json", "/static/style.css"}


# -- signing in ------------------------------------------------------------------------------

def test_every_route_needs_a_signed_in_user(app):
    client = app.test_client()
    gets = [u for u in _routes(app, "GET") if u not in PUBLIC]
    assert len(gets) >= 20
    for url in gets:
        r = client.get(url)
        if url.startswith("/api/"):
            assert r.status_code == 401, url
            assert "Bearer" in r.get_json()["error"]
        else:
            assert r.status_code == 302 and "/login" in r.headers["Location"], url
    app.config["WTF_CSRF_ENABLED"] = False  # reach the login check, not the CSRF check
    for method in ("POST", "DELETE"):
        for url in _routes(app, method):
            if url in ("/login", "/logout"):
                continue
            r = client.open(url, method=method)
            assert r.status_code in (302, 401), (method, url)


def test_login_rejects_a_wrong_password_and_logout_ends_the_session(login, app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": "admin", "password": "nope-nope",
                                    "csrf_token": token})
    assert r.status_code == 401 and "Wrong username or password" in r.get_data(as_text=True)
    s = login("admin")
    assert s.get("/").status_code == 200
    assert s.post("/logout").status_code == 302
    assert s.get("/").status_code == 302


def test_login_redirects_only_to_this_site(app):
    client = app.test_client()
    token = re.search(r'value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login?next=https://evil.example/", data={
        "username": "viewer", "password": "correct-horse-1", "csrf_token": token})
    assert r.headers["Location"] == "/"


def test_session_cookie_settings(login, app):
    client = app.test_client()
    client.get("/login")
    s = login("viewer")
    cookie = s.client.get_cookie("symbiosis_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600


def test_every_form_post_is_refused_without_a_csrf_token(login, app):
    s = login("admin")
    for url in _routes(app, "POST"):
        if url.startswith("/api/"):
            continue
        r = s.client.post(url, data={})
        assert r.status_code == 400, url
        assert "CSRF" in r.get_data(as_text=True), url


# -- every page for every role ---------------------------------------------------------------

EXPECTED_DENIED = {  # GET pages a role may not open
    "viewer": {"/upload/", "/companies/new", "/companies/SOL-C01/edit",
               "/companies/SOL-C01/flows/new", "/companies/flows/SOL-F001/edit"},
    "fjord": {"/companies/SOL-C01/edit", "/companies/SOL-C01/flows/new",
              "/companies/flows/SOL-F001/edit"},
    "troms": {"/upload/", "/companies/new", "/companies/SOL-C01",
              "/companies/SOL-C01/edit", "/companies/SOL-C01/flows/new",
              "/companies/flows/SOL-F001/edit", "/api/v1/companies/SOL-C01",
              "/network/?company=SOL-C01", "/candidates/SOL-F015/SOL-F018",
              f"/exchanges/{SECRET_EXCHANGE}", f"/api/v1/exchanges/{SECRET_EXCHANGE}"},
    "solor": set(),
    "admin": set(),
}
for _role in ("viewer", "fjord", "troms", "solor"):  # CO2 factor sets: admins only
    EXPECTED_DENIED[_role] = EXPECTED_DENIED[_role] | {"/admin/factors"}


@pytest.mark.parametrize("username", sorted(EXPECTED_DENIED))
def test_every_page_opens_or_is_denied_as_the_role_says(login, app, tokens, username):
    s = login(username)
    # a job's page is its owner's: tested with the jobs
    urls = [u for u in _routes(app, "GET") if u not in ("/lang/nb",) and "/jobs/" not in u]
    urls.append("/network/?company=SOL-C01")
    headers = {"Authorization": f"Bearer {tokens[username]}"}
    for url in urls:
        r = s.get(url, headers=headers if url.startswith("/api/") else None)
        want = 403 if url in EXPECTED_DENIED[username] else 200
        r.close()
        assert r.status_code == want, (username, url, r.status_code)


def test_denied_changes_leave_the_store_as_it_was(login, app):
    path = Path(app.config["STORE_URL"])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    denials = [
        ("viewer", "/companies/new", {"id": "X1", "name": "X", "lat": "60", "lon": "11"}),
        ("viewer", "/companies/SOL-C01/delete", {}),
        ("viewer", "/optimize/", {"objective": "value"}),
        ("viewer", "/candidates/match", {}),
        ("viewer", f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed"}),
        ("viewer", "/demo", {}),
        ("viewer", "/parks/FINNFJORD", {"time_limit": "5"}),
        ("fjord", "/companies/SOL-C01/delete", {}),
        ("fjord", "/companies/SOL-C01/edit", {"name": "Taken over"}),
        ("fjord", "/companies/flows/SOL-F001/delete", {}),
        ("fjord", f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed"}),
        ("fjord", "/demo", {}),
        ("innlandet", "/companies/SOL-C01/delete", {}),
        ("innlandet", "/candidates/match", {}),
        ("troms", "/companies/SOL-C01/delete", {}),
        ("solor", "/demo", {}),
    ]
    for username, url, form in denials:
        r = login(username).post(url, form)
        assert r.status_code == 403, (username, url, r.status_code)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_api_denials(app, tokens):
    client = app.test_client()

    def call(user, method, url, **kw):
        return client.open(url, method=method,
                           headers={"Authorization": f"Bearer {tokens[user]}"}, **kw)

    assert call("viewer", "DELETE", "/api/v1/companies/SOL-C01").status_code == 403
    assert call("fjord", "DELETE", "/api/v1/companies/SOL-C01").status_code == 403
    assert call("viewer", "POST", "/api/v1/plans", json={}).status_code == 403
    assert call("viewer", "POST", f"/api/v1/exchanges/{SECRET_EXCHANGE}/status",
                json={"status": "agreed"}).status_code == 403
    assert call("viewer", "POST", "/api/v1/companies", json={"companies": []}).status_code \
        == 403
    assert call("troms", "GET", "/api/v1/companies/SOL-C01").status_code == 403
    r = call("fjord", "POST", "/api/v1/companies", json={"companies": [
        {"id": "NEW-1", "name": "N", "lat": 61, "lon": 5, "cluster": "Sirkulære Solør"}]})
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["field"] == "cluster"
    bad = client.get("/api/v1/companies", headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401


# -- companies and flows ---------------------------------------------------------------------

def test_the_companies_are_listed_a_page_at_a_time(login, app):
    """A national store holds tens of thousands of companies: the list shows a page and
    the count of all that match, with links to the pages around it."""
    import re

    app.config["PAGE_SIZE"] = 7
    s = login("admin")
    pages = [s.get(f"/companies/?page={n}").get_data(as_text=True) for n in (1, 2, 99)]
    names = [re.findall(r'<a href="/companies/([^"/?]+)">', p) for p in pages]
    total = int(re.search(r'<p class="muted">([\d\s\u00a0,]+) ', pages[0]).group(1)
                .replace(",", "").replace(" ", "").replace("\u00a0", ""))
    assert len(names[0]) == len(names[1]) == 7 and total > 14
    assert not set(names[0]) & set(names[1]) and names[2] == []
    assert "page=2" in pages[0] and "page=1" in pages[1] and "page=3" in pages[1]
    county = s.get("/companies/?county=Innlandet").get_data(as_text=True)
    links = re.findall(r'href="([^"]*page=\d[^"]*)"', county)
    assert links and all("county=Innlandet" in link for link in links)  # the filter stays


def test_cluster_manager_creates_edits_and_deletes_a_company_with_flows(login, app):
    s = login("solor")
    r = s.post("/companies/new", {"id": "SOL-C99", "name": "Test Biogas AS", "lat": "60.71",
                                  "lon": "11.88", "municipality": "Våler", "county": "Innlandet",
                                  "cluster": "Somebody Else"})
    assert r.status_code == 302
    store = EmbeddedStore(app.config["STORE_URL"])
    assert store.company("SOL-C99").cluster == "Sirkulære Solør"  # forced to its own
    for fid, direction, resource, amount, unit in (("SOL-F991", "supply", "biogas", "2",
                                                   "GWh"),
                                                  ("SOL-F992", "demand", "fish_sludge",
                                                   "800", "t")):
        r = s.post("/companies/SOL-C99/flows/new", {
            "id": fid, "direction": direction, "resource": resource, "amount": amount,
            "unit": unit})
        assert r.status_code == 302, r.get_data(as_text=True)
    flows = {f.id: f for f in store.flows(company_id="SOL-C99")}
    assert flows["SOL-F991"].amount == pytest.approx(2000.0) and flows["SOL-F991"].unit == "MWh"
    page = s.get("/companies/SOL-C99").get_data(as_text=True)
    assert "SOL-F991" in page and "SOL-F992" in page
    r = s.post("/companies/flows/SOL-F992/edit", {"direction": "demand",
                                                  "resource": "fish_sludge", "amount": "900",
                                                  "unit": "t"})
    assert r.status_code == 302
    assert store.flows(company_id="SOL-C99")[1].amount == 900
    assert s.post("/companies/flows/SOL-F991/delete").status_code == 302
    assert [f.id for f in store.flows(company_id="SOL-C99")] == ["SOL-F992"]
    assert s.post("/companies/SOL-C99/delete").status_code == 302
    assert store.company("SOL-C99") is None and not store.flows(company_id="SOL-C99")


def test_bad_form_input_is_named_and_nothing_is_stored(login, app):
    s = login("admin")
    path = Path(app.config["STORE_URL"])
    before = path.read_bytes()
    r = s.post("/companies/new", {"id": "X-1", "name": "X", "lat": "95", "lon": "east",
                                  "org_number": "123456789"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    for field in ("lat", "lon", "org_number"):
        assert f'data-field="{field}"' in page
    r = s.post("/companies/SOL-C01/flows/new", {"id": "SOL-F001", "direction": "sideways",
                                                "resource": "waste_heat", "amount": "-1",
                                                "ewc": "99 99 99"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    for field in ("id", "direction", "amount", "ewc"):
        assert f'data-field="{field}"' in page, field
    assert path.read_bytes() == before


# -- upload ----------------------------------------------------------------------------------

GOOD_ROWS = ("id,name,lat,lon,municipality,county,cluster\n"
             "UP-C1,Upload One AS,60.70,11.86,Våler,Innlandet,Sirkulære Solør\n"
             "UP-C2,Upload Two AS,60.71,11.87,Våler,Innlandet,Sirkulære Solør\n")


def _upload(s, name: str, text: str, kind: str = ""):
    return s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": kind,
        "file": (io.BytesIO(text.encode("utf-8")), name)}, content_type="multipart/form-data")


def _upload_files(s, files: dict[str, str]):
    """Upload several CSV files at once (name -> text)."""
    return s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": "",
        "file": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]},
        content_type="multipart/form-data")


def test_upload_lists_bad_rows_then_commits_the_fixed_file(login, app):
    s = login("solor")
    path = Path(app.config["STORE_URL"])
    before = path.read_bytes()
    bad = GOOD_ROWS.replace("60.71,11.87", "600,11.87")
    r = _upload(s, "companies.csv", bad)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(r"companies\.csv</td><td>3</td><td>lat</td>", page)
    assert "nothing has been stored" in page
    assert path.read_bytes() == before
    r = _upload(s, "companies.csv", GOOD_ROWS)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="preview"' in page and "UP-C2" in page
    assert path.read_bytes() == before  # the preview stores nothing
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    r = s.post("/upload/commit", {"token": token, "kind": ""})
    assert r.status_code == 302
    assert EmbeddedStore(path).company("UP-C2").name == "Upload Two AS"
    r = s.post("/upload/commit", {"token": token, "kind": ""})  # used up
    assert r.status_code == 302 and r.headers["Location"].endswith("/upload/")


def test_upload_xlsx_and_cluster_rights(login, app, tmp_path):
    import pandas as pd

    book = tmp_path / "members.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.read_csv(io.StringIO(GOOD_ROWS)).to_excel(writer, sheet_name="companies",
                                                     index=False)
    s = login("fjord")
    r = s.client.post("/upload/", data={"csrf_token": s.token, "kind": "",
                                        "file": (book.open("rb"), "members.xlsx")},
                      content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert page.count("you may import only companies of cluster Fjord Base") == 2
    r = login("admin").client  # an admin may import any cluster
    s = login("admin")
    r = s.client.post("/upload/", data={"csrf_token": s.token, "kind": "",
                                        "file": (book.open("rb"), "members.xlsx")},
                      content_type="multipart/form-data")
    assert r.status_code == 200 and 'id="commit"' in r.get_data(as_text=True)


# -- candidates ------------------------------------------------------------------------------

def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_candidate_search_filters_sorts_and_downloads(login, app):
    s = login("admin")
    store = EmbeddedStore(app.config["STORE_URL"])
    all_rows = _csv(s.get("/candidates/csv"))
    assert len(all_rows) == len(store.candidates())
    kinn = _csv(s.get("/candidates/csv?municipality=Kinn"))
    assert kinn and len(kinn) < len(all_rows)
    assert all("Kinn" in (r["supply_municipality"], r["demand_municipality"]) for r in kinn)
    heat = _csv(s.get("/candidates/csv?resource=spillvarme"))  # a Norwegian alias
    assert heat and all("waste_heat" in (r["resource"], r["demand_resource"]) for r in heat)
    near = _csv(s.get("/candidates/csv?max_distance=1&sort=distance_km"))
    distances = [float(r["distance_km"]) for r in near]
    assert distances and max(distances) <= 1 and distances == sorted(distances)
    valuable = _csv(s.get("/candidates/csv?min_value=1000000&sort=value_nok"))
    values = [float(r["value_nok"]) for r in valuable]
    assert values and min(values) >= 1e6 and values == sorted(values, reverse=True)
    page = s.get("/candidates/?municipality=Kinn").get_data(as_text=True)
    assert f'<b id="total">{len(kinn)}</b>' in page
    assert page.count('class="candidate"') == len(kinn)
    assert "can meet" in page  # each row shows its reasons


def test_county_staff_search_only_their_county(login):
    rows = _csv(login("troms").get("/candidates/csv?county=Vestland"))
    assert rows
    store_counties = {"Senja"}
    assert all(store_counties & {r["supply_municipality"], r["demand_municipality"]}
               for r in rows)


def test_unknown_resource_is_reported(login):
    page = login("viewer").get("/candidates/?resource=moonbeams").get_data(as_text=True)
    assert "moonbeams" in page and '<b id="total">0</b>' in page


# -- optimizer, plan, network, map -----------------------------------------------------------

def test_optimize_page_runs_and_shows_the_plan_with_frontier(login, app):
    s = login("innlandet")
    r = s.finish(s.post("/optimize/", {"objective": "value", "time_limit": "20",
                                       "frontier_points": "3"}))
    assert r.status_code == 302 and "/optimize/plans/" in r.headers["Location"]
    page = s.get(r.headers["Location"]).get_data(as_text=True)
    assert "<b>optimal</b>" in page
    assert page.count('class="plan-row"') >= 1
    # Innlandet holds a flow confidential to county staff: the frontier may be built from
    # it, so they are not shown it; an admin is
    assert 'class="frontier"' not in page and 'id="frontier-withheld"' in page
    admin = login("admin").get(r.headers["Location"]).get_data(as_text=True)
    assert 'class="frontier"' in admin and admin.count("<circle") >= 2
    assert 'id="needs-data"' in page
    plan = EmbeddedStore(app.config["STORE_URL"]).plans()[0]
    assert all(e.supply_company.startswith("SOL") for e in plan.exchanges)  # Innlandet only
    r = s.post("/optimize/", {"objective": "profit", "time_limit": "x"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert 'data-field="objective"' in page and 'data-field="time_limit"' in page


def _plan_json(app, tokens, username, plan_id):
    client = app.test_client()
    r = client.get(f"/api/v1/plans/{plan_id}",
                   headers={"Authorization": f"Bearer {tokens[username]}"})
    assert r.status_code == 200
    return r.get_json()


def test_plan_page_lists_every_line_of_the_totals_in_words(login, app, tokens):
    plan_id = _first_plan(app)
    page = login("admin").get(f"/optimize/plans/{plan_id}").get_data(as_text=True)
    assert 'id="plan-lines"' in page and page.count('class="plan-line"') >= 5
    assert "value_nok" not in page and "exchanges 8.0" not in page
    assert "Net value" in page and "NOK/yr" in page and "CO2 avoided" in page
    assert "Sold on the market" in page and "water electrolysis (HyFuel)" in page
    assert "HyFuel AS" in page  # facilities and companies by name
    assert 'id="conditional"' in page and 'class="needs-row"' in page
    # the lines add up to the totals for everyone: hidden flows' lines and, for county
    # staff, lines outside their county are summed into one line each; where the
    # disclosure rule withholds a total, the sum that would give it away is withheld too
    for username in ("admin", "viewer", "troms"):
        body = _plan_json(app, tokens, username, plan_id)
        for key in ("value_nok", "co2_avoided_t"):
            values = [x[key] for x in body["lines"]]
            if body["totals"][key] is None:
                assert key in body["withheld"] and None in values, (username, key)
                continue
            assert sum(values) == pytest.approx(body["totals"][key], abs=0.01), username
    kinds = {x["kind"] for x in _plan_json(app, tokens, "troms", plan_id)["lines"]}
    assert "outside" in kinds
    viewer = _plan_json(app, tokens, "viewer", plan_id)
    assert "confidential" in {x["kind"] for x in viewer["lines"]}
    assert all(SECRET_FLOW not in x["subject"] for x in viewer["lines"])
    assert sum(x["value_nok"] for x in _plan_json(app, tokens, "admin", plan_id)["lines"]) \
        == pytest.approx(_plan_json(app, tokens, "admin", plan_id)["totals"]["value_nok"])


def test_scenarios_are_saved_compared_and_adopted_by_those_with_the_right(login, app):
    store_url = app.config["STORE_URL"]
    live = EmbeddedStore(store_url).exchanges(status="proposed")
    s = login("admin")
    r = s.finish(s.post("/optimize/", {"objective": "co2", "time_limit": "20",
                                       "frontier_points": "0", "county": "Vestland",
                                       "scenario": "CO2 first"}))
    assert r.status_code == 302
    page = s.get(r.headers["Location"]).get_data(as_text=True)
    assert "CO2 first" in page and 'id="adopt"' in page
    scenario = next(p for p in EmbeddedStore(store_url).plans() if p.scenario)
    assert scenario.scenario == "CO2 first" and scenario.scope.key == "county:Vestland"
    assert EmbeddedStore(store_url).exchanges(status="proposed") == live  # left alone
    listing = s.get("/scenarios/").get_data(as_text=True)
    assert "CO2 first" in listing and 'class="scenario-row"' in listing
    cmp = s.get(f"/scenarios/compare?id={_first_plan_of(app, '')}&id={scenario.id}")
    assert cmp.status_code == 200 and "CO2 first" in cmp.get_data(as_text=True)
    assert 'class="compare-row' in cmp.get_data(as_text=True)
    assert s.get("/scenarios/compare?id=nope&id=nada").status_code == 404
    # no right, no adoption: viewers, and county staff of another county
    troms_page = login("troms").get(f"/optimize/plans/{scenario.id}").get_data(as_text=True)
    assert 'id="adopt"' not in troms_page
    assert login("viewer").post(f"/scenarios/{scenario.id}/adopt").status_code == 403
    assert login("troms").post(f"/scenarios/{scenario.id}/adopt").status_code == 403
    assert EmbeddedStore(store_url).exchanges(status="proposed") == live
    r = s.post(f"/scenarios/{scenario.id}/adopt")
    assert r.status_code == 302
    now = EmbeddedStore(store_url).exchanges(status="proposed")
    assert {(e.supply_flow, e.demand_flow) for e in now if e.plan_id == scenario.id} == {
        (e.supply_flow, e.demand_flow) for e in scenario.exchanges}
    assert EmbeddedStore(store_url).plan(scenario.id).adopted_by == "admin"


def _first_plan_of(app, scenario: str) -> str:
    return next(p.id for p in EmbeddedStore(app.config["STORE_URL"]).plans()
                if p.scenario == scenario)


def test_network_picture_is_served_with_local_javascript(login):
    s = login("viewer")
    page = s.get("/network/?park=FJORDBASE").get_data(as_text=True)
    assert '<script src="/static/vis-network.min.js">' in page
    assert not re.search(r'src="(https?:)?//', page)
    payload = re.search(r'id="network-data" type="application/json">(.*?)</script>', page,
                        re.S).group(1)
    data = json.loads(payload)
    flows = {f.get("id") for n in data["nodes"] for f in n["flows"]}
    assert "FLO-F004" in flows and "SOL-" not in payload
    with s.get("/static/vis-network.min.js") as js:
        assert js.status_code == 200 and len(js.data) > 100_000


def test_map_serves_leaflet_locally_and_geojson(login):
    s = login("admin")
    page = s.get("/map/").get_data(as_text=True)
    assert "/static/leaflet/leaflet.js" in page and not re.search(r'(src|href)="(https?:)?//',
                                                                   page)
    with s.get("/static/leaflet/leaflet.js") as js:
        assert js.status_code == 200
    doc = s.get("/map/geojson").get_json()
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds.count("company") == 17 and "exchange" in kinds


# -- confidential flows on every output path -------------------------------------------------

OUTPUTS = ["/companies/SOL-C03", "/companies/SOL-C04", "/candidates/", "/candidates/csv",
           "/candidates/csv?company=SOL-C03",
           "/exchanges/", "/network/", "/network/?company=SOL-C04", "/map/geojson",
           "/api/v1/flows", "/api/v1/flows?company=SOL-C03", "/api/v1/candidates?limit=10000",
           "/api/v1/exchanges", "/api/v1/companies/SOL-C03", "/api/v1/companies/SOL-C04"]


def _outputs(s, app, tokens, username) -> dict[str, str]:
    urls = OUTPUTS + [f"/optimize/plans/{p.id}" for p in
                      EmbeddedStore(app.config["STORE_URL"]).plans()]
    urls += [f"/api/v1/plans/{p.id}" for p in EmbeddedStore(app.config["STORE_URL"]).plans()]
    out = {}
    for url in urls:
        r = s.get(url, headers={"Authorization": f"Bearer {tokens[username]}"})
        assert r.status_code == 200, url
        out[url] = r.get_data(as_text=True)
    return out


@pytest.mark.parametrize("username", ["viewer", "fjord", "innlandet"])
def test_confidential_flow_is_anonymised_everywhere(login, app, tokens, username):
    s = login(username)
    # the optimizer picks the hidden exchange too, so plans carry it
    login("admin").post("/optimize/", {"objective": "value", "time_limit": "20"})
    outputs = _outputs(s, app, tokens, username)
    for url, text in outputs.items():
        assert SECRET_FLOW not in text, url
        assert "4,200" not in text and "4200" not in text, url
    for url in ("/candidates/csv", "/api/v1/flows", "/exchanges/", "/network/"):
        assert "confidential" in outputs[url].lower(), url
    rows = [r for r in _csv(s.get("/candidates/csv"))
            if r["demand_flow"] == PARTNER_FLOW and r["resource"] == "animal_byproducts"]
    assert len(rows) == 1
    assert rows[0]["supply_company"] == "confidential"
    assert rows[0]["supply_flow"].startswith("anon-")
    assert rows[0]["supply_municipality"] == "Våler"
    assert rows[0]["amount"] == SECRET_BAND
    assert SECRET_COMPANY not in outputs["/network/?company=SOL-C04"]
    # the partner's page and the API list it among its best partners, anonymised, with
    # no score
    partners = [p for _, f, p in _PARTNER_ROW.findall(outputs["/companies/SOL-C04"])
                if f == PARTNER_FLOW]
    assert any(p.startswith("anon-") for p in partners)
    assert SECRET_COMPANY not in outputs["/companies/SOL-C04"]
    listed = json.loads(outputs["/api/v1/companies/SOL-C04"])["partners"][PARTNER_FLOW]
    hidden = [r for r in listed["direct"] if r["supply"]["anonymised"]]
    assert hidden and all(r["score"] is None and r["value_nok"] is None for r in hidden)
    plan_pages = [t for u, t in outputs.items() if u.startswith("/optimize/plans/")]
    assert any("confidential" in t for t in plan_pages)


_PARTNER_ROW = re.compile(
    r'<tr class="partner (direct|via)" data-flow="([^"]+)" data-partner="([^"]+)"')


def test_a_company_page_lists_each_flows_best_partners_and_facility_options_apart(login, app,
                                                                                  tokens):
    """Per flow, its three best direct partners, then apart its three best conversions
    through a facility to build, best first, as stored."""
    store = EmbeddedStore(app.config["STORE_URL"])
    cands = store.candidates()  # best first
    flows = [f.id for f in store.dataset().flows if f.company_id == "SOL-C01"]
    rows = _PARTNER_ROW.findall(login("admin").get("/companies/SOL-C01").get_data(as_text=True))
    assert {k for k, _, _ in rows} == {"direct", "via"}
    for flow in flows:
        mine = [c for c in cands if flow in c.key]
        for kind, want in (("direct", [c for c in mine if not c.via][:3]),
                           ("via", [c for c in mine if c.via][:3])):
            assert [p for k, f, p in rows if (k, f) == (kind, flow)] == [
                c.demand_flow if c.supply_flow == flow else c.supply_flow for c in want]
    # the API lists the same
    api = login("admin").get("/api/v1/companies/SOL-C01", headers={
        "Authorization": f"Bearer {tokens['admin']}"}).get_json()["partners"]
    assert {(kind, f, r["demand"]["id"] if r["supply"]["id"] == f else r["supply"]["id"])
            for f, lists in api.items() for kind in ("direct", "via") for r in lists[kind]
            } == set(rows)
    # a facility option scoring above a direct partner does not push it out
    assert any(max((c.score for c in cands if flow in c.key and c.via), default=0) >
               min(c.score for c in cands if flow in c.key and not c.via)
               for flow in flows if any(flow in c.key and not c.via for c in cands))


@pytest.mark.parametrize("username", ["admin", "solor"])
def test_confidential_flow_is_shown_to_admins_and_its_cluster(login, app, tokens, username):
    s = login(username)
    outputs = _outputs(s, app, tokens, username)
    for url in ("/companies/SOL-C03", "/candidates/csv", "/api/v1/flows", "/api/v1/exchanges",
                "/api/v1/companies/SOL-C03"):
        assert SECRET_FLOW in outputs[url], url
    # the partner's page lists the confidential flow among its best partners
    assert (PARTNER_FLOW, SECRET_FLOW) in {(f, p) for _, f, p in _PARTNER_ROW.findall(
        outputs["/companies/SOL-C04"])}
    assert SECRET_COMPANY in outputs["/exchanges/"]
    row = next(r for r in _csv(s.get("/candidates/csv"))
               if r["supply_flow"] == SECRET_FLOW)
    assert row["supply_company"].startswith(SECRET_COMPANY)
    assert float(row["amount"]) == SECRET_AMOUNT


def test_export_geojson_leaves_out_hidden_exchanges(login):
    admin = login("admin").get("/map/geojson").get_json()
    viewer = login("viewer").get("/map/geojson").get_json()
    ids = {f["id"] for f in admin["features"]}
    assert SECRET_EXCHANGE in ids
    assert SECRET_EXCHANGE not in {f["id"] for f in viewer["features"]}
    assert admin["hidden_exchanges"] == 0 and viewer["hidden_exchanges"] >= 1

    def lines(doc):
        return sum(f["properties"]["kind"] == "exchange" for f in doc["features"])

    assert lines(admin) - lines(viewer) == viewer["hidden_exchanges"]


# -- exchanges lifecycle, indicators, park planner --------------------------------------------

def test_lifecycle_from_the_exchange_page(login, app):
    s = login("solor")
    r = s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed", "start_year": "2027",
                                                        "note": "signed"})
    assert r.status_code == 302
    e = next(x for x in EmbeddedStore(app.config["STORE_URL"]).exchanges()
             if x.id == SECRET_EXCHANGE)
    assert e.status == "agreed" and e.start_year == 2027
    assert [(h.status, h.by, h.note) for h in e.history] == [("agreed", "solor", "signed")]
    r = s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "proposed"})
    assert r.status_code == 302
    page = s.get("/exchanges/").get_data(as_text=True)
    assert "cannot go from agreed to proposed" in page
    assert "signed" in page


def test_indicators_dashboard_counts_realised_symbioses(login, app):
    s = login("admin")
    page = s.get("/indicators/?county=Innlandet").get_data(as_text=True)
    assert re.search(r'id="kpi-symbioses"><b>0</b>', page)
    s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed", "start_year": "2026"})
    page = s.get("/indicators/?county=Innlandet").get_data(as_text=True)
    assert re.search(r'id="kpi-symbioses"><b>1</b>', page)
    assert "<svg" in page and "<polyline" in page
    assert "<td>Innlandet</td><td>1</td><td>2</td>" in page
    report = s.get("/indicators/report.html?county=Innlandet")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]


def test_park_planner_page(login):
    s = login("troms")
    r = s.finish(s.post("/parks/FINNFJORD", {"time_limit": "20"}))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="park-result"' in page
    assert "NOT reachable" in page  # 300,000 t baseline; the cases close only a part of it
    assert 'id="facilities"' in page
    r = s.post("/parks/FINNFJORD", {"time_limit": "20", "budget": "-5"})
    assert r.status_code == 400
    assert login("troms").get("/parks/FJORDBASE").status_code == 403  # Vestland
    r = login("innlandet").post("/parks/BRASKEREIDFOSS", {"time_limit": "5"})
    assert r.status_code == 400 and "no emission baseline" in r.get_data(as_text=True)


# -- language --------------------------------------------------------------------------------

def test_norwegian_interface_and_resource_names(login):
    s = login("viewer")
    assert "Bedrifter" not in s.get("/companies/").get_data(as_text=True)
    s.get("/lang/nb")
    page = s.get("/companies/SOL-C01").get_data(as_text=True)
    assert "Strømmer" in page and "trerester" in page.lower()
    page = s.get("/candidates/").get_data(as_text=True)
    assert "Kandidater til utveksling" in page and "spillvarme" in page
    s.get("/lang/en")
    assert "Candidate exchanges" in s.get("/candidates/").get_data(as_text=True)


def test_every_interface_text_has_a_bokmal_translation():
    from web.i18n import NB

    root = Path(__file__).resolve().parent.parent / "web"
    texts = set()
    for path in list((root / "templates").glob("*.html")) + list(root.glob("*.py")):
        texts |= set(re.findall(r"""(?:\b_|gettext)\(\s*['"]([^'"]+)['"]\s*\)""",
                                path.read_text(encoding="utf-8")))
    assert len(texts) > 100
    # texts the views pick from tables: line kinds, totals, conditional proposals
    from symbiosis.report import TOTALS
    from web.views import _CONDITIONAL, LINE_KINDS

    texts |= {*LINE_KINDS.values(), *_CONDITIONAL.values(),
              *(label for _, label, _, _ in TOTALS), *(u for *_, u, _ in TOTALS if u)}
    assert sorted(t for t in texts if t not in NB) == []


def test_empty_store_offers_the_demo_data(app, login):
    EmbeddedStore(app.config["STORE_URL"]).clear()
    s = login("admin")
    page = s.get("/").get_data(as_text=True)
    assert 'id="load-demo"' in page
    assert 'id="load-demo"' not in login("viewer").get("/").get_data(as_text=True)
    assert s.post("/demo").status_code == 302
    store = EmbeddedStore(app.config["STORE_URL"])
    assert len(store.dataset().companies) == 17 and store.candidates()
    # the real symbioses first: the cases' documented exchanges, with status and start year
    documented = {e.id: e for e in store.exchanges()}
    steam = documented["DOC-SOL-F013-SOL-F018"]
    assert (steam.status, steam.start_year, steam.amount) == ("operating", 2007, 36000.0)
    assert steam.co2_avoided_t > 0
    assert len([e for e in documented.values() if e.status == "operating"]) == 6
    page = s.get("/indicators/?county=Innlandet").get_data(as_text=True)
    assert re.search(r'id="kpi-symbioses"><b>3</b>', page)


def test_csv_download_quotes_text_a_spreadsheet_would_run(login, app):
    s = login("admin")
    assert s.post("/companies/SOL-C04/edit", {
        "name": "=HYPERLINK(\"http://x\")", "lat": "60.60", "lon": "12.0",
        "municipality": "Åsnes", "county": "Innlandet",
        "cluster": "Sirkulære Solør"}).status_code == 302
    rows = [r for r in _csv(s.get("/candidates/csv?company=SOL-C04"))]
    names = {r["demand_company"] for r in rows} | {r["supply_company"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in names


def test_upload_reads_words_as_users_write_them_and_learns_confirmed_readings(login, app):
    """flis in lm3, spillvarme 60 °C in GWh, biomethane against a natural-gas demand, a
    steam line of 4 km: the preview shows each cell beside what it was read as; an unsure
    cell is asked about, the confirmed reading is saved for the cluster and used again."""
    s = login("solor")
    path = Path(app.config["STORE_URL"])
    companies = ("id,name,lat,lon,municipality,county,cluster\n"
                 "W-SAW,Sag AS,60.70,11.86,Våler,Innlandet,Sirkulære Solør\n"
                 "W-HUS,Veksthus AS,60.71,11.87,Våler,Innlandet,Sirkulære Solør\n"
                 "W-STE,Damp AS,60.73,11.86,Våler,Innlandet,Sirkulære Solør\n")
    flows = ("id,company_id,direction,resource,amount,unit\n"
             "W1,W-SAW,supply,flis,1000,lm3/år\n"
             "W2,W-SAW,supply,spillvarme 60 °C,2,GWh/år\n"
             "W3,W-HUS,demand,varme til veksthus 40 grader,1500,MWh/år\n"
             "W4,W-SAW,supply,biometan,500,MWh/år\n"
             "W5,W-HUS,demand,naturgass,400,MWh/år\n"
             "W6,W-SAW,supply,damp 180 grader,20,GWh/år\n"
             "W7,W-STE,demand,prosessdamp 150 °C,15,GWh/år\n"
             "W8,W-HUS,demand,xq-blanding linje 3,,\n")
    r = _upload_files(s, {"companies.csv": companies, "flows.csv": flows})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="confirm-readings"' in page
    assert "xq-blanding linje 3" in page and path.exists()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    r = s.post("/upload/confirm", {"token": token, "kind": "", "text": "xq-blanding linje 3",
                                   "resource": "organic_waste"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="readings"' in page, page[-2000:]
    rows = dict(re.findall(r'<td>([^<]+)</td>\s*<td data-resource="(\w+)"', page))
    assert rows["flis"] == "wood_chips" and rows["spillvarme 60 °C"] == "waste_heat"
    assert rows["biometan"] == "biomethane" and rows["naturgass"] == "natural_gas"
    assert rows["xq-blanding linje 3"] == "organic_waste"  # the confirmed reading
    assert "1 lm3 = " in page  # the conversion used is shown
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert s.post("/upload/commit", {"token": token, "kind": ""}).status_code == 302
    store = EmbeddedStore(path)
    got = {f.id: f for f in store.dataset().flows if f.id.startswith("W")}
    assert got["W2"].amount == 2000 and got["W2"].quality["temperature_c"] == 60
    assert got["W1"].resource_text == "flis" and got["W1"].conversion.startswith("1 lm3 = ")
    cands = {c.key: c for c in find_candidates(store.dataset().companies,
                                               store.dataset().flows)}
    assert ("W2", "W3") in cands and ("W4", "W5") in cands and ("W6", "W7") in cands
    assert cands[("W6", "W7")].distance_km == pytest.approx(4.0, abs=0.3)
    # the next upload of the same words by the same cluster needs no confirmation
    r = _upload_files(s, {"companies.csv": companies,
                          "flows.csv": flows.replace("\nW", "\nV")})
    assert r.status_code == 200, r.get_data(as_text=True)[-1500:]


def test_a_company_page_shows_the_words_as_written_beside_the_reading(login, app):
    s = login("admin")
    companies = "id,name,lat,lon\nAS-1,Skrevet AS,60.70,11.86\n"
    flows = ("id,company_id,direction,resource,amount,unit\n"
             "AS-F1,AS-1,supply,tørr sagflis,200,lm3\n")
    r = _upload_files(s, {"companies.csv": companies, "flows.csv": flows})
    token = re.search(r'name="token" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    assert s.post("/upload/commit", {"token": token, "kind": ""}).status_code == 302
    page = s.client.get("/companies/AS-1").get_data(as_text=True)
    assert "«tørr sagflis»" in page and "200 lm3: 1 lm3 = " in page
