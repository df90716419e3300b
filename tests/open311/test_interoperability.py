"""Independent Open311 clients from the package registry talk to our live server.

civicbot (a maintained GeoReport v2 client, JSON) lists the services, reads
a service definition, checks its payload against it and posts a request;
georeport (another client, which reads XML) lists services and requests.
Neither knows anything about this project.
"""

import pytest
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport
from pytest_django.live_server_helper import LiveServer

from appeals.models import Appeal

from .factories import api_client, pothole_category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_server(_test_settings, transactional_db):
    """A live server started per test, after the test settings (plain HTTP, no redirect)."""
    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def server(live_server, resident, settings):
    from tests.appeals.public_factories import public_appeal
    from tests.factories import DistrictFactory

    settings.LANGUAGE_CODE = "en"
    district = DistrictFactory()
    category = pothole_category()
    listed = public_appeal(resident, category=category, district=district)
    _client, key = api_client(name="Interop test")
    west, south = district.boundary["coordinates"][0][0]
    return {
        "base": f"{live_server.url}/open311/v2",
        "key": key,
        "listed": listed,
        "point": (south + 0.005, west + 0.005),
    }


def test_civicbot_lists_services_and_posts_a_request(server):
    endpoint = Endpoint(id="mycity", name="My City", base_url=server["base"], write=True)
    client = Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(0)))
    services = client.list_services()
    assert [s["service_code"] for s in services] == ["pothole"]
    lat, lng = server["point"]
    sent = client.create_request(
        "pothole",
        dry_run=False,
        confirm="SEND",
        api_key=server["key"],
        validate_remote=True,  # reads the service definition and checks the payload
        lat=lat,
        lng=lng,
        description="Deep pothole in the right lane, near the bus stop.",
        attributes={"size": "35", "lane": "prava", "hazards": ["voda"]},
        email="reporter@example.org",
    )
    # Held for moderation: a token (the spec's "either the id or a token"), which
    # the client turns into the id.
    [answer] = sent.response
    assert "service_request_id" not in answer
    [found] = client.get_token(answer["token"])
    appeal = Appeal.objects.get(reference=found["service_request_id"])
    assert appeal.status == "moderation"
    assert appeal.extra_answers == {"size": 35, "lane": "prava", "hazards": ["voda"]}


def test_civicbot_reads_requests(server):
    endpoint = Endpoint(id="mycity", name="My City", base_url=server["base"])
    client = Open311Client(endpoint, transport=HttpTransport(rate_limiter=RateLimiter(0)))
    ref = server["listed"].reference
    assert [r["service_request_id"] for r in client.list_requests(status="open")] == [ref]
    assert client.get_request(ref)["service_code"] == "pothole"


def test_georeport_reads_services_and_requests_as_xml(server):
    client = GeoReport(server["base"], output_format="xml")
    service = client.get_service_list()  # one service: xmltodict gives the element itself
    assert service["service_code"] == "pothole"
    assert service["metadata"] == "true"
    definition = client.get_service_definition("pothole")
    codes = [a["code"] for a in definition["attributes"]["attribute"]]
    assert codes == ["size", "lane", "hazards", "repeat", "landmark"]
    ref = server["listed"].reference
    assert client.get_service_request(ref)["service_request_id"] == ref
    assert client.get_service_requests(status="open")["service_request_id"] == ref
