"""Transactional emails: French text + HTML, sent after the transaction commits.

The subject and the plain text render without HTML escaping (the "text" template
engine of the settings): an apostrophe stays an apostrophe. The HTML part escapes.

Sending after commit means a rolled-back action never emails anyone; a failing
mail server is logged and never undoes the action that triggered the email.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from passlib.text import clean_line, printable

logger = logging.getLogger(__name__)


def send_now(
    *, to: Iterable[str], template: str, context: dict, attachments: Iterable = ()
) -> None:
    recipients = sorted({addr for addr in to if addr})
    if not recipients:
        return
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", ctx, using="text")
    # One line whatever the context holds (a title stored with a line break would make
    # the mailer refuse the header, and the e-mail would be lost).
    subject = " ".join(printable(clean_line(subject)).split())
    text = render_to_string(f"emails/{template}.txt", ctx, using="text")
    html = render_to_string(f"emails/{template}.html", ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except Exception:  # a mail outage must not break the user's action
        logger.exception("email %s to %s failed", template, recipients)


def send_on_commit(
    *, to: Iterable[str], template: str, context: dict, attachments: Iterable = ()
) -> None:
    recipients, files = list(to), list(attachments)
    transaction.on_commit(
        lambda: send_now(to=recipients, template=template, context=context, attachments=files)
    )
