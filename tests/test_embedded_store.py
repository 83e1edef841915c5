"""The embedded store survives a kill mid-write and scales with what a write touches."""

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from graph import EmbeddedStore
from symbiosis.matching import match_dataset
from symbiosis.model import Dataset

CHILD = r"""
import sys
from fixtures.synthetic import generate_region
from graph import EmbeddedStore
store = EmbeddedStore(sys.argv[1])
data = generate_region(60000, 7)
print("writing", flush=True)
while True:  # one transaction after another until killed
    store.load(data)
"""


def test_kill_during_write_leaves_a_whole_state(tmp_path, cases):
    path = tmp_path / "store.db"
    EmbeddedStore(path).load(cases)
    before = EmbeddedStore(path).dataset()
    journal = tmp_path / "store.db-journal"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        deadline = time.monotonic() + 120
        # kill while a transaction is being committed: its journal is on disk
        while time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > 0:
                break
            assert child.poll() is None, "child stopped before it could be killed"
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    reopened = EmbeddedStore(path)
    after = reopened.dataset()
    # the killed transaction left nothing: the state is the one before it, whole
    assert len(after.flows) in (len(before.flows), len(before.flows) + 60000)
    assert {c.id: c for c in after.companies if c.id in {x.id for x in before.companies}} \
        == {c.id: c for c in before.companies}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_handles_see_each_others_writes(tmp_path, cases):
    a, b = EmbeddedStore(tmp_path / "s.db"), EmbeddedStore(tmp_path / "s.db")
    a.load(Dataset(companies=cases.companies[:2]))
    assert {c.id for c in b.dataset().companies} == {c.id for c in cases.companies[:2]}


