"""The one small storage interface; :class:`EmbeddedStore` and :class:`Neo4jStore` implement it.

Every write method is one transaction: it either lands whole or leaves the store as it was.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from symbiosis.model import (
    Candidate,
    Company,
    Dataset,
    Exchange,
    Flow,
    FlowPoint,
    Park,
    Plan,
    Process,
)

__all__ = ["Store", "CandidatePatch", "StoreChanges"]


@dataclass(frozen=True)
class StoreChanges:
    """What the writes since a revision touched, for readers that keep a copy (the web
    snapshot): ids of companies, flows, processes and parks written or deleted; flows
    whose candidates were replaced; exchanges written or deleted with no plan written
    (``exchanges_of``); whether all candidates, the exchanges and plans, or everything
    changed."""

    revision: object
    companies: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()
    processes: frozenset[str] = frozenset()
    parks: frozenset[str] = frozenset()
    candidates_of: frozenset[str] = frozenset()
    all_candidates: bool = False
    exchanges: bool = False
    everything: bool = False
    exchanges_of: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CandidatePatch:
    """Fresh candidates for part of the store: every stored candidate with an end in
    ``flows`` is dropped and ``candidates`` are stored, in the same transaction as the
    write they come with."""

    flows: frozenset[str]
    candidates: Sequence[Candidate] = ()


class Store(ABC):
    """Graph storage of companies, flows, processes, parks, candidates, plans and exchanges."""

    url: str = ""

    # -- writes --------------------------------------------------------------
    @abstractmethod
    def load(self, data: Dataset, *, candidates: CandidatePatch | None = None) -> None:
        """Insert or update everything in ``data`` in one transaction (with the fresh
        ``candidates`` of what it touched, when given).

        Flows must belong to companies in ``data`` or in the store; process flows must exist.
        On any problem nothing is written and :class:`StoreConflictError` is raised.
        """

    @abstractmethod
    def delete_company(self, company_id: str, *,
                       candidates: CandidatePatch | None = None) -> None:
        """Delete a company with its flows, processes, candidates and exchanges."""

    @abstractmethod
    def delete_flow(self, flow_id: str, *, candidates: CandidatePatch | None = None) -> None:
        """Delete a flow with its candidates and exchanges (processes keep other flows)."""

    @abstractmethod
    def replace_candidates(self, candidates: Sequence[Candidate], *,
                           flows: Collection[str] | None = None) -> None:
        """Replace all stored candidates (matching re-run as a whole), or with ``flows``
        only those with an end in ``flows``."""

    @abstractmethod
    def save_plan(self, plan: Plan, exchanges: Sequence[Exchange]) -> None:
        """Store a plan and its ``exchanges`` as the live proposals of its scope
        (``plan.scope``): the *proposed* exchanges that earlier plans of the same scope
        made are dropped, and so is any proposal on a pair of flows the plan proposes
        again (one live proposal per pair). Proposals of other scopes and agreed,
        operating and ended exchanges are kept. Reads go through indexes: the work grows
        with the plans' rows, not with the store."""

    @abstractmethod
    def save_scenario(self, plan: Plan) -> None:
        """Store a plan as a named scenario (``plan.scenario``): the live proposals are
        left alone. Adopting it is :meth:`save_plan` of the plan with its exchanges."""

    @abstractmethod
    def put_exchange(self, exchange: Exchange) -> None:
        """Insert or replace one exchange (status changes keep their history in it)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    @abstractmethod
    def put_setting(self, key: str, value: str) -> None:
        """Insert or replace one named setting kept with the data (the CO2 factor sets
        and choices, as JSON text)."""

    # -- reads ---------------------------------------------------------------
    @abstractmethod
    def dataset(self, *, county: str | None = None, municipality: str | None = None,
                park_id: str | None = None) -> Dataset:
        """Companies (optionally of one county, municipality or park) with their flows,
        processes and the parks they are in."""

    @abstractmethod
    def flows(self, *, company_id: str | None = None, resource: str | None = None,
              direction: str | None = None, county: str | None = None,
              park_id: str | None = None) -> list[Flow]:
        ...

    @abstractmethod
    def points(self, resources: Collection[str], *, south: float, west: float, north: float,
               east: float) -> list[FlowPoint]:
        """Where each flow of ``resources`` at a company inside the box is: what the search
        for an edited flow's partners reads before any flow in full."""

    @abstractmethod
    def candidates(self, *, company_id: str | None = None, flow_id: str | None = None,
                   county: str | None = None, resource: str | None = None) -> list[Candidate]:
        ...

    @abstractmethod
    def plans(self) -> list[Plan]:
        """Stored plans, newest first."""

    @abstractmethod
    def exchanges(self, *, status: str | None = None) -> list[Exchange]:
        ...

    @abstractmethod
    def value_chains(self, flow_id: str, *, max_steps: int = 3) -> list[tuple[str, ...]]:
        """Chains of flow ids starting at supply ``flow_id``: each step is a candidate link,
        and a demand that is an input of a process continues from that process's outputs.
        Up to ``max_steps`` links; sorted."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        ...

    @abstractmethod
    def settings(self) -> dict[str, str]:
        """Every setting stored with :meth:`put_setting`."""

    def close(self) -> None:  # noqa: B027 - optional for stores without resources
        """Release connections."""

    def revision(self) -> object | None:
        """A token that changes whenever the stored data changes, or ``None`` when the
        store cannot tell cheaply (callers then must not cache reads for long)."""
        return None

    # -- conveniences shared by both stores -------------------------------------
    def companies(self, *, county: str | None = None, municipality: str | None = None,
                  park_id: str | None = None) -> list[Company]:
        return list(self.dataset(county=county, municipality=municipality,
                                 park_id=park_id).companies)

    def company(self, company_id: str) -> Company | None:
        return next((c for c in self.dataset().companies if c.id == company_id), None)

    def processes(self, *, company_id: str | None = None) -> list[Process]:
        return [p for p in self.dataset().processes
                if company_id is None or p.company_id == company_id]

    def parks(self) -> list[Park]:
        return list(self.dataset().parks)

    @abstractmethod
    def flows_by_id(self, ids: Collection[str]) -> list[Flow]:
        """The stored flows among ``ids`` (unknown ids are left out)."""

    @abstractmethod
    def companies_by_id(self, ids: Collection[str]) -> list[Company]:
        """The stored companies among ``ids``."""

    @abstractmethod
    def kth_scores(self, flow_ids: Collection[str], k: int) -> dict[str, float]:
        """Per flow of ``flow_ids``, the ``k``-th best score among its stored candidates
        (flows with fewer than ``k`` stored candidates are left out)."""

    def candidate_keys(self) -> set[tuple[str, str]]:
        """(supply flow, demand flow) of every stored candidate."""
        return {c.key for c in self.candidates()}

    def candidates_of(self, flow_ids: Collection[str]) -> list[Candidate]:
        """Stored candidates with an end in ``flow_ids`` (best first)."""
        wanted = set(flow_ids)
        return [c for c in self.candidates() if c.supply_flow in wanted
                or c.demand_flow in wanted]

    def changes_since(self, revision: object) -> StoreChanges | None:
        """What changed after ``revision``, or ``None`` when the store cannot tell (read
        everything again)."""
        return None

    def flow(self, flow_id: str) -> Flow | None:
        found = self.flows_by_id([flow_id])
        return found[0] if found else None

    def exchange(self, exchange_id: str) -> Exchange | None:
        return next((e for e in self.exchanges() if e.id == exchange_id), None)

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans() if p.id == plan_id), None)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
