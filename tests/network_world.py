"""A store at county and store scale for the network picture: the Norwegian cases (with
the confidential flow of :mod:`tests.web_support`), a synthetic Innlandet of about 250
companies and about 250 more companies over the other counties, matched, with exchanges
of every status on some of the candidates."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fixtures.synthetic import TOWNS, generate_region
from graph import EmbeddedStore
from symbiosis.io import load_files
from symbiosis.matching import match_dataset
from symbiosis.model import Dataset, Exchange, Flow

from .web_support import (
    PARTNER_FLOW,
    PASSWORD,
    SECRET_AMOUNT,
    SECRET_EXCHANGE,
    SECRET_FLOW,
    USERS,
)

INNLANDET_FLOWS = 750   # about 250 companies
ELSEWHERE_FLOWS = 750   # about 250 companies in the other counties
STATUSES = ("proposed", "agreed", "operating", "ended")


def _prefixed(data: Dataset, prefix: str) -> Dataset:
    """``data`` with every id prefixed, so two synthetic regions can share a store."""
    def park(pid: str | None) -> str | None:
        return f"{prefix}{pid}" if pid else None

    return Dataset(
        companies=tuple(dataclasses.replace(c, id=prefix + c.id, park_id=park(c.park_id),
                                            name=f"{c.name} ({prefix.strip('-')})")
                        for c in data.companies),
        flows=tuple(dataclasses.replace(f, id=prefix + f.id, company_id=prefix + f.company_id)
                    for f in data.flows),
        parks=tuple(dataclasses.replace(p, id=prefix + p.id) for p in data.parks))


def network_dataset(case_files: list[Path]) -> Dataset:
    cases = load_files(case_files).dataset
    flows = [dataclasses.replace(f, amount=SECRET_AMOUNT, unit="t")
             if f.id == SECRET_FLOW else f for f in cases.flows]
    flows.append(Flow(id=PARTNER_FLOW, company_id="SOL-C04", direction="demand",
                      resource="animal_byproducts", amount=5000.0, unit="t"))
    inland = _prefixed(generate_region(
        INNLANDET_FLOWS, seed=5, towns=[t for t in TOWNS if t[2] == "Innlandet"]), "IN-")
    other = _prefixed(generate_region(
        ELSEWHERE_FLOWS, seed=6, towns=[t for t in TOWNS if t[2] != "Innlandet"]), "NO-")
    return Dataset(companies=cases.companies + inland.companies + other.companies,
                   flows=tuple(flows) + inland.flows + other.flows,
                   processes=cases.processes, parks=cases.parks + inland.parks + other.parks)


def build_network_world(folder: Path, case_files: list[Path]) -> tuple[Path, Path]:
    """Write ``store.db`` and ``users.sqlite`` into ``folder``."""
    from web.db import Accounts

    data = network_dataset(case_files)
    store = EmbeddedStore(folder / "store.db")
    store.load(data)
    cands = list(match_dataset(data))
    store.replace_candidates(cands)
    synthetic = [c for c in cands if c.supply_flow.startswith(("IN-", "NO-"))]
    for i, c in enumerate(synthetic[:60]):  # the best 60: exchanges of every status
        store.put_exchange(Exchange(id=f"X-NET-{i:03d}", supply_flow=c.supply_flow,
                                    demand_flow=c.demand_flow, amount=c.amount, unit=c.unit,
                                    status=STATUSES[i % len(STATUSES)], start_year=2024))
    store.put_exchange(Exchange(id=SECRET_EXCHANGE, supply_flow=SECRET_FLOW,
                                demand_flow=PARTNER_FLOW, amount=SECRET_AMOUNT, unit="t",
                                status="proposed", value_nok=1.0, co2_avoided_t=1.0))
    accounts = Accounts(folder / "users.sqlite")
    for name, (role, cluster, county) in USERS.items():
        accounts.add(name, PASSWORD, role, cluster=cluster, county=county)
    accounts.close()
    return folder / "store.db", folder / "users.sqlite"
