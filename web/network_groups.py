"""The groups of a network picture, and where its nodes start.

A picture of more than one county is grouped by county; a group, or a picture, of more
than :data:`SPLIT_ABOVE` companies is divided by municipality, and a municipality by
park. The page draws each group as one vis-network cluster that opens on double-click, so
a picture of the whole store starts as one node per county.

Positions are made here, in one pass and without physics, so that a group opened in the
browser has its companies laid out already: the companies of a group on a sunflower
(Vogel's spiral, ``r = c·sqrt(i)``, ``θ = i·137.5°``: even spacing, no overlap), the
groups inside a group on rings around the largest one, and the loose companies of a group
on the sunflower outside its groups. The browser's physics only refines this, then stops.

Examples
--------
>>> nodes = [{"id": f"c:{i}", "county": "A" if i < 3 else "B"} for i in range(5)]
>>> [(g.label, g.size) for g in group_nodes(nodes, levels=LEVELS, always=True)]
[('A', 3), ('B', 2)]
>>> nodes[0]["grp"], nodes[4]["grp"]
('county:A', 'county:B')
>>> discs = seed_positions(nodes, group_nodes(nodes, levels=LEVELS, always=True))
>>> len({(n["x"], n["y"]) for n in nodes}), sorted(discs)
(5, ['county:A', 'county:B'])
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LEVELS", "SPLIT_ABOVE", "SPACING", "Group", "group_nodes", "seed_positions"]

#: the places a picture is grouped by, outermost first (keys of the node dicts)
LEVELS = ("county", "municipality", "park")
#: a group of more companies than this is divided by the next level
SPLIT_ABOVE = 30
#: the sunflower's constant (px): neighbours end up about 1.8 times this apart
SPACING = 110.0
_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


@dataclass(frozen=True)
class Group:
    """A group of nodes: ``kind`` is a level of :data:`LEVELS`; ``parent`` the group it
    lies in (``None``: the picture); ``size`` the nodes in it and its subgroups; ``depth``
    0 at the top; ``single``: drawn as a group even when it holds one node."""

    id: str
    label: str
    kind: str
    parent: str | None
    size: int
    depth: int
    single: bool = False


def group_nodes(nodes: list[dict[str, Any]], *, levels: Sequence[str],
                always: bool = False, split_above: int = SPLIT_ABOVE,
                names: Mapping[str, str] | None = None) -> list[Group]:
    """Group ``nodes`` by ``levels``, outermost first; set each node's ``grp`` to the
    innermost group it is in. ``always``: group by the first level however few nodes
    there are (every value a group, even of one node). A place holding one node is no
    group below the first level; ``names`` gives groups' labels by value (park names).
    The groups come innermost first, the order the page clusters them in."""
    out: list[Group] = []
    _split(nodes, list(levels), None, always, split_above, names or {}, out, 0)
    return sorted(out, key=lambda g: -g.depth)


def _split(members: list[dict[str, Any]], levels: list[str], parent: str | None,
           always: bool, split_above: int, names: Mapping[str, str], out: list[Group],
           depth: int) -> None:
    if not levels or (len(members) <= split_above and not always):
        return
    kind = levels[0]
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in members:
        by[str(n.get(kind) or "")].append(n)
    named = {k: v for k, v in by.items() if k and (always or len(v) >= 2)}
    if not always and len(by) == 1:  # all in one place: this level tells nothing
        _split(members, levels[1:], parent, False, split_above, names, out, depth)
        return
    for value in sorted(named):
        group = named[value]
        gid = f"{parent}/{kind}:{value}" if parent else f"{kind}:{value}"
        out.append(Group(gid, names.get(value, value), kind, parent, len(group), depth,
                         single=always))
        for n in group:
            n["grp"] = gid
        _split(group, levels[1:], gid, False, split_above, names, out, depth + 1)


def seed_positions(nodes: list[dict[str, Any]], groups: Sequence[Group], *,
                   spacing: float = SPACING) -> dict[str, tuple[float, float, float]]:
    """Set each node's ``x`` and ``y``: the layout in the module docstring. Returns the
    disc each group was given (centre x, centre y, radius): its nodes lie in it, and the
    discs of groups in the same group do not overlap."""
    inner: dict[str | None, list[Group]] = defaultdict(list)
    for g in groups:
        inner[g.parent].append(g)
    loose: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        loose[n.get("grp")].append(n)
    Placed = list[tuple[dict[str, Any], float, float]]
    Discs = list[tuple[str, float, float, float]]

    def place(gid: str | None) -> tuple[float, Placed, Discs]:
        """Group ``gid``'s radius, and its nodes' and subgroups' offsets from its centre."""
        parts = sorted(((place(g.id), g.id) for g in inner[gid]), key=lambda p: -p[0][0])
        out: Placed = []
        discs: Discs = []
        reach = 0.0
        centres = _rings([p[0][0] for p in parts], spacing)
        for ((radius, members, sub), child), (cx, cy) in zip(parts, centres, strict=True):
            out += [(n, cx + x, cy + y) for n, x, y in members]
            discs += [(k, cx + x, cy + y, r) for k, x, y, r in sub]
            discs.append((child, cx, cy, radius))
            reach = max(reach, math.hypot(cx, cy) + radius)
        # the loose nodes on the sunflower, outside the groups
        first = math.ceil(((reach + spacing) / spacing) ** 2) if parts else 0
        for i, n in enumerate(sorted(loose[gid], key=lambda n: str(n.get("id")))):
            j = first + i + 1
            r, theta = spacing * math.sqrt(j), j * _GOLDEN
            out.append((n, r * math.cos(theta), r * math.sin(theta)))
            reach = max(reach, r)
        return reach + spacing / 2, out, discs

    _, placed, discs = place(None)
    for n, x, y in placed:
        n["x"], n["y"] = round(x), round(y)
    return {k: (x, y, r) for k, x, y, r in discs}


def _rings(radii: list[float], gap: float) -> list[tuple[float, float]]:
    """Centres for circles of ``radii`` (largest first): the first in the middle, the
    others on rings around it, each ring outside the one before."""
    if not radii:
        return []
    out = [(0.0, 0.0)]
    if len(radii) == 1:
        return out
    ring = radii[0] + gap + radii[1]
    widest, angle = radii[1], 0.0
    for r in radii[1:]:
        need = 2 * math.asin(min(1.0, (r + gap / 2) / ring))
        if angle and angle + need > 2 * math.pi:  # this ring is full
            ring += widest + gap + r
            widest, angle = r, 0.0
            need = 2 * math.asin(min(1.0, (r + gap / 2) / ring))
        theta = angle + need / 2
        out.append((ring * math.cos(theta), ring * math.sin(theta)))
        angle += need
    return out
