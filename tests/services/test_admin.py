"""The admin: catalogue pages, department-scoped applications and visits, the day's schedule."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import Application, Appointment

from .factories import (
    FormFieldFactory,
    ServiceCentreFactory,
    ServiceFactory,
    pdf_bytes,
    submit,
    upload,
)

pytestmark = pytest.mark.django_db

CATALOGUE = ["servicecategory", "service", "servicecentre"]


@pytest.mark.parametrize("model", CATALOGUE)
@pytest.mark.parametrize("page", ["changelist", "add"])
@pytest.mark.parametrize("role", ["officer", "city_admin", "superuser"])
def test_catalogue_pages_open(request, client_for, service, model, page, role):
    FormFieldFactory(service=service)
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse(f"admin:services_{model}_{page}")).status_code == 200


@pytest.mark.parametrize("model", CATALOGUE)
def test_catalogue_search_and_change_pages_open(client_for, officer, service, centre, model):
    client = client_for(officer)
    assert (
        client.get(reverse(f"admin:services_{model}_changelist"), {"q": "довідка"}).status_code
        == 200
    )
    obj = {"servicecategory": service.category, "service": service, "servicecentre": centre}[model]
    assert client.get(reverse(f"admin:services_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", ["application", "appointment"])
def test_work_lists_open_and_search(
    client_for, officer, resident, service, centre, tomorrow_10, model
):
    submit(resident, service)
    from services.services import appointment_book

    appointment_book(resident=resident, service=service, centre=centre, starts_at=tomorrow_10)
    client = client_for(officer)
    url = reverse(f"admin:services_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "resident@example.com"}).status_code == 200
    assert client.get(reverse(f"admin:services_{model}_add")).status_code == 403


@pytest.fixture
def two_departments(resident, service, cnap):
    """An application for the officer's department and one for another department."""
    ours = submit(resident, service)
    theirs = submit(resident, ServiceFactory())
    return ours, theirs


# role -> sees (ours, theirs) in the changelist
SCOPE_TABLE = [
    ("officer", True, False),
    ("head_of_cnap", True, False),
    ("other_officer", False, True),
    ("superuser", True, True),
]


@pytest.mark.parametrize(("role", "sees_ours", "sees_theirs"), SCOPE_TABLE)
def test_officers_see_only_their_departments_applications(
    request, client_for, two_departments, role, sees_ours, sees_theirs
):
    ours, theirs = two_departments
    if role == "other_officer":
        theirs.department.members.add(request.getfixturevalue("other_officer"))
    client = client_for(request.getfixturevalue(role))
    html = client.get(reverse("admin:services_application_changelist")).content.decode()
    assert (ours.reference in html) is sees_ours
    assert (theirs.reference in html) is sees_theirs
    change = client.get(reverse("admin:services_application_change", args=[ours.pk]))
    assert change.status_code == (200 if sees_ours else 302)


@pytest.mark.parametrize("role", ["resident", "moderator", "department_staff", "city_admin"])
def test_others_get_no_application_admin(request, client_for, two_departments, role):
    ours, _theirs = two_departments
    client = client_for(request.getfixturevalue(role))
    response = client.get(reverse("admin:services_application_change", args=[ours.pk]))
    assert response.status_code in (302, 403)
    act = client.post(
        reverse("admin:services_application_act", args=[ours.pk]), {"action": "start"}
    )
    assert act.status_code in (302, 403, 404)
    assert Application.objects.get(pk=ours.pk).status == "submitted"


def test_an_officer_acts_from_the_change_page(client_for, officer, resident, service):
    application = submit(resident, service, documents=[("scan", upload(pdf_bytes(), "s.pdf"))])
    client = client_for(officer)
    page = client.get(reverse("admin:services_application_change", args=[application.pk]))
    assert b"s.pdf" in page.content
    assert b'value="start"' in page.content
    client.post(
        reverse("admin:services_application_act", args=[application.pk]), {"action": "start"}
    )
    client.post(
        reverse("admin:services_application_act", args=[application.pk]),
        {"action": "return", "reason": "Додайте довідку про доходи."},
    )
    application.refresh_from_db()
    assert application.status == "needs_correction"
    assert application.events.last().reason == "Додайте довідку про доходи."


