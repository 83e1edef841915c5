"""Which cluster owns what, and which rows a cluster may write.

Every company belongs to one cluster (``Company.cluster``); its flows and processes
belong to the same cluster through it; a park has a cluster of its own. A company or
park without a cluster is the administrators'. A write on behalf of a cluster (the
``owner``) may create rows of that cluster and change rows it owns; every row that
touches an id owned by anyone else is refused, row by row. Moving a company to another
cluster is an administrator's act, not an import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import RowError
from .messages import row_error
from .model import Company, Dataset, Flow, Park, Process

__all__ = ["ownership_errors", "OTHER_CLUSTER", "Origins"]

#: where each object of an import came from: (kind, id) -> (file, row)
Origins = Mapping[tuple[str, str], tuple[str, int]]

OTHER_CLUSTER = "belongs to another cluster"


def _foreign(cluster: str | None) -> str:
    """The message code of a row about an id another cluster (or the admins) owns."""
    return "other_cluster" if cluster else "admins_only"


def ownership_errors(data: Dataset, owner: str, *, companies: Mapping[str, Company],
                     flows: Mapping[str, Flow], processes: Mapping[str, Process],
                     parks: Mapping[str, Park], origins: Origins | None = None
                     ) -> list[RowError]:
    """The rows of ``data`` that the cluster ``owner`` may not write.

    ``companies``, ``flows``, ``processes`` and ``parks`` are the stored objects with the
    ids of ``data`` (others may be there too), and ``companies`` also the stored companies
    those flows and processes belong to. ``origins`` names each row's file and number.

    >>> mine = Company("A1", "Mill", 60.0, 11.0, cluster="A")
    >>> theirs = Company("B1", "Smelter", 69.0, 18.0, cluster="B")
    >>> take = Dataset(companies=(Company("B1", "Smelter", 69.0, 18.0, cluster="A"),))
    >>> [(e.field, e.message) for e in ownership_errors(
    ...     take, "A", companies={"B1": theirs}, flows={}, processes={}, parks={})]
    [('id', 'belongs to another cluster')]
    """
    where = origins or {}
    new = {c.id: c for c in data.companies}
    errors: list[RowError] = []

    def error(kind: str, key: str, field: str, code: str, value: str, **params: Any) -> None:
        file, row = where.get((kind, key), (kind, 0))
        errors.append(row_error(file, row, field, code, value, kind="other_cluster",
                                **params))

    def cluster_of(company_id: str) -> tuple[bool, str | None]:
        """Whether the company is known, and its cluster before this write."""
        if company_id in companies:
            return True, companies[company_id].cluster
        if company_id in new:
            return True, new[company_id].cluster
        return False, None

    for kind, items, stored in (("companies", data.companies, companies),
                                ("parks", data.parks, parks)):
        for item in items:
            before = stored.get(item.id)
            if before is not None and before.cluster != owner:
                error(kind, item.id, "id", _foreign(before.cluster), item.id)
            elif item.cluster != owner:
                error(kind, item.id, "cluster", f"import_only_{kind}", item.cluster or "",
                      owner=owner)
    for kind, parts, was in (("flows", data.flows, flows),
                             ("processes", data.processes, processes)):
        for part in parts:
            old = was.get(part.id)
            if old is not None:
                _, cluster = cluster_of(old.company_id)
                if cluster != owner:
                    error(kind, part.id, "id", _foreign(cluster), part.id)
                    continue
            known, cluster = cluster_of(part.company_id)
            if known and cluster != owner:
                error(kind, part.id, "company_id", _foreign(cluster), part.company_id)
    return errors
