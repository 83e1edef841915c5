"""Confidential flows in aggregates and searches (issue 12, items 2 and 3).

The rule (``symbiosis.disclosure``) by hand; then the web world of ``web_support``, where
Nortura's flow SOL-F007 is confidential: its figures must not be read off the indicators,
the reports and the plans, nor recovered by filtering, sorting or subtracting, by anyone
who may not see it.

"Learnt within 10 %" is judged on what the answers prove: the interval a hidden number
must lie in, given every answer seen. It is learnt when that interval is narrow (its ends
within 10 % of a middle value) and holds the true number.
"""

from __future__ import annotations

import doctest
import json
import math

import pytest

from graph import EmbeddedStore

from .web_support import PARTNER_FLOW, SECRET_AMOUNT, SECRET_EXCHANGE, SECRET_FLOW

SECRET_COMPANY_ID = "SOL-C03"


def _learnt(low: float, high: float, true: float) -> bool:
    """Whether the answers pin ``true`` to within 10 %: it lies in ``[low, high]`` and
    that interval fits in +-10 % of its middle."""
    if not (low <= true <= high) or math.isinf(low) or math.isinf(high):
        return False
    middle = (low + high) / 2
    return high - middle <= 0.1 * abs(middle) and middle - low <= 0.1 * abs(middle)


def _api(app, tokens, user):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[user]}"}
    return lambda url: client.get(url, headers=headers)


# -- the rule, by hand -------------------------------------------------------------------------

def test_the_rule_by_hand():
    from symbiosis.disclosure import Figure, Part, disclose

    open_ = [Part(300.0, ("C", "D")), Part(500.0, ("D", "E"))]
    secret = Part(4200.0, ("A", "B"), hidden=("A",))
    # nothing hidden: shown as it is, however few companies
    assert disclose([Part(7.0, ("A", "B"))]) == Figure(7.0)
    # fewer than three companies
    assert disclose([secret]).reason == "few_companies"
    assert disclose([secret, Part(1.0, ("A", "B"))]).status == "suppressed"
    # one confidential contributor with 85 % or more: 4200 / (4200 + 300 + 400) = 85.7 %
    dominated = disclose([secret, Part(300.0, ("C", "D")), Part(400.0, ("D", "E"))])
    assert (dominated.status, dominated.reason) == ("suppressed", "dominance")
    # 4200 / 5000 = 84 %: banded, the visible 800 plus the decade of the hidden 4200
    banded = disclose([secret, *open_])
    assert (banded.status, banded.value, banded.low, banded.high) == (
        "banded", None, 800.0 + 1000.0, 800.0 + 10000.0)
    # subtracting the visible rows leaves the hidden part's decade, never closer
    assert not _learnt(banded.low - 800.0, banded.high - 800.0, 4200.0)
    # dominance counts magnitudes: costs and gains do not cancel out a hidden part
    assert disclose([Part(-1e6, ("A", "B"), hidden=("A",)), Part(1e6 + 10, ("C", "D")),
                     Part(5.0, ("E", "F"))]).status == "banded"
    # counts: the rules apply; one that passes is exact (the rows are listed anonymised)
    assert disclose([Part(1.0, ("A", "B"), hidden=("A",))], count=True).value is None
    assert disclose([Part(1.0, ("A", "B"), hidden=("A",)), Part(1.0, ("C", "D")),
                     Part(1.0, ("E", "F"))], count=True).value == 3.0


def test_examples_in_the_docstrings_run():
    from symbiosis import disclosure, search

    for module in (disclosure, search):
        assert doctest.testmod(module).failed == 0, module.__name__


