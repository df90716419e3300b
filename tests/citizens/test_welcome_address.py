"""The welcome step finds the home district from a typed address, through the city's geocoder."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from mycity.lib import geocoder
from tests.factories import DistrictFactory, UserFactory, square

pytestmark = pytest.mark.django_db
URL = reverse("citizens:welcome")


class FakeSearch(BaseHTTPRequestHandler):
    answer: object = []
    status = 200
    seen: list

    def do_GET(self):
        parts = urlsplit(self.path)
        type(self).seen.append((parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}))
        body = json.dumps(type(self).answer).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(settings, monkeypatch):
    handler = type("Handler", (FakeSearch,), {"answer": [], "status": 200, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_address[1]}/nominatim"
    monkeypatch.setattr(geocoder, "TIMEOUT_SECONDS", 0.5)
    yield handler
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def newcomer(client):
    user = UserFactory(onboarded_at=None, district=None)
    client.force_login(user)
    return user


@pytest.fixture
def east():
    DistrictFactory(boundary=square(west=32.0, south=46.6))
    return DistrictFactory(boundary=square(west=32.5, south=46.6))


def test_a_typed_address_sets_the_district_that_contains_it(client, newcomer, east, nominatim):
    nominatim.answer = [{"lat": "46.605", "lon": "32.505", "display_name": "Перекопська, 17"}]

    response = client.post(URL, {"address": "  Перекопська   17 ", "next": "/"})

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.district == east
    ((path, query),) = nominatim.seen
    assert path == "/nominatim/search"
    assert query["q"] == "Перекопська 17"
    # Only inside the box around the city: the same street elsewhere is not Kherson's.
    assert query["bounded"] == "1"
    assert query["viewbox"]


@pytest.mark.parametrize(
    ("status", "answer"),
    [(200, []), (200, {"error": "x"}), (200, [{"lat": "nope"}]), (500, []), (200, "<html>")],
)
def test_an_address_not_found_is_said_and_nothing_is_saved(
    client, newcomer, east, nominatim, status, answer
):
    nominatim.status, nominatim.answer = status, answer

    response = client.post(URL, {"address": "Нема такої, 1"})

    assert response.status_code == 200
    assert "Не вдалося знайти цю адресу" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.district is None


def test_a_place_far_from_the_city_is_not_taken(client, newcomer, east, nominatim):
    nominatim.answer = [{"lat": "50.45", "lon": "30.52"}]  # Kyiv
    response = client.post(URL, {"address": "Хрещатик, 1"})
    assert "Не вдалося знайти цю адресу" in response.content.decode()


def test_a_point_on_the_map_wins_and_the_geocoder_is_not_asked(client, newcomer, east, nominatim):
    client.post(URL, {"address": "Перекопська 17", "latitude": "46.605", "longitude": "32.505"})

    newcomer.refresh_from_db()
    assert newcomer.district == east
    assert nominatim.seen == []


def test_without_a_geocoder_the_address_box_is_not_offered(client, newcomer, east, settings):
    settings.GEOCODER_URL = ""
    page = client.get(URL).content.decode()
    assert 'name="address"' not in page

    client.post(URL, {"address": "Перекопська 17", "district": east.pk})
    newcomer.refresh_from_db()
    assert newcomer.district == east


def test_the_address_box_is_offered_with_a_geocoder(client, newcomer, east, nominatim):
    page = client.get(URL).content.decode()
    assert 'name="address"' in page
    assert nominatim.seen == []  # showing the step asks nothing
