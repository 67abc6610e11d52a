"""French-aware text search, one form for every list that searches (the young people's
catalogue, the teachers' collective offers).

PostgreSQL: full-text search with our configuration `passlib_fr` (French stemming
after `unaccent`: « théâtre » and « theatre » are one word, « lectures » and « lecture »
one stem), created by offers/migrations/0017_search.py with, on each searched table,
a stored document column and its GIN index. SQLite (development): the same words
folded (accents and case, our `passlib_fold` function registered on each connection)
and crudely stemmed,
matched as substrings. Either way a query matches a document holding one of its
words; `rank` orders those holding more of them first (docs/offers.md).
"""

from __future__ import annotations

import unicodedata

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Contains
from django.dispatch import receiver

CONFIG = "passlib_fr"
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# Dropped from queries (PostgreSQL's French configuration drops them too).
_STOPWORDS = (
    "a au aux avec ce ces d dans de des du en et l la le les leur ma mes mon ne ou "
    "par pas pour qu que qui sa se ses son sur ta te tes ton un une vos votre"
)
STOPWORDS = frozenset(_STOPWORDS.split(" "))


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: « Théâtre d'ombres » →
    « theatre d ombres »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = decomposed.encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def terms(query: str) -> list[str]:
    """The words of a query worth searching: folded, without French stop words, at most
    `MAX_TERMS`, each cut to `MAX_TERM_LENGTH`."""
    words = []
    for word in fold(query).split():
        word = word[:MAX_TERM_LENGTH]
        if word not in STOPWORDS and word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def _stem(word: str) -> str:
    """SQLite's crude French stem: « lectures » → « lectur », « theatre » → « theatr »."""
    for suffix in ("s", "x"):
        if len(word) > 3 and word.endswith(suffix):
            word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


@receiver(connection_created)
def _register_fold(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("passlib_fold", 1, fold, deterministic=True)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class StoredDocument(Func):
    """The `search_document` column PostgreSQL keeps on each searched table
    (offers/migrations/0017_search.py: the offers' title weighted A and description C,
    a venue's name and commune; a GIN index), of the query's own table (its alias in a
    sub-select too). Not a Django field: every read of an offer would carry it."""

    output_field = FloatField()  # only inside Matches and Rank

    def __init__(self) -> None:
        super().__init__()

    def as_sql(self, compiler, conn, **extra):
        alias = compiler.query.get_initial_alias()
        return f'{compiler.quote_name(alias)}."search_document"', []


def _tsquery(words: list[str]) -> str:
    # Folded words are letters and digits only: nothing to escape in to_tsquery's syntax.
    return " | ".join(words)


class _WithQuery(Func):
    """A document and the query of some words: `template` says what to do with them
    (`{document}`, `{query}`)."""

    template_sql = ""

    def __init__(self, document: StoredDocument, words: list[str]) -> None:
        super().__init__(document)
        self.words = words

    def as_sql(self, compiler, conn, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        query = f"to_tsquery('{CONFIG}'::regconfig, %s)"
        return self.template_sql.format(document=sql, query=query), [
            *params,
            _tsquery(self.words),
        ]


class Matches(_WithQuery):
    """`document @@ to_tsquery('passlib_fr', 'w1 | w2')`."""

    output_field = BooleanField()
    template_sql = "({document} @@ {query})"


class Rank(_WithQuery):
    output_field = FloatField()
    template_sql = "ts_rank({document}, {query})"


def _folded(field: str) -> Func:
    return Func(F(field), function="passlib_fold")


def matching(fields: list[str], words: list[str]) -> Q:
    """Rows holding one of the words: in their stored document on PostgreSQL, in
    `fields` (folded) on SQLite."""
    if not words:
        return Q()
    if is_postgres():
        return Q(Matches(StoredDocument(), words))
    condition = Q()
    for word in words:
        condition |= _found(fields, word)
    return condition


def _found(fields: list[str], word: str) -> Q:
    stem = _stem(word)
    condition = Q()
    for field in fields:
        condition |= Q(Contains(_folded(field), stem))
    return condition


class AmongFound(Func):
    """`column = ANY(ARRAY(sub-select))` on PostgreSQL (`column IN (sub-select)` on
    SQLite): the sub-select runs once and its ids become an index condition, so an OR
    with a text match on the same table is one BitmapOr over both indexes (an `IN
    (sub-select)` in an OR is tested on every row instead)."""

    output_field = BooleanField()

    def __init__(self, column: str, found: QuerySet) -> None:
        super().__init__(F(column), Subquery(found))

    def as_sql(self, compiler, conn, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        found, found_params = compiler.compile(self.source_expressions[1])
        template = "{} = ANY(ARRAY{})" if conn.vendor == "postgresql" else "{} IN {}"
        return template.format(column, found), [*column_params, *found_params]


def rank(fields: list[str], words: list[str]):
    """The more words a row holds (and in its title, on PostgreSQL), the higher
    (PostgreSQL: ts_rank; SQLite: the count of words found)."""
    if is_postgres():
        return Rank(StoredDocument(), words)
    total = Value(0.0)
    for word in words:
        total = total + Case(When(_found(fields, word), then=Value(1.0)), default=Value(0.0))
    return total
