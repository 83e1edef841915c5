"""The web snapshot follows writes by reading what they touched, not the whole store."""

from __future__ import annotations

import dataclasses

import pytest

from graph import EmbeddedStore
from symbiosis import services
from symbiosis.model import Company, Dataset, Flow
from web import create_app
from web.data import Snapshot, snapshot


def _same(a: Snapshot, b: Snapshot) -> None:
    assert a.data == b.data
    assert [c.key for c in a.candidates] == [c.key for c in b.candidates]
    assert a.candidates == b.candidates
    assert a.exchanges == b.exchanges and a.plans == b.plans
    assert a.companies == b.companies and a.flows == b.flows


@pytest.fixture()
def world(tmp_path, cases):
    path = tmp_path / "store.db"
    store = EmbeddedStore(path)
    store.load(cases)
    services.rematch(store)
    app = create_app({"STORE_URL": str(path), "USERS_DB": str(tmp_path / "u.sqlite"),
                      "TESTING": True, "SECRET_KEY": "x"})
    return app, store


def test_each_write_refreshes_the_snapshot_without_reading_the_store_again(world,
                                                                          monkeypatch):
    app, store = world
    with app.app_context():
        first = snapshot()
        assert snapshot() is first  # nothing changed: the same snapshot
        app_store = app.extensions["symbiosis"].store

        def no_full_read(*_a, **_k):
            raise AssertionError("the whole store was read again")

        writes = [
            lambda s: services.save(s, Dataset(flows=(Flow(
                "NEW-F1", "SOL-C01", "demand", "heat", 800.0, "MWh",
                {"temperature_c": 45.0}),))),
            lambda s: services.save(s, Dataset(companies=(Company(
                "NEW-C1", "Ny Bedrift AS", 60.71, 11.88, county="Innlandet"),))),
            lambda s: services.save(s, Dataset(flows=(dataclasses.replace(
                s.flow("SOL-F001"), amount=12345.0),))),
            lambda s: services.delete_flow(s, "NEW-F1"),
            lambda s: services.plan(s, county="Innlandet", time_limit_s=10),
            lambda s: services.delete_company(s, "FLO-C01"),
        ]
        for write in writes:
            write(store)
            with monkeypatch.context() as m:
                m.setattr(app_store, "dataset", no_full_read)
                m.setattr(app_store, "candidates", no_full_read)
                refreshed = snapshot()
            _same(refreshed, Snapshot.of(store))
        assert "FLO-C01" not in snapshot().companies
        assert snapshot().flows["SOL-F001"].amount == 12345.0
        assert any(p.id for p in snapshot().plans)
        # an exchange advanced, a flow deleted with its exchange: those exchanges are read
        # again, not every exchange, and no plan
        proposal = next(e for e in store.exchanges() if e.status == "proposed")
        writes = [lambda s: services.advance_exchange(s, proposal.id, "agreed", by="test"),
                  lambda s: services.delete_flow(s, proposal.supply_flow)]
        for write in writes:
            write(store)
            with monkeypatch.context() as m:
                for name in ("dataset", "candidates", "exchanges", "plans"):
                    m.setattr(app_store, name, no_full_read)
                refreshed = snapshot()
            _same(refreshed, Snapshot.of(store))
        assert proposal.id not in {e.id for e in snapshot().exchanges}


def test_a_full_rematch_or_clear_reads_everything_again(world):
    app, store = world
    with app.app_context():
        snapshot()
        services.rematch(store, max_per_flow=2)
        _same(snapshot(), Snapshot.of(store))
        store.clear()
        assert snapshot().data == Dataset()
