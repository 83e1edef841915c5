"""Hand-solved exchange models: each test checks the objective and the chosen exchanges."""

import dataclasses
import math

import pytest

from optimizer import build_problem, components, frontier, greedy_value, propose_exchanges
from optimizer.solve import without_unpaying
from symbiosis.errors import InfeasibleError
from symbiosis.model import Candidate, Flow, Process


def F(fid, direction, amount, company=None, resource="fly_ash", price=None):  # noqa: N802
    return Flow(fid, company or f"c-{fid}", direction, resource, amount, "t",
                price_nok_per_unit=price)


def C(s, d, value, *, fixed=0.0, co2=None):  # noqa: N802
    return Candidate(s, d, f"c-{s}", f"c-{d}", "fly_ash", "fly_ash", 1.0, "truck", None, "t",
                     0.0, value, co2, fixed, None, None, 50.0)


def chosen(plan):
    return {(e.supply_flow, e.demand_flow): round(e.amount, 3) for e in plan.exchanges}


def test_a_best_pair_first_is_not_optimal():
    flows = [F("S1", "supply", 10), F("S2", "supply", 10), F("D1", "demand", 10),
             F("D2", "demand", 10)]
    cands = [C("S1", "D1", 10), C("S1", "D2", 9), C("S2", "D1", 8), C("S2", "D2", 1)]
    problem = build_problem(flows, [], cands)
    plan = propose_exchanges(problem)
    assert plan.status == "optimal"
    assert plan.objective_value == pytest.approx(170)
    assert chosen(plan) == {("S1", "D2"): 10, ("S2", "D1"): 10}
    greedy, picks, _ = greedy_value(problem)
    assert greedy == pytest.approx(110)  # takes S1->D1 first, then only S2->D2 is left
    assert {(e.supply_flow, e.demand_flow) for e in picks} == {("S1", "D1"), ("S2", "D2")}


def test_b_fixed_pipeline_cost_makes_distant_link_unprofitable():
    flows = [F("S", "supply", 100), F("NEAR", "demand", 40), F("FAR", "demand", 100)]
    cands = [C("S", "NEAR", 5), C("S", "FAR", 5, fixed=600)]
    plan = propose_exchanges(build_problem(flows, [], cands))
    assert plan.objective_value == pytest.approx(200)
    assert chosen(plan) == {("S", "NEAR"): 40}
    cheaper = propose_exchanges(build_problem(flows, [], [C("S", "NEAR", 5),
                                                          C("S", "FAR", 5, fixed=400)]))
    # 100 t to FAR pays 500 - 400 = 100 < 200 from NEAR alone; 40 NEAR + 60 FAR = 200 - 100
    assert cheaper.objective_value == pytest.approx(200)
    assert chosen(cheaper) == {("S", "NEAR"): 40}
    cheapest = propose_exchanges(build_problem(flows, [], [C("S", "NEAR", 5),
                                                           C("S", "FAR", 6, fixed=100)]))
    # FAR at 6/t: 100*6 - 100 = 500 beats NEAR 40*5 + FAR 60*6 - 100 = 460
    assert cheapest.objective_value == pytest.approx(500)
    assert chosen(cheapest) == {("S", "FAR"): 100}
    assert cheapest.exchanges[0].link_built


def _chain(with_first=True, with_second=True):
    flows = [F("SLUDGE", "supply", 100, company="A", resource="fish_sludge"),
             F("IN", "demand", None, company="B", resource="fish_sludge"),
             F("GAS", "supply", None, company="B", resource="biogas"),
             F("BUS", "demand", 100, company="C", resource="biogas")]
    digester = Process("P", "B", inputs=(("IN", 1.0),), outputs=(("GAS", 0.5),), capacity=200,
                       variable_cost_nok_per_unit=1.0)
    cands = ([C("SLUDGE", "IN", -2)] if with_first else []) + (
        [C("GAS", "BUS", 10)] if with_second else [])
    return build_problem(flows, [digester], cands)


