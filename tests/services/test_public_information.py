"""Requests for public information: the rules of the Law of Ukraine
"On Access to Public Information" (Art. 20) in the services workflow."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.notifications.models import Notification
from services import calendar
from services.models import Application
from services.services import (
    ServiceError,
    application_submit,
    application_transition,
    applications_escalate_overdue,
    public_request_submit,
)
from services.tasks import escalate_overdue_applications
from services.workflow import Action, UrgentGround

from .factories import ServiceFactory, submit

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")
# Wednesday; 1 January 2026 (a public holiday) follows.
RECEIVED = dt.datetime(2025, 12, 31, 10, 0, tzinfo=KYIV)


@pytest.fixture
def pubinfo(cnap):
    return ServiceFactory(department=cnap, processing_days=5, urgent_hours=48, extension_days=20)


def _at(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def _received(resident, service):
    application = submit(resident, service)
    Application.objects.filter(pk=application.pk).update(
        submitted_at=RECEIVED, due_at=calendar.due_at(RECEIVED, working_days=5)
    )
    application.refresh_from_db()
    return application


def _extend(application, officer):
    return application_transition(
        application=application, action=Action.EXTEND, actor=officer, reason="Великий обсяг"
    )


@pytest.mark.parametrize("days_off", [False, True], ids=["martial-law", "peacetime"])
@pytest.mark.parametrize("days", [0, 1, 4, 5, 6, 10])
def test_the_extension_is_allowed_only_within_five_working_days(
    settings, monkeypatch, officer, resident, pubinfo, days, days_off
):
    settings.SERVICES_HOLIDAYS_ARE_DAYS_OFF = days_off
    application = _received(resident, pubinfo)
    day = calendar.add_working_days(RECEIVED.date(), days)
    _at(monkeypatch, dt.datetime.combine(day, dt.time(23, 0), tzinfo=KYIV))
    if days <= 5:
        done = _extend(application, officer)
        assert done.term_days == 20
        assert done.due_at == calendar.due_at(RECEIVED, working_days=20)
        told = Notification.objects.filter(event="services.term_extended").last()
        assert told.recipient == resident
        assert told.context["reason"] == "Великий обсяг"
    else:
        with pytest.raises(ServiceError, match=r"5"):
            _extend(application, officer)
        assert Application.objects.get(pk=application.pk).extended_at is None


@pytest.mark.parametrize(("days_off", "allowed"), [(False, False), (True, True)])
def test_holidays_under_martial_law_count_as_working_days(
    settings, monkeypatch, officer, resident, pubinfo, days_off, allowed
):
    """1 January 2026 is a working day under martial law: the fifth working day
    after 31 December is 7 January; in peacetime it is 8 January."""
    settings.SERVICES_HOLIDAYS_ARE_DAYS_OFF = days_off
    application = _received(resident, pubinfo)
    _at(monkeypatch, dt.datetime(2026, 1, 8, 12, 0, tzinfo=KYIV))
    if allowed:
        assert _extend(application, officer).extended_at is not None
    else:
        with pytest.raises(ServiceError):
            _extend(application, officer)


@pytest.mark.parametrize(
    ("when", "offered"), [(dt.date(2026, 1, 2), True), (dt.date(2026, 1, 9), False)]
)
def test_the_admin_offers_the_extension_only_in_time(
    monkeypatch, client_for, officer, resident, pubinfo, when, offered
):
    application = _received(resident, pubinfo)
    _at(monkeypatch, dt.datetime.combine(when, dt.time(12, 0), tzinfo=KYIV))
    client = client_for(officer)
    page = client.get(reverse("admin:services_application_change", args=[application.pk]))
    assert (b'value="extend"' in page.content) is offered
    client.post(
        reverse("admin:services_application_act", args=[application.pk]),
        {"action": "extend", "reason": "Великий обсяг"},
    )
    application.refresh_from_db()
    assert (application.extended_at is not None) is offered


@pytest.mark.parametrize("ground", UrgentGround.values)
def test_every_ground_of_art_20_2_gives_the_48_hour_term(resident, pubinfo, ground):
    application = submit_with_ground(resident, pubinfo, ground)
    assert application.urgent
    assert application.urgent_ground == ground
    assert application.due_at == application.submitted_at + dt.timedelta(hours=48)


def test_no_ground_means_the_usual_term(resident, pubinfo):
    application = submit_with_ground(resident, pubinfo, "")
    assert not application.urgent
    assert application.urgent_ground == ""
    assert application.due_at == calendar.due_at(application.submitted_at, working_days=5)


def test_an_unknown_ground_is_refused(resident, pubinfo):
    with pytest.raises(ServiceError):
        submit_with_ground(resident, pubinfo, "boredom")


def test_a_ground_gives_no_short_term_where_the_law_sets_none(resident, service):
    application = submit_with_ground(resident, service, UrgentGround.ENVIRONMENT)
    assert not application.urgent
    assert application.urgent_ground == ""


def submit_with_ground(resident, service, ground):
    application, _created = application_submit(
        applicant=resident,
        service=service,
        answers=[],
        urgent_ground=ground,
        idempotency_key=uuid.uuid4(),
    )
    return application


def test_the_requester_chooses_the_ground_and_staff_see_it(client_for, officer, resident, pubinfo):
    client = client_for(resident)
    url = reverse("services:apply", args=[pubinfo.slug])
    page = client.get(url)
    for ground in UrgentGround.values:
        assert f'value="{ground}"'.encode() in page.content
    form = page.context["form"]
    data = {"idempotency_key": str(uuid.uuid4()), "urgent_ground": UrgentGround.NATURAL_HAZARD}
    for spec, _bound in form.field_pairs():
        data[f"f_{spec.code}"] = "Так"
    client.post(url, data)
    application = Application.objects.get(applicant=resident)
    assert application.urgent_ground == UrgentGround.NATURAL_HAZARD
    assert application.due_at == application.submitted_at + dt.timedelta(hours=48)
    admin_page = client_for(officer).get(
        reverse("admin:services_application_change", args=[application.pk])
    )
    assert str(UrgentGround.NATURAL_HAZARD.label).encode() in admin_page.content


def test_the_requester_is_told_of_the_extension_in_their_language(
    monkeypatch, officer, resident, pubinfo
):
    application = _received(resident, pubinfo)
    _at(monkeypatch, dt.datetime(2026, 1, 2, 12, 0, tzinfo=KYIV))
    _extend(application, officer)
    told = Notification.objects.get(event="services.term_extended")
    assert told.recipient == resident
    assert told.context["reason"] == "Великий обсяг"
    assert set(told.context["service"]) >= {"uk", "en"}


@pytest.mark.parametrize(("days_after_due", "escalated"), [(0, False), (1, True), (3, True)])
def test_overdue_requests_escalate_to_the_head_once_a_day(
    head_of_cnap, officer, resident, pubinfo, days_after_due, escalated
):
    application = _received(resident, pubinfo)
    due = timezone.localtime(application.due_at)
    now = (
        due - dt.timedelta(hours=1)
        if not days_after_due
        else due + dt.timedelta(days=days_after_due)
    )
    assert applications_escalate_overdue(now=now) == int(escalated)
    assert applications_escalate_overdue(now=now) == 0  # once per day
    sent = Notification.objects.filter(event="services.escalated")
    assert [n.recipient for n in sent] == ([head_of_cnap] if escalated else [])
    if escalated:
        assert applications_escalate_overdue(now=now + dt.timedelta(days=1)) == 1


def test_answered_requests_do_not_escalate(head_of_cnap, officer, resident, pubinfo):
    application = _received(resident, pubinfo)
    Application.objects.filter(pk=application.pk).update(status="issued")
    assert applications_escalate_overdue(now=application.due_at + dt.timedelta(days=2)) == 0


def test_the_periodic_task_escalates(head_of_cnap, resident, pubinfo):
    _received(resident, pubinfo)
    assert escalate_overdue_applications() == 1


# --- filing without an account (Art. 19) ------------------------------------


@pytest.fixture
def open_pubinfo(pubinfo):
    pubinfo.public_information = True
    pubinfo.online = True
    pubinfo.save()
    return pubinfo


def _anon_post(client, service, **extra):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "requester_name": "Олена Петренко",
        "requester_email": "olena@example.com",
        "requester_address": "",
        "website": "",
        **extra,
    }
    for spec in service.fields.all():
        if spec.type != "file":
            data.setdefault(f"f_{spec.code}", "Кошторис на 2026 рік")
    return client.post(reverse("services:request_without_account", args=[service.slug]), data)


def test_a_request_can_be_filed_without_an_account(client, mailoutbox, open_pubinfo):
    response = _anon_post(client, open_pubinfo)
    assert response.status_code == 200
    application = Application.objects.get(applicant=None)
    assert application.reference.encode() in response.content
    assert application.requester.name == "Олена Петренко"
    assert [m.to for m in mailoutbox] == [["olena@example.com"]]
    assert application.reference in mailoutbox[0].subject


def test_the_answer_goes_to_the_given_email(client, mailoutbox, officer, open_pubinfo):
    _anon_post(client, open_pubinfo)
    application = Application.objects.get(applicant=None)
    mailoutbox.clear()
    application_transition(
        application=application, action=Action.REFUSE, actor=officer, reason="Інформація відсутня"
    )
    assert mailoutbox[0].to == ["olena@example.com"]
    assert "Інформація відсутня" in mailoutbox[0].body


def test_a_postal_address_is_enough(client, open_pubinfo):
    response = _anon_post(
        client, open_pubinfo, requester_email="", requester_address="вул. Соборна, 1, Житомир"
    )
    assert response.status_code == 200
    assert Application.objects.get(applicant=None).requester.postal_address


@pytest.mark.parametrize(
    "extra",
    [
        {"requester_name": ""},
        {"requester_email": "", "requester_address": ""},
        {"requester_email": "not-an-address"},
        {"website": "http://spam.example"},
    ],
)
def test_incomplete_or_robot_requests_are_refused(client, open_pubinfo, extra):
    response = _anon_post(client, open_pubinfo, **extra)
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_only_public_information_services_take_requests_without_an_account(
    client, resident, service
):
    service.online = True
    service.save()
    response = client.get(reverse("services:request_without_account", args=[service.slug]))
    assert response.status_code == 404
    with pytest.raises(ServiceError):
        public_request_submit(
            service=service,
            name="Хтось",
            email="x@example.com",
            answers=[],
            idempotency_key=uuid.uuid4(),
        )


def test_the_anonymous_form_is_rate_limited(client, settings, open_pubinfo):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "public_request": {"account": "1/hour", "address": "1/hour"},
    }
    assert _anon_post(client, open_pubinfo).status_code == 200
    assert _anon_post(client, open_pubinfo).status_code == 429


def test_only_the_handling_officers_see_the_requesters_contacts(
    client, client_for, officer, other_officer, open_pubinfo
):
    _anon_post(client, open_pubinfo)
    application = Application.objects.get(applicant=None)
    url = reverse("admin:services_application_change", args=[application.pk])
    assert b"olena@example.com" in client_for(officer).get(url).content
    assert b"olena@example.com" not in client_for(other_officer).get(url).content


def test_the_officer_extends_a_request_without_an_account_and_the_requester_is_emailed(
    client, mailoutbox, officer, open_pubinfo
):
    _anon_post(client, open_pubinfo)
    application = Application.objects.get(applicant=None)
    mailoutbox.clear()
    _extend(application, officer)
    assert mailoutbox[0].to == ["olena@example.com"]


def test_the_officer_downloads_the_receipt_of_a_request_without_an_account(
    client, client_for, officer, open_pubinfo
):
    _anon_post(client, open_pubinfo)
    application = Application.objects.get(applicant=None)
    page = client_for(officer).get(
        reverse("admin:services_application_change", args=[application.pk])
    )
    assert page.status_code == 200
    from services.receipt import receipt_pdf

    assert receipt_pdf(application)[:4] == b"%PDF"
