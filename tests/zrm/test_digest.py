"""The daily digest: each director gets one e-mail a day of due and overdue ZRM measurements."""
import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from cases import services as case_services
from common.audit import Actor
from config.celery import app
from tests.factories import StaffFactory, closure_reason
from tests.zrm.factories import case_with_adult, record
from zrm import services, tasks
from zrm.models import DigestLog

pytestmark = pytest.mark.django_db


def director_with_email(**kwargs):
    staff = StaffFactory(**kwargs)
    staff.user.email = f"{staff.user.username}@wijkteam.example"
    staff.user.save()
    return staff


def test_each_director_gets_one_digest_with_case_numbers_and_links_but_no_names():
    today = dt.date.today()
    alice, bob = director_with_email(), director_with_email()
    overdue, overdue_person = case_with_adult(regisseur=alice, melding_date=today - dt.timedelta(days=50))
    soon, _ = case_with_adult(regisseur=alice, melding_date=today - dt.timedelta(days=35))
    later, _ = case_with_adult(regisseur=alice, melding_date=today - dt.timedelta(days=1))  # due in 41 days
    done, done_person = case_with_adult(regisseur=bob, melding_date=today - dt.timedelta(days=50))
    record(done, done_person)  # nulmeting done: next due in 6 months, nothing for bob

    sent = services.send_due_digests(on=today)

    assert sent == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.user.email]
    assert message.subject == "Wijkregie: 2 ZRM-metingen open (1 te laat)"
    body = message.body
    assert f"Casus {overdue.pk}: Nulmeting, te laat sinds {(today - dt.timedelta(days=8)):%d-%m-%Y}" in body
    assert f"Casus {soon.pk}: Nulmeting, uiterlijk {(today + dt.timedelta(days=7)):%d-%m-%Y}" in body
    assert f"{settings.WIJKREGIE['SITE_URL']}/casussen/{overdue.pk}" in body
    assert f"Casus {later.pk}" not in body
    assert overdue_person.last_name not in body and overdue_person.bsn not in body
    assert overdue_person.first_name not in body


def test_the_digest_is_sent_once_per_day_however_often_the_task_runs():
    today = dt.date.today()
    alice = director_with_email()
    case_with_adult(regisseur=alice, melding_date=today - dt.timedelta(days=50))
    assert services.send_due_digests(on=today) == 1
    assert services.send_due_digests(on=today) == 0
    assert len(mail.outbox) == 1
    assert DigestLog.objects.get().item_count == 1
    assert services.send_due_digests(on=today + dt.timedelta(days=1)) == 1  # a new day, a new digest
    assert len(mail.outbox) == 2


def test_directors_without_email_or_of_closed_cases_get_nothing():
    today = dt.date.today()
    no_mail = StaffFactory()
    no_mail.user.email = ""
    no_mail.user.save()
    case_with_adult(regisseur=no_mail, melding_date=today - dt.timedelta(days=50))
    closer = director_with_email()
    closed, _ = case_with_adult(regisseur=closer, melding_date=today - dt.timedelta(days=50))
    case_services.close_case(actor=Actor(user=closer.user), case=closed, reason=closure_reason(), closed_on=today)
    assert services.send_due_digests(on=today) == 0 and mail.outbox == []


def test_the_beat_schedule_runs_the_registered_digest_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["zrm-send-due-digest"]
    assert entry["task"] == "zrm.tasks.send_due_digest"
    assert "zrm.tasks.send_due_digest" in app.tasks
    assert entry["schedule"].hour == {7}


def test_the_task_sends_the_digest():
    alice = director_with_email()
    case_with_adult(regisseur=alice, melding_date=dt.date.today() - dt.timedelta(days=50))
    assert tasks.send_due_digest.delay().get() == 1
    assert len(mail.outbox) == 1