def _work(store: EmbeddedStore, action) -> int:
    """SQLite virtual-machine steps (in thousands) that ``action`` takes: a count of
    operations, not a time."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    db = store._db()
    db.set_progress_handler(tick, 1000)
    try:
        action()
    finally:
        db.set_progress_handler(None, 1000)
    return steps[0]


def _store_with_candidates(path, per_supply: int, n_supply: int = 10_000):
    """A store of ``n_supply`` supplies and as many demands, each supply with
    ``per_supply`` candidate links."""
    from symbiosis.model import Candidate, Company, Flow

    companies = [Company(f"C{k}", f"Company {k}", 60 + k / 1e4, 10.0) for k in range(100)]
    flows = [Flow(f"S{k}", f"C{k % 100}", "supply", "waste_heat", 100.0, "MWh")
             for k in range(n_supply)]
    flows += [Flow(f"D{k}", f"C{(k + 1) % 100}", "demand", "heat", 100.0, "MWh")
              for k in range(n_supply)]
    store = EmbeddedStore(path)
    store.load(Dataset(companies=tuple(companies), flows=tuple(flows)))
    store.replace_candidates([
        Candidate(f"S{k}", f"D{(k + j) % n_supply}", f"C{k % 100}",
                  f"C{((k + j) % n_supply + 1) % 100}", "waste_heat", "heat", 1.0, "pipeline",
                  100.0, "MWh", 1.0, 10.0, 0.1, 0.0, 1000.0, 10.0, 50.0)
        for k in range(n_supply) for j in range(per_supply)])
    return store


def _plan_of(n: int, tag: str):
    from symbiosis.model import Plan, PlanExchange

    exchanges = tuple(PlanExchange(f"S{k}", f"D{k}", "C0", "C1", "waste_heat", 100.0, "MWh",
                                   "pipeline", 1.0, 1000.0, 10.0) for k in range(n))
    return Plan(id=tag, status="optimal", objective="value", objective_value=0.0, bound=0.0,
                gap=0.0, solve_time_s=1.0, exchanges=exchanges,
                created_at="2026-11-24T00:00:00.000+00:00")


def test_saving_a_plan_does_not_grow_with_the_store(tmp_path):
    """A plan of 10,000 exchanges saved into a store with 100,000 candidate links costs
    about what it costs in a store with a tenth of the links; twice the plan costs about
    twice."""
    from symbiosis.services import plan_exchanges

    big = _store_with_candidates(tmp_path / "big.db", 10)
    small = _store_with_candidates(tmp_path / "small.db", 1)
    assert big.counts()["CAN_FEED"] == 100_000
    plan = _plan_of(10_000, "P1")
    in_big = _work(big, lambda: big.save_plan(plan, plan_exchanges(plan)))
    in_small = _work(small, lambda: small.save_plan(plan, plan_exchanges(plan)))
    assert len(big.exchanges()) == 10_000
    # work that grew with the store would make the big store's save ten times dearer
    # (a hundred times if with its square)
    print(f"VM steps (thousands): big {in_big}, small {in_small}")
    assert in_big < 1.5 * in_small
    half = _plan_of(5_000, "P2")
    fresh = _store_with_candidates(tmp_path / "fresh.db", 10)
    in_half = _work(fresh, lambda: fresh.save_plan(half, plan_exchanges(half)))
    assert in_big < 2.6 * in_half  # linear in the plan: twice the rows, about twice the work
    # a second plan replaces the proposals: the work is the two plans' rows, not the store
    again = _work(big, lambda: big.save_plan(plan, plan_exchanges(plan)))
    assert again < 2.5 * in_big and len(big.exchanges()) == 10_000


def test_saving_a_plan_does_not_read_the_proposals_of_other_scopes(tmp_path):
    """A county plan of 1,000 exchanges saved beside 10,000 live proposals of another
    scope costs what it costs in a store without them, and leaves them in place."""
    import dataclasses

    from symbiosis.model import PlanScope
    from symbiosis.services import plan_exchanges

    crowded = _store_with_candidates(tmp_path / "crowded.db", 1)
    empty = _store_with_candidates(tmp_path / "empty.db", 1)
    other = dataclasses.replace(_plan_of(10_000, "OTHER"), scope=PlanScope("county", "A"))
    crowded.save_plan(other, plan_exchanges(other))
    mine = dataclasses.replace(_plan_of(1_000, "MINE"), scope=PlanScope("county", "B"),
                               exchanges=tuple(
                                   dataclasses.replace(e, demand_flow=f"D{(k + 1) % 10_000}")
                                   for k, e in enumerate(_plan_of(1_000, "x").exchanges)))
    beside = _work(crowded, lambda: crowded.save_plan(mine, plan_exchanges(mine)))
    alone = _work(empty, lambda: empty.save_plan(mine, plan_exchanges(mine)))
    print(f"VM steps (thousands): beside 10,000 proposals {beside}, alone {alone}")
    assert beside < 1.5 * alone
    assert len(crowded.exchanges(status="proposed")) == 11_000


def test_a_store_made_before_plans_had_a_scope_is_migrated_on_open(tmp_path, cases):
    """Its plans count as plans for everything: a plan for everything replaces their
    proposals, a county plan leaves them."""
    import dataclasses

    from symbiosis.model import PlanScope
    from symbiosis.services import plan_exchanges

    path = tmp_path / "old.db"
    store = _store_with_candidates(path, 1, n_supply=10)
    old = _plan_of(3, "OLD")
    store.save_plan(old, plan_exchanges(old))
    store.close()
    with sqlite3.connect(path) as db:  # the plans table as the earlier version made it
        db.executescript("DROP INDEX plans_scope; DROP INDEX exchanges_plan;"
                         "ALTER TABLE plans DROP COLUMN scope;"
                         "ALTER TABLE plans DROP COLUMN scenario;")
    reopened = EmbeddedStore(path)
    assert reopened.plan("OLD").scope == PlanScope()
    county = dataclasses.replace(_plan_of(1, "C1"), scope=PlanScope("county", "K"),
                                 exchanges=_plan_of(10, "x").exchanges[9:])
    reopened.save_plan(county, plan_exchanges(county))
    assert {e.plan_id for e in reopened.exchanges(status="proposed")} == {"OLD", "C1"}
    everything = _plan_of(2, "A2")
    reopened.save_plan(everything, plan_exchanges(everything))
    assert {e.plan_id for e in reopened.exchanges(status="proposed")} == {"A2", "C1"}
    with sqlite3.connect(path) as db:
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert {"plans_scope", "exchanges_plan"} <= indexes


def _candidate_indexes(path):
    with sqlite3.connect(path) as db:
        return sorted(r[0] for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'candidates' "
            "AND sql IS NOT NULL"))


def test_a_large_candidate_write_makes_its_indexes_again_and_fails_whole(tmp_path, cases,
                                                                          monkeypatch):
    """A write of more rows than the table keeps drops the candidate indexes and makes
    them again after, in the same transaction: the indexes are all back, a repeated pair
    keeps its last row, and a write that fails half-way leaves rows and indexes as they
    were."""
    import dataclasses

    import graph.embedded as embedded
    from symbiosis.matching import match_dataset

    monkeypatch.setattr(embedded, "_REBUILD_INDEXES_FROM", 2)
    path = tmp_path / "store.db"
    store = EmbeddedStore(path)
    store.load(cases)
    indexes = _candidate_indexes(path)
    assert len(indexes) == 2  # the pair and the demand flow
    cands = list(match_dataset(cases))
    assert len(cands) > 4
    twice = [*cands, dataclasses.replace(cands[0], score=1.5)]
    store.replace_candidates(twice)
    assert _candidate_indexes(path) == indexes
    stored = {c.key: c for c in store.candidates()}
    assert len(stored) == len(cands) and stored[cands[0].key].score == 1.5
    store.replace_candidates(cands)
    bad = [*cands, dataclasses.replace(cands[1], supply_company=None)]  # NOT NULL column
    try:
        store.replace_candidates(bad)
    except sqlite3.IntegrityError:
        pass
    else:  # pragma: no cover - the write must fail
        raise AssertionError("a row with no supply company was stored")
    assert _candidate_indexes(path) == indexes
    assert sorted(c.key for c in store.candidates()) == sorted(c.key for c in cands)


def test_stored_flows_and_candidates_read_back_as_written(tmp_path, cases):
    """Flows and candidates are read back field for field (their attributes set at once,
    not through ``__init__``), still frozen; a document written before a field existed
    takes the field's default."""
    seasonal = dataclasses.replace(cases.flows[0], months=frozenset({6, 7, 8}))
    data = dataclasses.replace(cases, flows=(seasonal, *cases.flows[1:]))
    store = EmbeddedStore(tmp_path / "store.db")
    store.load(data)
    back = store.dataset()
    assert back.flows == tuple(sorted(data.flows, key=lambda f: f.id))
    assert back.companies == tuple(sorted(data.companies, key=lambda c: c.id))
    assert store.flow(seasonal.id).months == frozenset({6, 7, 8})
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.flows[0].amount = 1.0  # type: ignore[misc]
    cands = list(match_dataset(data))
    store.replace_candidates(cands)
    assert store.candidates() == sorted(
        (dataclasses.replace(c, reasons=(), limits=()) for c in cands),
        key=lambda c: (-c.score, c.supply_flow, c.demand_flow))
    with pytest.raises(dataclasses.FrozenInstanceError):
        store.candidates()[0].score = 0.0  # type: ignore[misc]
    with sqlite3.connect(tmp_path / "store.db") as db:
        db.execute("UPDATE flows SET doc = json_remove(doc, '$.replaces', '$.months') "
                   "WHERE id = ?", (seasonal.id,))
    old = EmbeddedStore(tmp_path / "store.db").flow(seasonal.id)
    assert old == dataclasses.replace(seasonal, replaces="", months=frozenset(range(1, 13)))


