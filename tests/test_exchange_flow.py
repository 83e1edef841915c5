"""From candidate to exchange: one service (``services.start_exchange``) behind the
candidate page, the API and the command line; one live exchange per pair; the roles at
every door; and a started exchange held as a fact by later plans."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from graph import EmbeddedStore
from optimizer import problem_for
from symbiosis import services
from symbiosis.errors import NotFoundError
from symbiosis.lifecycle import ExchangeStartError, LiveExchangeError

from .conftest import run_cli
from .web_support import PARTNER_FLOW, SECRET_EXCHANGE, SECRET_FLOW

PAIR = ("SOL-F015", "SOL-F018")       # hot water, 12,000 MWh/yr, Sirkulære Solør both ends
UNKNOWN_PAIR = ("SOL-F001", "SOL-F003")  # wood residues, quantity unknown
PLANNED_PAIR = ("SOL-F013", "SOL-F018")  # proposed by the world's plan
AT = "2026-05-04T09:30:00+00:00"


@pytest.fixture
def world_store(web_world, tmp_path):
    """A copy of the web tests' store: the cases, their candidates and one plan."""
    path = tmp_path / "store.db"
    shutil.copy(web_world[0] / "store.db", path)
    store = EmbeddedStore(path)
    yield store
    store.close()


def _candidate(store, pair):
    return next(c for c in store.candidates(flow_id=pair[0]) if c.key == pair)


def _live_on(store, pair):
    return [e for e in store.exchanges() if (e.supply_flow, e.demand_flow) == pair
            and e.status != "ended"]


# -- the service -----------------------------------------------------------------------------

def test_a_started_exchange_carries_the_candidates_figures_and_who_started_it(world_store):
    cand = _candidate(world_store, PAIR)
    e = services.start_exchange(world_store, *PAIR, by="kari", note="called both; meet in May",
                                at=AT)
    assert (e.id, e.status, e.plan_id) == ("EX-0001", "proposed", None)
    assert (e.amount, e.unit) == (12000.0, "MWh") == (cand.amount, cand.unit)
    assert e.value_nok == pytest.approx(cand.value_nok) and e.value_nok > 0
    assert e.co2_avoided_t == pytest.approx(cand.co2_avoided_t) and e.co2_avoided_t > 0
    assert [(h.status, h.at, h.by, h.note) for h in e.history] == [
        ("proposed", AT, "kari", "called both; meet in May")]
    assert world_store.exchange("EX-0001") == e
    # a smaller amount is valued per unit as the candidate is, less the link's fixed cost
    services.advance_exchange(world_store, e.id, "ended", by="kari")
    half = services.start_exchange(world_store, *PAIR, by="kari", amount=6000.0)
    assert half.id == "EX-0002" and half.amount == 6000.0
    assert half.value_nok == pytest.approx(cand.unit_value_nok * 6000.0
                                           - cand.fixed_cost_nok_per_year)
    assert half.co2_avoided_t == pytest.approx(cand.co2_avoided_t / 2)


def test_figures_the_candidate_does_not_know_stay_unknown(world_store):
    cand = _candidate(world_store, UNKNOWN_PAIR)
    assert cand.amount is None and cand.unit_value_nok is not None
    e = services.start_exchange(world_store, *UNKNOWN_PAIR, by="kari")
    assert (e.amount, e.value_nok, e.co2_avoided_t) == (None, None, None)
    services.advance_exchange(world_store, e.id, "ended", by="kari")
    given = services.start_exchange(world_store, *UNKNOWN_PAIR, by="kari", amount=500.0)
    assert given.amount == 500.0
    assert given.value_nok == pytest.approx(cand.unit_value_nok * 500.0
                                            - cand.fixed_cost_nok_per_year)
    assert given.co2_avoided_t == (None if cand.unit_co2_avoided_t is None
                                   else pytest.approx(cand.unit_co2_avoided_t * 500.0))


def test_one_live_exchange_per_pair_and_an_operating_one_is_never_proposed_twice(world_store):
    planned = _live_on(world_store, PLANNED_PAIR)
    assert [e.status for e in planned] == ["proposed"] and planned[0].plan_id
    with pytest.raises(LiveExchangeError, match=planned[0].id):
        services.start_exchange(world_store, *PLANNED_PAIR, by="kari")
    first = services.start_exchange(world_store, *PAIR, by="kari", at=AT)
    for status in ("agreed", "operating"):
        services.advance_exchange(world_store, first.id, status, by="kari")
        before = world_store.exchanges()
        with pytest.raises(LiveExchangeError, match=f"EX-0001 \\({status}\\)"):
            services.start_exchange(world_store, *PAIR, by="ola")
        assert world_store.exchanges() == before
    services.advance_exchange(world_store, first.id, "ended", by="kari")
    again = services.start_exchange(world_store, *PAIR, by="ola")
    assert again.id == "EX-0002" and [e.id for e in _live_on(world_store, PAIR)] == ["EX-0002"]


