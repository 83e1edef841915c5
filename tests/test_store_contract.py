"""One contract, run on the embedded store and on the Bolt graph server."""

import dataclasses

import pytest

from optimizer import optimise
from symbiosis.errors import NotFoundError, StoreConflictError, SymbiosisError
from symbiosis.matching import match_dataset
from symbiosis.model import Company, Dataset, Exchange, Flow, Reason, StatusChange
from symbiosis.services import plan_exchanges


def _bare(cands):
    """Candidates as stored: reasons and limits are made again when shown."""
    return [dataclasses.replace(c, reasons=(), limits=()) for c in cands]


def _load(store, cases):
    store.load(cases)
    return store


def test_create_and_read_back_everything(store, cases):
    _load(store, cases)
    got = store.dataset()
    assert got.companies == tuple(sorted(cases.companies, key=lambda c: c.id))
    assert got.flows == tuple(sorted(cases.flows, key=lambda f: f.id))
    assert got.processes == tuple(sorted(cases.processes, key=lambda p: p.id))
    assert got.parks == tuple(sorted(cases.parks, key=lambda p: p.id))
    assert store.counts()["Flow"] == 55


def test_update_replaces_values_and_moves_a_company_between_parks(store, cases):
    _load(store, cases)
    mill = next(c for c in cases.companies if c.id == "SOL-C01")
    store.load(Dataset(companies=(dataclasses.replace(mill, name="Renamed", park_id="KIRKENAER"),)))
    assert store.company("SOL-C01").name == "Renamed"
    assert [c.id for c in store.companies(park_id="KIRKENAER")].count("SOL-C01") == 1
    assert "SOL-C01" not in [c.id for c in store.companies(park_id="BRASKEREIDFOSS")]
    flow = next(f for f in cases.flows if f.id == "SOL-F013")
    store.load(Dataset(flows=(dataclasses.replace(flow, amount=1.0),)))
    assert store.flows(company_id="SOL-C06", resource="steam")[0].amount == 1.0


def test_one_load_creates_companies_with_and_without_flows_parks_and_moves(store, cases):
    """New companies (in a new park, in a known park, with no flows), a new flow of an old
    company and a flow moved to a new company, all in one load."""
    _load(store, cases)
    mill = next(c for c in cases.companies if c.id == "SOL-C01")
    steam = next(f for f in cases.flows if f.id == "SOL-F013")
    old_owner = steam.company_id
    store.load(Dataset(
        companies=(dataclasses.replace(mill, id="NEW-C01", park_id="NEW-PARK"),
                   dataclasses.replace(mill, id="NEW-C02", park_id=None),
                   dataclasses.replace(mill, id="NEW-C03", park_id="FINNFJORD")),
        flows=(dataclasses.replace(steam, id="NEW-F01", company_id="NEW-C01"),
               dataclasses.replace(steam, id="NEW-F02", company_id="SOL-C01"),
               dataclasses.replace(steam, company_id="NEW-C03"))))
    assert [c.id for c in store.companies(park_id="NEW-PARK")] == ["NEW-C01"]
    assert [(p.id, p.name) for p in store.dataset(park_id="NEW-PARK").parks] == [
        ("NEW-PARK", "NEW-PARK")]
    assert "NEW-C03" in {c.id for c in store.companies(park_id="FINNFJORD")}
    assert store.company("NEW-C02").park_id is None
    assert store.flows(company_id="NEW-C02") == []
    assert [f.id for f in store.flows(company_id="NEW-C01")] == ["NEW-F01"]
    assert "NEW-F02" in {f.id for f in store.flows(company_id="SOL-C01")}
    assert [f.id for f in store.flows(company_id="NEW-C03")] == ["SOL-F013"]
    assert "SOL-F013" not in {f.id for f in store.flows(company_id=old_owner)}
    assert store.counts()["Flow"] == 57


