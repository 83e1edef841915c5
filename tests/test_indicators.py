"""Hand-computed indicators, lifecycle and a hand-solved net-zero park plan."""

import pytest

from optimizer import plan_park
from symbiosis.indicators import (
    area_indicators,
    basis,
    county_progress,
    park_status,
    parks_progress,
)
from symbiosis.lifecycle import LifecycleError, advance
from symbiosis.model import Candidate, Company, Dataset, Exchange, Flow, Park, Process


def _company(cid, county, park=None):
    return Company(cid, cid, 60.0, 10.0, county=county, municipality=county + "-m",
                   park_id=park)


def _flow(fid, cid, direction, unit):
    return Flow(fid, cid, direction, "custom:x", None, unit)


DATA = Dataset(
    companies=(_company("A", "K1", "P"), _company("B", "K1", "P"), _company("C", "K1"),
               _company("D", "K2")),
    flows=(_flow("s1", "A", "supply", "MWh"), _flow("d1", "B", "demand", "MWh"),
           _flow("s2", "A", "supply", "t"), _flow("d2", "C", "demand", "t"),
           _flow("s3", "C", "supply", "m3"), _flow("d3", "D", "demand", "m3"),
           _flow("s4", "B", "supply", "t"), _flow("d4", "C", "demand", "t"),
           _flow("s5", "A", "supply", "t"), _flow("d5", "C", "demand", "t")),
    parks=(Park("P", "Park P", baseline_t_co2e=300, target_t_co2e=0), Park("Q", "Park Q")))
EXCHANGES = [
    Exchange("E1", "s1", "d1", 1000, "MWh", "operating", 2024, None, None, 200),
    Exchange("E2", "s2", "d2", 500, "t", "agreed", 2028, None, None, 50),
    Exchange("E3", "s3", "d3", 10000, "m3", "proposed", None, None, None, 3),
    Exchange("E4", "s4", "d4", 100, "t", "ended", 2020, 2023, None, 10),
    Exchange("E5", "s5", "d5", None, "t", "operating", 2025, None, None, None),
]


def test_county_indicators_by_hand():
    k1 = area_indicators(DATA, EXCHANGES, county="K1", year=2026)
    assert k1.companies == 3
    assert k1.symbioses == 2 and k1.symbiosis_pairs == (("A", "B"), ("A", "C"))
    assert k1.proposals == 1
    assert k1.co2_avoided_t == 250 and k1.co2_proposed_t == 3
    assert k1.waste_diverted_t == 500 and k1.energy_recovered_mwh == 1000
    assert k1.water_reused_m3 == 0
    assert k1.participation == 1.0
    assert k1.trajectory_realised == ((2026, 200), (2027, 200), (2028, 250), (2029, 250),
                                      (2030, 250))
    assert k1.trajectory_with_proposals == ((2026, 200), (2027, 203), (2028, 253),
                                            (2029, 253), (2030, 253))
    assert k1.sources["co2_avoided_t"] == ("E1", "E2")
    assert k1.sources["symbioses"] == ("E1", "E2", "E5")
    assert k1.unquantified == ("E5",)
    k2 = area_indicators(DATA, EXCHANGES, county="K2")
    assert (k2.symbioses, k2.proposals, k2.participation, k2.co2_avoided_t) == (0, 1, 0.0, 0)
    m = area_indicators(DATA, EXCHANGES, municipality="K1-m")
    assert m.symbioses == k1.symbioses


def test_targets_per_county_and_parks():
    assert [(p.county, p.symbioses, p.met) for p in county_progress(DATA, EXCHANGES)] == [
        ("K1", 2, True), ("K2", 0, False)]
    p = park_status(DATA, EXCHANGES, DATA.parks[0])
    assert (p.avoided_t, p.residual_t, p.net_zero) == (250, 50, False)
    assert park_status(DATA, EXCHANGES, DATA.parks[1]).net_zero is None


def test_lifecycle_keeps_history_and_refuses_going_back():
    e = Exchange("X", "s1", "d1", 5, "MWh")
    e = advance(e, "agreed", by="cluster manager", at="2026-02-01T10:00:00", note="signed")
    e = advance(e, "operating", by="county", at="2027-03-01T10:00:00")
    assert e.status == "operating" and e.start_year == 2027
    e = advance(e, "ended", by="county", at="2029-12-31T10:00:00")
    assert e.end_year == 2029
    assert [(h.status, h.by) for h in e.history] == [
        ("agreed", "cluster manager"), ("operating", "county"), ("ended", "county")]
    with pytest.raises(LifecycleError):
        advance(e, "operating", by="someone")
    with pytest.raises(LifecycleError):
        advance(Exchange("Y", "a", "b", 1, "t"), "operating", by="x")  # must be agreed first