def test_area_indicators_withhold_what_rests_on_a_hidden_flow():
    from symbiosis.indicators import area_indicators, park_progress
    from symbiosis.model import Company, Dataset, Exchange, Flow, Park

    companies = tuple(Company(c, c, 60.0, 10.0, county="K", municipality="M", park_id="P")
                      for c in "ABCDE")
    flows = (Flow("a", "A", "supply", "custom:x", 4200.0, "t", confidential=True),
             Flow("b", "B", "demand", "custom:x", 5000.0, "t"),
             Flow("c", "C", "supply", "custom:x", 300.0, "t"),
             Flow("d", "D", "demand", "custom:x", 900.0, "t"),
             Flow("e", "E", "demand", "custom:x", 900.0, "t"))
    data = Dataset(companies=companies, flows=flows,
                   parks=(Park("P", "P", baseline_t_co2e=10000.0, target_t_co2e=0.0),))
    secret = [Exchange("X", "a", "b", 4200.0, "t", "agreed", 2026, co2_avoided_t=4200.0)]
    hidden = lambda f: f.confidential  # noqa: E731
    alone = area_indicators(data, secret, hidden=hidden)
    assert alone.co2_avoided_t is None and alone.waste_diverted_t is None
    assert alone.symbioses is None and alone.symbiosis_pairs == ()
    assert alone.sources["co2_avoided_t"] == () and alone.participation is None
    assert alone.withheld["co2_avoided_t"].reason == "few_companies"
    assert all(v is None for _, v in alone.trajectory_realised)
    assert "A" not in json.dumps([alone.symbiosis_pairs, alone.sources])
    # an admin sees the figure
    assert area_indicators(data, secret).co2_avoided_t == 4200.0
    # with two open exchanges beside it (84 %): a band, the visible part exact
    rows = secret + [Exchange("Y", "c", "d", 300.0, "t", "agreed", 2026, co2_avoided_t=300.0),
                     Exchange("Z", "c", "e", 500.0, "t", "operating", 2026,
                              co2_avoided_t=500.0)]
    mixed = area_indicators(data, rows, hidden=hidden)
    band = mixed.withheld["co2_avoided_t"]
    assert (band.low, band.high) == (1800.0, 10800.0)
    assert mixed.symbioses == 3 and mixed.symbiosis_pairs == (("C", "D"), ("C", "E"))
    assert mixed.sources["co2_avoided_t"] == ("Y", "Z")
    # a park's residual is withheld alike, and net zero is told only when the band decides
    park = park_progress(data, rows, data.parks[0], hidden=hidden)
    assert park.avoided_t is None and park.residual_t is None and park.net_zero is None
    residual = park.withheld["residual_t"]
    assert (residual.low, residual.high) == (10000.0 - 10800.0, 10000.0 - 1800.0)
    far = Park("P", "P", baseline_t_co2e=1e6, target_t_co2e=0.0)  # the band decides
    assert park_progress(data, rows, far, hidden=hidden).net_zero is False


def test_park_plan_figures_follow_what_they_rest_on():
    from symbiosis.disclosure import Figure, park_plan_figures
    from symbiosis.model import Plan, PlanExchange

    def row(s, d, value, co2):
        return PlanExchange(s, d, s.upper(), d.upper(), "x", 1.0, "t", "truck", 1.0, value,
                            co2)

    plan = Plan("p", "optimal", "value", 0.0, 0.0, 0.0, 0.0,
                exchanges=(row("a", "b", 500.0, 40.0), row("c", "d", 100.0, 10.0)),
                totals={"value_nok": 600.0, "co2_avoided_t": 50.0})
    open_, path = park_plan_figures(plan, (), baseline_t_co2e=1000.0, target_t_co2e=0.0,
                                    already=Figure(200.0), years=(2026, 2027))
    assert (open_["required"].value, open_["reduction"].value, open_["residual"].value,
            open_["cost_nok"].value) == (800.0, 50.0, 750.0, -600.0)
    assert [f.value for _, f in path] == [800.0, 750.0]
    # the hidden row "a": 2 companies in the plan, so its totals and all after them go
    held, path = park_plan_figures(plan, {"a"}, baseline_t_co2e=1000.0, target_t_co2e=0.0,
                                   already=Figure(200.0), years=(2026, 2027))
    assert held["required"].value == 800.0
    assert all(held[k].value is None for k in ("reduction", "residual", "cost_nok"))
    assert path[0][1].value == 800.0 and path[1][1].value is None


# -- the web world -----------------------------------------------------------------------------

def _agree_secret_exchange(login) -> None:
    """Nortura's confidential flow in an agreed exchange: the only realised one."""
    s = login("solor")
    r = s.post(f"/exchanges/{SECRET_EXCHANGE}/status", {"status": "agreed",
                                                        "start_year": "2026"})
    assert r.status_code == 302


AREAS = ["municipality=V%C3%A5ler", "county=Innlandet", ""]


