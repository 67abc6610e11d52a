"""ORM expressions and queries compiled to SQL once per process, then reused.

Rules are written once as ORM expressions (offers/rules.py, accounts/policy.py). A few
of them run on every request of the busiest pages (an offer's display status, a
person's roles and venues), where building and compiling the expression cost more than
running the query (4 ms for the display status, measured in docs/performance.md). So
they are compiled once with *slots*, sentinel values that mark where the request's own
values go (now, today, a user id), and each request only swaps the values in.

The compiled SQL refers to the outer table by its name ("offers_offer"): use a
compiled expression on a top-level query of its model, not inside a sub-query.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Expression, Field, Model, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

# Values no real data holds: each slot gets its own, so its places in the params are found.
_SENTINEL = {
    "datetime": lambda i: datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(seconds=i),
    "date": lambda i: date(1901, 2, 3) + timedelta(days=i),
    "int": lambda i: -987_654_300 - i,
}


def _adapt(connection, kind: str, value):
    if kind == "datetime":
        return connection.ops.adapt_datetimefield_value(value)
    if kind == "date":
        return connection.ops.adapt_datefield_value(value)
    return value


class _Compiled:
    def __init__(self, slots: dict[str, str]) -> None:
        self.slots = slots  # name -> kind
        self.sentinels = {name: _SENTINEL[kind](i) for i, (name, kind) in enumerate(slots.items())}
        self._sql: dict[str, tuple[str, list]] = {}

    def _positions(self, connection, params) -> list:
        """Each param: ("slot", name) where a sentinel stands, ("value", v) elsewhere."""
        adapted = {
            repr(_adapt(connection, self.slots[name], value)): name
            for name, value in self.sentinels.items()
        }
        return [("slot", adapted[repr(p)]) if repr(p) in adapted else ("value", p) for p in params]

    def params(self, alias: str, values: dict[str, Any]) -> tuple[str, list]:
        sql, positions = self._sql[alias]
        connection = connections[alias]
        return sql, [
            _adapt(connection, self.slots[v], values[v]) if kind == "slot" else v
            for kind, v in positions
        ]


class CompiledExpression(_Compiled):
    """`build(**slots)` returns an ORM expression over `model`; `compiled(**values)` gives
    the same expression as RawSQL with the values swapped in."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., Expression],
        output_field: Field,
        slots: dict[str, str],
    ) -> None:
        super().__init__(slots)
        self.model, self.build, self.output_field = model, build, output_field

    def __call__(self, *, using: str = "default", **values) -> RawSQL:
        if using not in self._sql:
            query = self.model._default_manager.all().query
            expression = self.build(**{k: Value(v) for k, v in self.sentinels.items()})
            resolved = expression.resolve_expression(query, allow_joins=False)
            connection = connections[using]
            sql, params = query.get_compiler(using).compile(resolved)
            self._sql[using] = (sql, self._positions(connection, params))
        sql, params = self.params(using, values)
        return RawSQL(sql, params, output_field=self.output_field)  # noqa: S611 - compiled ORM


class CompiledQuery(_Compiled):
    """`build(**slots)` returns a QuerySet; `sql(**values)` gives its SQL and params."""

    def __init__(self, build: Callable[..., QuerySet], slots: dict[str, str]) -> None:
        super().__init__(slots)
        self.build = build

    def sql(self, *, using: str = "default", **values) -> tuple[str, list]:
        if using not in self._sql:
            sql, params = self.build(**self.sentinels).query.sql_with_params()
            self._sql[using] = (sql, self._positions(connections[using], params))
        return self.params(using, values)


def aware(value):
    """A date-time read by a raw cursor: PostgreSQL gives datetimes, SQLite ISO strings
    (in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def fetch_dicts(compiled: CompiledQuery, **values) -> list[dict]:
    """Run a compiled query; its rows as dicts (column name → value)."""
    sql, params = compiled.sql(**values)
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