def _park_case(baseline):
    cos = (Company("X", "X", 60, 10, park_id="P"), Company("Y", "Y", 60, 10, park_id="P"),
           Company("Z", "Z", 60, 10))
    flows = []
    procs = []
    cands = []
    for k, fixed in ((1, 100.0), (2, 300.0)):
        flows += [Flow(f"S{k}", "Z", "supply", "custom:x", 100, "t"),
                  Flow(f"IN{k}", "X", "demand", "custom:x", None, "t"),
                  Flow(f"OUT{k}", "X", "supply", "custom:y", None, "t"),
                  Flow(f"D{k}", "Y", "demand", "custom:y", 100, "t")]
        procs.append(Process(f"F{k}", "X", ((f"IN{k}", 1.0),), ((f"OUT{k}", 1.0),),
                             capacity=100, fixed_cost_nok_per_year=fixed, planned=True))
        for s, d, co2 in ((f"S{k}", f"IN{k}", 0.0), (f"OUT{k}", f"D{k}", 1.0)):
            owner = {"S": "Z", "I": "X", "O": "X", "D": "Y"}
            cands.append(Candidate(s, d, owner[s[0]], owner[d[0]], "custom:x", "custom:x",
                                   0.1, "truck", None, "t", 0, 0.0, co2, 0, None, None, 50))
    park = Park("P", "P", baseline_t_co2e=baseline, target_t_co2e=0, target_year=2030)
    return Dataset(companies=cos, flows=tuple(flows), processes=tuple(procs),
                   parks=(park,)), cands, park


def test_park_planner_builds_the_cheaper_facility_first():
    data, cands, park = _park_case(100)
    pp = plan_park(data, cands, park, year=2026)
    assert pp.reachable and pp.required_t == 100
    assert [f.process_id for f in pp.plan.facilities_built] == ["F1"]  # 100 NOK beats 300
    assert pp.cost_nok == pytest.approx(100) and pp.residual_t == pytest.approx(0, abs=1e-6)
    assert pp.trajectory[0] == (2026, 100) and pp.trajectory[-1][1] == pytest.approx(0,
                                                                                  abs=1e-6)
    data, cands, park = _park_case(150)
    pp = plan_park(data, cands, park)
    assert sorted(f.process_id for f in pp.plan.facilities_built) == ["F1", "F2"]
    assert pp.cost_nok == pytest.approx(400) and pp.reduction_t == pytest.approx(150)


def test_unreachable_target_reports_the_best_reachable():
    data, cands, park = _park_case(250)
    pp = plan_park(data, cands, park)
    assert not pp.reachable
    assert pp.reduction_t == pytest.approx(200) and pp.residual_t == pytest.approx(50)
    assert "not reachable" in pp.message and "200" in pp.message
    data, cands, park = _park_case(150)
    tight = plan_park(data, cands, park, budget_nok=200)
    assert not tight.reachable and tight.reduction_t == pytest.approx(100)
    assert [f.process_id for f in tight.plan.facilities_built] == ["F1"]


# -- every exchange counted once -------------------------------------------------------------

def _heat_park():
    """A park where A's waste heat (3,000 MWh) already warms B (operating, 672 t CO2/yr at
    0.224 t/MWh), and an earlier plan had proposed the same link again."""
    cos = (Company("A", "A", 69.2, 18.0, county="Troms", park_id="P"),
           Company("B", "B", 69.2, 18.01, county="Troms", park_id="P"))
    flows = (Flow("S", "A", "supply", "waste_heat", 3000.0, "MWh"),
             Flow("D", "B", "demand", "heat", 3000.0, "MWh"))
    park = Park("P", "Park P", county="Troms", baseline_t_co2e=1000, target_t_co2e=0,
                target_year=2030)
    cand = Candidate("S", "D", "A", "B", "waste_heat", "heat", 0.5, "pipeline", 3000.0, "MWh",
                     1.0, 100.0, 0.224, 1000.0, 299_000.0, 672.0, 80.0)
    operating = Exchange("OP", "S", "D", 3000.0, "MWh", "operating", 2015, None, 300_000.0,
                         672.0)
    stale = Exchange("OLD-0001", "S", "D", 3000.0, "MWh", "proposed", None, None, 300_000.0,
                     672.0, plan_id="OLD")
    return Dataset(companies=cos, flows=flows, parks=(park,)), cand, operating, stale


