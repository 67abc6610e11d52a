"""What a page offers to type into: its forms (fields, defaults, choices) and the query
parameters of its links. The hostile-input test derives every submission from this, so
a new form or parameter is attacked without anyone listing it."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, date, number, …
    default: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return (
            f"{self.method.upper()} {urlsplit(self.action).path} ({', '.join(sorted(self.fields))})"
        )


class _PageParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.params: dict[str, dict[str, set[str]]] = {}  # path -> name -> values
        self._by_id: dict[str, Form] = {}
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=urljoin(self.url, a.get("action") or self.url),
                method=(a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif tag == "a" and "?" in a.get("href", ""):
            href = urlsplit(urljoin(self.url, a["href"]))
            if href.netloc == urlsplit(self.url).netloc:
                params = self.params.setdefault(href.path, {})
                for k, v in parse_qsl(href.query, keep_blank_values=True):
                    params.setdefault(k, set()).add(v)
        if tag == "form":
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        owner = self._by_id.get(a.get("form", "")) if a.get("form") else None
        if owner is not None:
            current, self._form = self._form, owner
            try:
                self._field(tag, a)
            finally:
                self._form = current
        elif (self._form is not None and a.get("name")) or tag == "option":
            self._field(tag, a)

    def _field(self, tag: str, a: dict) -> None:
        if self._form is None or (tag != "option" and not a.get("name")):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit" and a.get("name"):
                    self._add(Field(a["name"], "submit", a.get("value", "")))
                return
            existing = self._form.fields.get(a["name"])
            if kind in ("radio", "checkbox") and existing:
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.default = a.get("value", "on")
                return
            value = a.get("value", "on" if kind in ("radio", "checkbox") else "")
            default = value if kind not in ("radio", "checkbox") or "checked" in a else ""
            options = [value] if kind in ("radio", "checkbox") else []
            self._add(Field(a["name"], kind, default, options))
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a or not self._select.default:
                self._select.default = a.get("value", "")
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._add(self._textarea)

    def _add(self, f: Field) -> None:
        assert self._form is not None
        self._form.fields.setdefault(f.name, f)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.default += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(url: str, html: str) -> tuple[list[Form], dict[str, dict[str, set[str]]]]:
    """The page's forms, and for each path its links lead to, their query parameters."""
    parser = _PageParser(url)
    parser.feed(html)
    return parser.forms, parser.params


_READ = re.compile(r"request\.(GET|POST)(?:\.get|\.getlist)?[\(\[]\s*[\"'](\w+)[\"']")


def view_reads(path: str) -> dict[str, set[str]]:
    """The parameter names a URL's view reads by hand (request.GET/POST), from its
    source: a parameter no page links to yet is attacked all the same."""
    from django.urls import Resolver404, resolve

    try:
        func = inspect.unwrap(resolve(path).func)
    except Resolver404:
        return {}
    func = getattr(func, "view_class", func)
    try:
        source = inspect.getsource(inspect.getmodule(func))
    except (OSError, TypeError):
        return {}
    found: dict[str, set[str]] = {"GET": set(), "POST": set()}
    body = source
    if inspect.isfunction(func):
        body = inspect.getsource(func)
        # Helpers of the same module that the view calls read parameters too.
        for name in re.findall(r"\b(_\w+)\(request", body):
            helper = getattr(inspect.getmodule(func), name, None)
            if inspect.isfunction(helper):
                body += inspect.getsource(helper)
    for method, name in _READ.findall(body):
        found[method].add(name)
    return found