def test_delete_cascades_flows_processes_candidates_and_exchanges(store, cases):
    _load(store, cases)
    data = store.dataset()
    cands = match_dataset(data)
    store.replace_candidates(cands)
    plan = optimise(data, cands)
    store.save_plan(plan, plan_exchanges(plan))
    store.delete_company("FLO-C03")
    assert store.company("FLO-C03") is None
    assert not store.flows(company_id="FLO-C03")
    assert "FLO-P02" not in {p.id for p in store.processes()}
    assert not store.candidates(company_id="FLO-C03")
    assert all("FLO-F011" not in (e.supply_flow, e.demand_flow) for e in store.exchanges())
    with pytest.raises(NotFoundError):
        store.delete_company("FLO-C03")


def test_a_flow_used_by_a_process_cannot_be_deleted_alone(store, cases):
    _load(store, cases)
    with pytest.raises(StoreConflictError):
        store.delete_flow("FLO-F011")
    store.delete_flow("FLO-F014")
    assert "FLO-F014" not in {f.id for f in store.flows()}


def test_refused_write_changes_nothing(store, cases):
    _load(store, cases)
    before = store.counts(), store.dataset()
    orphan = Flow("ORPHAN", "NO-SUCH", "supply", "bark", 1.0, "t")
    with pytest.raises(StoreConflictError):
        store.load(Dataset(companies=(Company("NEW", "New", 60, 10),), flows=(orphan,)))
    assert (store.counts(), store.dataset()) == before


def test_filters_by_county_park_and_resource(store, cases):
    _load(store, cases)
    assert {c.id for c in store.companies(county="Troms")} == {"FIN-C01", "FIN-C02", "FIN-C04"}
    assert {c.id for c in store.companies(park_id="FJORDBASE")} == {
        "FLO-C01", "FLO-C02", "FLO-C03", "FLO-C04", "FLO-C05"}
    assert {f.id for f in store.flows(resource="oxygen")} == {"FLO-F005", "FLO-F009",
                                                              "FLO-F012"}
    assert {f.id for f in store.flows(county="Troms", direction="supply",
                                      resource="waste_heat")} == {"FIN-F001", "FIN-F004"}
    park = store.dataset(park_id="FINNFJORD")
    assert {c.id for c in park.companies} == {"FIN-C01", "FIN-C02"}
    assert [p.id for p in park.parks] == ["FINNFJORD"]
    assert {f.company_id for f in park.flows} == {"FIN-C01", "FIN-C02"}
    county = store.dataset(county="Vestland")
    assert {c.id for c in county.companies} >= {"FLO-C01", "FIN-C03"}
    assert {p.id for p in county.parks} == {"FJORDBASE"}


def test_candidates_plans_and_exchanges_round_trip(store, cases):
    _load(store, cases)
    data = store.dataset()
    cands = match_dataset(data)
    store.replace_candidates(cands)
    ordered = sorted(cands, key=lambda c: (-c.score, c.supply_flow, c.demand_flow))
    assert store.candidates() == _bare(ordered)
    # the reasons come back from the data, the same as matching made them
    from symbiosis import services

    assert services.explain(store, store.candidates()) == ordered
    troms = {"FIN-C01", "FIN-C02", "FIN-C04"}
    in_troms = [c for c in cands if {c.supply_company, c.demand_company} & troms]
    assert sorted(c.key for c in store.candidates(county="Troms")) == sorted(
        c.key for c in in_troms)
    assert sorted(c.key for c in store.candidates(county="Troms", resource="co2")) == sorted(
        c.key for c in in_troms if "co2" in (c.resource, c.demand_resource))
    assert all("co2" in (c.resource, c.demand_resource)
               for c in store.candidates(resource="co2"))
    assert {c.key for c in store.candidates(flow_id="FLO-F005")} == {
        ("FLO-F005", "FLO-F009"), ("FLO-F005", "FLO-F012")}
    plan = optimise(data, cands, frontier_points=3)
    exchanges = plan_exchanges(plan)
    store.save_plan(plan, exchanges)
    assert store.plans() == [plan] and store.plan(plan.id) == plan
    assert store.exchanges(status="proposed") == sorted(exchanges, key=lambda e: e.id)
    agreed = dataclasses.replace(exchanges[0], status="agreed", history=(
        StatusChange("proposed", "2026-01-01", "planner"),
        StatusChange("agreed", "2026-03-01", "cluster manager", "signed")))
    store.put_exchange(agreed)
    again = optimise(data, cands)
    store.save_plan(again, plan_exchanges(again))
    kept = store.exchanges(status="agreed")
    assert kept == [agreed]
    assert len(store.exchanges(status="proposed")) == len(again.exchanges)
    with pytest.raises(StoreConflictError):
        store.put_exchange(Exchange("X", "NOPE", "FLO-F009", 1.0, "t"))


