"""Searching stored candidates by place, resource, distance and value.

A :class:`CandidateIndex` holds the candidates of one store state as columns (with each
side's county and municipality joined in), so a search is a few vectorised comparisons
rather than a loop over every candidate. Used by the web front end and the API.

A reader from whom some flows are hidden searches on what it sees (``hidden_flows``): a
candidate touching a hidden flow has no value, CO2, amount or score for it (such filters
never pass it, such sorts put it last), its distance is the upper end of its band
(:func:`symbiosis.disclosure.distance_band`), and its hidden side names no company, so a
company filter does not find it through that side. Filters can then not be used to
bisect a hidden figure.

Examples
--------
>>> from symbiosis.model import Candidate, Company, Dataset
>>> a = Company("A", "A", 60.0, 10.0, county="Innlandet", municipality="Våler")
>>> b = Company("B", "B", 60.0, 10.1, county="Innlandet", municipality="Åsnes")
>>> c = Candidate("fa", "fb", "A", "B", "waste_heat", "heat", 5.6, "heat_pipe", 10.0,
...               "MWh", 1.0, 300.0, 0.2, 0.0, 2990.0, 2.0, 0.9)
>>> index = CandidateIndex(Dataset(companies=(a, b)), [c])
>>> index.search(municipality="Åsnes").total
1
>>> index.search(max_distance_km=5).total
0
>>> index.search(max_distance_km=6, hidden_flows={"fa"}).total  # 5.6 km is in 5-20 km
0
>>> index.search(company="A", hidden_flows={"fa"}).total
0
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .disclosure import DISTANCE_BANDS_KM
from .model import Candidate, Dataset

__all__ = ["CandidateIndex", "SearchResult", "SORT_KEYS"]

SORT_KEYS = ("score", "distance_km", "value_nok", "co2_avoided_t", "amount")


@dataclass(frozen=True)
class SearchResult:
    """Positions into the index's candidates (sorted, one page of them) and the match count."""

    positions: tuple[int, ...]
    total: int


class CandidateIndex:
    """Candidates of one store state, searchable by columns."""

    def __init__(self, data: Dataset, candidates: Sequence[Candidate]):
        self.candidates = candidates
        county = {c.id: c.county or "" for c in data.companies}
        municipality = {c.id: c.municipality or "" for c in data.companies}
        supply = [c.supply_company for c in candidates]
        demand = [c.demand_company for c in candidates]

        def col(values: list[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        self._frame = pd.DataFrame({
            "supply_flow": pd.Categorical([c.supply_flow for c in candidates]),
            "demand_flow": pd.Categorical([c.demand_flow for c in candidates]),
            "supply_company": pd.Categorical(supply),
            "demand_company": pd.Categorical(demand),
            "supply_county": pd.Categorical([county.get(s, "") for s in supply]),
            "demand_county": pd.Categorical([county.get(d, "") for d in demand]),
            "supply_municipality": pd.Categorical([municipality.get(s, "") for s in supply]),
            "demand_municipality": pd.Categorical([municipality.get(d, "") for d in demand]),
            "resource": pd.Categorical([c.resource for c in candidates]),
            "demand_resource": pd.Categorical([c.demand_resource for c in candidates]),
            "distance_km": col([c.distance_km for c in candidates]),
            "value_nok": col([c.value_nok for c in candidates]),
            "co2_avoided_t": col([c.co2_avoided_t for c in candidates]),
            "amount": col([c.amount for c in candidates]),
            "score": col([c.score for c in candidates]),
        })

    def __len__(self) -> int:
        return len(self.candidates)

    def search(self, *, county: str | None = None, municipality: str | None = None,
               resource: str | None = None, max_distance_km: float | None = None,
               min_value_nok: float | None = None, company: str | None = None,
               companies: Collection[str] | None = None, sort: str = "score",
               descending: bool | None = None, offset: int = 0,
               limit: int | None = None,
               hidden_flows: Collection[str] = ()) -> SearchResult:
        """Candidates with either side in ``county`` / ``municipality`` / ``companies``
        (or the given ``company``), either resource equal to ``resource``, at most
        ``max_distance_km`` away and worth at least ``min_value_nok`` a year (a candidate
        of unknown value does not pass a value filter). ``sort`` is one of
        :data:`SORT_KEYS`; unknown values sort last. ``hidden_flows``: flows the reader may
        not see, searched as the module docstring says."""
        if sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
        f = self._frame
        mask = np.ones(len(f), dtype=bool)
        hidden = list(hidden_flows)
        supply_hidden = (f["supply_flow"].isin(hidden).to_numpy() if hidden
                         else np.zeros(len(f), dtype=bool))
        demand_hidden = (f["demand_flow"].isin(hidden).to_numpy() if hidden
                         else np.zeros(len(f), dtype=bool))
        secret = supply_hidden | demand_hidden
        if county:
            mask &= ((f["supply_county"] == county) | (f["demand_county"] == county)).to_numpy()
        if municipality:
            mask &= ((f["supply_municipality"] == municipality)
                     | (f["demand_municipality"] == municipality)).to_numpy()
        if resource:
            mask &= ((f["resource"] == resource) | (f["demand_resource"] == resource)).to_numpy()
        if company:
            mask &= (((f["supply_company"] == company).to_numpy() & ~supply_hidden)
                     | ((f["demand_company"] == company).to_numpy() & ~demand_hidden))
        if companies is not None:
            keep = list(companies)
            mask &= ((f["supply_company"].isin(keep).to_numpy() & ~supply_hidden)
                     | (f["demand_company"].isin(keep).to_numpy() & ~demand_hidden))
        if max_distance_km is not None:
            mask &= self._seen(f, "distance_km", secret) <= max_distance_km
        if min_value_nok is not None:
            mask &= np.nan_to_num(self._seen(f, "value_nok", secret),
                                  nan=-np.inf) >= min_value_nok
        hits = np.flatnonzero(mask)
        if descending is None:
            descending = sort != "distance_km"
        # a hidden row's band is not an order: it sorts with the unknown values
        keys = np.where(secret, np.nan, f[sort].to_numpy())[hits]
        keys = np.where(np.isnan(keys), np.inf, -keys if descending else keys)
        order = hits[np.lexsort((hits, keys))]  # stable: ties keep the stored order
        end = None if limit is None else offset + limit
        return SearchResult(positions=tuple(int(i) for i in order[offset:end]),
                            total=int(len(hits)))

    @staticmethod
    def _seen(f: pd.DataFrame, column: str, secret: np.ndarray) -> np.ndarray:
        """A column as the reader sees it: hidden rows unknown, their distance banded."""
        values = f[column].to_numpy()
        if not secret.any():
            return values
        if column == "distance_km":
            edges = np.asarray(DISTANCE_BANDS_KM[1:])
            upper = edges[np.searchsorted(edges, values, side="right")
                          .clip(0, len(edges) - 1)]
            return np.where(secret, upper, values)
        return np.where(secret, np.nan, values)