def test_c_two_step_chain_chosen_only_when_both_legs_exist():
    plan = propose_exchanges(_chain())
    # 100 t sludge at -2, 50 MWh gas at +10, activity 100 at 1: -200 + 500 - 100
    assert plan.objective_value == pytest.approx(200)
    assert chosen(plan) == {("SLUDGE", "IN"): 100, ("GAS", "BUS"): 50}
    assert plan.facilities[0].activity == pytest.approx(100)
    assert plan.components == 1
    for partial in (_chain(with_second=False), _chain(with_first=False)):
        plan = propose_exchanges(partial)
        assert plan.status == "optimal"
        assert plan.objective_value == pytest.approx(0)
        assert chosen(plan) == {}


def _facility(supply_amount):
    flows = [F("S", "supply", supply_amount, company="A"),
             F("IN", "demand", None, company="B"),
             F("OUT", "supply", None, company="B", resource="cement_additive"),
             F("D", "demand", 1000, company="C", resource="cement_additive")]
    plant = Process("NEW", "B", inputs=(("IN", 1.0),), outputs=(("OUT", 1.0),), capacity=100,
                    fixed_cost_nok_per_year=300, planned=True)
    return build_problem(flows, [plant], [C("S", "IN", 0), C("OUT", "D", 5)])


def test_d_planned_facility_built_only_when_enough_input_reaches_it():
    plan = propose_exchanges(_facility(100))
    assert plan.objective_value == pytest.approx(5 * 100 - 300)
    assert [(f.process_id, f.activity) for f in plan.facilities_built] == [("NEW", 100)]
    assert chosen(plan) == {("S", "IN"): 100, ("OUT", "D"): 100}
    small = propose_exchanges(_facility(50))  # 5 * 50 = 250 < 300
    assert small.objective_value == pytest.approx(0)
    assert small.facilities_built == () and chosen(small) == {}


def _costly_co2():
    flows = [F("S", "supply", 500), F("D", "demand", 500)]
    return build_problem(flows, [], [C("S", "D", -10, co2=1.0)])


def test_e_impossible_budget_is_reported_infeasible_not_empty():
    plan = propose_exchanges(_costly_co2(), objective="co2", budget_nok=1000, min_co2_t=400)
    assert plan.status == "infeasible"
    assert "no plan meets" in plan.message
    assert plan.objective_value is None and plan.exchanges == ()
    with pytest.raises(InfeasibleError):
        propose_exchanges(_costly_co2(), budget_nok=1000, min_co2_t=400, require_optimal=True)
    ok = propose_exchanges(_costly_co2(), objective="co2", budget_nok=5000)
    assert ok.status == "optimal" and ok.objective_value == pytest.approx(500)
    assert chosen(ok) == {("S", "D"): 500}
    half = propose_exchanges(_costly_co2(), objective="co2", budget_nok=2000)
    assert half.objective_value == pytest.approx(200) and chosen(half) == {("S", "D"): 200}


def test_f_frontier_is_monotone_in_cost_and_co2():
    flows = [F("S1", "supply", 100), F("S2", "supply", 100), F("D1", "demand", 100),
             F("D2", "demand", 150)]
    cands = [C("S1", "D1", 20, co2=0.1), C("S1", "D2", -5, co2=2.0),
             C("S2", "D2", -30, co2=3.0, fixed=500)]
    points = frontier(build_problem(flows, [], cands), points=5)
    assert len(points) == 5 and all(p.status == "optimal" for p in points)
    costs = [p.cost_nok for p in points]
    co2 = [p.co2_avoided_t for p in points]
    assert co2 == sorted(co2) and costs == sorted(costs)
    assert co2[0] == pytest.approx(10) and costs[0] == pytest.approx(-2000)
    # most CO2: S2->D2 100 t (300), S1->D2 50 t (100), S1->D1 50 t (5)
    assert co2[-1] == pytest.approx(405, rel=1e-6)
    assert costs[-1] == pytest.approx(30 * 100 + 500 + 5 * 50 - 20 * 50, rel=1e-5)