@pytest.mark.parametrize(("pair", "amount", "error", "words"), [
    (("NOPE", "SOL-F018"), None, NotFoundError, "no flow NOPE"),
    (("SOL-F018", "SOL-F015"), None, ExchangeStartError, "is a demand, not a supply"),
    (("SOL-F017", "SOL-F003"), None, ExchangeStartError, "is not a candidate"),
    (PAIR, 12001.0, ExchangeStartError, "more than the 12,000 MWh/yr"),
    (PAIR, 0.0, ExchangeStartError, "positive"),
    (PAIR, float("nan"), ExchangeStartError, "positive"),
])
def test_what_is_not_a_candidate_pair_is_refused_and_nothing_is_stored(
        world_store, pair, amount, error, words):
    before = world_store.exchanges()
    with pytest.raises(error, match=words):
        services.start_exchange(world_store, *pair, by="kari", amount=amount)
    assert world_store.exchanges() == before


def test_a_started_exchange_is_a_fact_later_plans_neither_drop_nor_duplicate(tmp_path):
    store = EmbeddedStore(tmp_path / "store.db")
    services.load_demo(store)
    _, first = services.plan(store, county="Vestland", time_limit_s=20, save=False)
    assert first.status == "optimal"
    chosen = max(first.exchanges, key=lambda x: x.value_nok)
    pair = (chosen.supply_flow, chosen.demand_flow)
    # the candidate's amount is unknown (a process bounds it): the manager gives one
    assert _candidate(store, pair).amount is None
    started = services.start_exchange(store, *pair, by="kari", note="called both", at=AT,
                                      amount=chosen.amount)
    # a plan solved before the exchange was started, saved after: its proposal on the
    # pair is not stored, the exchange started by hand is kept as it was
    services.save_plan(store, first)
    assert _live_on(store, pair) == [started]
    assert {(e.supply_flow, e.demand_flow) for e in store.exchanges(status="proposed")
            if e.plan_id == first.id} == {(x.supply_flow, x.demand_flow)
                                          for x in first.exchanges} - {pair}
    # a plan solved after holds it as a fact: its pair is not proposed, its amount is
    # taken from its flows, and the plan's value is what it adds
    _, second = services.plan(store, county="Vestland", time_limit_s=20)
    assert started.id in second.existing
    assert pair not in {(x.supply_flow, x.demand_flow) for x in second.exchanges}
    assert _live_on(store, pair) == [started]
    data, cands = store.dataset(county="Vestland"), store.candidates(county="Vestland")
    free = problem_for(data, cands).bounds[pair[0]]
    left = problem_for(data, cands, exchanges=[started]).bounds[pair[0]]
    assert left == pytest.approx(free - started.amount)
    assert sum(x.amount for x in second.exchanges if x.supply_flow == pair[0]) \
        <= left * (1 + 1e-9)
    # a plan-made proposal is not a fact: the same pair proposed by a plan is replaced
    # by the next plan of the scope, as before
    assert not any(e.id in second.existing for e in store.exchanges(status="proposed")
                   if e.plan_id)


# -- the pages -------------------------------------------------------------------------------

def _digest(app) -> str:
    return hashlib.sha256(Path(app.config["STORE_URL"]).read_bytes()).hexdigest()


def _exchange(app, exchange_id):
    return EmbeddedStore(app.config["STORE_URL"]).exchange(exchange_id)