def test_replacing_candidates_keeps_exactly_the_new_set(store, cases):
    """A second matching run that drops one link, changes one and adds one."""
    _load(store, cases)
    cands = match_dataset(store.dataset())
    store.replace_candidates(cands)
    dropped, changed, *kept = cands
    changed = dataclasses.replace(changed, score=changed.score + 1.0,
                                  reasons=(*changed.reasons, Reason.of("text", text="re-scored")))
    added = dataclasses.replace(kept[0], supply_flow=dropped.supply_flow,
                                supply_company=dropped.supply_company,
                                demand_flow="SOL-F013", demand_company="SOL-C06")
    assert added.key not in {c.key for c in cands}
    new = [changed, added, *kept]
    store.replace_candidates(new)
    by_key = {c.key: c for c in store.candidates()}
    assert set(by_key) == {c.key for c in new}
    assert [by_key[changed.key], by_key[added.key]] == _bare([changed, added])
    store.replace_candidates(new)  # the same set again: nothing changes
    assert store.candidates() == _bare(sorted(new, key=lambda c: (-c.score, c.supply_flow,
                                                                    c.demand_flow)))
    store.replace_candidates([])
    assert store.candidates() == []


def test_value_chains_up_to_n_steps(store, cases):
    _load(store, cases)
    store.replace_candidates(match_dataset(store.dataset()))
    two = store.value_chains("FLO-F010", max_steps=2)
    one = store.value_chains("FLO-F010", max_steps=1)
    assert ("FLO-F010", "FLO-F011") in one and all(len(ch) == 2 for ch in one)
    # sludge -> biogas plant -> biogas -> bus depot, and nothing longer than two links
    assert ("FLO-F010", "FLO-F011", "FLO-F015", "FLO-F017") in two
    assert set(one) <= set(two) and all(len(ch) in (2, 4) for ch in two)
    three = store.value_chains("FIN-F002", max_steps=3)
    assert ("FIN-F002", "FIN-F013", "FIN-F012", "FIN-F016", "FIN-F017", "FIN-F018") in three


def test_both_stores_give_the_same_answers(neo4j_store, tmp_path, cases):
    from graph import EmbeddedStore

    memory = EmbeddedStore(tmp_path / "m.db")
    answers = []
    for s in (memory, neo4j_store):
        s.load(cases)
        cands = match_dataset(s.dataset())
        s.replace_candidates(cands)
        answers.append((s.dataset(), s.candidates(), s.dataset(county="Innlandet"),
                        s.flows(park_id="FJORDBASE"), s.value_chains("FIN-F002", max_steps=3),
                        s.counts()))
    assert answers[0] == answers[1]


def test_an_update_back_to_a_default_value_is_stored(store, cases):
    _load(store, cases)
    flow = next(f for f in cases.flows if f.id == "SOL-F007")
    assert flow.confidential and flow.description
    store.load(Dataset(flows=(dataclasses.replace(flow, confidential=False, description="",
                                                  months=frozenset({1, 2})),)))
    store.load(Dataset(flows=(dataclasses.replace(flow, confidential=False, description=""),)))
    (again,) = store.flows(company_id="SOL-C03", resource="animal_byproducts")
    assert (again.confidential, again.description, len(again.months)) == (False, "", 12)


