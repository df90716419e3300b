"""Filing appeals on the web and from the offline outbox is limited per account and per address."""

import uuid

import pytest
from django.urls import reverse

from appeals.models import Appeal
from tests.factories import CategoryFactory, DistrictFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
NEW = reverse("appeals:new")


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {"account": "2/hour", "address": "3/hour"},
    }


@pytest.fixture
def url():
    category = CategoryFactory(slug="pothole", kinds=["problem"])
    return f"{NEW}?kind=problem&category={category.slug}"


@pytest.fixture
def place():
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    return {"latitude": f"{south + 0.005:.6f}", "longitude": f"{west + 0.005:.6f}"}


def form(place, **fields):
    return {
        "title": "Яма на дорозі біля зупинки",
        "description": "Велика яма на проїжджій частині, машини об'їжджають по тротуару.",
        "address": "",
        "visibility": "public",
        "idempotency_key": str(uuid.uuid4()),
        **place,
        **fields,
    }


def signed_in(client_for, language="en", **extra):
    user = UserFactory(preferred_language=language)
    client = client_for(user)
    client.defaults.update(extra)
    return client


def test_a_resident_filing_past_the_account_limit_gets_429_with_the_text_kept(
    client_for, tight, url, place
):
    client = signed_in(client_for)
    for _ in range(2):
        assert client.post(url, form(place)).status_code == 302

    response = client.post(url, form(place, description="Третя яма: " + "дуже глибока " * 5))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "too many times in a short while" in html
    assert "Третя яма: дуже глибока" in html  # kept, to send again
    assert 'name="title" value="Яма на дорозі біля зупинки"' in html
    assert Appeal.objects.count() == 2


def test_the_429_page_is_in_ukrainian_for_a_ukrainian_resident(client_for, tight, url, place):
    client = signed_in(client_for, language="uk")
    for _ in range(2):
        client.post(url, form(place))
    response = client.post(url, form(place))
    assert response.status_code == 429
    assert "Забагато запитів" in response.content.decode()


def test_another_resident_at_another_address_is_not_held_back(client_for, tight, url, place):
    first = signed_in(client_for, REMOTE_ADDR="203.0.113.1")
    for _ in range(3):
        first.post(url, form(place))
    second = signed_in(client_for, REMOTE_ADDR="203.0.113.2")
    assert second.post(url, form(place)).status_code == 302


def test_one_address_is_limited_across_accounts(client_for, tight, url, place):
    codes = []
    for _ in range(4):
        client = signed_in(client_for, REMOTE_ADDR="203.0.113.1")
        codes.append(client.post(url, form(place)).status_code)
    assert codes == [302, 302, 302, 429]


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(
    client_for, tight, url, place, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    codes = []
    for n in range(4):
        client = signed_in(
            client_for, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR=f"10.{n}.0.1"
        )
        codes.append(client.post(url, form(place)).status_code)
    assert codes == [302, 302, 302, 429]


def test_behind_the_proxy_residents_are_counted_by_their_own_address(
    client_for, tight, url, place, settings
):
    """One attacker behind nginx does not use up everyone else's allowance."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        attacker = signed_in(
            client_for, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66"
        )
        attacker.post(url, form(place))
    blocked = signed_in(client_for, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert blocked.post(url, form(place)).status_code == 429
    # The attacker's own forged entries sit left of what nginx appended: no escape.
    forged = signed_in(
        client_for, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.66"
    )
    assert forged.post(url, form(place)).status_code == 429
    neighbour = signed_in(client_for, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert neighbour.post(url, form(place)).status_code == 302


def test_forms_sent_back_with_errors_do_not_use_up_the_allowance_of_the_outbox(
    client_for, tight, url, place
):
    client = signed_in(client_for, HTTP_ACCEPT="application/json")
    for _ in range(5):
        refused = client.post(url, form(place, description="Коротко"))
        assert refused.status_code == 400
    assert client.post(url, form(place)).status_code == 201


def test_the_offline_outbox_gets_429_as_data(client_for, tight, url, place):
    client = signed_in(client_for, HTTP_ACCEPT="application/json")
    for _ in range(2):
        assert client.post(url, form(place)).status_code == 201

    response = client.post(url, form(place))

    assert response.status_code == 429
    assert response["Retry-After"]
    body = response.json()
    assert "too many times" in body["message"]
    assert body["retry_after"] > 0


def test_opening_the_form_is_never_limited(client_for, tight, url, place):
    client = signed_in(client_for)
    for _ in range(2):
        client.post(url, form(place))
    assert client.get(url).status_code == 200


def test_messages_on_ones_appeal_are_limited_with_the_text_kept(client_for, resident, settings):
    from tests.factories import submit_appeal

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "message": {"account": "2/hour", "address": "10/hour"},
    }
    appeal = submit_appeal(resident)
    client = client_for(resident)
    url = reverse("appeals:add_info", args=[appeal.reference])
    for n in range(2):
        assert client.post(url, {"text": f"Доповнення {n}"}).status_code == 302

    response = client.post(url, {"text": "Третє доповнення: яма стала ще глибшою за вихідні."})

    assert response.status_code == 429
    assert "Третє доповнення: яма стала ще глибшою за вихідні." in response.content.decode()
    assert appeal.messages.filter(text__startswith="Третє").count() == 0
