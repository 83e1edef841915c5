import pytest

from fixtures.synthetic import generate_region
from symbiosis.matching import (
    best_partners,
    find_candidates,
    find_candidates_all_pairs,
    nearest_partners,
    shortlists,
    value_chains,
)
from symbiosis.messages import render
from symbiosis.model import Company, Flow, Reason
from symbiosis.taxonomy import default_taxonomy


def _co(cid, lat, lon):
    return Company(cid, cid, lat, lon)


def _flow(fid, cid, direction, resource, amount=None, **kw):
    return Flow(fid, cid, direction, resource, amount, "", **kw)


def test_documented_case_exchanges_are_all_candidates(cases, documented_exchanges):
    cands = find_candidates(cases.companies, cases.flows)
    keys = set(cands.keys())
    missing = [(r["supply_flow_id"], r["demand_flow_id"]) for r in documented_exchanges
               if (r["supply_flow_id"], r["demand_flow_id"]) not in keys]
    assert missing == []
    hits = len(documented_exchanges)
    print(f"\nrecall {hits}/{hits} among {len(cands)} candidates")
    assert len(cands) <= 8 * hits  # a list a cluster manager can read
    # each documented exchange is among the three best of its supply or its demand flow
    best: dict[str, list] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        for f in c.key:
            best.setdefault(f, []).append(c.key)
    top3 = [k for k in keys & {(r["supply_flow_id"], r["demand_flow_id"])
                               for r in documented_exchanges}
            if k in best[k[0]][:3] or k in best[k[1]][:3]]
    assert len(top3) >= 0.75 * hits


def test_heat_needs_temperature_approach():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    hot = _flow("S", "A", "supply", "waste_heat", 1000, quality={"temperature_c": 60})
    warm = _flow("D1", "B", "demand", "heat", 500, quality={"temperature_c": 50})
    hotter = _flow("D2", "B", "demand", "heat", 500, quality={"temperature_c": 56})
    unknown = _flow("D3", "B", "demand", "heat", 500)
    got = {c.demand_flow: c for c in find_candidates(cos, [hot, warm, hotter, unknown])}
    # 56 + 5 K > 60: refused directly, possible only through a heat pump, ranked lower
    assert set(got) == {"D1", "D2", "D3"}
    assert (got["D1"].via, got["D3"].via, got["D2"].via) == ("", "", "heat_pump")
    assert got["D2"].score < got["D1"].score and got["D2"].certainty < 1
    temp = next(r for r in got["D1"].reasons if r.code == "temperature")
    assert (temp.get("supply_c"), temp.get("demand_c"), temp.get("approach_k")) == (60, 50, 5)
    assert "quality_unknown" in [r.code for r in got["D3"].limits]
    assert "quality_unknown" not in [r.code for r in got["D1"].limits]
    assert "60 °C" in render(temp, "en") and "60 °C" in render(temp, "nb")


def test_distance_decays_smoothly_inside_a_generous_limit_and_chooses_the_mode():
    tax = default_taxonomy()
    (pipe,) = tax.resource("waste_heat").transport
    assert (pipe.half_distance_km, pipe.max_distance_km) == (5.0, 70.0)  # reach.csv
    cos = [_co("A", 60.0, 10.0), _co("B", 60.07, 10.0), _co("C", 60.0, 10.2),
           _co("E", 60.6, 10.0)]
    flows = [_flow("S", "A", "supply", "waste_heat", 1000, quality={"temperature_c": 80}),
             _flow("D1", "B", "demand", "heat", 800, quality={"temperature_c": 40}),  # 7.8 km
             _flow("D2", "C", "demand", "heat", 800, quality={"temperature_c": 40}),  # 11.1 km
             _flow("D3", "E", "demand", "heat", 800, quality={"temperature_c": 40})]  # 67 km
    cands = {c.demand_flow: c for c in find_candidates(cos, flows)}
    assert set(cands) == {"D1", "D2"}  # 67 km x 1.2 is past the 70 km outer limit
    c = cands["D1"]
    assert c.mode == "pipeline" and c.distance_km == pytest.approx(7.78 * 1.2, rel=0.01)
    assert cands["D2"].score < c.score  # farther, lower, but still a candidate
    dist = next(r for r in c.reasons if r.code == "distance")
    assert (dist.get("half_km"), dist.get("limit_km")) == (5.0, 70.0)
    assert c.fixed_cost_nok_per_year == pytest.approx(pipe.fixed_cost_nok_per_km_year
                                                      * c.distance_km, rel=1e-4)
    price = tax.resource("heat").substitute_price_nok_per_unit
    assert c.value_nok == pytest.approx((price - pipe.var_cost_nok_per_unit_km * c.distance_km)
                                        * 800 - c.fixed_cost_nok_per_year, rel=1e-4)
    assert c.co2_avoided_t == pytest.approx(tax.resource("heat").substitute_ef_t_per_unit * 800)
    sludge = [_flow("S2", "A", "supply", "fish_sludge", 100),
              _flow("D3", "C", "demand", "biogas_substrate", 100)]
    direct = [c for c in find_candidates(cos, sludge) if not c.via]
    assert [(c.mode, round(c.distance_km / 1.4, 1)) for c in direct] == [("truck", 11.1)]


