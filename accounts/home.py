"""What "Mon espace" shows besides the person's structures, given by the apps above
accounts (reporting/home.py registers its panel when the app is ready), so that accounts
imports none of them. A panel takes the request and answers a template name and its
context, or None when it has nothing for this person."""

from __future__ import annotations

from collections.abc import Callable

Panel = Callable[..., dict | None]
_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels_for(request) -> list[dict]:
    return [found for panel in _PANELS if (found := panel(request)) is not None]
