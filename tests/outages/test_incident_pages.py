"""The public incident pages and following an incident."""

import pytest
from django.urls import reverse

from tests.factories import DistrictFactory, IncidentFactory, UserFactory

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