@pytest.mark.parametrize("username", ["viewer", "fjord", "innlandet"])
def test_aggregates_do_not_show_a_confidential_flow(login, app, tokens, username):
    _agree_secret_exchange(login)
    admin, s, api = login("admin"), login(username), _api(app, tokens, username)
    # the figure is there, for those who may see it
    shown = admin.get("/indicators/?municipality=V%C3%A5ler").get_data(as_text=True)
    assert "4,200" in shown
    assert _api(app, tokens, "solor")("/api/v1/indicators?municipality=V%C3%A5ler"
                                      ).get_json()["waste_diverted_t"] == SECRET_AMOUNT
    for area in AREAS:
        outputs = {url: s.get(url).get_data(as_text=True) for url in (
            f"/indicators/?{area}", f"/indicators/report.html?{area}",
            f"/indicators/report.csv?{area}", f"/indicators/report.json?{area}")}
        outputs["api"] = api(f"/api/v1/indicators?{area}").get_data(as_text=True)
        for url, text in outputs.items():
            assert "4,200" not in text and "4200" not in text, url
            assert SECRET_COMPANY_ID not in text and SECRET_FLOW not in text, url
        body = json.loads(outputs["api"])
        assert body["waste_diverted_t"] is None and body["co2_avoided_t"] is None
        assert body["symbioses"] is None and body["symbiosis_pairs"] == []
        assert SECRET_EXCHANGE not in json.dumps(body["sources"])
        assert body["withheld"]["waste_diverted_t"]["reason"] == "few_companies"
        page = outputs[f"/indicators/?{area}"]
        assert 'id="kpi-waste"><b>confidential</b>' in page and 'id="withheld"' in page
    # the county table: Innlandet's one symbiosis is the confidential one
    page = s.get("/indicators/").get_data(as_text=True)
    assert "<td>Innlandet</td><td>confidential</td>" in page
    assert "<td>Innlandet</td><td>1</td>" in admin.get("/indicators/").get_data(as_text=True)


def _anon_id(rows) -> str:
    """The opaque id of the hidden side of the confidential candidate (to follow it)."""
    (row,) = [r for r in rows if r["demand"]["id"] == PARTNER_FLOW
              and r["supply"]["anonymised"] and r["resource"] == "animal_byproducts"]
    return row["supply"]["id"]


def _bisect(present, low: float, high: float, steps: int = 60) -> tuple[float, float]:
    """Bisect a monotone filter: the interval the flip point is proven to lie in."""
    for _ in range(steps):
        middle = (low + high) / 2
        if present(middle):
            high = middle
        else:
            low = middle
    return low, high


def _totals_subtraction(seen: dict, plan, hidden, where: str) -> None:
    """A plan's totals as the viewer sees them, less its visible rows: fail when they pin
    the hidden rows' value or CO2."""
    for key in ("value_nok", "co2_avoided_t"):
        true = sum(getattr(e, key) for e in hidden)
        visible = sum(getattr(e, key) for e in plan.exchanges if e not in hidden)
        total, band = seen["totals"][key], seen.get("withheld", {}).get(key)
        if total is not None:
            assert not _learnt(total - visible, total - visible, true), (where, key)
        elif band["status"] == "banded":
            assert not _learnt(band["low"] - visible, band["high"] - visible, true), (where, key)
    if seen["objective_value"] is not None:  # the value objective is the value total
        true = sum(e.value_nok for e in hidden)
        visible = sum(e.value_nok for e in plan.exchanges if e not in hidden)
        est = seen["objective_value"] - visible
        assert not _learnt(est, est, true), where
    for point in seen.get("frontier", []):  # its two ends are whole plans' totals
        for key in ("cost_nok", "co2_avoided_t"):
            assert point[key] is None, where


