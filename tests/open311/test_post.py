"""POST requests: API keys, locations, attributes validated as the web form, errors."""

import pytest

from appeals.models import Appeal, Open311Submission
from appeals.open311.keys import key_digest
from appeals.open311.services import api_client_revoke, api_client_rotate_key

from .conftest import BASE, errors, xml

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]


def post(client, key, fmt="json", **fields):
    data = {"service_code": "pothole", "lat": "", "long": "", "attribute[size]": "40"}
    data.update(fields)
    if key is not None:
        data["api_key"] = key
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v != ""})


def reference_of(client, response, fmt="json") -> str:
    """The service_request_id of a posted request, through its token (as a client does)."""
    if fmt == "json":
        [answer] = response.json()
        token = answer["token"]
    else:
        token = xml(response).findtext("request/token")
    [found] = client.get(f"{BASE}/tokens/{token}.json").json()
    return found["service_request_id"]


@pytest.fixture
def place(district, pothole):
    west, south = district.boundary["coordinates"][0][0]
    return {"lat": str(south + 0.004), "long": str(west + 0.006)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_waits_for_moderation_under_the_client(client, partner, place, fmt):
    api_client, key = partner
    response = post(
        client,
        key,
        fmt,
        description="Глибока яма на проїжджій частині біля зупинки.",
        email="reporter@example.org",
        first_name="Ірина",
        last_name="Шевченко",
        phone="+380501234567",
        **place,
        **{"attribute[lane]": "liva", "attribute[hazards][]": ["voda", "sklo"]},
    )
    assert response.status_code == 201, response.content
    if fmt == "json":
        [answer] = response.json()
        assert answer["service_notice"]
    appeal = Appeal.objects.get(reference=reference_of(client, response, fmt))
    assert appeal.status == "moderation"
    assert appeal.author == api_client.user
    assert appeal.kind == "problem"
    assert appeal.is_public is True
    assert appeal.extra_answers == {"size": 40, "lane": "liva", "hazards": ["voda", "sklo"]}
    submission = appeal.open311
    assert submission.client == api_client
    assert (submission.email, submission.phone) == ("reporter@example.org", "+380501234567")
    assert appeal.latitude == float(place["lat"])


def test_a_request_by_address_only_is_accepted(client, partner, pothole):
    response = post(client, partner[1], address_string="вул. Ушакова, 12")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(reference=reference_of(client, response))
    assert appeal.address == "вул. Ушакова, 12"
    assert appeal.description  # made from the service and the place when none is given


def test_the_client_sees_its_own_request_in_moderation_others_do_not(client, partner, place):
    ref = reference_of(client, post(client, partner[1], **place))
    assert client.get(f"{BASE}/requests/{ref}.json").status_code == 404
    response = client.get(f"{BASE}/requests/{ref}.json?api_key={partner[1]}")
    [row] = response.json()
    assert row["status"] == "open"
    assert row["status_notes"] == "Awaiting moderation"
    assert row["lat"] == float(place["lat"])  # its own: the exact point it sent


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_held_for_moderation_is_answered_with_a_token_only(client, partner, place, fmt):
    """The spec: either service_request_id or token, never both."""
    response = post(client, partner[1], fmt, **place)
    assert response.status_code == 201
    if fmt == "json":
        [answer] = response.json()
        assert set(answer) == {"token", "service_notice", "account_id"}
    else:
        root = xml(response)
        assert root.findtext("request/token")
        assert root.find("request/service_request_id") is None


def test_token_gives_the_request_id(client, partner, place):
    [answer] = post(client, partner[1], **place).json()
    appeal = Open311Submission.objects.get(token=answer["token"]).appeal
    response = client.get(f"{BASE}/tokens/{answer['token']}.json")
    assert response.json() == [{"service_request_id": appeal.reference, "token": answer["token"]}]
    root = xml(client.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert root.findtext("request/service_request_id") == appeal.reference


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_token_is_404(client, fmt):
    response = client.get(f"{BASE}/tokens/7d8e5a43-0000-4000-8000-000000000000.{fmt}")
    assert response.status_code == 404
    assert errors(response)[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_api_key_is_403(client, pothole, place, fmt):
    response = post(client, None, fmt, **place)
    assert response.status_code == 403
    assert errors(response)[0]["code"] == 403
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("key", ["nonsense", "mc311_deadbeef_forged-secret", ""])
def test_invalid_api_key_is_403(client, partner, place, key):
    response = post(client, key or "mc311__", **place)
    assert response.status_code == 403


def test_revoked_and_replaced_keys_stop_working(client, partner, place):
    api_client, key = partner
    new_key = api_client_rotate_key(client=api_client)
    assert post(client, key, **place).status_code == 403
    assert post(client, new_key, **place).status_code == 201
    api_client_revoke(client=api_client)
    assert post(client, new_key, **place).status_code == 403


def test_the_key_is_stored_only_as_a_digest(partner):
    api_client, key = partner
    api_client.refresh_from_db()
    assert key not in str(api_client.__dict__.values())
    assert api_client.key_hash == key_digest(key)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "fields",
    [
        {"service_code": ""},
        {"lat": "", "long": ""},  # no location at all
        {"long": ""},  # half a point
        {"lat": "abc"},
        {"lat": "nan"},
        {"lat": "95"},
        {"lat": "50.45", "long": "30.52"},  # Kyiv: outside the city
        {"attribute[size]": ""},  # required
        {"attribute[size]": "big"},  # a number
        {"attribute[lane]": "Middle"},  # not a choice
        {"attribute[hazards][]": "Fire"},
        {"attribute[repeat]": "maybe"},
        {"description": "я" * 4001},
        {"email": "not-an-address"},
        {"media_url": "javascript:alert(1)"},
        {"address_string": "в" * 251, "lat": "", "long": ""},
        {"address_id": "123", "lat": "", "long": ""},
    ],
)
def test_bad_posts_are_400_in_the_error_list(client, partner, place, fmt, fields):
    from tests.factories import CategoryFactory

    CategoryFactory(slug="violence", sensitive=True, kinds=["problem"])
    data = {**place, **fields}
    response = post(client, partner[1], fmt, **data)
    assert response.status_code == 400, response.content
    [error] = errors(response)
    assert error["code"] == 400
    assert error["description"]
    assert not Appeal.objects.exists()


def test_attribute_errors_name_the_attribute(client, partner, place):
    response = post(client, partner[1], **place, **{"attribute[size]": "big"})
    assert response.json()[0]["description"].startswith("attribute[size]:")


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_methods_are_405_in_the_error_list(client, fmt):
    response = client.delete(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405
    assert errors(response)[0]["code"] == 405
    assert client.post(f"{BASE}/services.{fmt}").status_code == 405


@pytest.mark.parametrize(
    "path", ["/open311/v2/", "/open311/v2/nothing.json", "/open311/v2/requests.html"]
)
def test_unknown_resources_are_404_never_html(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert errors(response)[0]["code"] == 404


@pytest.fixture
def steady_clock(monkeypatch):
    """The limits count in fixed one-minute windows: a test that crossed into the
    next minute between two requests would see its count start again."""
    import types

    from mycity.lib import ratelimit

    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: 1_800_000_010.0))


@pytest.mark.usefixtures("steady_clock")
def test_the_key_rate_limit_answers_429_with_retry_after(client, partner, place):
    api_client, key = partner
    api_client.requests_per_minute = 2
    api_client.save()
    assert post(client, key, **place).status_code == 201
    assert post(client, key, **place).status_code == 201
    response = post(client, key, **place)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert errors(response)[0]["code"] == 429
    assert Open311Submission.objects.count() == 2


@pytest.mark.usefixtures("steady_clock")
def test_the_key_rate_limit_is_per_key(client, partner, place):
    from .factories import api_client as issue

    api_client, key = partner
    api_client.requests_per_minute = 1
    api_client.save()
    _other, other_key = issue(name="Інша організація")
    assert post(client, key, **place).status_code == 201
    assert post(client, key, **place).status_code == 429
    assert post(client, other_key, **place).status_code == 201


def test_anonymous_reads_are_limited_per_ip(client, settings, pothole):
    settings.OPEN311_ANON_RATE = "3/minute"
    assert [client.get(f"{BASE}/services.json").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    other_ip = client.get(f"{BASE}/services.json", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_an_unexpected_failure_is_an_error_list_not_an_html_page(client, monkeypatch, pothole):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("appeals.open311.reads.services", broken)
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 500
    assert errors(response)[0]["code"] == 500


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["nope", "violence"])
def test_posting_to_an_unknown_service_is_404_in_the_error_list(client, partner, place, fmt, code):
    from tests.factories import CategoryFactory

    CategoryFactory(slug="violence", sensitive=True, kinds=["problem"])  # not a service
    response = post(client, partner[1], fmt, service_code=code, **place)
    assert response.status_code == 404, response.content
    [error] = errors(response)
    assert error["code"] == 404
    assert code in error["description"]
    assert not Appeal.objects.exists()


def test_address_id_is_refused_even_with_a_point(client, partner, place):
    response = post(client, partner[1], address_id="42", **place)
    assert response.status_code == 400
    [error] = errors(response)
    assert "address_id" in error["description"]
    assert not Appeal.objects.exists()


def test_the_reporters_name_is_registered_but_the_appeal_is_anonymous(client, partner, place):
    """Open311 has first_name/last_name but no place of residence (Art. 5, 8)."""
    api_client, key = partner
    api_client.user.residence = "Херсон, вул. Клієнтська"
    api_client.user.save()

    response = post(
        client,
        key,
        description="Глибока яма на проїжджій частині біля зупинки.",
        first_name="Ірина",
        last_name="Шевченко",
        **place,
    )

    appeal = Appeal.objects.get(reference=reference_of(client, response))
    assert appeal.author_full_name == "Шевченко Ірина"
    assert appeal.author_residence == ""  # never the client account's
    assert appeal.is_anonymous
    assert not appeal.priority


def test_reads_never_show_the_reporters_name_or_priority(client, partner, place):
    _api_client, key = partner
    response = post(
        client,
        key,
        description="Глибока яма на проїжджій частині біля зупинки.",
        first_name="Ірина",
        last_name="Шевченко",
        **place,
    )
    ref = reference_of(client, response)
    Appeal.objects.filter(reference=ref).update(
        status="accepted", priority=True, priority_category="combatant"
    )

    for url in (f"{BASE}/requests.json", f"{BASE}/requests/{ref}.json"):
        body = client.get(url).content.decode()
        assert "Шевченко" not in body
        assert "priority" not in body
        assert "combatant" not in body


@pytest.mark.parametrize(
    ("attributes", "stored"),
    [
        ({"attribute[lane]": "prava"}, {"lane": "prava"}),
        # Deprecated: the label, as the service definition gave it before keys.
        (
            {"attribute[lane]": "Right", "attribute[hazards][]": ["Скло"]},
            {"lane": "prava", "hazards": ["sklo"]},
        ),
    ],
)
def test_attributes_take_the_choice_key_and_for_now_its_label(
    client, partner, place, attributes, stored
):
    response = post(client, partner[1], **place, **attributes)

    assert response.status_code == 201, response.content
    answers = Appeal.objects.get().extra_answers
    assert {code: answers[code] for code in stored} == stored


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({"attribute[lane]": "middle"}, "attribute[lane]"),
        ({"attribute[hazards][]": ["voda", "fire"]}, "attribute[hazards]"),
    ],
)
def test_an_unknown_choice_key_is_400_naming_the_attribute(
    client, partner, place, attributes, named
):
    response = post(client, partner[1], **place, **attributes)

    assert response.status_code == 400
    assert named in response.content.decode()
    assert not Appeal.objects.exists()
