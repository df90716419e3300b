"""A place is shown as a place: the address, from the city's reverse geocoder once after filing.

The geocoder here is a fake Nominatim on loopback (http.server in a thread):
it answers, fails with HTTP 500, sends garbage, or is too slow. The public
never gets more than the public point tells: the street at the rounded point,
without a house number, or the district.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from appeals.models import Appeal, public_point
from appeals.services import transition
from appeals.services.places import appeal_geocode, appeals_geocode_missing
from appeals.workflow import MODERATOR, Action
from mycity.lib import geocoder
from tests.conftest import sign_in
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]

HOUSE = "137-А"
STREET = "вулиця Перекопська"
PUBLIC_STREET = "вулиця Соборна"


class FakeNominatim(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list

    def do_GET(self):
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        type(self).seen.append(
            {"path": urlsplit(self.path).path, "query": query, "agent": self.headers["User-Agent"]}
        )
        mode = type(self).mode
        if mode == "slow":
            time.sleep(1.5)
        if mode == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"Internal Server Error")
            return
        if mode == "garbage":
            body = b"<html>not json{"
        elif mode == "empty":
            body = json.dumps({"error": "Unable to geocode"}).encode()
        else:
            # A street-level question about the public point names another street,
            # and (as some servers do) a house number anyway: it must not be kept.
            street = STREET if query.get("zoom") == "18" else PUBLIC_STREET
            address = {"road": street, "house_number": HOUSE, "suburb": "Центр", "city": "Херсон"}
            body = json.dumps(
                {"display_name": f"{HOUSE}, {street}, Херсон", "address": address},
                ensure_ascii=False,
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim(settings, monkeypatch):
    """The fake geocoder, configured as GEOCODER_URL; `.mode` sets how it answers."""
    handler = type("Handler", (FakeNominatim,), {"mode": "ok", "seen": []})
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
def district():
    return DistrictFactory(name_uk="Центральний район", name_en="Central district")


@pytest.fixture
def category():
    return CategoryFactory()


@pytest.fixture
def author():
    return UserFactory()


def file(author, category, district, django_capture_on_commit_callbacks, **fields):
    """File through the service; the geocoding task runs on commit, eagerly."""
    west, south = district.boundary["coordinates"][0][0]
    fields.setdefault("latitude", south + 0.00537)
    fields.setdefault("longitude", west + 0.00461)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit_appeal(author, category, district=district, **fields)
    appeal.refresh_from_db()
    return appeal


def accept(appeal):
    return transition(appeal=appeal, action=Action.ACCEPT, actor=appeal.author, role=MODERATOR)


def page(client, appeal) -> str:
    response = client.get(appeal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


# --- the service and its geocoder -------------------------------------------------------


def test_pin_is_named_once_after_filing_exact_for_staff_street_only_for_the_public(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager
):
    appeal = file(author, category, district, django_capture_on_commit_callbacks)

    assert appeal.geocoded_address == f"{STREET}, {HOUSE}"
    assert appeal.public_address == PUBLIC_STREET
    assert appeal.geocoded_at is not None
    exact, public = nominatim.seen
    assert exact["path"] == public["path"] == "/nominatim/reverse"
    assert exact["query"]["format"] == "jsonv2"
    assert exact["query"]["accept-language"] == "uk"
    assert (float(exact["query"]["lat"]), float(exact["query"]["lon"])) == pytest.approx(
        (appeal.latitude, appeal.longitude), abs=1e-6
    )
    # The public address is asked about the rounded point, at street level.
    assert (float(public["query"]["lat"]), float(public["query"]["lon"])) == pytest.approx(
        public_point(appeal.latitude, appeal.longitude), abs=1e-9
    )
    assert public["query"]["zoom"] == "17"
    assert exact["agent"].startswith("MyCity/")


def test_an_appeal_is_never_asked_about_twice(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager
):
    appeal = file(author, category, district, django_capture_on_commit_callbacks)
    asked = len(nominatim.seen)

    assert appeal_geocode(appeal_id=appeal.pk) is False
    assert appeals_geocode_missing(pause=0) == 0
    assert len(nominatim.seen) == asked == 2


@pytest.mark.parametrize("mode", ["500", "garbage", "empty", "slow"])
def test_a_failing_geocoder_leaves_the_district_and_is_not_retried(
    mode, nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    nominatim.mode = mode
    started = time.monotonic()
    appeal = file(author, category, district, django_capture_on_commit_callbacks)

    # Two questions (exact and public point), no retries, bounded by the timeout.
    assert len(nominatim.seen) == 2
    assert time.monotonic() - started < 5
    assert (appeal.geocoded_address, appeal.public_address) == ("", "")
    assert appeal.geocoded_at is not None
    assert appeals_geocode_missing(pause=0) == 0
    assert len(nominatim.seen) == 2
    accept(appeal)
    html = page(client, appeal)
    assert 'id="place-label">Central district<' in html


def test_without_a_geocoder_nothing_is_asked_and_the_district_is_shown(
    settings, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    settings.GEOCODER_URL = ""
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))

    assert appeal.geocoded_at is None
    assert appeal.public_place == "Central district"
    assert 'id="place-label">Central district<' in page(client, appeal)


def test_the_sweep_names_pins_filed_before_the_geocoder_was_configured(
    settings, nominatim, author, category, district, django_capture_on_commit_callbacks, eager
):
    settings.GEOCODER_URL, url = "", settings.GEOCODER_URL
    first = file(author, category, district, django_capture_on_commit_callbacks)
    second = file(author, category, district, django_capture_on_commit_callbacks)
    no_pin = file(
        author,
        category,
        district,
        django_capture_on_commit_callbacks,
        latitude=None,
        longitude=None,
        address="вул. Соборна, 1",
    )
    settings.GEOCODER_URL = url

    assert appeals_geocode_missing(pause=0) == 2

    assert len(nominatim.seen) == 4
    for appeal in (first, second):
        appeal.refresh_from_db()
        assert appeal.public_address == PUBLIC_STREET
    no_pin.refresh_from_db()
    assert no_pin.geocoded_at is None


def test_a_page_view_never_asks_the_geocoder(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))
    Appeal.objects.filter(pk=appeal.pk).update(geocoded_at=None, public_address="")
    asked = len(nominatim.seen)

    page(client, appeal)
    page(sign_in(client, author), appeal)

    assert len(nominatim.seen) == asked


# --- what each person sees -----------------------------------------------------------


def test_the_public_sees_the_street_of_the_public_point_and_an_approximate_map(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))

    html = page(client, appeal)

    assert f'id="place-label">{PUBLIC_STREET}<' in html
    assert HOUSE not in html
    assert STREET not in html
    assert "≈" not in html
    lat, lon = public_point(appeal.latitude, appeal.longitude)
    assert f'data-lat="{lat:f}" data-lon="{lon:f}"' in html
    assert 'data-exact="0"' in html
    assert f"{appeal.latitude:f}" not in html
    assert "within about 100 m" in html


def test_the_author_sees_the_nearest_address_and_the_exact_point(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))

    html = page(sign_in(client, author), appeal)

    assert f'id="place-label">{STREET}, {HOUSE}<' in html
    assert f'data-lat="{appeal.latitude:f}" data-lon="{appeal.longitude:f}"' in html
    assert 'data-exact="1"' in html
    assert "Shown only to you and city staff." in html
    assert f"Others see: {PUBLIC_STREET}." in html


def test_a_typed_address_is_the_authors_and_staffs_never_the_publics(
    nominatim,
    author,
    category,
    district,
    django_capture_on_commit_callbacks,
    eager,
    client,
    moderator,
):
    typed = "вул. Перекопська, 15, кв. 4"
    appeal = accept(
        file(author, category, district, django_capture_on_commit_callbacks, address=typed)
    )

    assert typed not in page(client, appeal)
    assert f'id="place-label">{typed}<' in page(sign_in(client, author), appeal)
    assert f'id="place-label">{typed}<' in page(sign_in(client, moderator), appeal)


def test_the_page_has_no_map_scripts_without_a_point(
    author, category, district, django_capture_on_commit_callbacks, client
):
    appeal = file(
        author,
        category,
        district,
        django_capture_on_commit_callbacks,
        latitude=None,
        longitude=None,
        address="вул. Соборна, 1",
    )

    html = page(sign_in(client, author), appeal)

    assert 'id="place-label">вул. Соборна, 1<' in html
    assert "leaflet.js" not in html
    assert "place-map" not in html


@pytest.mark.parametrize("private", ["not_public", "sensitive"])
def test_private_appeals_keep_their_address_from_everyone_but_author_and_staff(
    private, nominatim, author, django_capture_on_commit_callbacks, eager, district, client
):
    category = CategoryFactory(sensitive=private == "sensitive")
    appeal = accept(
        file(
            author,
            category,
            district,
            django_capture_on_commit_callbacks,
            is_public=private != "not_public",
        )
    )

    response = client.get(appeal.get_absolute_url())
    assert response.status_code == 404
    assert HOUSE not in response.content.decode()
    listing = APIClient().get("/api/v1/appeals/").json()
    assert appeal.reference not in json.dumps(listing)
    assert client.get("/open311/v2/requests.json").json() == []


# --- the other surfaces: REST API, Open311, the map's data ----------------------------------


def test_api_gives_the_public_street_to_all_and_the_address_to_the_author(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))

    [row] = APIClient().get("/api/v1/appeals/").json()["results"]
    detail = APIClient().get(f"/api/v1/appeals/{appeal.reference}/").json()
    mine_client = APIClient()
    mine_client.force_authenticate(author)
    [mine] = mine_client.get("/api/v1/appeals/mine/").json()["results"]

    assert row["place"] == detail["place"] == PUBLIC_STREET
    assert HOUSE not in json.dumps(row, ensure_ascii=False)
    assert HOUSE not in json.dumps(detail, ensure_ascii=False)
    assert mine["place"] == f"{STREET}, {HOUSE}"


def test_open311_and_the_map_data_carry_only_the_public_street(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))

    [request] = client.get("/open311/v2/requests.json").json()
    lat, lon = public_point(appeal.latitude, appeal.longitude)
    bbox = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    [feature] = client.get(reverse("appeals:map_data"), {"bbox": bbox}).json()["features"]

    assert request["address"] == PUBLIC_STREET
    assert feature["properties"]["place"] == PUBLIC_STREET
    assert HOUSE not in json.dumps(request, ensure_ascii=False)
    assert HOUSE not in json.dumps(feature, ensure_ascii=False)


# --- the parser alone ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "address", "street"),
    [
        ({"address": {"road": "вулиця Соборна", "house_number": "5"}}, "вулиця Соборна, 5", None),
        ({"address": {"pedestrian": "площа Свободи"}}, "площа Свободи", "площа Свободи"),
        ({"address": {"suburb": "Шуменський", "house_number": "5"}}, "Шуменський", "Шуменський"),
        ({"address": {"city": "Херсон"}}, None, None),
        ({"error": "Unable to geocode"}, None, None),
        ({"address": "вулиця"}, None, None),
        ({"address": {"road": 12}}, None, None),
        ([1, 2, 3], None, None),
        (None, None, None),
    ],
)
def test_parse_reads_the_street_and_house_number_and_refuses_the_rest(payload, address, street):
    place = geocoder.parse(payload)
    if address is None:
        assert place is None
    else:
        assert place.address == address
        assert place.street_only == (street or place.street)


def test_a_providers_key_in_the_url_is_kept(settings, nominatim):
    settings.GEOCODER_URL += "?key=abc123"

    place = geocoder.reverse(46.6361, 32.6173)

    assert place.address == f"{STREET}, {HOUSE}"
    [asked] = nominatim.seen
    assert asked["path"] == "/nominatim/reverse"
    assert asked["query"]["key"] == "abc123"
    assert asked["query"]["lat"] == "46.636100"


@pytest.mark.parametrize("url", ["ftp://geo.example.org", "geo.example.org/nominatim"])
def test_a_bad_geocoder_url_stops_startup_without_quoting_it(url):
    from tests.mycity.test_settings import PRODUCTION, setup_django

    result = setup_django(**{**PRODUCTION, "GEOCODER_URL": url})

    assert result.returncode != 0
    assert "ImproperlyConfigured: GEOCODER_URL must be an http(s) URL" in result.stderr
    assert url not in result.stderr.split("ImproperlyConfigured")[-1]


def test_a_good_geocoder_url_starts():
    from tests.mycity.test_settings import PRODUCTION, setup_django

    result = setup_django(**{**PRODUCTION, "GEOCODER_URL": "https://geo.example.org/nominatim/"})

    assert result.returncode == 0, result.stderr


def test_the_list_and_the_suggestions_name_the_public_street_only(
    nominatim, author, category, district, django_capture_on_commit_callbacks, eager, client
):
    appeal = accept(file(author, category, district, django_capture_on_commit_callbacks))
    lat, lon = public_point(appeal.latitude, appeal.longitude)

    listing = client.get(reverse("appeals:list")).content.decode()
    similar = client.get(
        reverse("appeals:similar"), {"category": category.slug, "latitude": lat, "longitude": lon}
    ).content.decode()

    for html in (listing, similar):
        assert appeal.get_absolute_url() in html
        assert PUBLIC_STREET in html
        assert HOUSE not in html
        assert STREET not in html