def test_unknown_quantities_go_to_needs_data_with_best_candidate():
    flows = [F("S", "supply", None), F("D", "demand", 10), F("S2", "supply", 5)]
    cands = [C("S", "D", 10), C("S2", "D", 1)]
    plan = propose_exchanges(build_problem(flows, [], cands))
    assert chosen(plan) == {("S2", "D"): 5}
    assert [(n.flow_id, n.best_candidate, n.reason) for n in plan.needs_data] == [
        ("S", ("S", "D"), "quantity unknown")]


def test_decomposition_solves_components_separately_with_the_same_answer():
    flows = [F(f"S{k}", "supply", 10) for k in range(4)] + [F(f"D{k}", "demand", 10)
                                                         for k in range(4)]
    cands = [C(f"S{k}", f"D{k}", k + 1, fixed=5) for k in range(4)]
    problem = build_problem(flows, [], cands)
    assert len(components(problem)) == 4
    split = propose_exchanges(problem, workers=2)
    whole = propose_exchanges(problem, decompose=False)
    assert split.components == 4 and whole.components == 1
    assert split.objective_value == pytest.approx(whole.objective_value)
    assert split.objective_value == pytest.approx(sum(10 * (k + 1) - 5 for k in range(4)))
    assert chosen(split) == chosen(whole)
    assert split.gap == pytest.approx(0, abs=1e-9) and math.isfinite(split.bound)


def test_a_link_that_cannot_pay_is_left_out_of_a_value_plan_only():
    flows = [F("S1", "supply", 100), F("D1", "demand", 100), F("S2", "supply", 100),
             F("D2", "demand", 100), F("S3", "supply", 100),
             F("IN", "demand", None, company="P"),
             F("OUT", "supply", None, company="P", resource="cement_additive"),
             F("D3", "demand", 100, resource="cement_additive")]
    plant = Process("MILL", "P", inputs=(("IN", 1.0),), outputs=(("OUT", 1.0),),
                    capacity=100)
    # S1 -> D2 earns at most 3 * 100 - 400 < 0 however it is used: it can only cost value;
    # S3 -> IN earns at most 1 * 100 - 150 < 0 on its own, but the mill sells what it makes
    cands = [C("S1", "D1", 5), C("S2", "D2", 4), C("S1", "D2", 3, fixed=400, co2=2.0),
             C("S3", "IN", 1, fixed=150), C("OUT", "D3", 6)]
    problem = build_problem(flows, [plant], cands)
    kept = {c.key for c in without_unpaying(problem).candidates}
    assert kept == {("S1", "D1"), ("S2", "D2"), ("S3", "IN"), ("OUT", "D3")}
    plan = propose_exchanges(problem)
    # 5*100 + 4*100 + (1 + 6)*100 - 150; the dropped link no longer joins S1 and S2
    assert plan.status == "optimal"
    assert plan.objective_value == pytest.approx(1450)
    assert chosen(plan) == {("S1", "D1"): 100, ("S2", "D2"): 100, ("S3", "IN"): 100,
                            ("OUT", "D3"): 100}
    assert plan.components == 3 and len(components(problem)) == 2
    # the link that costs money is the only one that avoids CO2: a CO2 plan keeps it
    greenest = propose_exchanges(problem, objective="co2")
    assert ("S1", "D2") in chosen(greenest)
    assert greenest.objective_value == pytest.approx(200)
    floor = propose_exchanges(problem, min_co2_t=100)
    assert chosen(floor)[("S1", "D2")] == pytest.approx(50)


def test_cases_plan_shows_a_multi_step_chain(cases):
    from optimizer import optimise
    from symbiosis.matching import match_dataset
    from symbiosis.report import plan_chains

    plan = optimise(cases, match_dataset(cases))
    assert plan.status == "optimal"
    assert ("FLO-F010", "FLO-F011", "FLO-F015", "FLO-F017") in plan_chains(plan,
                                                                            cases.processes)
    assert {f.process_id for f in plan.facilities_built} >= {"FLO-P02"}
    needs = {n.flow_id for n in plan.needs_data}
    assert "SOL-F019" in needs  # strawberry tunnels: quantity unknown, not zero


