"""The JSON API: token authentication, the OpenAPI document, writes and their errors."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from openapi_spec_validator import validate

from graph import EmbeddedStore

from .web_support import SECRET_EXCHANGE


def _client(app, tokens, user):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[user]}"}

    def call(method, url, **kw):
        return client.open(url, method=method, headers=headers, **kw)
    return call


def test_openapi_document_is_valid_and_covers_every_api_route(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(doc)
    documented = {("/api/v1" + path, method.upper()) for path, item in doc["paths"].items()
                  for method in item if method != "parameters"}
    routes = {(rule.rule.replace("<", "{").replace(">", "}"), m)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
              for m in (rule.methods or ()) if m in ("GET", "POST", "DELETE")}
    assert routes == documented


def test_companies_post_stores_valid_rows_and_nothing_from_a_bad_batch(app, tokens):
    call = _client(app, tokens, "solor")
    path = Path(app.config["STORE_URL"])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    r = call("POST", "/api/v1/companies", json={
        "companies": [{"id": "API-C1", "name": "Api AS", "lat": 60.7, "lon": 11.9,
                       "cluster": "Sirkulære Solør"}],
        "flows": [{"id": "API-F1", "company_id": "API-C1", "direction": "supply",
                   "resource": "waste_heat", "amount": 12, "unit": "GWh"},
                  {"id": "API-F2", "company_id": "API-C1", "direction": "upward",
                   "resource": "waste_heat"}]})
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"table": "flows", "row": 2, "field": "direction",
                                       "message": "must be 'supply' or 'demand'",
                                       "value": "upward", "suggestions": []}]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    r = call("POST", "/api/v1/companies", json={
        "companies": [{"id": "API-C1", "name": "Api AS", "lat": 60.7, "lon": 11.9,
                       "cluster": "Sirkulære Solør"}],
        "flows": [{"id": "API-F1", "company_id": "API-C1", "direction": "supply",
                   "resource": "waste_heat", "amount": 12, "unit": "GWh"}]})
    assert r.status_code == 201 and r.get_json()["flows"] == 1
    got = call("GET", "/api/v1/companies/API-C1").get_json()
    assert got["company"]["name"] == "Api AS" and got["flows"][0]["amount"] == 12000
    assert call("DELETE", "/api/v1/companies/API-C1").status_code == 204
    assert call("GET", "/api/v1/companies/API-C1").status_code == 404


def test_reads_filter_and_scope(app, tokens):
    admin = _client(app, tokens, "admin")
    assert admin("GET", "/api/v1/companies").get_json()["count"] == 17
    assert admin("GET", "/api/v1/companies?county=Troms").get_json()["count"] == 3
    troms = _client(app, tokens, "troms")
    assert troms("GET", "/api/v1/companies?county=Vestland").get_json()["count"] == 3
    flows = admin("GET", "/api/v1/flows?company=FIN-C01&direction=supply").get_json()["flows"]
    assert flows and {f["company_id"] for f in flows} == {"FIN-C01"}
    page = admin("GET", "/api/v1/candidates?municipality=Kinn&limit=2&offset=1").get_json()
    assert len(page["candidates"]) == 2 and page["total"] > 3
    assert admin("GET", "/api/v1/candidates?resource=moonbeams").get_json()["total"] == 0


def test_plans_run_and_lifecycle_over_the_api(app, tokens):
    call = _client(app, tokens, "solor")
    r = call("POST", f"/api/v1/exchanges/{SECRET_EXCHANGE}/status",
             json={"status": "agreed", "start_year": 2027, "note": "contract"})
    assert r.status_code == 200 and r.get_json()["status"] == "agreed"
    r = call("POST", f"/api/v1/exchanges/{SECRET_EXCHANGE}/status", json={"status": "operating"})
    assert r.get_json()["history"][-1]["by"] == "solor"
    r = call("POST", f"/api/v1/exchanges/{SECRET_EXCHANGE}/status", json={"status": "agreed"})
    assert r.status_code == 409 and "cannot go from operating" in r.get_json()["error"]
    # a new plan drops earlier proposals but keeps agreed and operating exchanges
    # the optimizer runs as a job: 202 with where to follow it, then the plan
    r = call("POST", "/api/v1/plans", json={"objective": "co2", "time_limit": 20,
                                            "county": "Innlandet"})
    assert r.status_code == 202
    job = r.get_json()["job"]
    deadline = time.monotonic() + 120
    while job["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
        job = call("GET", job["status_url"]).get_json()["job"]
    assert job["state"] == "done" and job["progress"] == 1
    plan = job["plan"]
    assert plan["status"] == "optimal" and plan["objective"] == "co2"
    # or waited for in the same call
    r = call("POST", "/api/v1/plans", json={"objective": "co2", "time_limit": 20,
                                            "county": "Innlandet", "wait": True})
    assert r.status_code == 201
    plan = r.get_json()
    assert plan["status"] == "optimal"
    assert call("GET", job["status_url"].replace(job["id"], "nope")).status_code == 404
    listed = call("GET", "/api/v1/plans").get_json()["plans"]
    assert listed[0]["id"] == plan["id"]
    assert call("GET", f"/api/v1/plans/{plan['id']}").get_json()["id"] == plan["id"]
    assert call("POST", "/api/v1/plans", json={"objective": "fun"}).status_code == 400
    stored = next(e for e in EmbeddedStore(app.config["STORE_URL"]).exchanges()
                  if e.id == SECRET_EXCHANGE)
    assert [h.status for h in stored.history] == ["agreed", "operating"]
    ind = call("GET", "/api/v1/indicators?county=Innlandet").get_json()
    assert ind["symbioses"] == 1 and SECRET_EXCHANGE in ind["sources"]["symbioses"]


def test_user_commands(runner, tmp_path):
    from symbiosis.cli import cli
    from web.db import Accounts

    db = str(tmp_path / "u.sqlite")
    r = runner.invoke(cli, ["user", "add", "kari", "--role", "county_staff", "--county",
                            "Troms", "--password", "long-enough-1", "--token", "--users", db],
                      obj={})
    assert r.exit_code == 0, r.output
    token = r.output.split("API token (shown once): ")[1].strip()
    accounts = Accounts(db)
    assert accounts.by_token(token).username == "kari"
    assert accounts.sign_in("kari", "long-enough-1", address="test").user.county == "Troms"
    assert accounts.sign_in("kari", "wrong-password", address="test").user is None
    assert token not in Path(db).read_bytes().decode("latin-1")
    assert b"long-enough-1" not in Path(db).read_bytes()
    accounts.close()
    r = runner.invoke(cli, ["user", "add", "ola", "--role", "cluster_manager", "--password",
                            "long-enough-1", "--users", db], obj={})
    assert r.exit_code != 0 and "needs --cluster" in str(r.exception)


def test_unknown_api_paths_answer_in_json(app, tokens):
    r = _client(app, tokens, "viewer")("GET", "/api/v1/nothing-here")
    assert r.status_code == 404 and "error" in r.get_json()


def test_an_api_batch_in_users_words_asks_about_unsure_cells_then_learns(app, tokens):
    call = _client(app, tokens, "solor")
    company = {"id": "API-W", "name": "Ord AS", "lat": 60.7, "lon": 11.9,
               "cluster": "Sirkulære Solør"}
    flows = [{"id": "API-W1", "company_id": "API-W", "direction": "supply",
              "resource": "restvärme 40–60 °C", "amount": 2, "unit": "GWh/år"},
             {"id": "API-W2", "company_id": "API-W", "direction": "supply",
              "resource": "blandet greie fra linje 3"}]
    r = call("POST", "/api/v1/companies", json={"companies": [company], "flows": flows})
    assert r.status_code == 422
    (err,) = r.get_json()["errors"]
    assert (err["row"], err["field"], err["value"]) == (2, "resource",
                                                        "blandet greie fra linje 3")
    assert len(err["suggestions"]) <= 3
    r = call("POST", "/api/v1/companies", json={
        "companies": [company], "flows": flows,
        "mapping": {"blandet greie fra linje 3": "industrial_waste"}})
    assert r.status_code == 201, r.get_json()
    readings = {x["flow"]: x for x in r.get_json()["readings"]}
    assert readings["API-W1"]["resource"] == "waste_heat"
    assert readings["API-W1"]["qualifiers"]["temperature_min"] == 40
    assert readings["API-W2"]["resource"] == "industrial_waste"
    # the confirmed reading is kept for the cluster: the same words pass without a mapping
    flows[1] = {**flows[1], "id": "API-W3"}
    r = call("POST", "/api/v1/companies", json={"companies": [company], "flows": flows})
    assert r.status_code == 201
    got = call("GET", "/api/v1/companies/API-W").get_json()
    by = {f["id"]: f for f in got["flows"]}
    assert by["API-W1"]["quality"]["temperature_c"] == 40  # a supply: its coolest


def test_scenarios_over_the_api(app, tokens):
    innlandet = _client(app, tokens, "innlandet")
    r = innlandet("POST", "/api/v1/plans", json={"objective": "co2", "time_limit": 20,
                                                 "scenario": "heat first", "wait": True})
    assert r.status_code == 201
    plan = r.get_json()
    assert plan["scenario"] == "heat first" and plan["is_scenario"]
    assert plan["scope"] == {"kind": "county", "value": "Innlandet"}
    listed = innlandet("GET", "/api/v1/scenarios").get_json()
    assert listed["count"] == 1 and listed["scenarios"][0]["may_adopt"]
    first = next(p["id"] for p in innlandet("GET", "/api/v1/plans").get_json()["plans"]
                 if p["id"] != plan["id"])
    cmp = innlandet("GET", f"/api/v1/scenarios/compare?ids={first},{plan['id']}").get_json()
    assert [p["name"] for p in cmp["plans"]] == ["live plan", "heat first"]
    assert all(r["supply"]["county"] == "Innlandet" or r["demand"]["county"] == "Innlandet"
               for r in cmp["exchanges"])
    assert _client(app, tokens, "troms")("POST", f"/api/v1/scenarios/{plan['id']}/adopt"
                                         ).status_code == 403
    r = innlandet("POST", f"/api/v1/scenarios/{plan['id']}/adopt")
    assert r.status_code == 200 and r.get_json()["adopted_by"] == "innlandet"
    again = innlandet("POST", f"/api/v1/scenarios/{plan['id']}/adopt")
    assert again.status_code == 400 and "adopted" in again.get_json()["error"]
    live = {e.plan_id for e in EmbeddedStore(app.config["STORE_URL"]).exchanges(
        status="proposed")}
    assert plan["id"] in live
