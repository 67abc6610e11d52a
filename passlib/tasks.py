"""Background work through Django's tasks framework (`django.tasks`).

Production and `make run` use the database backend (django-tasks-db): a task is a row of
our own database, written in the same transaction as the action that asks for it, and a
worker (`python manage.py db_worker`) runs it. Tests run tasks at once (the immediate
backend), after the transaction commits.

`deliver_email` sends one rendered e-mail. A failing mail server never loses it: the
task enqueues itself again later (exponential delay, capped at an hour) and ends, so a
booking never waits for SMTP; after `MAX_ATTEMPTS` (about three days) it fails for good
and stays in the table with its message, to be sent again by hand
(docs/operations.md).
"""

from __future__ import annotations

import base64
import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, default_task_backend, task, task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 80
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)


def retry_delay(attempt: int) -> timedelta:
    """1 min, 2, 4, … then every hour."""
    return min(FIRST_DELAY * (2 ** min(attempt, 12)), LONGEST_DELAY)


def in_our_database() -> bool:
    """The default backend keeps its tasks in our database: enqueuing writes a row in
    the current transaction."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def enqueue(the_task, *args, **kwargs) -> None:
    """Enqueue `the_task` with the action that asks for it.

    With the database backend the task row is written in the current transaction: it
    commits with the action or disappears with it, nothing in between can lose it.
    With a backend that runs at once (tests), the task runs after the commit, so a
    rolled-back action never e-mails anyone."""
    if in_our_database():
        the_task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: the_task.enqueue(*args, **kwargs))


def message_of(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        payload["subject"], payload["text"], payload["from"], payload["to"]
    )
    message.attach_alternative(payload["html"], "text/html")
    for filename, content, mimetype in payload.get("attachments", ()):
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@task()
def deliver_email(payload: dict, attempt: int = 0) -> str:
    """Send one rendered e-mail (see passlib/emails.py); retried later on failure."""
    try:
        message_of(payload).send()
    except (smtplib.SMTPException, OSError) as exc:
        # A backend that cannot run a task later (the immediate one) cannot retry.
        if attempt + 1 >= MAX_ATTEMPTS or not default_task_backend.supports_defer:
            logger.error(
                "email %r to %s failed for good: %s", payload["subject"], payload["to"], exc
            )
            raise
        later = timezone.now() + retry_delay(attempt)
        logger.warning(
            "email %r to %s failed (%s), attempt %d; retried at %s",
            payload["subject"],
            payload["to"],
            exc,
            attempt + 1,
            later.isoformat(),
        )
        deliver_email.using(run_after=later).enqueue(payload, attempt + 1)
        return f"retry {attempt + 1}"
    return "sent"