def test_a_link_through_a_facility_uses_its_yield_and_pays_for_the_facility():
    """1,000 t of fish sludge; two biogas users of 300 and 100 MWh; a digester turns
    1 t into 0.4 MWh. Through the digester (build cost 1,000 NOK/yr) each tonne earns
    10 NOK: at most 300 / 0.4 = 750 t to the first user, 250 t to the second; a direct
    sale of the sludge earns 2 NOK/t on up to 1,000 t."""
    flows = [F("SL", "supply", 1000), F("BIG", "demand", 300, resource="biogas"),
             F("SMALL", "demand", 100, resource="biogas"), F("FARM", "demand", 1000)]

    def via(d, fixed):
        c = C("SL", d, 10, fixed=fixed)
        return dataclasses.replace(c, via="anaerobic_digestion", conversion_yield=0.4,
                                   demand_resource="biogas")

    cands = [via("BIG", 1000), via("SMALL", 1000), C("SL", "FARM", 2)]
    plan = propose_exchanges(build_problem(flows, [], cands))
    # 750 t * 10 - 1000 + 250 t * 10 - 1000 = 8000, against 2000 for the farm alone
    assert plan.objective_value == pytest.approx(8000)
    assert chosen(plan) == {("SL", "BIG"): 750, ("SL", "SMALL"): 250}
    by = {e.demand_flow: e for e in plan.exchanges}
    assert by["BIG"].via == "anaerobic_digestion" and by["BIG"].delivered == pytest.approx(300)
    assert by["SMALL"].link_built and by["SMALL"].delivered == pytest.approx(100)
    # a dearer second digester is not worth it for 250 t: 750 t there, the rest to the farm
    dear = propose_exchanges(build_problem(flows, [], [via("BIG", 1000), via("SMALL", 3000),
                                                        C("SL", "FARM", 2)]))
    assert dear.objective_value == pytest.approx(750 * 10 - 1000 + 250 * 2)
    assert chosen(dear) == {("SL", "BIG"): 750, ("SL", "FARM"): 250}


def test_the_greedy_baseline_respects_a_conversion_yield_as_the_mip_does():
    """The same sludge and digester: greedy takes the 10 NOK/t links first and must stop
    at 300 / 0.4 = 750 t for the big user (it once moved 300 t and counted the demand as
    300 t used, a plan the demand could not take), then 250 t for the small one. Its
    plan is then one the MIP could choose, so the MIP is never below it."""
    flows = [F("SL", "supply", 1000), F("BIG", "demand", 300, resource="biogas"),
             F("SMALL", "demand", 100, resource="biogas"), F("FARM", "demand", 1000)]

    def via(d):
        return dataclasses.replace(C("SL", d, 10, fixed=1000), via="anaerobic_digestion",
                                   conversion_yield=0.4, demand_resource="biogas")

    problem = build_problem(flows, [], [via("BIG"), via("SMALL"), C("SL", "FARM", 2)])
    value, picks, _ = greedy_value(problem)
    assert {(e.supply_flow, e.demand_flow): e.amount for e in picks} == {
        ("SL", "BIG"): pytest.approx(750), ("SL", "SMALL"): pytest.approx(250)}
    assert value == pytest.approx(8000)
    assert propose_exchanges(problem).objective_value >= value - 1e-6


# -- every krone on a line -------------------------------------------------------------------

def _account(plan):
    return (sum(x.value_nok for x in plan.lines), sum(x.co2_avoided_t for x in plan.lines))