def test_a_store_made_before_flow_rows_held_their_place_is_migrated_on_open(tmp_path, cases):
    """Each flow row gets its company's place; the edited flows' searches read it."""
    path = tmp_path / "old.db"
    EmbeddedStore(path).load(cases)
    with sqlite3.connect(path) as db:  # the flows table as the earlier version made it
        db.executescript(
            "DROP INDEX flows_at; ALTER TABLE flows DROP COLUMN lat;"
            "ALTER TABLE flows DROP COLUMN lon;"
            "CREATE INDEX flows_place ON flows (resource, company_id, direction, id);"
            "CREATE INDEX companies_place ON companies (id, lat, lon);")
    store = EmbeddedStore(path)
    at = {c.id: (c.lat, c.lon) for c in cases.companies}
    got = store.points({f.resource for f in cases.flows}, south=-90, west=-180, north=90,
                       east=180)
    assert sorted(p[0] for p in got) == sorted(f.id for f in cases.flows)
    assert all((p[4], p[5]) == at[p[1]] for p in got)
    with sqlite3.connect(path) as db:
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "flows_at" in indexes and not {"flows_place", "companies_place"} & indexes


def test_a_store_made_with_company_indexes_on_its_candidates_loses_them_on_open(tmp_path,
                                                                               cases):
    """Stores made before kept two company indexes on the candidates; opening drops them,
    and a company's and a county's candidates read the same through the flows."""
    from symbiosis import services

    path = tmp_path / "old.db"
    store = EmbeddedStore(path)
    services.save(store, cases)
    before = {"company": store.candidates(company_id="SOL-C06"),
              "county": store.candidates(county="Innlandet")}
    store.close()
    db = sqlite3.connect(path)
    db.executescript("CREATE INDEX candidates_supply_company ON candidates (supply_company);"
                     "CREATE INDEX candidates_demand_company ON candidates (demand_company);")
    db.close()
    assert len(_candidate_indexes(path)) == 4
    store = EmbeddedStore(path)
    assert len(_candidate_indexes(path)) == 2
    assert before["company"] and before["county"]
    assert store.candidates(company_id="SOL-C06") == before["company"]
    assert store.candidates(county="Innlandet") == before["county"]
    assert {c.key for c in before["company"]} == {
        c.key for c in store.candidates() if "SOL-C06" in (c.supply_company, c.demand_company)}


def test_documents_read_back_as_written_with_numbers_that_are_not_finite(tmp_path, cases):
    """Documents are written by orjson, which writes NaN as null: a document holding a
    number that is not finite is written as the json module writes it and reads back
    with it; other documents read back equal to what was written."""
    import math

    from symbiosis.model import FrontierPoint

    store = EmbeddedStore(tmp_path / "s.db")
    store.load(cases)
    assert store.dataset() == cases.__class__(
        companies=tuple(sorted(cases.companies, key=lambda c: c.id)),
        flows=tuple(sorted(cases.flows, key=lambda f: f.id)),
        processes=tuple(sorted(cases.processes, key=lambda p: p.id)),
        parks=store.dataset().parks)
    plan = dataclasses.replace(
        _plan_of(2, "nan"), gap=math.inf,
        frontier=(FrontierPoint(math.nan, 12.5, "infeasible"),
                  FrontierPoint(-3.0, 20.0, "optimal")))
    store.save_plan(plan, [])
    back = store.plan("nan")
    assert back is not None and back.gap == math.inf
    assert math.isnan(back.frontier[0].cost_nok) and back.frontier[1:] == plan.frontier[1:]
    raw = sqlite3.connect(tmp_path / "s.db").execute(
        "SELECT doc FROM plans WHERE id = 'nan'").fetchone()[0]
    assert "NaN" in raw and "Infinity" in raw