# -- fresh candidates: every write re-matches what it touched ---------------------------------

def _keys_of(cands, flow_id):
    return {(c.key, c.score) for c in cands if flow_id in c.key}


def test_an_edited_flow_has_fresh_candidates_with_no_explicit_rematch(store, cases):
    from symbiosis import services

    _load(store, cases)
    services.rematch(store)
    # a heat demand becomes a steam demand at the same company: its heat partners go,
    # steam partners come, without anyone running matching
    before = store.candidates()
    flow = next(f for f in store.flows(direction="demand")
                if f.resource in ("heat", "district_heat") and _keys_of(before, f.id))
    edited = dataclasses.replace(flow, resource="steam", quality={"temperature_c": 150.0})
    services.save(store, Dataset(flows=(edited,)))
    full = match_dataset(store.dataset())
    stored = store.candidates()
    assert _keys_of(stored, flow.id) == _keys_of(full, flow.id)
    assert all(c.demand_resource == "steam" for c in stored if c.demand_flow == flow.id)
    assert _keys_of(stored, flow.id) != _keys_of(before, flow.id)
    # nothing a full matching keeps is missing anywhere
    assert {c.key for c in full} <= {c.key for c in stored}

    # a new flow next to a supply gets its candidates at once
    supply = next(c for c in stored if c.resource == "waste_heat")
    new = Flow("NEW-1", supply.demand_company, "demand", "heat", 900.0, "MWh",
               {"temperature_c": 40.0})
    services.save(store, Dataset(flows=(new,)))
    full = match_dataset(store.dataset())
    assert _keys_of(store.candidates(), "NEW-1") == _keys_of(full, "NEW-1") != set()

    # a deleted flow takes its candidates with it, and its partners are matched again
    services.delete_flow(store, "NEW-1")
    assert _keys_of(store.candidates(), "NEW-1") == set()
    full = match_dataset(store.dataset())
    assert {c.key for c in full} <= {c.key for c in store.candidates()}


def test_kth_scores_are_each_flows_kth_best_stored_score(store, cases):
    from symbiosis import services

    _load(store, cases)
    services.rematch(store)
    per_flow: dict[str, list[float]] = {}
    for c in store.candidates():
        for fid in c.key:
            per_flow.setdefault(fid, []).append(c.score)
    ids = sorted(per_flow) + ["NO-SUCH-FLOW"]
    for k in (1, 3):
        want = {f: sorted(s, reverse=True)[k - 1] for f, s in per_flow.items() if len(s) >= k}
        got = store.kth_scores(ids, k)
        assert got == pytest.approx(want)
        assert len(want) < len(ids)  # flows with fewer than k are left out


def test_an_edit_rewrites_only_the_lists_it_can_change(store, cases):
    """A flow's edit re-matches its neighbourhood but replaces the candidates of the edited
    flow and of the flows whose best list it enters or leaves, not of every flow within
    reach."""
    from symbiosis import services

    _load(store, cases)
    services.rematch(store)
    flow = next(f for f in store.flows(direction="supply")
                if f.amount and len(store.candidates_of([f.id])) >= 2)
    edited = dataclasses.replace(flow, amount=flow.amount * 1.5)
    patch = services.fresh_candidates(store, Dataset(flows=(edited,)))
    partners = {fid for c in store.candidates_of([flow.id]) for fid in c.key} - {flow.id}
    within_reach = {f.id for f in store.flows(direction="demand")}
    assert partners <= patch.flows
    assert flow.id in patch.flows and len(patch.flows) < len(within_reach)
    services.save(store, Dataset(flows=(edited,)))
    full = match_dataset(store.dataset())
    assert _keys_of(store.candidates(), flow.id) == _keys_of(full, flow.id)
    assert {c.key for c in full} <= {c.key for c in store.candidates()}