def test_lines_add_up_to_the_totals_on_the_cases_with_a_facility_selling_its_output(cases):
    """The Florø electrolyser sells its hydrogen on the market: that sale, its power bought
    on the market, its fixed and running costs and every exchange and link are lines, and
    the lines add up to the plan's value and CO2."""
    from optimizer import optimise
    from symbiosis.matching import match_dataset

    plan = optimise(cases, match_dataset(cases), conditional=False)
    value, co2 = _account(plan)
    assert value == pytest.approx(plan.totals["value_nok"], abs=1e-3)
    assert value == pytest.approx(plan.objective_value, rel=1e-9)
    assert co2 == pytest.approx(plan.totals["co2_avoided_t"], abs=1e-6)
    assert co2 == pytest.approx(sum(e.co2_avoided_t for e in plan.exchanges))
    by = {(x.kind, x.ref): x for x in plan.lines}
    sale = by[("market_sale", "FLO-P01:FLO-F002")]
    assert sale.name == "water electrolysis (HyFuel)" and sale.companies == ("FLO-C01",)
    assert sale.price_nok_per_unit == 60000 and sale.value_nok == pytest.approx(
        60000 * sale.amount)
    assert by[("facility_fixed", "FLO-P01")].value_nok == -12_000_000
    # every exchange and every link built is a line; a link's line is its fixed cost
    assert {x.ref for x in plan.lines if x.kind == "exchange"} == {
        f"{e.supply_flow}>{e.demand_flow}" for e in plan.exchanges}
    for e in plan.exchanges:
        ref = f"{e.supply_flow}>{e.demand_flow}"
        link = by.get(("link", ref))
        assert (link is not None) == e.link_built
        assert e.value_nok == pytest.approx(by[("exchange", ref)].value_nok
                                            + (link.value_nok if link else 0.0))


def test_a_facility_selling_part_of_its_output_books_only_the_rest_as_a_sale():
    """A digester turns 100 t sludge (S, 100 t at 2 NOK/t) into 50 MWh gas sold at 10
    NOK/MWh; 20 MWh go to a neighbour (value 12 NOK/MWh: its purchase avoided, less the
    sale forgone, is in the candidate's value as 12 - 10 = 2). Lines: sludge 200, gas
    exchange 20 * (2 + 10) = 240, sale of the other 30 MWh 300, running cost 100."""
    flows = [F("S", "supply", 100, company="A", resource="fish_sludge"),
             F("IN", "demand", None, company="B", resource="fish_sludge"),
             F("GAS", "supply", None, company="B", resource="biogas", price=10),
             F("D", "demand", 20, company="C", resource="biogas")]
    digester = Process("P", "B", inputs=(("IN", 1.0),), outputs=(("GAS", 0.5),),
                       capacity=100, variable_cost_nok_per_unit=1.0, name="digester")
    plan = propose_exchanges(build_problem(flows, [digester],
                                           [C("S", "IN", 2), C("GAS", "D", 2)]))
    assert plan.objective_value == pytest.approx(200 + 20 * 2 + 50 * 10 - 100)
    lines = {(x.kind, x.ref): (round(x.value_nok, 6), x.amount) for x in plan.lines}
    assert lines == {("exchange", "S>IN"): (200, 100), ("exchange", "GAS>D"): (240, 20),
                     ("facility_running", "P"): (-100, 100),
                     ("market_sale", "P:GAS"): (300, 30)}
    assert _account(plan)[0] == pytest.approx(plan.totals["value_nok"])


# -- existing exchanges are facts ------------------------------------------------------------

def _existing(s, d, amount, status="operating", plan_id=None):
    from symbiosis.model import Exchange

    return Exchange(f"E-{s}-{d}", s, d, amount, "t", status, plan_id=plan_id)