def test_a_refusal_without_reason_is_refused_in_the_admin(client_for, officer, resident, service):
    application = submit(resident, service)
    client = client_for(officer)
    response = client.post(
        reverse("admin:services_application_act", args=[application.pk]),
        {"action": "refuse", "reason": ""},
        follow=True,
    )
    assert Application.objects.get(pk=application.pk).status == "submitted"
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_an_officer_of_another_department_cannot_act(client_for, other_officer, resident, service):
    application = submit(resident, service)
    response = client_for(other_officer).post(
        reverse("admin:services_application_act", args=[application.pk]), {"action": "start"}
    )
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == "submitted"


def test_an_officer_answers_with_a_file_the_applicant_downloads(
    client_for, officer, resident, service
):
    application = submit(resident, service)
    client_for(officer).post(
        reverse("admin:services_application_write", args=[application.pk]),
        {"body": "Відповідь у додатку.", "files": [upload(pdf_bytes(), "answer.pdf")]},
    )
    document = application.documents.get()
    assert document.from_officer
    response = client_for(resident).get(document.get_absolute_url())
    assert response.status_code == 200


def test_bulk_take_into_work(client_for, officer, resident, service):
    applications = [submit(resident, service) for _ in range(3)]
    client_for(officer).post(
        reverse("admin:services_application_changelist"),
        {"action": "take_into_work", "_selected_action": [a.pk for a in applications]},
    )
    assert set(Application.objects.values_list("status", flat=True)) == {"in_progress"}


def test_the_application_changelist_query_count_is_flat(
    client_for, officer, resident, service, django_assert_max_num_queries
):
    for _ in range(30):
        submit(resident, service)
    client = client_for(officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:services_application_changelist"))
    assert response.status_code == 200


# --- the day's schedule ----------------------------------------------------------------


def _visit(resident, service, centre, when):
    from services.services import appointment_book

    return appointment_book(resident=resident, service=service, centre=centre, starts_at=when)


def test_the_days_schedule_lists_only_the_officers_visits(
    client_for, officer, other_officer, resident, service, centre, tomorrow_10
):
    ours = _visit(resident, service, centre, tomorrow_10)
    other_service = ServiceFactory(centres=[centre])
    theirs = _visit(resident, other_service, centre, tomorrow_10 + dt.timedelta(hours=1))
    url = reverse("admin:services_appointment_day") + f"?date={tomorrow_10.date().isoformat()}"
    html = client_for(officer).get(url).content.decode()
    assert ours.code in html
    assert theirs.code not in html
    other_service.department.members.add(other_officer)
    html = client_for(other_officer).get(url).content.decode()
    assert theirs.code in html
    assert ours.code not in html


def test_no_shows_are_marked_from_the_days_schedule(
    client_for, officer, resident, service, centre, tomorrow_10
):
    appointment = _visit(resident, service, centre, tomorrow_10)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=10)
    )
    url = reverse("admin:services_appointment_day")
    client_for(officer).post(url, {"id": appointment.pk, "status": "no_show"})
    assert Appointment.objects.get().status == "no_show"


def test_an_officer_cannot_mark_another_departments_visit(
    client_for, other_officer, resident, service, centre, tomorrow_10
):
    appointment = _visit(resident, service, centre, tomorrow_10)
    response = client_for(other_officer).post(
        reverse("admin:services_appointment_day"), {"id": appointment.pk, "status": "attended"}
    )
    assert response.status_code == 404
    assert Appointment.objects.get().status == "booked"


def test_the_days_schedule_query_count_is_flat(
    client_for, officer, service, tomorrow_10, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    centre = ServiceCentreFactory(slot_capacity=20)
    service.centres.add(centre)
    for person in UserFactory.create_batch(12):
        _visit(person, service, centre, tomorrow_10)
    client = client_for(officer)
    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("admin:services_appointment_day"), {"date": tomorrow_10.date().isoformat()}
        )
    assert response.content.decode().count('name="id"') == 12


def test_department_staff_without_the_officer_role_get_no_days_schedule(
    client_for, member_without_role, resident, service, centre, tomorrow_10
):
    _visit(resident, service, centre, tomorrow_10)
    client = client_for(member_without_role)
    assert client.get(reverse("admin:services_appointment_day")).status_code == 403
    application = submit(resident, service)
    response = client.post(
        reverse("admin:services_application_act", args=[application.pk]), {"action": "start"}
    )
    assert response.status_code == 403
