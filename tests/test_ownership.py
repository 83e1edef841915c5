"""Issue 12, item 1: a cluster manager cannot take over another cluster's data through any
door (API batch, upload, forms); the store is unchanged by every refused attempt. Moving a
company between clusters is an admin's act, on the company page and in the API."""

from __future__ import annotations

import io
import re

import pytest

from graph import EmbeddedStore
from symbiosis import services
from symbiosis.errors import ImportValidationError
from symbiosis.io import Table

from .web_support import SECRET_FLOW

# in the web world: "fjord" manages Fjord Base (FLO-*), "solor" manages Sirkulære Solør
# (SOL-*); SOL-C03 (Nortura) holds the confidential flow SOL-F007; FIN-* is Finnfjord's


def _state(app):
    store = EmbeddedStore(app.config["STORE_URL"])
    return store.dataset(), store.counts(), store.candidates()


def _api(app, tokens, user):
    client = app.test_client()
    return lambda method, url, **kw: client.open(
        url, method=method, headers={"Authorization": f"Bearer {tokens[user]}"}, **kw)


def _upload(s, files: dict[str, str]):
    return s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": "",
        "file": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]},
        content_type="multipart/form-data")


def _errors(page: str) -> list[tuple[str, str, str, str]]:
    found = re.findall(r'<tr class="row-error"><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td>'
                       r'\s*<td>([^<(]*)', page)
    return [(f, r, c, m.strip()) for f, r, c, m in found]


TAKE_OVER = {"id": "SOL-C03", "name": "Nortura (ours now)", "lat": 60.7, "lon": 11.9,
             "cluster": "Fjord Base"}


@pytest.mark.parametrize("rows", [
    {"companies": [TAKE_OVER]},                                      # names its own cluster
    {"companies": [{k: v for k, v in TAKE_OVER.items() if k != "cluster"}]},  # keeps theirs
    {"flows": [{"id": SECRET_FLOW, "company_id": "FLO-C01", "direction": "supply",
                "resource": "animal_byproducts", "amount": 1}]},      # reuses their flow id
    {"flows": [{"id": "FLO-NEW", "company_id": "SOL-C03", "direction": "supply",
                "resource": "animal_byproducts", "amount": 1}]},      # adds to their company
])
def test_api_batch_refuses_rows_of_another_cluster_and_stores_nothing(app, tokens, rows):
    before = _state(app)
    r = _api(app, tokens, "fjord")("POST", "/api/v1/companies", json=rows)
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert errors and all(e["message"] == "belongs to another cluster" for e in errors)
    assert {(e["table"], e["row"]) for e in errors} == {(next(iter(rows)), 1)}
    assert _state(app) == before