def test_a_company_that_moves_has_its_candidates_matched_where_it_is_now(store, cases):
    from symbiosis import services

    _load(store, cases)
    services.rematch(store)
    company = next(c for c in store.companies() if store.candidates(company_id=c.id))
    # far out to sea: nothing within reach of any partner by road or pipe
    moved = dataclasses.replace(company, lat=66.0, lon=-5.0)
    services.save(store, Dataset(companies=(moved,)))
    full = match_dataset(store.dataset())
    mine = {c.key for c in store.candidates(company_id=company.id)}
    assert mine == {c.key for c in full if company.id in (c.supply_company,
                                                              c.demand_company)}


# -- scoped plans and scenarios ---------------------------------------------------------------

def _scoped_plan(pid, scope, pairs, *, scenario=""):
    from symbiosis.model import Plan, PlanExchange, PlanScope

    exchanges = tuple(PlanExchange(s, d, "x", "y", "steam", 10.0, "MWh", "pipeline", 1.0,
                                   100.0, 1.0) for s, d in pairs)
    return Plan(id=pid, status="optimal", objective="value", objective_value=0.0, bound=0.0,
                gap=0.0, solve_time_s=0.1, exchanges=exchanges,
                created_at=f"2026-01-01T00:00:0{pid[-1]}.000+00:00",
                scope=PlanScope(*scope), scenario=scenario)


def _live(store):
    return sorted((e.plan_id, e.supply_flow, e.demand_flow)
                  for e in store.exchanges(status="proposed"))


def test_a_plan_replaces_only_the_proposals_of_its_own_scope(store, cases):
    from symbiosis import services

    _load(store, cases)
    troms = _scoped_plan("T1", ("county", "Troms"), [("FIN-F004", "FIN-F014")])
    vest = _scoped_plan("V1", ("county", "Vestland"), [("FLO-F005", "FLO-F009"),
                                                       ("FLO-F004", "FLO-F006")])
    services.save_plan(store, troms)
    services.save_plan(store, vest)
    assert _live(store) == [("T1", "FIN-F004", "FIN-F014"), ("V1", "FLO-F004", "FLO-F006"),
                            ("V1", "FLO-F005", "FLO-F009")]
    # Troms again: its earlier proposals go, Vestland's stay
    services.save_plan(store, _scoped_plan("T2", ("county", "Troms"), [("FIN-F002",
                                                                        "FIN-F013")]))
    assert _live(store) == [("T2", "FIN-F002", "FIN-F013"), ("V1", "FLO-F004", "FLO-F006"),
                            ("V1", "FLO-F005", "FLO-F009")]
    # a plan for everything proposing a Vestland pair again takes that pair over; one live
    # proposal per pair
    services.save_plan(store, _scoped_plan("A3", ("all", ""), [("FLO-F005", "FLO-F009")]))
    assert _live(store) == [("A3", "FLO-F005", "FLO-F009"), ("T2", "FIN-F002", "FIN-F013"),
                            ("V1", "FLO-F004", "FLO-F006")]
    # a scenario leaves the live proposals alone; adopting it replaces its scope's
    what_if = _scoped_plan("S4", ("county", "Vestland"), [("FLO-F010", "FLO-F011")],
                           scenario="sludge first")
    services.save_plan(store, what_if)
    assert store.plan("S4") == what_if and len(_live(store)) == 3
    adopted = services.adopt_scenario(store, "S4", by="county")
    assert adopted.adopted_by == "county" and store.plan("S4").adopted_at
    assert _live(store) == [("A3", "FLO-F005", "FLO-F009"), ("S4", "FLO-F010", "FLO-F011"),
                            ("T2", "FIN-F002", "FIN-F013")]
    assert [p.id for p in services.scenarios(store)] == ["S4"]
    with pytest.raises(SymbiosisError, match="adopted"):
        services.adopt_scenario(store, "S4", by="county")
    # agreed and operating exchanges are never dropped by a plan of any scope
    kept = dataclasses.replace(store.exchanges(status="proposed")[0], status="operating")
    store.put_exchange(kept)
    services.save_plan(store, _scoped_plan("A5", ("all", ""), [(kept.supply_flow,
                                                                 kept.demand_flow)]))
    assert store.exchange(kept.id).status == "operating"


