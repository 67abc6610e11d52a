"""Transactional emails: French text + HTML, rendered with the action, delivered by the
background worker (passlib/tasks.py).

The subject and the plain text render without HTML escaping (the "text" template
engine of the settings): an apostrophe stays an apostrophe. The HTML part escapes.

`send_on_commit` renders the message at once (with the objects as the action left them)
and queues its delivery with the action's transaction: a rolled-back action never
e-mails anyone, a committed one always does — a failing mail server delays the e-mail
(retried by the worker), never loses it, and never fails the action.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string

from passlib.tasks import deliver_email, enqueue
from passlib.text import clean_line, printable


def render(
    *, to: Iterable[str], template: str, context: dict, attachments: Iterable = ()
) -> dict | None:
    """The e-mail as plain data (JSON, for the task queue); None without a recipient."""
    recipients = sorted({addr for addr in to if addr})
    if not recipients:
        return None
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", ctx, using="text")
    # One line whatever the context holds (a title stored with a line break would make
    # the mailer refuse the header, and the e-mail would be lost).
    subject = " ".join(printable(clean_line(subject)).split())
    files = []
    for filename, content, mimetype in attachments:
        raw = content.encode() if isinstance(content, str) else bytes(content)
        files.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": subject,
        "text": render_to_string(f"emails/{template}.txt", ctx, using="text"),
        "html": render_to_string(f"emails/{template}.html", ctx),
        "from": settings.DEFAULT_FROM_EMAIL,
        "to": recipients,
        "attachments": files,
    }


def send_on_commit(
    *, to: Iterable[str], template: str, context: dict, attachments: Iterable = ()
) -> None:
    """Render now, deliver in the background with the transaction (see the module)."""
    payload = render(to=to, template=template, context=context, attachments=attachments)
    if payload is not None:
        enqueue(deliver_email, payload)
