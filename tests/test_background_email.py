"""E-mails leave the request through the task queue (django.tasks, database backend):
with the SMTP server down a booking succeeds, its e-mails wait and are retried by the
worker, and delivered once — exactly once — when the server is back (issue 16)."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from asgiref.local import Local
from django.core.management import call_command
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from offers.models import Booking
from offers.services import bookings as booking_services
from passlib import tasks
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db(transaction=True)


class Sink:
    """A local SMTP server that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_task_backends():
    """django.tasks keeps its backends once built: build them again from TASKS."""
    task_backends._settings = None
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks(settings):
    """The production backend: tasks are rows of our database, run by the worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    _reset_task_backends()
    yield
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _reset_task_backends()


@pytest.fixture
def smtp(settings):
    port = _free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port


def _work():
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0
    )


def test_smtp_down_the_booking_succeeds_and_its_mail_is_delivered_once_back(
    space, database_tasks, smtp
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier d'Angoulême")
    session = make_session(offer, days=10, total_places=5)
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")

    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    assert Booking.objects.filter(pk=booking.pk).exists()
    queued = DBTaskResult.objects.filter(task_path="passlib.tasks.deliver_email")
    assert queued.count() == 2  # the young person and the venue

    _work()  # the server is down: each e-mail is put back for later, the task ends
    waiting = queued.filter(status="READY")
    assert waiting.count() == 2
    assert all(r.run_after > timezone.now() for r in waiting)
    assert {r.args_kwargs["args"][1] for r in waiting} == {1}  # the attempt number
    assert queued.filter(status="FAILED").count() == 0

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp)
    controller.start()
    try:
        _work()  # not yet time: nothing sent, nothing lost
        assert sink.messages == []
        waiting.update(run_after=timezone.now() - timedelta(seconds=1))
        _work()
        for _ in range(50):
            if len(sink.messages) == 2:
                break
            time.sleep(0.1)
        _work()  # nothing left: never sent twice
    finally:
        controller.stop()

    assert len(sink.messages) == 2
    to_young = next(m for m in sink.messages if m["To"] == young.email)
    assert to_young["Subject"] == "Réservation confirmée : Atelier d'Angoulême"
    text = next(p for p in to_young.walk() if p.get_content_type() == "text/plain")
    assert booking.code in text.get_content()
    assert "&#x27;" not in text.get_content()
    assert any(p.get_filename() == f"reservation-{booking.code}.ics" for p in to_young.walk())
    assert queued.filter(status="SUCCESSFUL").count() == 4  # two retried, two delivered


def test_the_retry_delay_grows_then_stays_at_an_hour():
    assert tasks.retry_delay(0) == timedelta(minutes=1)
    assert tasks.retry_delay(3) == timedelta(minutes=8)
    assert tasks.retry_delay(10) == timedelta(hours=1)
    assert tasks.retry_delay(79) == timedelta(hours=1)


def test_a_rolled_back_action_queues_nothing(space, database_tasks, smtp):
    from django.db import transaction

    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(offer, days=10, total_places=5)
    young = make_beneficiary(16)
    with pytest.raises(RuntimeError), transaction.atomic():
        booking_services.booking_create(user=young, offer=offer, session=session)
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    assert not Booking.objects.exists()


def test_after_the_last_attempt_the_email_fails_for_good_and_stays(database_tasks, smtp):
    payload = {
        "subject": "Réservation confirmée : Atelier",
        "text": "Bonjour",
        "html": "<p>Bonjour</p>",
        "from": "passlib <ne-pas-repondre@passlib.local>",
        "to": ["chloe@exemple.fr"],
        "attachments": [],
    }
    tasks.deliver_email.enqueue(payload, tasks.MAX_ATTEMPTS - 1)
    _work()
    (row,) = DBTaskResult.objects.all()
    assert row.status == "FAILED"  # kept, with the e-mail in its arguments
    assert row.args_kwargs["args"][0]["to"] == ["chloe@exemple.fr"]
