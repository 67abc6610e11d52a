"""Form widgets shared by the apps."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from django import forms

_MEMO_SIZE = 512


class MemoSelect(forms.Select):
    """A <select> whose markup is rendered by Django's widget template once per process
    for each (name, value, attributes, choices), then reused.

    The markup is a pure function of those: the filter forms print the same lists (100
    départements, the categories, a person's venues) on every request, and through the
    template engine each option costs three printed values — the département list alone
    cost more than the rest of the catalog page (docs/performance.md). For plain choice
    lists only (not a queryset, whose rows may change).
    """

    _memo: OrderedDict[tuple, str] = OrderedDict()
    _lock = Lock()

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            name,
            repr(self.format_value(value)),
            repr(sorted({**self.attrs, **(attrs or {})}.items())),
            repr(self.choices),
        )
        html = self._memo.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            with self._lock:
                self._memo[key] = html
                while len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
        return html
