"""The store as the front end sees it: one store per app, and a cached snapshot of it.

Every page reads from a :class:`Snapshot` (dataset, candidates, exchanges and a search
index) that is rebuilt only when the store's revision changes, or after ``CACHE_SECONDS``
for stores that cannot report a revision. Writes go through :func:`write`, which holds the
app's store lock and drops the snapshot.
"""

from __future__ import annotations

import bisect
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context

from graph import Store, StoreChanges, open_store
from symbiosis import services
from symbiosis.model import Candidate, Company, Dataset, Exchange, Flow, Plan
from symbiosis.places import default_register
from symbiosis.search import CandidateIndex
from symbiosis.taxonomy import Taxonomy, default_taxonomy, load_taxonomy

__all__ = ["Snapshot", "get_store", "snapshot", "write", "taxonomy", "init_app"]

T = TypeVar("T")


@dataclass
class Snapshot:
    data: Dataset
    candidates: list[Candidate]
    exchanges: list[Exchange]
    plans: list[Plan]
    companies: dict[str, Company] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @functools.cached_property
    def index(self) -> CandidateIndex:
        """The candidate search, built when a page first searches."""
        return CandidateIndex(self.data, self.candidates)

    @property
    def counties(self) -> list[str]:
        """The 15 counties of the register, for drop-downs and filters (never the free
        text stored with a company)."""
        return default_register().county_names()

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per snapshot and key (figures that read the whole store)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    @classmethod
    def of(cls, store: Store) -> Snapshot:
        data = store.dataset()
        return cls(data=data, candidates=store.candidates(), exchanges=store.exchanges(),
                   plans=store.plans(), companies={c.id: c for c in data.companies},
                   flows={f.id: f for f in data.flows})

    def refreshed(self, store: Store, changes: StoreChanges) -> Snapshot:
        """This snapshot with what ``changes`` names read again: the rows a write touched,
        not the store."""
        companies = _replaced(self.companies, changes.companies, store.companies_by_id)
        flows = _replaced(self.flows, changes.flows, store.flows_by_id)
        data = Dataset(
            companies=tuple(companies[k] for k in sorted(companies)),
            flows=tuple(flows[k] for k in sorted(flows)),
            processes=tuple(store.processes()) if changes.processes else self.data.processes,
            parks=tuple(store.parks()) if changes.parks else self.data.parks)
        if changes.all_candidates:
            candidates = store.candidates()
        elif changes.candidates_of:
            scope = changes.candidates_of
            candidates = [c for c in self.candidates
                          if c.supply_flow not in scope and c.demand_flow not in scope]
            came = store.candidates_of(scope)  # best first, as stored
            if len(came) <= _INSERT_AT_MOST:
                for c in came:
                    bisect.insort(candidates, c, key=_rank)
            else:  # one sort merges the two best-first runs (an insertion moves the list)
                candidates += came
                candidates.sort(key=_rank)
        else:
            candidates = self.candidates
        exchanges, plans = self.exchanges, self.plans
        if changes.exchanges or len(changes.exchanges_of) > _INSERT_AT_MOST:
            exchanges, plans = store.exchanges(), store.plans()
        elif changes.exchanges_of:  # a status advanced, a flow's exchanges deleted
            ids = changes.exchanges_of
            exchanges = sorted([*(e for e in exchanges if e.id not in ids),
                                *(e for i in ids if (e := store.exchange(i)) is not None)],
                               key=lambda e: e.id)
        return Snapshot(data=data, candidates=candidates, exchanges=exchanges, plans=plans,
                        companies=companies, flows=flows)


#: candidates a write brings that are put in place one by one; more are merged by a sort
_INSERT_AT_MOST = 200


def _rank(c: Candidate) -> tuple[float, str, str]:
    return (-c.score, c.supply_flow, c.demand_flow)


def _replaced(current: dict[str, T], ids: frozenset[str],
              read: Callable[[frozenset[str]], list[Any]]) -> dict[str, T]:
    if not ids:
        return current
    out = {k: v for k, v in current.items() if k not in ids}
    out.update((x.id, x) for x in read(ids))
    return out


class _State:
    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.RLock()
        self.store: Store | None = None
        self.snapshot: Snapshot | None = None
        self.revision: Any = None
        self.taken_at = 0.0
        self.taxonomy: Taxonomy | None = None
        #: the taxonomy with the store's CO2 factor sets and choices, and when it was read
        self.store_taxonomy: Taxonomy | None = None
        self.store_taxonomy_at: tuple[Any, float] = (None, 0.0)


def init_app(app: Flask) -> None:
    app.extensions["symbiosis"] = _State(app)


def _state() -> _State:
    return current_app.extensions["symbiosis"]  # type: ignore[no-any-return]


def get_store() -> Store:
    st = _state()
    with st.lock:
        if st.store is None:
            st.store = open_store(current_app.config["STORE_URL"])
        return st.store


def taxonomy() -> Taxonomy:
    """The taxonomy (with the override file, when configured) and the CO2 factor sets and
    choices kept in the store, read again when the store changes (once per request)."""
    if has_request_context() and "symbiosis_taxonomy" in g:
        return g.symbiosis_taxonomy  # type: ignore[no-any-return]
    st = _state()
    if st.taxonomy is None:
        factors = current_app.config.get("FACTORS")
        st.taxonomy = load_taxonomy(overrides=factors) if factors else default_taxonomy()
    store = get_store()
    with st.lock:
        revision = store.revision()
        read_revision, read_at = st.store_taxonomy_at
        fresh = st.store_taxonomy is not None and (
            revision == read_revision if revision is not None else
            time.monotonic() - read_at < current_app.config["CACHE_SECONDS"])
        if not fresh:
            st.store_taxonomy = services.store_taxonomy(store, st.taxonomy)
            st.store_taxonomy_at = (revision, time.monotonic())
        assert st.store_taxonomy is not None
        if has_request_context():
            g.symbiosis_taxonomy = st.store_taxonomy
        return st.store_taxonomy


def snapshot() -> Snapshot:
    """The current snapshot, rebuilt when the store has changed."""
    st = _state()
    store = get_store()
    with st.lock:
        revision = store.revision()
        fresh = (st.snapshot is not None and
                 (revision == st.revision if revision is not None else
                  time.monotonic() - st.taken_at < current_app.config["CACHE_SECONDS"]))
        if not fresh:
            changes = (store.changes_since(st.revision)
                       if st.snapshot is not None and revision is not None else None)
            if changes is not None and not changes.everything:
                assert st.snapshot is not None
                st.snapshot = st.snapshot.refreshed(store, changes)
                revision = changes.revision
            else:
                st.snapshot = Snapshot.of(store)
            st.revision, st.taken_at = revision, time.monotonic()
        assert st.snapshot is not None
        return st.snapshot


def write(change: Callable[[Store], T]) -> T:
    """Run ``change`` on the store under the app's lock. The next read refreshes the
    snapshot with what the write touched (or drops it, for a store that cannot tell)."""
    st = _state()
    store = get_store()
    with st.lock:
        try:
            return change(store)
        finally:
            if store.revision() is None:
                st.snapshot = None


def close(app: Flask) -> None:
    st: _State = app.extensions["symbiosis"]
    if st.store is not None:
        st.store.close()
        st.store = None