def test_a_cluster_manager_opens_a_candidate_starts_an_exchange_and_follows_it(login, app):
    s = login("solor")
    listing = s.get("/candidates/?resource=hot_water").get_data(as_text=True)
    assert f'href="/candidates/{PAIR[0]}/{PAIR[1]}"' in listing
    page = s.get(f"/candidates/{PAIR[0]}/{PAIR[1]}").get_data(as_text=True)
    assert 'id="start-form"' in page and "12,000 MWh/yr" in page
    assert 'id="candidate-reasons"' in page
    r = s.post(f"/candidates/{PAIR[0]}/{PAIR[1]}/exchange",
               {"note": "Called Forestia and the sawmill; they meet in May", "amount": ""})
    assert r.status_code == 302 and r.headers["Location"] == "/exchanges/EX-0001"
    e = _exchange(app, "EX-0001")
    assert (e.status, e.amount, e.history[0].by) == ("proposed", 12000.0, "solor")
    page = s.get("/exchanges/EX-0001").get_data(as_text=True)
    assert "Called Forestia and the sawmill" in page and 'id="status-form"' in page
    for status, year in (("agreed", "2026"), ("operating", "")):
        r = s.post("/exchanges/EX-0001/status", {"status": status, "start_year": year,
                                                 "note": f"now {status}", "back": "detail"})
        assert r.status_code == 302 and r.headers["Location"] == "/exchanges/EX-0001"
    e = _exchange(app, "EX-0001")
    assert [(h.status, h.by, h.note) for h in e.history] == [
        ("proposed", "solor", "Called Forestia and the sawmill; they meet in May"),
        ("agreed", "solor", "now agreed"), ("operating", "solor", "now operating")]
    assert e.start_year == 2026
    page = s.get("/exchanges/EX-0001").get_data(as_text=True)
    assert page.count('class="history-row"') == 3 and 'data-status="operating"' in page
    # the candidate now names the exchange under way and offers no second start
    page = s.get(f"/candidates/{PAIR[0]}/{PAIR[1]}").get_data(as_text=True)
    assert 'id="under-way"' in page and 'id="start-form"' not in page
    before = _digest(app)
    r = s.post(f"/candidates/{PAIR[0]}/{PAIR[1]}/exchange", {"note": "again"})
    assert r.status_code == 302
    assert "already has exchange EX-0001 (operating)" in s.get(r.headers["Location"]).get_data(
        as_text=True)
    assert _digest(app) == before


def test_bad_amounts_on_the_page_are_named_and_nothing_is_stored(login, app):
    s = login("solor")
    before = _digest(app)
    for amount, words in (("lots", "The amount must be a number."),
                          ("20000", "more than the 12,000 MWh/yr")):
        r = s.post(f"/candidates/{PAIR[0]}/{PAIR[1]}/exchange", {"amount": amount})
        assert r.status_code == 302
        assert words in s.get(r.headers["Location"]).get_data(as_text=True)
    assert _digest(app) == before
    r = s.post(f"/candidates/{PAIR[0]}/{PAIR[1]}/exchange", {"amount": "6 000,5"})
    assert _exchange(app, "EX-0001").amount == 6000.5


@pytest.mark.parametrize("username", ["viewer", "fjord", "innlandet"])
def test_who_may_not_change_the_pairs_exchanges_is_refused_at_both_doors(
        login, app, tokens, username):
    """A viewer, a cluster manager of another cluster and county staff: 403 at the page
    and at the API, with nothing written; the page offers them no form."""
    before = _digest(app)
    s = login(username)
    page = s.get(f"/candidates/{PAIR[0]}/{PAIR[1]}").get_data(as_text=True)
    assert 'id="start-form"' not in page
    r = s.post(f"/candidates/{PAIR[0]}/{PAIR[1]}/exchange", {"note": "mine now"})
    assert r.status_code == 403
    r = app.test_client().post("/api/v1/exchanges", json={
        "supply_flow": PAIR[0], "demand_flow": PAIR[1], "note": "mine now"},
        headers={"Authorization": f"Bearer {tokens[username]}"})
    assert r.status_code == 403 and "You may not do this" in r.get_json()["error"]
    assert _digest(app) == before


