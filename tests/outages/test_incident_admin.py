"""Clerks declare, update, answer and resolve incidents in the admin; who may."""

import json

import pytest
from django.utils import timezone

from citizens.notifications.models import Broadcast
from mycity.incidents import incident_suggest
from mycity.models import Incident, IncidentUpdate
from tests.factories import DepartmentFactory, IncidentFactory, square
from tests.news.factories import committed

pytestmark = pytest.mark.django_db


def incident_form(districts, **extra):
    now = timezone.localtime()
    started = now - timezone.timedelta(minutes=30)  # one moment for date and time (midnight)
    return {
        "kind": "power",
        "title_uk": "Немає світла на Шуменському",
        "title_en": "No power in Shumenskyi",
        "description_uk": "Аварія на підстанції.",
        "description_en": "A substation fault.",
        "districts": [d.pk for d in districts],
        "area": "",
        "started_at_0": started.strftime("%Y-%m-%d"),
        "started_at_1": started.strftime("%H:%M:%S"),
        "expected_at_0": (now + timezone.timedelta(hours=8)).strftime("%Y-%m-%d"),
        "expected_at_1": (now + timezone.timedelta(hours=8)).strftime("%H:%M:%S"),
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("resident", 302),
        ("staff_without_mfa", 302),
        ("editor", 200),
        ("department_staff", 200),
        ("moderator", 403),
        ("city_admin", 403),
    ],
)
def test_who_may_declare(as_role, role, status):
    assert as_role(role).get("/admin/mycity/incident/add/").status_code == status


def test_a_clerk_declares_an_outage_and_the_district_is_told(client_for, department_staff, north):
    client = client_for(department_staff)
    with committed():
        response = client.post("/admin/mycity/incident/add/", incident_form([north]))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.status == "active"
    assert incident.created_by == department_staff
    assert incident.notified_at is not None
    assert Broadcast.objects.get(event="outages.incident").audience["district_ids"] == [north.pk]


def test_a_drawn_area_is_stored_as_one_polygon(client_for, editor, north):
    west, south = north.boundary["coordinates"][0][0]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": square(west=west, south=south, size=0.002),
    }
    drawn = json.dumps({"type": "FeatureCollection", "features": [feature]})
    response = client_for(editor).post("/admin/mycity/incident/add/", incident_form([], area=drawn))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Incident.objects.get().area["type"] == "Polygon"


@pytest.mark.parametrize("area", ['{"type": "Point", "coordinates": [32.6, 46.6]}', "{oops"])
def test_a_bad_area_is_refused_and_the_text_kept(client_for, editor, area):
    response = client_for(editor).post("/admin/mycity/incident/add/", incident_form([], area=area))
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert "Немає світла на Шуменському" in response.content.decode()


def test_a_nul_byte_is_a_bad_request_not_an_error(client_for, editor):
    response = client_for(editor).post(
        "/admin/mycity/incident/add/", incident_form([], area="\x00", title_uk="А\x00")
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_an_incident_needs_an_area(client_for, editor):
    response = client_for(editor).post("/admin/mycity/incident/add/", incident_form([]))
    assert response.status_code == 200
    assert not Incident.objects.exists()


def test_a_restoration_before_the_start_is_refused_in_words(client_for, editor, north):
    before = timezone.localtime() - timezone.timedelta(hours=2)
    response = client_for(editor).post(
        "/admin/mycity/incident/add/",
        incident_form(
            [north],
            expected_at_0=before.strftime("%Y-%m-%d"),
            expected_at_1=before.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 200
    assert not Incident.objects.exists()
    page = response.content.decode()
    assert "Очікуване відновлення має бути пізніше за початок." in page
    assert "mycity_incident_expected_after_start" not in page


def test_update_answer_and_resolve_in_the_admin(client_for, editor, north):
    incident = IncidentFactory(districts=[north], notified_at=timezone.now())
    client = client_for(editor)
    url = f"/admin/mycity/incident/{incident.pk}/change/"
    assert client.get(url).status_code == 200
    with committed():
        response = client.post(
            url, incident_form([north], update_uk="Бригада на місці", update_en="Crew on site")
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert IncidentUpdate.objects.filter(incident=incident).count() == 1
    with committed():
        response = client.post(
            url,
            incident_form(
                [north], action="resolve",
                official_answer_uk="Живлення відновлено.", official_answer_en="Power is restored.",
            ),
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.answer_en == "Power is restored."
    assert incident.answered_by == editor
    # The answer is given once: the fields are closed now.
    page = client.get(url).content.decode()
    assert "The official answer was given." in page or "Офіційну відповідь надано." in page


def test_the_answer_needs_both_languages(client_for, editor, north):
    incident = IncidentFactory(districts=[north])
    response = client_for(editor).post(
        f"/admin/mycity/incident/{incident.pk}/change/",
        incident_form([north], official_answer_uk="Лише українською"),
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert not incident.answer_uk


def test_a_moderator_confirms_or_dismisses_a_suggestion(client_for, moderator, north):
    west, south = north.boundary["coordinates"][0][0]
    made = incident_suggest(
        kind="water", lat=south + 0.005, lon=west + 0.005, radius_m=300,
        title_uk="Немає води?", title_en="No water?", started_at=timezone.now(),
    ).incident  # fmt: skip
    client = client_for(moderator)
    url = f"/admin/mycity/incident/{made.pk}/change/"
    form = incident_form([], area=json.dumps(made.area), kind="water")
    form["title_uk"], form["title_en"] = "Немає води", "No water"
    response = client.post(url, {**form, "action": "dismiss"})
    assert response.status_code == 200  # the reason is missing
    response = client.post(url, {**form, "action": "dismiss", "reason": "Планові роботи"})
    assert response.status_code == 302, response.content.decode()[:3000]
    made.refresh_from_db()
    assert made.status == "dismissed"


def test_department_staff_change_only_their_departments_incidents(
    client_for, department_staff, other_department, north
):
    theirs = IncidentFactory(districts=[north], department=other_department)
    others = IncidentFactory(districts=[north], department=DepartmentFactory(slug="water"))
    client = client_for(department_staff)
    assert client.get(f"/admin/mycity/incident/{theirs.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/mycity/incident/{others.pk}/change/", incident_form([north], action="resolve")
    )
    assert response.status_code == 403
    others.refresh_from_db()
    assert others.status == "active"


def test_nobody_deletes_an_incident(client_for, superuser, north):
    incident = IncidentFactory(districts=[north])
    response = client_for(superuser).get(f"/admin/mycity/incident/{incident.pk}/delete/")
    assert response.status_code == 403


def test_the_front_page_counts_live_and_suggested_outages(client_for, moderator, north):
    IncidentFactory(districts=[north])
    IncidentFactory(districts=[north], status="suggested")
    IncidentFactory(districts=[north], status="resolved")
    page = client_for(moderator).get("/admin/").content.decode()
    assert "/admin/mycity/incident/?status__exact=suggested" in page
    assert "/admin/mycity/incident/?status__exact=active" in page


def test_residents_see_no_staff_overview_of_outages(client_for, resident):
    from citizens.staff_tasks import staff_overview_for

    assert staff_overview_for(resident) == []