def test_a_steam_line_of_4_km_is_a_plausible_candidate():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.03, 10.0)]  # 3.3 km great-circle
    flows = [_flow("S", "A", "supply", "steam", 36000, quality={"temperature_c": 180}),
             _flow("D", "B", "demand", "steam", 30000, quality={"temperature_c": 150})]
    (c,) = find_candidates(cos, flows)
    assert c.distance_km == pytest.approx(4.0, rel=0.01) and c.score > 50


def test_season_and_quantity_limit_the_feasible_amount():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    supply = _flow("S", "A", "supply", "hot_water", 1200, quality={"temperature_c": 80})
    winter = _flow("D", "B", "demand", "heat", 1000, quality={"temperature_c": 40},
                   months=frozenset({1, 2, 3}))
    summer_only = _flow("S2", "A", "supply", "hot_water", 1200, quality={"temperature_c": 80},
                        months=frozenset({6, 7}))
    got = {c.key: c for c in find_candidates(cos, [supply, winter, summer_only])}
    assert set(got) == {("S", "D")}
    assert got[("S", "D")].amount == pytest.approx(300.0)  # 3 months of 1200/yr
    assert Reason.of("season", months=3) in got[("S", "D")].reasons


def test_unknown_quantity_is_flagged_never_zero():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    (c,) = find_candidates(cos, [_flow("S", "A", "supply", "bark"),
                                 _flow("D", "B", "demand", "biomass_fuel", 100)])
    assert c.amount is None and c.value_nok is None and c.co2_avoided_t is None
    assert Reason.of("quantity_unknown", sides="supply") in c.limits
    assert render(Reason.of("quantity_unknown", sides="supply"), "nb").startswith(
        "mengde ukjent (tilbudet)")


def test_same_company_and_incompatible_resources_are_not_matched():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    flows = [_flow("S", "A", "supply", "fly_ash", 10), _flow("D1", "A", "demand", "fly_ash", 5),
             _flow("D2", "B", "demand", "oxygen", 5)]
    assert list(find_candidates(cos, flows)) == []
    assert [c.key for c in find_candidates(cos, flows, same_company=True)] == [("S", "D1")]


@pytest.mark.parametrize("seed", [11, 12])
def test_engine_equals_all_pairs_loop(seed):
    data = generate_region(2500, seed)
    fast = find_candidates(data.companies, data.flows)
    slow = find_candidates_all_pairs(data.companies, data.flows)
    assert len(fast) > 1000
    assert fast == slow
    everything = find_candidates(data.companies, data.flows, max_per_flow=None, nearest=None)
    reference = find_candidates_all_pairs(data.companies, data.flows, max_per_flow=None,
                                          nearest=None)
    assert everything.keys() == reference.keys()
    assert set(fast.keys()) <= set(everything.keys())


def _county(n, seed):
    from fixtures.synthetic import TOWNS

    return generate_region(n, seed, towns=[t for t in TOWNS if t[2] == "Innlandet"])


def test_ties_are_broken_by_flow_id_whatever_order_the_flows_come_in():
    """Flows of one company stand at one place: which of them is a partner's twentieth
    nearest is decided by id, not by where the row happens to be."""
    import random

    data = _county(1500, 13)
    flows = list(data.flows)
    random.Random(1).shuffle(flows)
    given = find_candidates(data.companies, data.flows)
    shuffled = find_candidates(data.companies, flows)
    assert len(given) > 5000
    assert sorted(zip(given.keys(), given.scores(), strict=True)) == sorted(
        zip(shuffled.keys(), shuffled.scores(), strict=True))