def test_upload_refuses_another_clusters_company_flow_process_and_park(login, app):
    before = _state(app)
    s = login("fjord")
    r = _upload(s, {
        "companies.csv": "id,name,lat,lon,cluster\n"
                         "FLO-C09,New Fjord AS,61.6,5.0,Fjord Base\n"
                         "SOL-C03,Nortura (ours now),60.7,11.9,Fjord Base\n",
        "flows.csv": "id,company_id,direction,resource,amount,unit\n"
                     f"{SECRET_FLOW},FLO-C01,supply,animal_byproducts,1,t\n",
        "processes.csv": "id,company_id,inputs,outputs\n"
                         "FIN-P01,FLO-C01,FLO-F001:1,FLO-F002:0.019\n",
        "parks.csv": "id,name,cluster\nFINNFJORD,Finnfjord (ours now),Fjord Base\n"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert sorted(_errors(page)) == [
        ("companies.csv", "3", "id", "belongs to another cluster"),
        ("flows.csv", "2", "id", "belongs to another cluster"),
        ("parks.csv", "2", "id", "belongs to no cluster: only an admin may change it"),
        ("processes.csv", "2", "id", "belongs to another cluster")]
    assert _state(app) == before


def test_a_partial_reimport_of_another_clusters_company_is_refused(login, app):
    before = _state(app)
    r = _upload(login("fjord"), {"companies.csv": "id,name,lat,lon\n"
                                                  "SOL-C03,Renamed,60.7,11.9\n"})
    assert r.status_code == 422
    assert _errors(r.get_data(as_text=True)) == [
        ("companies.csv", "2", "id", "belongs to another cluster")]
    assert _state(app) == before


def test_commit_checks_ownership_again(login, app, tokens):
    """A preview that passed does not carry over: the company changed hands before the
    commit, so the commit is refused and nothing is stored."""
    s = login("solor")
    r = _upload(s, {"companies.csv": "id,name,lat,lon\nSOL-C04,Renamed,60.6,11.8\n"})
    assert r.status_code == 200, r.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    moved = _api(app, tokens, "admin")("POST", "/api/v1/companies/SOL-C04/cluster",
                                       json={"cluster": "Fjord Base"})
    assert moved.status_code == 200
    before = _state(app)
    r = s.post("/upload/commit", {"token": token, "kind": ""})
    assert r.status_code == 422
    assert "belongs to another cluster" in r.get_data(as_text=True)
    assert _state(app) == before


def test_forms_refuse_another_clusters_flow_id(login, app):
    before = _state(app)
    s = login("fjord")
    r = s.post("/companies/FLO-C01/flows/new", {"id": SECRET_FLOW, "direction": "supply",
                                                "resource": "animal_byproducts",
                                                "amount": "1", "unit": "t"})
    assert r.status_code == 400
    assert "belongs to another cluster" in r.get_data(as_text=True)
    assert s.post("/companies/SOL-C03/edit", {"name": "x", "lat": "60", "lon": "11"}
                  ).status_code == 403
    assert _state(app) == before


def test_services_check_ownership_for_every_door(tmp_path, cases):
    store = EmbeddedStore(tmp_path / "s.db")
    store.load(cases)
    before = store.dataset(), store.counts()
    table = Table(kind="companies", label="companies.csv", columns=("id", "name", "lat", "lon"),
                  rows=((2, {"id": "FIN-C01", "name": "x", "lat": "69", "lon": "18"}),))
    with pytest.raises(ImportValidationError) as info:
        services.import_tables(store, [table], owner="Fjord Base")
    assert [(e.file, e.row, e.field, e.message) for e in info.value.errors] == [
        ("companies.csv", 2, "id", "belongs to another cluster")]
    taken = services.parse_for_store(store, [table]).dataset  # as an admin would read it
    with pytest.raises(ImportValidationError):
        services.save(store, taken, owner="Fjord Base")
    assert (store.dataset(), store.counts()) == before
    services.import_tables(store, [table])  # an admin (and the command line) may
    assert store.company("FIN-C01").name == "x"


def test_moving_a_company_is_an_admins_act(login, app, tokens):
    fjord = _api(app, tokens, "fjord")
    assert fjord("POST", "/api/v1/companies/SOL-C03/cluster",
                 json={"cluster": "Fjord Base"}).status_code == 403
    assert login("fjord").post("/companies/SOL-C03/cluster",
                               {"cluster": "Fjord Base"}).status_code == 403
    page = login("fjord").get("/companies/FLO-C01").get_data(as_text=True)
    assert 'id="move-company"' not in page
    store = EmbeddedStore(app.config["STORE_URL"])
    assert store.company("SOL-C03").cluster == "Sirkulære Solør"
    admin = login("admin")
    assert 'id="move-company"' in admin.get("/companies/SOL-C03").get_data(as_text=True)
    r = admin.post("/companies/SOL-C03/cluster", {"cluster": "Fjord Base"})
    assert r.status_code == 302
    assert store.company("SOL-C03").cluster == "Fjord Base"
    r = _api(app, tokens, "admin")("POST", "/api/v1/companies/SOL-C03/cluster",
                                   json={"cluster": "Sirkulære Solør"})
    assert r.status_code == 200 and r.get_json()["company"]["cluster"] == "Sirkulære Solør"
    assert _api(app, tokens, "admin")("POST", "/api/v1/companies/NOPE/cluster",
                                      json={"cluster": "x"}).status_code == 404