def test_two_scopes_planned_one_after_the_other_and_a_scenario_compared_and_adopted(
        store, cases):
    """Vestland then Troms: Vestland's proposals survive. A Vestland scenario maximising
    CO2 is saved beside the live plan, compared with it, then adopted."""
    from symbiosis import services

    services.save(store, cases)
    _, vest = services.plan(store, county="Vestland", time_limit_s=20)
    _, troms = services.plan(store, county="Troms", time_limit_s=20)
    assert vest.scope.key == "county:Vestland" and vest.exchanges and troms.exchanges
    live = {(e.plan_id, e.supply_flow, e.demand_flow) for e in store.exchanges(
        status="proposed")}
    assert {(vest.id, e.supply_flow, e.demand_flow) for e in vest.exchanges} <= live
    assert {(troms.id, e.supply_flow, e.demand_flow) for e in troms.exchanges} <= live
    _, co2 = services.plan(store, county="Vestland", objective="co2", scenario="most CO2",
                           time_limit_s=20)
    assert co2.is_scenario and store.plan(co2.id).scenario == "most CO2"
    assert {(e.plan_id, e.supply_flow, e.demand_flow)
            for e in store.exchanges(status="proposed")} == live  # left alone
    cmp = services.compare_scenarios(store, [vest.id, co2.id])
    assert [p.name for p in cmp.plans] == ["live plan", "most CO2"]
    assert cmp.plans[1].co2_avoided_t >= cmp.plans[0].co2_avoided_t
    assert {(r.supply_flow, r.demand_flow) for r in cmp.exchanges} == {
        (e.supply_flow, e.demand_flow) for p in (vest, co2) for e in p.exchanges}
    services.adopt_scenario(store, co2.id, by="county staff")
    now = store.exchanges(status="proposed")
    assert {e.plan_id for e in now} == {co2.id, troms.id}
    assert sorted((e.supply_flow, e.demand_flow) for e in now if e.plan_id == co2.id) == \
        sorted((e.supply_flow, e.demand_flow) for e in co2.exchanges)


def test_neo4j_plans_stored_before_plans_had_a_scope_count_as_plans_for_everything(
        neo4j_store, bolt_server, cases):
    from graph import codec
    from graph.neo4j_store import Neo4jStore
    from symbiosis import services

    _load(neo4j_store, cases)
    old = _scoped_plan("O1", ("all", ""), [("FLO-F005", "FLO-F009"), ("FIN-F004", "FIN-F014")])
    for e in plan_exchanges(old):
        neo4j_store.put_exchange(e)
    with neo4j_store._driver.session(database=neo4j_store.database) as session:
        session.run("CREATE (p:Plan {id: $id, created_at: $at, json: $json})", id=old.id,
                    at=old.created_at, json=codec.dumps(old)).consume()
    again = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password,
                       database=bolt_server.database)
    try:
        services.save_plan(again, _scoped_plan("T2", ("county", "Troms"),
                                               [("FIN-F002", "FIN-F013")]))
        assert _live(again) == [("O1", "FIN-F004", "FIN-F014"), ("O1", "FLO-F005", "FLO-F009"),
                                ("T2", "FIN-F002", "FIN-F013")]
        services.save_plan(again, _scoped_plan("A3", ("all", ""), [("FLO-F004", "FLO-F006")]))
        assert _live(again) == [("A3", "FLO-F004", "FLO-F006"), ("T2", "FIN-F002", "FIN-F013")]
    finally:
        again.close()