def test_nearest_partners_are_the_flows_matching_pairs_by_place():
    """The partners found from places alone, matched with the nearest rule off, give a
    flow exactly the pairs a full matching gives it."""
    import random

    data = _county(1500, 14)
    tax = default_taxonomy()
    companies = {c.id: c for c in data.companies}
    points = [(f.id, f.company_id, f.resource, f.direction, companies[f.company_id].lat,
               companies[f.company_id].lon) for f in data.flows]
    everything = find_candidates(data.companies, data.flows, max_per_flow=None)
    focus = random.Random(2).sample(points, 60)
    found = nearest_partners(tax, focus, points)
    by_id = {f.id: f for f in data.flows}
    checked = 0
    for p in focus:
        own = {k for k in everything.keys() if p[0] in k}
        flows = [by_id[p[0]], *(by_id[o] for o in found[p[0]])]
        alone = find_candidates(data.companies, flows, max_per_flow=None, nearest=None,
                                among={p[0]})
        assert set(alone.keys()) == own, p[0]
        checked += len(own)
    assert checked > 500


def test_value_chains_through_processes(cases):
    cands = find_candidates(cases.companies, cases.flows)
    chains = value_chains(cands, cases.processes, "FLO-F010", max_steps=2)
    assert ("FLO-F010", "FLO-F011", "FLO-F015", "FLO-F017") in chains
    algae = value_chains(cands, cases.processes, "FIN-F002", max_steps=3)
    assert ("FIN-F002", "FIN-F013", "FIN-F012", "FIN-F016", "FIN-F017", "FIN-F018") in algae
    assert all(len(c) <= 6 for c in algae)


def test_synthetic_generator_is_deterministic():
    a, b = generate_region(500, 5), generate_region(500, 5)
    assert a == b and generate_region(500, 6) != a
    assert len(a.flows) >= 500


def test_the_hierarchy_and_pathways_say_which_relation_they_use():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    flows = [_flow("S1", "A", "supply", "fish_sludge", 1000),
             _flow("D1", "B", "demand", "sludge", 500),  # a demand for the concept
             _flow("S2", "A", "supply", "sludge", 800),  # a generic supply
             _flow("D2", "B", "demand", "biogas_substrate", 900),
             _flow("S3", "A", "supply", "biomethane", 400, quality={"purity_pct": 97}),
             _flow("D3", "B", "demand", "natural_gas", 300),
             _flow("D4", "B", "demand", "biogas", 100)]
    got = {c.key: c for c in find_candidates(cos, flows)}
    kind = got[("S1", "D1")]
    assert (kind.relation, kind.via) == ("kind_of", "")
    match = next(r for r in kind.reasons if r.code == "resource_match")
    assert match.get("demand_relation") == "kind_of"
    assert "one of its kinds" in render(match, "en")
    generic = got[("S2", "D2")]
    assert generic.relation == "generic" and generic.certainty <= 0.5
    assert "needs_confirmation" in [r.code for r in generic.limits]
    assert generic.score < got[("S1", "D2")].score  # the specific supply ranks first
    direct = got[("S3", "D3")]
    assert (direct.relation, direct.via, direct.amount) == ("same", "", 300)
    digester = got[("S1", "D4")]  # fish sludge -> anaerobic digestion -> biogas
    assert digester.via == "anaerobic_digestion" and 0 < digester.conversion_yield < 1
    assert digester.amount == pytest.approx(100 / digester.conversion_yield)
    via = next(r for r in digester.reasons if r.code == "via_technology")
    assert via.get("output") == "biogas" and via.get("yield_") == digester.conversion_yield
    assert "anaerobic" in render(via, "en").lower() or "anaerob" in render(via, "en")


def test_a_flows_best_partners_are_direct_exchanges_and_facility_options_are_apart():
    """A biogas plant next door (food waste through anaerobic digestion) outscores three
    farther biogas-substrate takers but does not push one of them out of the top three:
    it is a facility to build, listed apart."""
    km = [("A", 0), ("B", 0.5), ("C", 60), ("D", 90), ("E", 120), ("F", 150)]
    cos = [_co(c, 60.0 + d / 111, 10.0) for c, d in km]
    flows = [_flow("S", "A", "supply", "food_waste"), _flow("BIO", "B", "demand", "biogas")]
    flows += [_flow(f"D{c}", c, "demand", "biogas_substrate") for c in "CDEF"]
    cands = find_candidates(cos, flows)
    scores = {c.demand_flow: c.score for c in cands}
    assert scores["BIO"] > scores["DC"] > scores["DD"] > scores["DE"] > scores["DF"]
    got = best_partners(cands)
    assert [c.demand_flow for c in got["S"].direct] == ["DC", "DD", "DE"]
    assert [c.demand_flow for c in got["S"].via_facility] == ["BIO"]
    assert got["BIO"].direct == [] and [c.supply_flow for c in got["BIO"].via_facility] == ["S"]
    assert [c.demand_flow for c in best_partners(cands, size=1)["S"].direct] == ["DC"]
    # the shortlist leads with partners too: the facility option is not on it
    assert "BIO" not in {c.demand_flow for c in shortlists(cands, within=0.0)["S"]}
    assert "BIO" not in shortlists(cands)


