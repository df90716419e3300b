"""The public incident pages and following an incident."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DistrictFactory, IncidentFactory, UserFactory
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db


def test_list_shows_active_and_recently_restored_but_no_suggestion(client):
    district = DistrictFactory()
    live = IncidentFactory(districts=[district], title_uk="Немає світла на Шуменському")
    IncidentFactory(status="suggested", title_uk="Можливо немає води")
    page = client.get(reverse("outages:incidents")).content.decode()
    assert live.title_uk in page
    assert "Можливо немає води" not in page


def test_a_suggestion_has_no_public_page(client):
    incident = IncidentFactory(status="suggested")
    assert client.get(incident.get_absolute_url()).status_code == 404


def test_follow_and_unfollow(client):
    incident = IncidentFactory(districts=[DistrictFactory()])
    person = UserFactory()
    client.force_login(person)
    url = reverse("outages:incident_follow", args=[incident.pk])
    assert client.post(url).status_code == 302
    assert [f.user for f in incident.follows.all()] == [person]
    assert "You follow this outage" in client.get(incident.get_absolute_url()).content.decode()
    client.post(url, {"unfollow": "1"})
    assert not incident.follows.exists()


def test_follow_needs_sign_in_and_post(client):
    incident = IncidentFactory(districts=[DistrictFactory()])
    url = reverse("outages:incident_follow", args=[incident.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not incident.follows.exists()


def test_an_outside_next_is_not_followed(client):
    incident = IncidentFactory(districts=[DistrictFactory()])
    client.force_login(UserFactory())
    url = reverse("outages:incident_follow", args=[incident.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == incident.get_absolute_url()


def test_a_resolved_incident_cannot_be_followed(client):
    incident = IncidentFactory(districts=[DistrictFactory()], status="resolved")
    client.force_login(UserFactory())
    client.post(reverse("outages:incident_follow", args=[incident.pk]))
    assert not incident.follows.exists()


def test_the_detail_embeds_the_area_to_draw(client, north):
    incident = IncidentFactory(districts=[north])
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'id="incident-area"' in page
    assert "incident-map.js" in page


def seed_incidents(n):
    districts = [DistrictFactory() for _ in range(2)]
    for _ in range(n):
        incident = IncidentFactory(districts=districts, answer_uk="Так", answer_en="Yes")
        incident.updates.create(text_uk="Бригада на місці", text_en="Crew on site")
        IncidentFactory(districts=districts, status="resolved", resolved_at=timezone.now())


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_query_count_does_not_grow(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    assert_flat(counts_at_growing_data(client, reverse("outages:incidents"), seed=seed_incidents))


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_detail_query_count_does_not_grow(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    first = IncidentFactory(districts=[DistrictFactory()])

    def seed(n):
        seed_incidents(n)
        for _ in range(n):
            first.updates.create(text_uk="Ще", text_en="More")
            first.districts.add(DistrictFactory())
            first.follows.create(user=UserFactory())

    assert_flat(counts_at_growing_data(client, first.get_absolute_url(), seed=seed))
