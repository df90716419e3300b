"""Where a linked report shows its outage: the appeal page, the admin, the API, and the
public map's layer of live outages (its query count pinned, its cache dropped on change)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from appeals.models import Appeal
from mycity.models import Incident
from tests.appeals.incident_helpers import centre_of, drawn_incident, outage_category
from tests.appeals.public_factories import public_appeal
from tests.factories import DistrictFactory, IncidentFactory, UserFactory
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db

MAP = reverse("appeals:map_data")
CITY_BOX = {"bbox": "31.9,46.5,33.5,46.7"}


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def incident(district):
    return IncidentFactory(districts=[district])


@pytest.fixture
def linked(resident, district, incident):
    appeal = public_appeal(resident, category=outage_category(slug="no-power"), district=district)
    assert appeal.incident_id == incident.pk
    return appeal


def layer(client=None) -> list[dict]:
    response = (client or Client(HTTP_ACCEPT_LANGUAGE="en")).get(MAP, CITY_BOX)
    assert response.status_code == 200
    return response.json()["incidents"]["features"]


# --- the appeal page -----------------------------------------------------------------


def test_the_public_page_says_it_is_part_of_a_known_outage(linked, incident):
    html = Client().get(linked.get_absolute_url()).content.decode()
    assert 'id="known-outage"' in html
    assert incident.get_absolute_url() in html
    assert incident.title_uk in html


def test_the_author_sees_it_on_a_report_awaiting_moderation(
    client_for, resident, district, incident
):
    from tests.factories import submit_appeal

    appeal = submit_appeal(resident, outage_category(slug="no-power"), district=district)
    html = client_for(resident).get(appeal.get_absolute_url()).content.decode()
    assert incident.get_absolute_url() in html


def test_a_suggestion_is_never_shown_on_the_page(resident, district):
    suggestion = IncidentFactory(districts=[district], status="suggested")
    appeal = public_appeal(resident, category=outage_category(slug="no-power"), district=district)
    assert appeal.incident_id == suggestion.pk
    assert 'id="known-outage"' not in Client().get(appeal.get_absolute_url()).content.decode()


def test_the_page_of_a_linked_report_makes_no_more_queries(
    linked, resident, django_assert_max_num_queries
):
    other = public_appeal(resident, district=linked.district)
    client = Client()
    client.get(other.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        client.get(other.get_absolute_url())
    with django_assert_max_num_queries(len(plain)):
        client.get(linked.get_absolute_url())


# --- the admin and the API ------------------------------------------------------------


def test_the_admin_filters_and_links_the_outage(client_for, moderator, linked, incident):
    client = client_for(moderator)
    listing = client.get(reverse("admin:appeals_appeal_changelist"), {"outage": "yes"})
    assert listing.status_code == 200
    assert linked.reference in listing.content.decode()
    none = client.get(reverse("admin:appeals_appeal_changelist"), {"outage": "no"})
    assert linked.reference not in none.content.decode()
    page = client.get(reverse("admin:appeals_appeal_change", args=[linked.pk]))
    assert page.status_code == 200
    assert f"/admin/mycity/incident/{incident.pk}/change/" in page.content.decode()


def test_the_category_admin_has_the_outage_kind(client_for, city_admin):
    response = client_for(city_admin).get(reverse("admin:appeals_category_add"))
    assert response.status_code == 200
    assert 'name="incident_kind"' in response.content.decode()


def test_the_api_shows_the_incident_of_each_report(linked, incident, resident):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    rows = api.get("/api/v1/appeals/").json()["results"]
    assert [r["incident"] for r in rows if r["reference"] == linked.reference] == [incident.pk]
    detail = api.get(f"/api/v1/appeals/{linked.reference}/").json()
    assert detail["incident"] == incident.pk


# --- the public map's layer ------------------------------------------------------------


def test_the_map_shows_active_outages_with_a_link(incident, district):
    [feature] = layer()
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["geometry"]["coordinates"] == [district.boundary["coordinates"]]
    assert feature["properties"]["url"] == incident.get_absolute_url()
    assert feature["properties"]["title"] == incident.title_en


def test_the_map_shows_a_drawn_area_and_the_whole_city(district):
    lat, lon = centre_of(district)
    drawn = drawn_incident(lat=lat, lon=lon)
    IncidentFactory(whole_city=True, kind="water")
    features = {f["properties"]["id"]: f for f in layer()}
    assert features[drawn.pk]["geometry"]["coordinates"] == [drawn.area["coordinates"]]
    assert len(features) == 2


@pytest.mark.parametrize("status", ["suggested", "resolved", "dismissed"])
def test_the_map_leaves_out_outages_that_are_not_live(district, status):
    IncidentFactory(districts=[district], status=status)
    assert layer() == []


def test_the_layer_follows_a_new_incident_at_once(district, incident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert len(layer(client)) == 1
    IncidentFactory(districts=[DistrictFactory()], kind="water")
    assert len(layer(client)) == 2


def test_the_layer_follows_a_resolved_incident_at_once(incident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert len(layer(client)) == 1
    incident.status = "resolved"
    incident.save()
    assert layer(client) == []


def test_the_layer_follows_a_change_of_districts(district, incident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    layer(client)
    more = DistrictFactory()
    incident.districts.add(more)
    [feature] = layer(client)
    assert len(feature["geometry"]["coordinates"]) == 2


def test_the_layer_is_in_the_visitors_language(incident):
    assert layer(Client(HTTP_ACCEPT_LANGUAGE="uk"))[0]["properties"]["title"] == incident.title_uk
    assert layer(Client(HTTP_ACCEPT_LANGUAGE="en"))[0]["properties"]["title"] == incident.title_en


def test_the_map_data_query_count_does_not_grow_with_incidents(resident):
    def seed(n):
        for _ in range(n):
            district = DistrictFactory()
            IncidentFactory(districts=[district, DistrictFactory()])
            IncidentFactory(whole_city=True, kind="water")
            public_appeal(UserFactory(), district=district)

    counts = counts_at_growing_data(Client(), MAP, data=CITY_BOX, seed=seed, sizes=(2, 8))
    assert_flat(counts, limit=4)


def test_the_layer_comes_from_the_cache(incident, django_assert_num_queries):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    layer(client)
    # The appeals only: the layer is kept until an incident changes.
    with django_assert_num_queries(1):
        layer(client)


def test_deleting_an_incident_drops_it_from_the_layer(incident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    layer(client)
    Appeal.objects.update(incident=None)
    Incident.objects.all().delete()
    assert layer(client) == []
