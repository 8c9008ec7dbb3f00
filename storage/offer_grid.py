"""The 0.1° grid of local matching's geographic index.

Geography: each offer with coordinates has a ``grid_cell``, its 0.1° cell (about 11 km north-south,
7–8 km east-west in metropolitan France) as one integer, ``(floor(lat × 10) + 900) × 10000 +
floor(lon × 10) + 1800``. The cells of one row of latitude are consecutive integers, so the box
around a point is one ``BETWEEN`` per row of cells; with the index ``(rome_code, grid_cell,
created_at)`` a look-up reads, per ROME code and per row, only the offers of those cells, and
the exact great-circle distance is then computed on those candidates alone.
"""

from __future__ import annotations

import math

from ft_client.referential import EARTH_RADIUS_KM

CELLS_PER_DEGREE = 10  # 0.1° cells
_LAT_CELLS = 180 * CELLS_PER_DEGREE
_LON_CELLS = 360 * CELLS_PER_DEGREE
_ROW_STRIDE = 10_000  # > _LON_CELLS: one row of latitude is one run of consecutive integers
_EDGE_MARGIN_DEGREES = 1e-6  # rounding of float degrees at a cell's edge: one cell too many


def grid_cell(latitude: float, longitude: float) -> int:
    """The 0.1° cell of a point, as one integer (see the module docstring)."""
    row = min(math.floor(latitude * CELLS_PER_DEGREE) + _LAT_CELLS // 2, _LAT_CELLS - 1)
    column = math.floor(longitude * CELLS_PER_DEGREE) + _LON_CELLS // 2
    return row * _ROW_STRIDE + column % _LON_CELLS


def cell_ranges(latitude: float, longitude: float, radius_km: float) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` cell ranges covering every point within ``radius_km``.

    A superset: the box's corners are outside the circle, and a longitude range that crosses
    ±180° or a box reaching a pole takes whole rows.
    """
    delta_lat = math.degrees(radius_km / EARTH_RADIUS_KM) + _EDGE_MARGIN_DEGREES
    low_lat, high_lat = latitude - delta_lat, latitude + delta_lat
    first_row = max(math.floor(low_lat * CELLS_PER_DEGREE) + _LAT_CELLS // 2, 0)
    last_row = min(math.floor(high_lat * CELLS_PER_DEGREE) + _LAT_CELLS // 2, _LAT_CELLS - 1)
    widest = max(abs(low_lat), abs(high_lat))
    columns: list[tuple[int, int]]
    if widest >= 90 - _EDGE_MARGIN_DEGREES:
        columns = [(0, _LON_CELLS - 1)]
    else:
        delta_lon = delta_lat / math.cos(math.radians(widest)) + _EDGE_MARGIN_DEGREES
        if delta_lon >= 180:
            columns = [(0, _LON_CELLS - 1)]
        else:
            first = math.floor((longitude - delta_lon) * CELLS_PER_DEGREE) + _LON_CELLS // 2
            last = math.floor((longitude + delta_lon) * CELLS_PER_DEGREE) + _LON_CELLS // 2
            if first < 0:
                columns = [(first + _LON_CELLS, _LON_CELLS - 1), (0, last)]
            elif last >= _LON_CELLS:
                columns = [(first, _LON_CELLS - 1), (0, last - _LON_CELLS)]
            else:
                columns = [(first, last)]
    return [
        (row * _ROW_STRIDE + first, row * _ROW_STRIDE + last)
        for row in range(first_row, last_row + 1)
        for first, last in columns
    ]
