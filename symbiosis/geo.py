"""Great-circle distances and unit-sphere coordinates for the spatial index."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_scalar", "unit_vectors",
           "chord_for_km"]

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
                 ) -> NDArray[np.float64]:
    """Great-circle distance in km, element-wise.

    >>> round(float(haversine_km(59.91, 10.75, 60.39, 5.32)), 0)  # Oslo - Bergen
    305.0
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))),
                      dtype=np.float64)


def haversine_km_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def unit_vectors(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.float64]:
    """Points on the unit sphere: Euclidean (chord) distance grows with great-circle distance,
    so a KD-tree over them answers 'within D km' exactly."""
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def chord_for_km(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km."""
    angle = min(km / EARTH_RADIUS_KM, math.pi)
    return 2 * math.sin(angle / 2)