def test_filter_bisection_and_totals_subtraction_learn_nothing_hidden(login, app, tokens):
    """As a viewer: bisect ``min_value`` and ``max_distance`` on the confidential
    candidate, ask for a hidden company's candidates, subtract the visible rows from plan
    totals and from indicators; nothing hidden may be pinned within 10 %."""
    api = _api(app, tokens, "viewer")
    store = EmbeddedStore(app.config["STORE_URL"])
    truth = next(c for c in store.candidates() if c.key == (SECRET_FLOW, PARTNER_FLOW))
    anon = _anon_id(api("/api/v1/candidates?limit=10000").get_json()["candidates"])

    def listed(query: str) -> bool:
        found = api(f"/api/v1/candidates?limit=10000&{query}").get_json()["candidates"]
        return any(r["supply"]["id"] == anon and r["demand"]["id"] == PARTNER_FLOW
                   for r in found)

    # min_value: listed while the bound is at most the value (if the filter used it)
    low, high = _bisect(lambda v: not listed(f"min_value={v}"), -1e10, 1e10)
    assert not _learnt(low, high, truth.value_nok), (low, high)
    # max_distance: listed once the bound reaches the distance (if the filter used it)
    low, high = _bisect(lambda km: listed(f"max_distance={km}"), 0.0, 1000.0, steps=40)
    assert not _learnt(low, high, truth.distance_km), (low, high)
    # a hidden company's id: any anonymised row it finds is one of its confidential links
    by_company = api(f"/api/v1/candidates?limit=10000&company={SECRET_COMPANY_ID}"
                     ).get_json()["candidates"]
    assert not any(r["anonymised"] for r in by_company)
    page = login("viewer").get(f"/candidates/?company={SECRET_COMPANY_ID}"
                               ).get_data(as_text=True)
    assert 'class="anon"' not in page
    # plan totals less the visible rows, in the API and on the page
    plan = store.plans()[0]
    hidden = [e for e in plan.exchanges if SECRET_FLOW in (e.supply_flow, e.demand_flow)]
    assert hidden, "the stored plan uses the confidential flow"
    _totals_subtraction(api(f"/api/v1/plans/{plan.id}").get_json(), plan, hidden, "plan")
    listed_plan = next(p for p in api("/api/v1/plans").get_json()["plans"]
                       if p["id"] == plan.id)
    _totals_subtraction(listed_plan, plan, hidden, "plans")
    total_text = f"{plan.totals['value_nok']:,.0f} NOK/yr"  # whole kroner
    assert total_text in login("admin").get(f"/optimize/plans/{plan.id}").get_data(
        as_text=True)
    for url in (f"/optimize/plans/{plan.id}", "/optimize/"):
        assert total_text not in login("viewer").get(url).get_data(as_text=True), url
    # indicators less the visible exchanges: proposals now, realised ones once agreed
    exchanges = {e.id: e for e in store.exchanges()}

    def subtract(area: str, key: str, true: float) -> None:
        ind = api(f"/api/v1/indicators?{area}").get_json()
        visible = sum(getattr(exchanges[x], "amount" if key == "waste_diverted_t"
                              else key.replace("_proposed", "_avoided"))
                      for x in ind["sources"][key])
        band = ind.get("withheld", {}).get(key)
        if ind[key] is not None:
            assert not _learnt(ind[key] - visible, ind[key] - visible, true), (area, key)
        elif band["status"] == "banded":
            assert not _learnt(band["low"] - visible, band["high"] - visible, true), (area, key)

    secret = sum(e.co2_avoided_t or 0.0 for e in exchanges.values()
                 if e.status == "proposed" and SECRET_FLOW in (e.supply_flow, e.demand_flow))
    for area in AREAS:
        subtract(area, "co2_proposed_t", secret)
    _agree_secret_exchange(login)
    exchanges[SECRET_EXCHANGE] = next(e for e in EmbeddedStore(app.config["STORE_URL"])
                                      .exchanges() if e.id == SECRET_EXCHANGE)
    for area in AREAS:
        subtract(area, "waste_diverted_t", SECRET_AMOUNT)
        subtract(area, "co2_avoided_t", exchanges[SECRET_EXCHANGE].co2_avoided_t)


def test_hidden_rows_show_bands_and_sort_with_the_unknowns(app, tokens):
    api = _api(app, tokens, "viewer")
    rows = api("/api/v1/candidates?limit=10000").get_json()["candidates"]
    anon = _anon_id(rows)
    row = next(r for r in rows if r["supply"]["id"] == anon and r["demand"]["id"] == PARTNER_FLOW)
    # no value, CO2, score (it is made from the distance and amounts) or km: bands only
    assert row["value_nok"] is None and row["score"] is None and row["distance_km"] is None
    assert row["amount"] is None and row["distance_text"] == "5-20 km"
    # sorts put hidden rows with the unknown values, after every known one, not in place
    for key in ("value_nok", "distance_km", "score", "amount", "co2_avoided_t"):
        for order in ("asc", "desc"):
            found = api(f"/api/v1/candidates?limit=10000&sort={key}&order={order}"
                        ).get_json()["candidates"]
            first_hidden = [r["anonymised"] for r in found].index(True)
            assert all(r[key] is None for r in found[first_hidden:]), (key, order)
    plan = EmbeddedStore(app.config["STORE_URL"]).plans()[0]
    full = api(f"/api/v1/plans/{plan.id}").get_json()
    assert full["frontier"] == [] and full["frontier_withheld"] is True
    assert all(r["value_nok"] is None and r["distance_km"] is None
               for r in full["exchanges"] if r["anonymised"])
    admin = _api(app, tokens, "admin")(f"/api/v1/plans/{plan.id}").get_json()
    assert admin["totals"]["value_nok"] == pytest.approx(plan.totals["value_nok"])
    assert admin["frontier"] and not admin["withheld"]


def test_a_hidden_company_page_does_not_count_its_confidential_flows(login):
    viewer = login("viewer")
    page = viewer.get(f"/companies/{SECRET_COMPANY_ID}").get_data(as_text=True)
    assert SECRET_FLOW not in page and 'class="anon"' not in page
    assert "confidential" not in page.split('<table id="flows">')[1]
    network = viewer.get(f"/network/?company={SECRET_COMPANY_ID}").get_data(as_text=True)
    assert "Confidential company" not in network and "confidential:" not in network
    # its cluster's manager sees the flow, as before
    assert SECRET_FLOW in login("solor").get(f"/companies/{SECRET_COMPANY_ID}").get_data(
        as_text=True)
