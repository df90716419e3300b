"""Open311 for browsers and careful clients: HEAD, CORS for reads, address_id said
unsupported, and a client's media_url kept back until a moderator approves it."""

import pytest

from appeals.models import AppealAudit, Open311Submission

from .conftest import BASE, xml
from .test_post import post, reference_of

pytestmark = pytest.mark.django_db
READS = [
    "discovery.json",
    "services.xml",
    "services/pothole.json",
    "requests.json",
    "requests.xml",
]


@pytest.fixture
def place(district, pothole):
    west, south = district.boundary["coordinates"][0][0]
    return {"lat": str(south + 0.004), "long": str(west + 0.006)}


@pytest.mark.parametrize("path", READS)
def test_every_read_answers_head_without_a_body(client, city, path):
    get = client.get(f"{BASE}/{path}")
    head = client.head(f"{BASE}/{path}")
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


def test_head_of_one_request_and_of_a_token(client, city, partner, place):
    ref = city["public"].reference
    assert client.head(f"{BASE}/requests/{ref}.json").status_code == 200
    assert client.head(f"{BASE}/requests/KH-2026-999999.json").status_code == 404
    [answer] = post(client, partner[1], **place).json()
    assert client.head(f"{BASE}/tokens/{answer['token']}.xml").status_code == 200


@pytest.mark.parametrize("path", [*READS, "requests/KH-2026-999999.json", "nowhere.json"])
def test_reads_and_their_errors_are_open_to_every_origin(client, city, path):
    response = client.get(f"{BASE}/{path}", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_post_is_not_opened_to_other_origins(client, partner, place):
    data = {"service_code": "pothole", "attribute[size]": "40", "api_key": partner[1], **place}
    response = client.post(f"{BASE}/requests.json", data, HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 201, response.content
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_for_a_read_is_approved(client, city):
    response = client.options(
        f"{BASE}/requests.json",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept-language",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD"}
    assert "Accept-Language" in response["Access-Control-Allow-Headers"]
    assert "POST" in response["Allow"]


def test_a_preflight_for_a_post_is_not_approved(client, city):
    response = client.options(
        f"{BASE}/requests.json",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


def test_another_method_is_still_405_with_head_and_options_allowed(client, city):
    response = client.put(f"{BASE}/services.json")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_says_address_id_is_not_supported(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    if fmt == "json":
        assert response.json()["unsupported_parameters"] == ["address_id"]
    else:
        assert xml(response).findtext("unsupported_parameters/parameter") == "address_id"


# --- media_url: moderated before it is published ---------------------------------

MEDIA = "https://partner.example/photos/pothole.jpg"
SUBMISSIONS = "/admin/appeals/open311submission/"


@pytest.fixture
def posted(client, partner, place):
    """A request posted with a media_url, then accepted: public, without photos."""
    from appeals.models import Appeal

    response = post(client, partner[1], media_url=MEDIA, **place)
    ref = reference_of(client, response)
    Appeal.objects.filter(reference=ref).update(status="accepted")
    return ref


def _media(client, ref, key=None):
    query = f"?api_key={key}" if key else ""
    [row] = client.get(f"{BASE}/requests/{ref}.json{query}").json()
    return row["media_url"]


def test_a_clients_media_url_is_not_public_until_approved(client, partner, posted):
    assert _media(client, posted) is None
    assert MEDIA not in client.get(f"{BASE}/requests.xml").content.decode()
    assert _media(client, posted, key=partner[1]) == MEDIA  # the client's own link


def test_a_moderator_approves_the_media_url_in_the_admin(client, client_for, moderator, posted):
    submission = Open311Submission.objects.get(appeal__reference=posted)
    response = client_for(moderator).post(
        SUBMISSIONS, {"action": "approve_media", "_selected_action": [submission.pk]}
    )
    assert response.status_code == 302
    assert _media(client, posted) == MEDIA
    audit = AppealAudit.objects.get(appeal__reference=posted)
    assert (audit.action, audit.actor) == ("appeals.open311_media_approve", moderator)


def test_a_moderator_removes_the_media_url(client, client_for, moderator, partner, posted):
    submission = Open311Submission.objects.get(appeal__reference=posted)
    client_for(moderator).post(
        SUBMISSIONS, {"action": "approve_media", "_selected_action": [submission.pk]}
    )
    client_for(moderator).post(
        SUBMISSIONS, {"action": "remove_media", "_selected_action": [submission.pk]}
    )
    assert _media(client, posted) is None
    assert _media(client, posted, key=partner[1]) is None
    submission.refresh_from_db()
    assert submission.media_url == ""


def test_staff_who_do_not_moderate_cannot_approve(client, client_for, city_admin, posted):
    submission = Open311Submission.objects.get(appeal__reference=posted)
    client_for(city_admin).post(
        SUBMISSIONS, {"action": "approve_media", "_selected_action": [submission.pk]}
    )
    submission.refresh_from_db()
    assert submission.media_url_approved is False
    assert _media(client, posted) is None


def test_an_approved_media_url_stays_hidden_while_the_request_is_not_public(
    client, client_for, moderator, partner, place
):
    ref = reference_of(client, post(client, partner[1], media_url=MEDIA, **place))
    submission = Open311Submission.objects.get(appeal__reference=ref)
    client_for(moderator).post(
        SUBMISSIONS, {"action": "approve_media", "_selected_action": [submission.pk]}
    )
    assert client.get(f"{BASE}/requests/{ref}.json").status_code == 404  # in moderation
    assert _media(client, ref, key=partner[1]) == MEDIA