def test_an_operating_exchange_is_never_proposed_again_and_takes_its_amounts():
    """S (100 t) can feed D1 (60 t, 10 NOK/t, a pipeline of 100 NOK/yr) or D2 (100 t,
    5 NOK/t). Without facts: 60 t to D1 and 40 t to D2, 600 - 100 + 200 = 700. With S->D1
    operating at 60 t: that pair is not proposed again, its link costs nothing new, and
    only the 40 t left of S go to D2: 200."""
    flows = [F("S", "supply", 100), F("D1", "demand", 60), F("D2", "demand", 100)]
    cands = [C("S", "D1", 10, fixed=100), C("S", "D2", 5)]
    free = propose_exchanges(build_problem(flows, [], cands))
    assert free.objective_value == pytest.approx(700)
    assert chosen(free) == {("S", "D1"): 60, ("S", "D2"): 40}
    fact = _existing("S", "D1", 60)
    plan = propose_exchanges(build_problem(flows, [], cands, existing=[fact]))
    assert plan.objective_value == pytest.approx(200) and plan.status == "optimal"
    assert chosen(plan) == {("S", "D2"): 40}
    assert plan.existing == ("E-S-D1",) and plan.totals["links_built"] == 0
    # a plan's proposal or an ended exchange is no fact
    for status, plan_id in (("proposed", "P1"), ("ended", None)):
        again = propose_exchanges(build_problem(
            flows, [], cands, existing=[_existing("S", "D1", 60, status, plan_id)]))
        assert chosen(again) == chosen(free)
    # a proposal started by hand (no plan made it) is, as an agreed one is
    by_hand = propose_exchanges(build_problem(flows, [], cands,
                                              existing=[_existing("S", "D1", 60, "proposed")]))
    assert chosen(by_hand) == {("S", "D2"): 40} and by_hand.existing == ("E-S-D1",)
    # an agreed exchange of unknown amount: what is left of S is unknown (at most 100 t),
    # so S waits for its figure instead of counting as 100 t or as nothing
    unknown = propose_exchanges(build_problem(flows, [], cands,
                                              existing=[_existing("S", "D1", None, "agreed")]))
    assert chosen(unknown) == {}
    (need,) = [n for n in unknown.needs_data if n.flow_id == "S"]
    assert need.reason.startswith("remaining quantity unknown")
    assert [(p.supply_flow, p.demand_flow, p.threshold) for p in unknown.conditional] == [
        ("S", "D2", 100)]


def test_a_facility_running_for_an_existing_exchange_is_not_charged_to_the_plan():
    """S (100 t) already feeds a planned digester (fixed cost 300 NOK/yr): the facility
    exists and runs at 100 for it. S2 (100 t, 2 NOK/t) can feed it 100 t more: the plan
    adds the exchange (200), the running (-100) and the gas sold (50 MWh at 10: 500), not
    the fixed cost nor the running the existing exchange already needs."""
    flows = [F("S", "supply", 100, company="A", resource="fish_sludge"),
             F("S2", "supply", 100, company="A2", resource="fish_sludge"),
             F("IN", "demand", None, company="B", resource="fish_sludge"),
             F("GAS", "supply", None, company="B", resource="biogas", price=10)]
    digester = Process("P", "B", inputs=(("IN", 1.0),), outputs=(("GAS", 0.5),),
                       capacity=200, fixed_cost_nok_per_year=300,
                       variable_cost_nok_per_unit=1.0, planned=True)
    problem = build_problem(flows, [digester], [C("S", "IN", 2), C("S2", "IN", 2)],
                            existing=[_existing("S", "IN", 100)])
    plan = propose_exchanges(problem)
    assert plan.objective_value == pytest.approx(200 - 100 + 500)
    assert chosen(plan) == {("S2", "IN"): 100}
    assert plan.facilities[0].activity == pytest.approx(200)
    assert plan.facilities[0].fixed_cost_nok_per_year == 0  # not new
    assert _account(plan)[0] == pytest.approx(plan.objective_value)
    assert {x.kind for x in plan.lines} == {"exchange", "facility_running", "market_sale"}


# -- planning with incomplete data -----------------------------------------------------------

def _two_unknowns():
    flows = [F("S1", "supply", None, resource="waste_heat"),
             F("D1", "demand", 3000, resource="waste_heat"),
             F("S2", "supply", 1000, resource="waste_heat"),
             F("D2", "demand", None, resource="waste_heat")]
    cands = [C("S1", "D1", 300, fixed=30_000, co2=0.2), C("S2", "D1", 50, co2=0.1),
             C("S2", "D2", 100, co2=0.05)]
    return flows, cands