def test_a_flow_hidden_from_the_user_is_answered_as_unknown(login, app, tokens):
    """The candidate and the start door name no hidden flow: 404 as for an unknown one."""
    before = _digest(app)
    s = login("fjord")
    assert s.get(f"/candidates/{SECRET_FLOW}/{PARTNER_FLOW}").status_code == 404
    assert s.post(f"/candidates/{SECRET_FLOW}/{PARTNER_FLOW}/exchange").status_code == 404
    r = app.test_client().post("/api/v1/exchanges", json={
        "supply_flow": SECRET_FLOW, "demand_flow": PARTNER_FLOW},
        headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert r.status_code == 404 and SECRET_FLOW in r.get_json()["error"]
    assert login("solor").get(f"/candidates/{SECRET_FLOW}/{PARTNER_FLOW}").status_code == 200
    listing = s.get("/candidates/?company=SOL-C04").get_data(as_text=True)
    assert f"/candidates/{SECRET_FLOW}/" not in listing
    assert _digest(app) == before


def test_an_admin_and_the_receivers_manager_may_start(login, app, tokens):
    r = login("admin").post(f"/candidates/{UNKNOWN_PAIR[0]}/{UNKNOWN_PAIR[1]}/exchange",
                            {"note": "admin"})
    assert r.status_code == 302
    e = _exchange(app, "EX-0001")
    assert (e.amount, e.value_nok, e.co2_avoided_t) == (None, None, None)
    page = login("admin").get("/exchanges/EX-0001").get_data(as_text=True)
    assert page.count(">unknown<") == 3  # amount, value and CO2: never zero


# -- the API and the command line ------------------------------------------------------------

def test_the_api_starts_an_exchange_and_follows_its_lifecycle(app, tokens):
    client = app.test_client()
    auth = {"Authorization": f"Bearer {tokens['solor']}"}
    body = {"supply_flow": PAIR[0], "demand_flow": PAIR[1], "note": "by phone"}
    r = client.post("/api/v1/exchanges", json=body, headers=auth)
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert (got["id"], got["status"], got["amount"]) == ("EX-0001", "proposed", 12000.0)
    assert got["value_nok"] > 0 and got["origin"] == "hand"
    assert [(h["status"], h["by"], h["note"]) for h in got["history"]] == [
        ("proposed", "solor", "by phone")]
    assert client.post("/api/v1/exchanges", json=body, headers=auth).status_code == 409
    for bad, code in (({**body, "amount": "much"}, 400), ({**body, "amount": True}, 400),
                      ({"supply_flow": PAIR[0]}, 400), ({**body, "demand_flow": "NOPE"}, 404),
                      ({**body, "demand_flow": "SOL-F003", "supply_flow": "SOL-F017"}, 400),
                      ({**body, "supply_flow": PLANNED_PAIR[0]}, 409)):
        assert client.post("/api/v1/exchanges", json=bad, headers=auth).status_code == code, bad
    r = client.post("/api/v1/exchanges/EX-0001/status", headers=auth,
                    json={"status": "agreed", "start_year": 2027, "note": "signed"})
    assert r.status_code == 200 and r.get_json()["status"] == "agreed"
    got = client.get("/api/v1/exchanges/EX-0001", headers=auth).get_json()
    assert [h["status"] for h in got["history"]] == ["proposed", "agreed"]
    assert got["start_year"] == 2027
    assert client.get("/api/v1/exchanges/NOPE", headers=auth).status_code == 404


def test_the_command_line_starts_an_exchange(world_store, runner, tmp_path):
    store_path = tmp_path / "store.db"
    out = run_cli(runner, store_path, "start-exchange", *PAIR, "--by", "kari", "--note",
                  "called both")
    assert out.startswith("EX-0001: proposed SOL-F015 -> SOL-F018, 12,000 MWh/yr")
    assert "NOK/yr" in out and "t CO2/yr" in out
    from symbiosis.cli import cli

    again = runner.invoke(cli, ["--store", str(store_path), "start-exchange", *PAIR, "--by",
                                "ola"], obj={})
    assert again.exit_code != 0 and "already has exchange EX-0001" in again.output
    e = EmbeddedStore(store_path).exchange("EX-0001")
    assert (e.history[0].by, e.history[0].note) == ("kari", "called both")


def test_notes_on_an_exchange_with_a_hidden_side_stay_with_those_who_see_it(app, tokens):
    client = app.test_client()

    def call(user, method, url, **kw):
        return client.open(url, method=method,
                           headers={"Authorization": f"Bearer {tokens[user]}"}, **kw)

    r = call("solor", "POST", f"/api/v1/exchanges/{SECRET_EXCHANGE}/status",
             json={"status": "agreed", "note": "Nortura agreed to 4,200 t"})
    assert r.status_code == 200
    assert call("solor", "GET", f"/api/v1/exchanges/{SECRET_EXCHANGE}").get_json()[
        "history"][0]["note"] == "Nortura agreed to 4,200 t"
    seen = call("viewer", "GET", f"/api/v1/exchanges/{SECRET_EXCHANGE}").get_json()
    assert seen["anonymised"] and [h["status"] for h in seen["history"]] == ["agreed"]
    assert "Nortura" not in str(seen) and SECRET_FLOW not in str(seen)