def test_an_operating_exchange_is_counted_once_everywhere():
    from optimizer import optimise
    from symbiosis.indicators import counted

    data, cand, operating, stale = _heat_park()
    # never proposed again
    plan = optimise(data, [cand], exchanges=[operating, stale])
    assert plan.exchanges == () and plan.existing == ("OP",)
    assert plan.totals["co2_avoided_t"] == 0
    # indicators: 672 t once, realised and with proposals alike
    assert [e.id for e in counted([operating, stale])] == ["OP"]
    ind = area_indicators(data, [operating, stale], park_id="P", year=2026)
    assert ind.co2_avoided_t == 672 and ind.proposals == 0 and ind.co2_proposed_t == 0
    assert ind.trajectory_with_proposals[-1] == (2030, 672)
    assert ind.sources["symbioses"] == ("OP",)
    # the park planner: 672 t already avoided, the rest needed, and the link not added again
    pp = plan_park(data, [cand], data.parks[0], exchanges=[operating, stale], year=2026)
    assert pp.already_avoided_t == 672 and pp.required_t == 328
    assert pp.reduction_t == 0 and pp.plan.exchanges == ()
    assert pp.residual_t == 328 and not pp.reachable


def test_report_map_and_network_draw_and_count_an_operating_link_once(tmp_path):
    import json

    from graph import EmbeddedStore
    from symbiosis import services
    from web.network import network_graph, network_payload

    data, cand, operating, stale = _heat_park()
    store = EmbeddedStore(tmp_path / "s.db")
    store.load(data)
    store.put_exchange(operating)
    store.put_exchange(stale)
    body = json.loads(services.report(store, park="P"))
    assert body["co2_avoided_t"] == 672 and body["co2_proposed_t"] == 0
    assert body["trajectory_with_proposals"][-1] == [2030, 672]
    assert body["parks"][0]["avoided_t"] == 672
    lines = [f for f in json.loads(services.export(store, "geojson"))["features"]
             if f["properties"]["kind"] == "exchange"]
    assert [(f["id"], f["properties"]["status"]) for f in lines] == [("OP", "operating")]
    edges = network_payload(network_graph(data, [cand], store.exchanges()))["edges"]
    assert [(e["from"], e["to"], e["status"]) for e in edges] == [("c:A", "c:B", "operating")]
    assert edges[0]["title"].startswith("operating")


def test_the_shared_basis_finds_each_area_and_its_exchanges_as_a_scan_does():
    """Reports of every county and park share one basis: its area index and its exchanges
    per company must give what a scan of all companies and exchanges gives."""
    base = basis(DATA, EXCHANGES)
    areas = [("county", "K1", dict(county="K1")), ("county", "K2", dict(county="K2")),
             ("municipality", "K1-m", dict(municipality="K1-m")), ("park", "P", dict(park_id="P"))]
    for kind, name, kw in areas:
        field = {"county": "county", "municipality": "municipality", "park": "park_id"}[kind]
        scan = {c.id for c in DATA.companies if getattr(c, field) == name}
        assert base.members(kw.get("county"), kw.get("municipality"), kw.get("park_id")) == scan
        owners = {f.id: f.company_id for f in DATA.flows}
        assert [e.id for e in base.of(scan)] == [
            e.id for e in base.counted
            if owners[e.supply_flow] in scan or owners[e.demand_flow] in scan]
        # and the figures are those of an area computed on its own
        assert area_indicators(DATA, EXCHANGES, **kw, base=base) == \
            area_indicators(DATA, EXCHANGES, **kw)
    assert base.members("K1", "K1-m", None) is None  # two filters: scanned, not indexed
    # park P (A, B): E1 operating 200 t and E2 agreed 50 t; park Q has no companies
    assert [p.avoided_t for p in parks_progress(DATA, EXCHANGES, DATA.parks)] == [250.0, 0.0]
