"""Incidents in the REST API v1: public list and detail, the point question, following."""

import pytest
from rest_framework.test import APIClient

from mycity.models import IncidentUpdate
from tests.factories import DistrictFactory, IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"


def middle(district):
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


def test_list_shows_live_and_resolved_but_never_a_suggestion(north):
    live = IncidentFactory(districts=[north])
    over = IncidentFactory(districts=[north], status="resolved")
    IncidentFactory(districts=[north], status="suggested")
    IncidentFactory(districts=[north], status="dismissed")
    rows = APIClient().get(URL).json()["results"]
    assert {r["id"] for r in rows} == {live.pk, over.pk}
    live_row = next(r for r in rows if r["id"] == live.pk)
    assert live_row["districts"] == [north.slug]
    assert live_row["url"].endswith(f"/outages/{live.pk}/")
    assert live_row["kind"] == "power"


def test_filters(north, south):
    here = IncidentFactory(districts=[north], kind="water")
    IncidentFactory(districts=[south], kind="power")
    city = IncidentFactory(whole_city=True, kind="heat", status="resolved")
    client = APIClient()
    ids = lambda query: {r["id"] for r in client.get(URL, query).json()["results"]}  # noqa: E731
    assert ids({"district": north.slug}) == {here.pk, city.pk}
    assert ids({"kind": "water"}) == {here.pk}
    assert ids({"status": "resolved"}) == {city.pk}


def test_the_point_question_answers_with_the_covering_live_incidents(north, south):
    here = IncidentFactory(districts=[north], kind="power")
    IncidentFactory(districts=[south], kind="power")
    lat, lon = middle(north)
    # Paged like the rest of the list (the schema's shape).
    rows = APIClient().get(URL, {"lat": lat, "lon": lon, "kind": "power"}).json()["results"]
    assert [r["id"] for r in rows] == [here.pk]
    water = APIClient().get(URL, {"lat": lat, "lon": lon, "kind": "water"}).json()
    assert water["results"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "46.6"},
        {"lat": "46.6", "lon": "32.6"},
        {"lat": "nan", "lon": "32.6", "kind": "power"},
        {"lat": "1e999", "lon": "32.6", "kind": "power"},
        {"kind": "tsunami"},
        {"status": "suggested"},
        {"district": "\x00"},
        {"district": "nowhere"},
    ],
)
def test_bad_questions_get_a_400(query):
    response = APIClient().get(URL, query)
    assert response.status_code == 400


@pytest.mark.parametrize("raw", ["district=%ED%A0%80", "lat=%00&lon=1&kind=power", "kind=%FF"])
def test_undecodable_questions_get_a_400(raw):
    assert APIClient().get(f"{URL}?{raw}").status_code == 400


def test_detail_with_updates_newest_first(north):
    incident = IncidentFactory(districts=[north], answer_uk="Відповідь", answer_en="Answer")
    IncidentUpdate.objects.create(incident=incident, text_uk="Перше", text_en="First")
    IncidentUpdate.objects.create(incident=incident, text_uk="Друге", text_en="Second")
    body = APIClient().get(f"{URL}{incident.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [u["text"] for u in body["updates"]] == ["Second", "First"]
    assert body["answer"] == "Answer"


def test_a_suggestion_is_not_found(north):
    incident = IncidentFactory(districts=[north], status="suggested")
    assert APIClient().get(f"{URL}{incident.pk}/").status_code == 404


def test_follow_through_the_api(north):
    incident = IncidentFactory(districts=[north])
    person = UserFactory()
    client = APIClient()
    url = f"{URL}{incident.pk}/follow/"
    assert client.post(url).status_code in (401, 403)
    client.force_authenticate(person)
    assert client.post(url).json() == {"following": True}
    assert client.post(url).json() == {"following": True}  # twice: still one follow
    assert incident.follows.count() == 1
    assert client.get(url).json() == {"following": True}
    assert client.delete(url).json() == {"following": False}
    assert not incident.follows.exists()


def test_a_resolved_incident_cannot_be_followed(north):
    incident = IncidentFactory(districts=[north], status="resolved")
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.post(f"{URL}{incident.pk}/follow/").status_code == 400


def test_the_list_makes_the_same_queries_for_many_incidents(django_assert_max_num_queries):
    districts = [DistrictFactory() for _ in range(3)]
    for district in districts:
        IncidentFactory(districts=districts)
        IncidentFactory(districts=[district], status="resolved")
    with django_assert_max_num_queries(5):
        assert len(APIClient().get(URL).json()["results"]) == 6