def test_shortlists_drop_much_weaker_candidates():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.005, 10.0), _co("C", 60.3, 10.0)]
    flows = [_flow("S", "A", "supply", "waste_heat", 1000, quality={"temperature_c": 80}),
             _flow("NEAR", "B", "demand", "hot_water", 800, quality={"temperature_c": 40}),
             _flow("FAR", "C", "demand", "hot_water", 800, quality={"temperature_c": 40})]
    cands = find_candidates(cos, flows)
    assert {c.demand_flow for c in cands} == {"NEAR", "FAR"}
    assert [c.demand_flow for c in shortlists(cands)["S"]] == ["NEAR"]
    assert [c.demand_flow for c in shortlists(cands, within=0.0)["S"]] == ["NEAR", "FAR"]


def test_a_generic_demand_accepts_its_kinds_in_every_family():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    pairs = [("insect_protein", "protein"), ("fish_meal", "protein"),
             ("biomethane", "fuel_gas"), ("lpg", "fuel_gas"), ("wood_chips", "biomass"),
             ("fish_sludge", "sludge"), ("cooling_water", "water"),
             ("struvite", "fertiliser"), ("wood_pellets", "fuel"), ("ethanol", "liquid_fuel"),
             ("iron_scrap", "metal")]
    flows = []
    for n, (supply, demand) in enumerate(pairs):
        flows += [_flow(f"S{n}", "A", "supply", supply, 100),
                  _flow(f"D{n}", "B", "demand", demand, 100)]
    got = {c.key: c for c in find_candidates(cos, flows)}
    for n, (supply, demand) in enumerate(pairs):
        c = got.get((f"S{n}", f"D{n}"))
        assert c is not None, (supply, demand)
        match = next(r for r in c.reasons if r.code == "resource_match")
        assert c.relation == "kind_of" and "kind_of" in (
            match.get("supply_relation"), match.get("demand_relation")), (supply, demand)
        assert "kind" in render(match, "en")


def test_a_substitution_is_a_candidate_whose_reason_names_the_pathway():
    tax = default_taxonomy()
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    pairs = [("biomethane", "natural_gas", {"purity_pct": 97}),
             ("biomethane", "lpg", {}), ("refinery_gas", "natural_gas", {}),
             ("biomethane", "biogas", {}), ("biogas", "lpg", {}),
             ("digestate", "fertiliser", {}),
             ("digestate", "biomass_fuel", {"dry_matter_pct": 90}),
             ("treated_wastewater", "process_water", {}),
             ("cooling_water", "waste_heat", {"temperature_c": 30}),
             ("algae", "protein", {}), ("algae", "fish_oil", {}),
             ("distillers_grains", "protein", {})]
    flows = []
    for n, (supply, demand, quality) in enumerate(pairs):
        flows += [_flow(f"S{n}", "A", "supply", supply, 100, quality=quality),
                  _flow(f"D{n}", "B", "demand", demand, 100,
                        quality={"temperature_c": 20} if demand == "waste_heat" else {})]
    got = {c.key: c for c in find_candidates(cos, flows)}
    by_pair = {(p.supply, p.demand): p for p in tax.knowledge.pathways if p.kind == "direct"}
    for n, (supply, demand, _) in enumerate(pairs):
        c = got.get((f"S{n}", f"D{n}"))
        assert c is not None and c.via == "", (supply, demand)
        match = next(r for r in c.reasons if r.code == "resource_match")
        pathway = by_pair[(supply, demand)]
        assert match.get("substitution") == pathway.id, (supply, demand)
        assert pathway.source and pathway.year
        text = render(match, "en")
        assert "substitute" in text and pathway.id in text
        assert "erstatning" in render(match, "nb")
    # the same resource on both sides is no substitution
    same = [_flow("S", "A", "supply", "natural_gas", 10),
            _flow("D", "B", "demand", "natural_gas", 10)]
    (c,) = find_candidates(cos, same)
    match = next(r for r in c.reasons if r.code == "resource_match")
    assert match.get("substitution") is None


def test_a_demand_for_dry_digestate_fuel_refuses_wet_digestate():
    cos = [_co("A", 60.0, 10.0), _co("B", 60.01, 10.0)]
    flows = [_flow("WET", "A", "supply", "digestate", 100, quality={"dry_matter_pct": 6}),
             _flow("D", "B", "demand", "biomass_fuel", 100)]
    got = {c.key: c for c in find_candidates(cos, flows)}
    direct = [c for k, c in got.items() if k == ("WET", "D") and c.via == ""]
    assert direct == []  # 6 % dry matter is no fuel; only a conversion (drying, HTC) may be
