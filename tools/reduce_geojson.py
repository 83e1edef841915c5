"""Make the map's shipped base layers from Kartverket's coastline, counties and
municipalities as simplified by robhop/fylker-og-kommuner (see
``web/static/geo/SOURCE.md``).

    python tools/reduce_geojson.py SOURCE_DIR [web/static/geo]

``SOURCE_DIR`` holds ``Norge-S.geojson``, ``Fylker-S.geojson`` and ``Kommuner-S.geojson``.
Each position is rounded to 4 decimals (about 11 m north-south, 5 m east-west at 60° N),
repeated positions are dropped, rings left with fewer than four positions are dropped,
the properties are cut to the numbers and names, and counties and municipalities get a
``label`` position: the point of their largest polygon farthest from its edges, found on
a grid (a label placed there lies inside the area, as a bounding-box centre need not).
Written as compact UTF-8 JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

DECIMALS = 4
LAYERS = {  # source file: (shipped file, properties kept, labelled)
    "Norge-S.geojson": ("norway.geojson", ("name",), False),
    "Fylker-S.geojson": ("counties.geojson", ("fylkesnummer", "fylkesnavn"), True),
    "Kommuner-S.geojson": ("municipalities.geojson", ("kommunenummer", "kommunenavn"), True),
}

Ring = list[list[float]]


def reduce_ring(ring: Ring) -> Ring | None:
    out: Ring = []
    for lon, lat in ring:
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or p != out[-1]:
            out.append(p)
    if out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def reduce_polygon(rings: list[Ring]) -> list[Ring] | None:
    outer = reduce_ring(rings[0])
    if outer is None:
        return None
    return [outer, *(r for r in map(reduce_ring, rings[1:]) if r is not None)]


def reduce_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    kept = [p for p in map(reduce_polygon, polygons) if p is not None]
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def _area(ring: Ring) -> float:
    x, y = np.asarray(ring).T
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def _inside(px: np.ndarray, py: np.ndarray, rings: list[Ring]) -> np.ndarray:
    """Even-odd rule over all rings (holes count)."""
    hit = np.zeros(px.shape, dtype=bool)
    for ring in rings:
        r = np.asarray(ring)
        x1, y1, x2, y2 = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
        crosses = ((y1[None, :] > py[:, None]) != (y2[None, :] > py[:, None])) & (
            px[:, None] < (x2 - x1)[None, :] * (py[:, None] - y1[None, :])
            / np.where(y2 == y1, 1e-12, y2 - y1)[None, :] + x1[None, :])
        hit ^= (crosses.sum(axis=1) % 2).astype(bool)
    return hit


def _edge_distance(px: np.ndarray, py: np.ndarray, rings: list[Ring], k: float
                   ) -> np.ndarray:
    """Distance of each point to the nearest edge, longitudes scaled by ``k``."""
    best = np.full(px.shape, np.inf)
    for ring in rings:
        r = np.asarray(ring)
        ax, ay, bx, by = r[:-1, 0] * k, r[:-1, 1], r[1:, 0] * k, r[1:, 1]
        qx, qy = px[:, None] * k, py[:, None]
        dx, dy = bx - ax, by - ay
        t = np.clip(((qx - ax) * dx + (qy - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-18),
                    0, 1)
        d = np.hypot(qx - (ax + t * dx), qy - (ay + t * dy))
        best = np.minimum(best, d.min(axis=1))
    return best


def label_point(geometry: dict[str, Any]) -> list[float]:
    """A point well inside the largest polygon: [lon, lat]."""
    polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                else geometry["coordinates"])
    rings = max(polygons, key=lambda p: _area(p[0]))
    outer = np.asarray(rings[0])
    k = float(np.cos(np.radians(outer[:, 1].mean())))
    (x0, y0), (x1, y1) = outer.min(axis=0), outer.max(axis=0)
    best = (float(outer[0, 0]), float(outer[0, 1]))
    for _ in range(3):  # a grid, then finer grids around the best point
        gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
        px, py = gx.ravel(), gy.ravel()
        inside = _inside(px, py, rings)
        if not inside.any():
            break
        px, py = px[inside], py[inside]
        i = int(np.argmax(_edge_distance(px, py, rings, k)))
        best = (float(px[i]), float(py[i]))
        wx, wy = (x1 - x0) / 8, (y1 - y0) / 8
        x0, x1, y0, y1 = best[0] - wx, best[0] + wx, best[1] - wy, best[1] + wy
    return [round(best[0], DECIMALS), round(best[1], DECIMALS)]


def reduce_file(source: Path, target: Path, keep: tuple[str, ...], labelled: bool) -> None:
    doc = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for f in doc["features"]:
        geometry = reduce_geometry(f["geometry"])
        properties = {k: f["properties"][k] for k in keep}
        if labelled:
            properties["label"] = label_point(geometry)
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    out = {"type": "FeatureCollection", "features": features}
    target.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n",
                      encoding="utf-8")


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent.parent / "web" / \
        "static" / "geo"
    for name, (shipped, keep, labelled) in LAYERS.items():
        reduce_file(source / name, target / shipped, keep, labelled)
        print(f"{name} -> {target / shipped}: {(target / shipped).stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
