"""Venues nearest first from an index (PostgreSQL): the stored `mercator_point` column
of accounts/migrations/0010_venue_mercator_point.py and its GiST index, ordered by `<->`
from the chosen point (offers/selectors/catalog.py). SQLite (development) orders by a
squared distance computed per row instead.

A point is placed by the Mercator projection, here and in the migration's generated
column (the two copies of one formula: tests/offers/test_catalog_sorted.py proves they
agree): x = radians(longitude), y = ln(tan(pi/4 + radians(latitude)/2)), the latitude
held within ±85°. Only the order comes from the plane; the cards' « à 3,1 km » is the
great-circle distance (accounts/geo.py `distance_km`).
"""

from __future__ import annotations

import math

from django.db.models import BooleanField, F, FloatField, Func

from accounts.geo import Point

MAX_LATITUDE = 85.0


def mercator(point: Point) -> tuple[float, float]:
    """The plane's (x, y) of a latitude and longitude."""
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, point.latitude))
    return (
        math.radians(point.longitude),
        math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)),
    )


class VenuePosition(Func):
    """The `mercator_point` column of the venue reached through `venue` (its alias in
    the query, a join from offers included). Not a Django field: every read of a venue
    would carry it."""

    output_field = FloatField()  # only inside DistanceFrom

    def __init__(self, venue: str = "venue") -> None:
        # The venue's latitude, resolved, gives the alias of the venue's table ("": the
        # query's own venues).
        super().__init__(F(f"{venue}__latitude" if venue else "latitude"))

    def as_sql(self, compiler, conn, **extra):
        column = self.source_expressions[0]
        return f'{compiler.quote_name(column.alias)}."mercator_point"', []


class DistanceFrom(Func):
    """`position <-> point(x, y)`: the plane's distance from `near`, which the GiST index
    orders by (NULL, last, for a venue without coordinates)."""

    output_field = FloatField()

    def __init__(self, position: VenuePosition, near: Point) -> None:
        super().__init__(position)
        self.near = near

    def as_sql(self, compiler, conn, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} <-> point(%s, %s))", [*params, *mercator(self.near)]


class WithinCircle(Func):
    """`position <@ circle(point(x, y), radius)`: within `radius` of `near` in the plane,
    a condition the GiST index answers."""

    output_field = BooleanField()

    def __init__(self, position: VenuePosition, near: Point, radius) -> None:
        super().__init__(position, radius)
        self.near = near

    def as_sql(self, compiler, conn, **extra):
        position, params = compiler.compile(self.source_expressions[0])
        radius, radius_params = compiler.compile(self.source_expressions[1])
        sql = f"({position} <@ circle(point(%s, %s), {radius}))"
        return sql, [*params, *mercator(self.near), *radius_params]
