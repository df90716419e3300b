"""Reports about an outage are linked to the known incident at their point, whichever way
they come (service, web form, REST API, Open311), and the wizard offers to follow it."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal
from appeals.services import AppealError
from appeals.services.incidents import known_outage
from tests.appeals.incident_helpers import centre_of, drawn_incident, offset, outage_category
from tests.factories import DistrictFactory, IncidentFactory, submit_appeal

pytestmark = pytest.mark.django_db

NEW = reverse("appeals:new")


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def category():
    return outage_category(slug="no-power")


@pytest.fixture
def incident(district):
    return IncidentFactory(districts=[district])


def file(author, category, district, **fields):
    return submit_appeal(author, category, district=district, **fields)


# --- the service: inside, outside, another kind, over --------------------------------


def test_a_report_inside_an_active_outage_is_linked(resident, category, district, incident):
    appeal = file(resident, category, district)
    assert appeal.incident == incident
    assert Appeal.objects.get(pk=appeal.pk).incident_id == incident.pk


def test_a_report_outside_the_area_is_not_linked(resident, category, district, incident):
    elsewhere = DistrictFactory()
    appeal = file(resident, category, elsewhere)
    assert appeal.incident is None


def test_a_report_outside_a_drawn_area_is_not_linked(resident, category, district):
    lat, lon = centre_of(district)
    drawn_incident(lat=lat, lon=lon, radius_m=100)
    far_lat, far_lon = offset(lat, lon, north_m=300)
    appeal = file(resident, category, district, latitude=far_lat, longitude=far_lon)
    assert appeal.incident is None
    near = file(resident, category, district, latitude=lat, longitude=lon)
    assert near.incident is not None


def test_a_report_of_another_outage_kind_is_not_linked(resident, district, incident):
    water = outage_category("water", slug="no-water")
    assert file(resident, water, district).incident is None


def test_a_category_without_an_outage_kind_is_never_linked(resident, district, incident):
    from tests.factories import CategoryFactory

    assert file(resident, CategoryFactory(), district).incident is None


@pytest.mark.parametrize("status", ["resolved", "dismissed"])
def test_a_report_inside_an_outage_that_is_over_is_not_linked(resident, category, district, status):
    IncidentFactory(districts=[district], status=status)
    assert file(resident, category, district).incident is None


def test_a_report_joins_a_suggested_incident_too(resident, category, district):
    suggestion = IncidentFactory(districts=[district], status="suggested")
    assert file(resident, category, district).incident == suggestion


def test_an_active_incident_wins_over_a_suggestion(resident, category, district, incident):
    IncidentFactory(
        districts=[district],
        status="suggested",
        started_at=incident.started_at - dt.timedelta(hours=1),
    )
    assert file(resident, category, district).incident == incident


def test_only_problem_reports_are_linked(resident, category, district, incident):
    proposal = file(resident, category, district, kind="proposal")
    assert proposal.incident is None


def test_a_report_without_a_point_is_not_linked(resident, district, incident):
    category = outage_category(slug="no-power-anywhere")
    appeal = submit_appeal(
        resident,
        category,
        district=district,
        latitude=None,
        longitude=None,
        address="вул. Перекопська, 10",
    )
    assert appeal.incident is None


def test_the_whole_city_outage_covers_every_district(resident, category, district):
    city = IncidentFactory(whole_city=True)
    assert file(resident, category, district).incident == city


def test_a_refused_report_is_not_linked_and_saves_nothing(resident, category, district, incident):
    with pytest.raises(AppealError):
        file(resident, category, district, title="")
    assert not Appeal.objects.exists()


# --- the web form -------------------------------------------------------------------


def form_data(district, **fields):
    lat, lon = centre_of(district)
    data = {
        "title": "Немає світла в будинку",
        "description": "З ранку немає світла у всьому під'їзді, холодильники не працюють.",
        "address": "",
        "latitude": f"{lat:.6f}",
        "longitude": f"{lon:.6f}",
        "visibility": "public",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def step2(category, district=None) -> str:
    url = f"{NEW}?kind=problem&category={category.slug}"
    if district is not None:
        lat, lon = centre_of(district)
        url += f"&latitude={lat:.6f}&longitude={lon:.6f}"
    return url


def test_the_web_form_links_the_report_and_says_so(
    client_for, resident, category, district, incident
):
    client = client_for(resident)
    response = client.post(step2(category), form_data(district), follow=True)
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.incident == incident
    assert "known-outage" in response.content.decode()


def test_the_web_form_outside_the_area_files_an_ordinary_report(
    client_for, resident, category, district, incident
):
    elsewhere = DistrictFactory()
    response = client_for(resident).post(step2(category), form_data(elsewhere))
    assert response.status_code == 302
    assert Appeal.objects.get().incident is None


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "This is a known outage since 07:40, expected back 18:00 — follow it."),
        ("uk", "Це відоме відключення з 07:40, відновлення очікується о 18:00 — стежте за ним."),
    ],
)
def test_the_wizard_offers_to_follow_the_outage_with_its_times(
    client_for, resident, category, district, language, words
):
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    IncidentFactory(
        districts=[district],
        started_at=dt.datetime.combine(today, dt.time(7, 40), tzinfo=tz),
        expected_at=dt.datetime.combine(today, dt.time(18, 0), tzinfo=tz),
    )
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])
    response = client_for(resident).get(step2(category, district))
    html = response.content.decode()
    assert response.status_code == 200
    assert words in html
    assert reverse("outages:incident_follow", args=[the_incident_pk()]) in html


def the_incident_pk() -> int:
    from mycity.models import Incident

    return Incident.objects.get().pk


def test_the_wizard_shows_the_date_of_an_outage_from_another_day(
    client_for, resident, category, district
):
    started = timezone.localtime() - dt.timedelta(days=2)
    IncidentFactory(districts=[district], started_at=started, expected_at=None)
    response = client_for(resident).get(step2(category, district))
    assert started.strftime("%d.%m %H:%M") in response.content.decode()


def test_the_wizard_says_nothing_without_a_point_or_outside(
    client_for, resident, category, district, incident
):
    client = client_for(resident)
    assert "known-outage" not in client.get(step2(category)).content.decode()
    assert "known-outage" not in client.get(step2(category, DistrictFactory())).content.decode()


def test_the_pin_lookup_offers_the_outage_too(client_for, resident, category, district, incident):
    lat, lon = centre_of(district)
    response = client_for(resident).get(
        reverse("appeals:similar"),
        {"category": category.slug, "latitude": f"{lat}", "longitude": f"{lon}"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "known-outage" in html
    assert incident.get_absolute_url() in html


def test_following_from_the_wizard_comes_back_to_the_form(
    client_for, resident, category, district, incident
):
    client = client_for(resident)
    back = step2(category, district)
    response = client.post(
        reverse("outages:incident_follow", args=[incident.pk]),
        {**form_data(district), "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    assert incident.follows.filter(user=resident).exists()
    assert not Appeal.objects.exists()
    page = client.get(back).content.decode()
    assert "known-outage" in page
    assert reverse("outages:incident_follow", args=[incident.pk]) not in page


def test_the_wizard_follow_button_posts_next_back_to_the_form(
    client_for, resident, category, district, incident
):
    html = client_for(resident).get(step2(category, district)).content.decode()
    assert 'name="next"' in html
    assert f"category={category.slug}" in html


def test_filing_still_works_after_following(client_for, resident, category, district, incident):
    client = client_for(resident)
    client.post(
        reverse("outages:incident_follow", args=[incident.pk]),
        {"next": step2(category, district)},
    )
    response = client.post(step2(category), form_data(district))
    assert response.status_code == 302
    assert Appeal.objects.get().incident == incident


def test_known_outage_ignores_bad_points(category):
    assert known_outage(category=category, kind="problem", latitude=None, longitude=None) is None


@pytest.mark.parametrize(
    "query",
    [
        {"latitude": "nan", "longitude": "nan"},
        {"latitude": "1e999", "longitude": "32"},
        {"latitude": "абв", "longitude": ""},
        {"latitude": "46.6", "longitude": "999"},
    ],
)
def test_bad_points_never_500(client_for, resident, category, district, incident, query):
    client = client_for(resident)
    url = f"{NEW}?kind=problem&category={category.slug}"
    assert client.get(url, query).status_code == 200
    assert (
        client.get(reverse("appeals:similar"), {"category": category.slug, **query}).status_code
        == 200
    )


def test_following_an_unknown_outage_is_404(client_for, resident):
    response = client_for(resident).post(
        reverse("outages:incident_follow", args=[999999]), {"next": "/"}
    )
    assert response.status_code == 404


# --- the REST API and Open311 ------------------------------------------------------


def test_the_api_links_the_report_and_shows_the_incident(resident, category, district, incident):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(resident)
    lat, lon = centre_of(district)
    body = {
        "kind": "problem",
        "category": category.slug,
        "title": "Немає світла",
        "description": "З ранку немає світла у всьому будинку, вже шість годин.",
        "latitude": lat,
        "longitude": lon,
        "idempotency_key": str(uuid.uuid4()),
    }
    response = api.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["incident"] == incident.pk
    assert Appeal.objects.get().incident == incident


def test_the_api_outside_the_area_is_not_linked(resident, category, district, incident):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(resident)
    lat, lon = centre_of(DistrictFactory())
    body = {
        "kind": "problem",
        "category": category.slug,
        "title": "Немає світла",
        "description": "З ранку немає світла у всьому будинку, вже шість годин.",
        "latitude": lat,
        "longitude": lon,
    }
    response = api.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["incident"] is None


def test_the_categories_api_tells_the_outage_kind(category):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/categories/")
    [row] = [c for c in response.json() if c["slug"] == category.slug]
    assert row["incident_kind"] == "power"


def test_open311_links_the_report(district, incident):
    from tests.open311.factories import api_client, pothole_category

    category = pothole_category()
    category.incident_kind = "power"
    category.save(update_fields=["incident_kind"])
    _client, key = api_client(name="Херсон 311", contact_email="hotline@example.org")
    lat, lon = centre_of(district)
    from django.test import Client

    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": category.slug,
            "lat": str(lat),
            "long": str(lon),
            "description": "Немає світла у всьому будинку з самого ранку.",
            "attribute[size]": "40",
        },
    )
    assert response.status_code == 201, response.content
    assert Appeal.objects.get().incident == incident