def test_two_unknown_quantities_give_conditional_proposals_and_are_ranked():
    """S1 (heat, quantity unknown) can feed D1 (3,000 MWh) at 300 NOK/MWh over a pipeline
    of 30,000 NOK/yr; D2 (quantity unknown) can take S2's 1,000 MWh at 100 NOK/MWh; S2 can
    also go to D1 at 50 NOK/MWh.

    Without the unknowns, the plan sends S2 to D1: 50,000 NOK/yr (100 t CO2).
    S1 at its bound (D1's 3,000 MWh): S1 fills D1, 3,000 * 300 - 30,000 = 870,000; S2 has
    nowhere to go: 870,000, spread 820,000 NOK/yr (600 - 100 = 500 t CO2).
    D2 at its bound (S2's 1,000 MWh): S2 goes to D2 instead, 100,000: spread 50,000
    (50 - 100 = -50 t CO2). S1 is the figure to ask for first."""
    flows, cands = _two_unknowns()
    plan = propose_exchanges(build_problem(flows, [], cands))
    assert plan.objective_value == pytest.approx(50_000)
    assert chosen(plan) == {("S2", "D1"): 1000}
    assert plan.totals["co2_avoided_t"] == pytest.approx(100)  # nothing unknown counted
    got = [(p.unknown_flow, p.supply_flow, p.demand_flow, p.threshold,
            round(p.value_nok, 6), round(p.co2_avoided_t, 6), p.partner_bound, p.pays_from)
           for p in plan.conditional]
    assert got == [("S1", "S1", "D1", 3000, 870_000, 600, 3000, 100),
                   ("D2", "S2", "D2", 1000, 100_000, 50, 1000, 0)]
    needs = [(n.rank, n.flow_id, n.bound, round(n.spread_nok, 6), round(n.spread_co2_t, 6))
             for n in plan.needs_data]
    assert needs == [(1, "S1", 3000, 820_000, 500), (2, "D2", 1000, 50_000, -50)]
    from symbiosis.report import conditional_text

    assert conditional_text(plan.conditional[0]).startswith(
        "if S1 supplies at least 3,000 t/yr, S1 -> D1 is worth at least 870 kNOK/yr")
    off = propose_exchanges(build_problem(flows, [], cands), conditional=False)
    assert off.conditional == () and all(n.rank is None for n in off.needs_data)


def test_a_missing_figure_the_solver_fails_on_is_listed_unranked_and_the_rest_ranked(
        monkeypatch):
    """The same instance; the solver refuses the model of S1's neighbourhood (HiGHS can
    end a solve in an internal error). D2 is still weighed, S1 is listed unranked, and
    the plan says why."""
    import optimizer.conditional as conditional
    from symbiosis.errors import OptimizationError

    flows, cands = _two_unknowns()
    real = conditional.solve_built

    def refusing(built, objective, **kw):
        if "S1" in built.problem.bounds:
            raise OptimizationError("The optimiser refused the model (solver: kError)")
        return real(built, objective, **kw)

    monkeypatch.setattr(conditional, "solve_built", refusing)
    plan = propose_exchanges(build_problem(flows, [], cands))
    assert plan.objective_value == pytest.approx(50_000)
    assert [(n.rank, n.flow_id) for n in plan.needs_data] == [(1, "D2"), (None, "S1")]
    assert [p.unknown_flow for p in plan.conditional] == ["D2"]
    assert [r.code for r in plan.notes] == ["plan.unweighed"]
    assert "1 missing figure(s) the solver could not weigh" in plan.message


def test_the_solver_prints_nothing_on_standard_output(capfd):
    """HiGHS prints some lines with printf whatever its options: while a solve runs they
    go to standard error, so commands that print JSON keep a clean standard output."""
    import ctypes

    from optimizer.mip import solver_output_to_stderr

    with solver_output_to_stderr():
        ctypes.CDLL(None).printf(b"printed by C\n")
        with solver_output_to_stderr():  # solves in threads share the redirection
            pass
        ctypes.CDLL(None).printf(b"printed again\n")
    out, err = capfd.readouterr()
    assert "printed" not in out and "printed by C" in err and "printed again" in err
    print("back on standard output")
    assert capfd.readouterr().out == "back on standard output\n"
