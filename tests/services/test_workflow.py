"""The application workflow: one table of transitions, each recorded and told."""

import datetime as dt

import pytest
from django.utils import timezone

from citizens.notifications.models import Notification
from services import calendar
from services.models import Application, ApplicationEvent
from services.services import (
    ServiceError,
    application_correct,
    application_message,
    application_transition,
)
from services.workflow import APPLICANT, OFFICER, TRANSITIONS, Action, Status, allowed

from .factories import ServiceFactory, pdf_bytes, submit, upload

pytestmark = pytest.mark.django_db

ALLOWED = [
    (action, source)
    for action, (sources, _to, _who) in TRANSITIONS.items()
    for source in sorted(sources)  # a stable order: pytest-xdist workers must agree
]
REFUSED = [
    (action, source)
    for action, (sources, _to, _who) in TRANSITIONS.items()
    if sources
    for source in Status.values
    if source not in sources
]


def in_status(application, status):
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    return application


def act(application, action, officer, resident, reason="Причина"):
    actor = resident if APPLICANT in TRANSITIONS[action].actors else officer
    return application_transition(
        application=application, action=action, actor=actor, reason=reason
    )


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_allowed_transitions(action, source, officer, resident, service):
    if action == Action.EXTEND:
        service.extension_days = 20
        service.save()
    application = in_status(submit(resident, service), source)
    done = act(application, action, officer, resident)
    assert done.status == (TRANSITIONS[action][1] or source)
    event = ApplicationEvent.objects.filter(application=application).last()
    assert (event.action, event.from_status, event.to_status) == (action, source, done.status)


@pytest.mark.parametrize(("action", "source"), REFUSED)
def test_refused_transitions(action, source, officer, resident, service):
    application = in_status(submit(resident, service), source)
    with pytest.raises(ServiceError):
        act(application, action, officer, resident)
    assert Application.objects.get(pk=application.pk).status == source


def test_the_table_names_one_actor_per_action():
    assert not allowed(Action.START, Status.SUBMITTED, APPLICANT)
    assert not allowed(Action.WITHDRAW, Status.SUBMITTED, OFFICER)


@pytest.mark.parametrize("action", [Action.RETURN, Action.REFUSE])
def test_returning_and_refusing_need_a_reason(action, officer, resident, service):
    application = submit(resident, service)
    with pytest.raises(ServiceError, match=r"reason|причин"):
        act(application, action, officer, resident, reason="  ")


def test_a_refusal_keeps_its_reason_and_tells_the_applicant(officer, resident, service):
    application = submit(resident, service)
    done = act(
        application, Action.REFUSE, officer, resident, reason="Ви не зареєстровані за адресою."
    )
    assert done.refusal_reason == "Ви не зареєстровані за адресою."
    assert done.decided_at is not None
    told = Notification.objects.get(event="services.status_changed")
    assert told.recipient == resident
    assert told.context["reason"] == "Ви не зареєстровані за адресою."
    assert told.context["status"]["en"] == "Refused"


@pytest.mark.parametrize(
    "who", ["other_officer", "member_without_role", "department_staff", "other_resident"]
)
def test_only_officers_of_the_department_process(request, resident, service, who):
    application = submit(resident, service)
    with pytest.raises(ServiceError):
        application_transition(
            application=application, action=Action.START, actor=request.getfixturevalue(who)
        )


def test_the_head_of_the_department_may_process(head_of_cnap, resident, service):
    application = submit(resident, service)
    done = application_transition(application=application, action=Action.START, actor=head_of_cnap)
    assert done.status == Status.IN_PROGRESS
    assert done.assignee == head_of_cnap


def test_only_the_applicant_withdraws(resident, other_resident, service):
    application = submit(resident, service)
    with pytest.raises(ServiceError):
        application_transition(
            application=application, action=Action.WITHDRAW, actor=other_resident
        )
    done = application_transition(application=application, action=Action.WITHDRAW, actor=resident)
    assert done.status == Status.WITHDRAWN


def test_an_extension_moves_the_deadline_to_twenty_working_days_once(officer, resident, cnap):
    service = ServiceFactory(department=cnap, processing_days=5, extension_days=20)
    application = submit(resident, service)
    done = application_transition(
        application=application, action=Action.EXTEND, actor=officer, reason="Великий обсяг"
    )
    expected = calendar.due_at(application.submitted_at, working_days=20)
    assert (done.due_at, done.term_days, done.status) == (expected, 20, Status.SUBMITTED)
    with pytest.raises(ServiceError, match=r"once|лише один"):
        application_transition(
            application=done, action=Action.EXTEND, actor=officer, reason="Ще раз"
        )


def test_no_extension_where_the_law_sets_none(officer, resident, service):
    application = submit(resident, service)
    with pytest.raises(ServiceError):
        application_transition(
            application=application, action=Action.EXTEND, actor=officer, reason="Треба"
        )


def test_an_urgent_request_cannot_be_extended(officer, resident, cnap):
    service = ServiceFactory(department=cnap, urgent_hours=48, extension_days=20)
    application = submit(resident, service, urgent=True)
    with pytest.raises(ServiceError):
        application_transition(
            application=application, action=Action.EXTEND, actor=officer, reason="Треба"
        )


def test_a_correction_sends_the_application_back_with_the_new_file(officer, resident, service):
    application = submit(resident, service)
    act(application, Action.RETURN, officer, resident, reason="Додайте скан паспорта.")
    done = application_correct(
        application=application,
        applicant=resident,
        body="Додаю скан.",
        documents=[upload(pdf_bytes(), "passport.pdf")],
    )
    assert done.status == Status.SUBMITTED
    assert done.documents.get().message.body == "Додаю скан."


def test_officer_messages_reach_the_applicant(officer, resident, service):
    application = submit(resident, service)
    application_message(application=application, author=officer, body="Готуємо відповідь.")
    told = Notification.objects.filter(event="services.officer_message").get()
    assert told.recipient == resident
    assert "Готуємо" in told.context["excerpt"]


def test_an_officer_of_another_department_cannot_write(other_officer, resident, service):
    application = submit(resident, service)
    with pytest.raises(ServiceError):
        application_message(application=application, author=other_officer, body="Привіт")


def test_the_applicant_cannot_write_on_a_closed_application(officer, resident, service):
    application = in_status(submit(resident, service), Status.ISSUED)
    with pytest.raises(ServiceError):
        application_message(application=application, author=resident, body="Ще питання")


def test_overdue_is_computed_from_the_deadline(resident, service):
    application = submit(resident, service)
    assert not application.is_overdue
    Application.objects.filter(pk=application.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert Application.objects.get(pk=application.pk).is_overdue
    assert list(Application.objects.overdue()) == [application]
