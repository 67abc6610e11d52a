"""The kind-level guard of what people read: every page the demo's people reach by
following links (seed_demo: pros, the officer, a teacher, young people, a visitor) is
read as text, and none shows a machine code or an English word, « (s) », « 0 places »,
a date or time written another way than passlib/formats.py's, or « chargé de
territoire »."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from accounts.models import User
from passlib.demo.accounts import LOGINS

pytestmark = pytest.mark.django_db

MAX_PAGES = 30  # per person: every kind of page, not every offer
SKIP = re.compile(r"^/(admin|deconnexion|static|media)/|\.(csv|xlsx|pdf|ics|json|xml|png)$|/export")

WRONG = {
    "a plural « (s) »": re.compile(r"\w\(s\)"),
    "« 0 places » (0 is singular)": re.compile(r"\b0 (places|séances|réservations|offres)\b"),
    "a date as 09/06/2027": re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"),
    "a time as 15h30 or 15 h 30": re.compile(r"\b\d{1,2} ?h ?\d{2}\b|\b\d{1,2}h\b"),
    "a time without its leading zero (9:30)": re.compile(r"(?<![\d:])\d:\d{2}\b"),
    "« le 1 juin » (French writes « 1er »)": re.compile(
        r"(?<!\d)1 (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
        r"novembre|décembre)"
    ),
    "a gendered « chargé de territoire »": re.compile(r"[Cc]hargés? de territoire"),
    "an English word or a machine code": re.compile(
        r"\b(email|e-mail|beneficiary|booking|bookings|venue|cancelled|confirmed|validated|"
        r"reimbursed|pending|rejected|draft|published|None|True|False|null|undefined)\b"
    ),
}


class _Text(HTMLParser):
    """A page's visible text (no script, style or attributes) and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._times: list[bool] = []

    # <kbd>: what a person types (« 1h30 » as a duration's example), not the site's text;
    # <time datetime="PT90M">: a length (« 1 h 30 »: passlib/durations.py), no time of day.
    def handle_starttag(self, tag, attrs) -> None:
        if tag in {"script", "style", "template", "kbd"}:
            self._hidden += 1
        if tag == "time":
            length = (dict(attrs).get("datetime") or "").startswith("P")
            self._times.append(length)
            self._hidden += length
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag) -> None:
        if tag in {"script", "style", "template", "kbd"}:
            self._hidden -= 1
        if tag == "time" and self._times:
            self._hidden -= self._times.pop()

    def handle_data(self, data) -> None:
        if not self._hidden:
            self.parts.append(data)


def _read(client, start: str) -> dict[str, str]:
    """Path → visible text of the pages reached from `start` (GET, same site)."""
    seen, queue, texts = set(), [start], {}
    while queue and len(texts) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        texts[url] = " ".join(" ".join(parser.parts).split())
        for href in parser.links:
            target = urljoin(url, href)
            if urlsplit(target).netloc in ("", "testserver") and target.startswith(
                ("/", "http://testserver")
            ):
                queue.append(
                    urlsplit(target).path
                    + (f"?{urlsplit(target).query}" if urlsplit(target).query else "")
                )
    return texts


def test_the_demo_pages_read_french_one_way(client):
    call_command("seed_demo", stdout=io.StringIO())
    people = [email for email, _ in LOGINS if not email.startswith("admin@")]
    found = []
    pages = 0
    for email in [None, *people]:
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))
        texts = _read(client, "/")
        pages += len(texts)
        for url, text in texts.items():
            for what, pattern in WRONG.items():
                for match in pattern.finditer(text):
                    around = text[max(0, match.start() - 50) : match.end() + 50]
                    found.append(f"{email or 'visiteur'} {url}: {what}: …{around}…")
    assert pages > 100, pages
    assert not found, "\n".join(sorted(set(found)))