def test_points_are_the_places_of_the_flows_of_the_resources_inside_the_box(store, cases):
    _load(store, cases)
    companies = {c.id: c for c in cases.companies}
    box = {"south": 60.0, "west": 10.0, "north": 62.0, "east": 13.0}
    want = {(f.id, f.company_id, f.resource, f.direction, companies[f.company_id].lat,
             companies[f.company_id].lon) for f in cases.flows
            if f.resource in ("steam", "heat")
            and box["south"] <= companies[f.company_id].lat <= box["north"]
            and box["west"] <= companies[f.company_id].lon <= box["east"]}
    got = store.points(["steam", "heat"], **box)
    assert want and {tuple(p) for p in got} == want and len(got) == len(want)
    # a company moved out of the box takes its flows along; one moved in brings its own
    out = next(companies[p[1]] for p in got)
    inside = next(c for c in cases.companies if not (
        box["south"] <= c.lat <= box["north"] and box["west"] <= c.lon <= box["east"])
        and any(f.company_id == c.id for f in cases.flows))
    theirs = {f.id: f.resource for f in cases.flows if f.company_id == inside.id}
    store.load(Dataset(companies=(dataclasses.replace(out, lat=70.0, lon=25.0),
                                  dataclasses.replace(inside, lat=61.0, lon=11.0))))
    moved = {tuple(p) for p in store.points({"steam", "heat", *theirs.values()}, **box)}
    assert not any(p[1] == out.id for p in moved)
    assert {p[0] for p in moved if p[1] == inside.id} == set(theirs)
    assert all((p[4], p[5]) == (61.0, 11.0) for p in moved if p[1] == inside.id)


def test_edits_of_every_kind_leave_the_candidates_a_full_matching_keeps(store):
    """Amounts, resources, moves, deletions and new flows in a county dense enough that
    the nearest rule cuts (a flow moved or gone changes which of its rivals a partner
    keeps): after every write the stored candidates are those of a full matching, with
    their scores."""
    import random

    from fixtures.synthetic import TOWNS, generate_region
    from symbiosis import services

    data = generate_region(700, 4, towns=[t for t in TOWNS if t[2] == "Innlandet"])
    store.load(data)
    services.rematch(store)
    rng = random.Random(5)
    kinds = []
    for step in range(10):
        flows = store.flows()
        f = rng.choice(flows)
        if step % 5 == 0:
            services.save(store, Dataset(flows=(dataclasses.replace(f, amount=(f.amount or 50)
                                                                    * 3),)))
        elif step % 5 == 1:
            other = rng.choice(flows)
            services.save(store, Dataset(flows=(dataclasses.replace(
                f, resource=other.resource, unit=other.unit, quality=other.quality),)))
        elif step % 5 == 2:
            c, to = store.company(f.company_id), rng.choice(store.companies())
            services.save(store, Dataset(companies=(dataclasses.replace(
                c, lat=to.lat + 0.002, lon=to.lon - 0.002),)))
        elif step % 5 == 3:
            services.delete_flow(store, f.id)
        else:
            new = dataclasses.replace(rng.choice(flows), id=f"NEW-{step}",
                                      company_id=rng.choice(store.companies()).id)
            services.save(store, Dataset(flows=(new,)))
        full = {c.key: c.score for c in match_dataset(store.dataset())}
        stored = {c.key: c.score for c in store.candidates()}
        kinds.append(step % 5)
        assert stored == pytest.approx(full), (
            f"after edit {step}: only stored {sorted(set(stored) - set(full))[:5]}, only in "
            f"a full matching {sorted(set(full) - set(stored))[:5]}")
    assert sorted(set(kinds)) == [0, 1, 2, 3, 4]
    # a batch larger than services.FULL_REMATCH_ABOVE: matched whole, the lists that
    # differ written
    flows = store.flows()
    batch = [dataclasses.replace(f, amount=(f.amount or 50) * 2) for f in flows[:20]]
    batch += [dataclasses.replace(f, id=f"BATCH-{n}", company_id=flows[-n - 1].company_id)
              for n, f in enumerate(flows[20:40])]
    assert len(batch) > services.FULL_REMATCH_ABOVE
    services.save(store, Dataset(flows=tuple(batch)))
    full = {c.key: c.score for c in match_dataset(store.dataset())}
    assert {c.key: c.score for c in store.candidates()} == pytest.approx(full)
