"""The notifications inbox and web push registration through the API."""

import pytest

from citizens.notifications.models import Notification, PushSubscription
from citizens.notifications.services import notify
from tests.citizens.notifications.webpush_helpers import Browser, new_vapid_keys

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/device-1"


@pytest.fixture
def vapid(settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_vapid_keys()
    settings.VAPID_SUBJECT = "mailto:city@example.org"


def test_inbox_lists_ones_own_notifications_in_the_callers_language(
    api_for, resident, other_resident
):
    notify(recipients=[resident], event="citizens.test", url="/me/")
    notify(recipients=[other_resident], event="citizens.test", url="/me/")
    data = api_for(resident).get(f"{V1}/notifications/").json()
    assert data["count"] == 1
    [item] = data["results"]
    assert item["title"]
    assert item["is_read"] is False


def test_mark_one_read_and_all_read(api_for, resident, other_resident):
    for _ in range(3):
        notify(recipients=[resident], event="citizens.test")
    notify(recipients=[other_resident], event="citizens.test")
    client = api_for(resident)
    first = Notification.objects.filter(recipient=resident).first()
    assert client.post(f"{V1}/notifications/{first.pk}/read/").json()["is_read"] is True
    assert client.get(f"{V1}/notifications/?unread=true").json()["count"] == 2
    assert client.post(f"{V1}/notifications/read-all/").json() == {"marked": 2}
    theirs = Notification.objects.get(recipient=other_resident)
    assert client.post(f"{V1}/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_inbox_makes_a_fixed_number_of_queries(api_for, resident, django_assert_max_num_queries):
    for _ in range(25):
        notify(recipients=[resident], event="citizens.test")
    with django_assert_max_num_queries(2):
        assert len(api_for(resident).get(f"{V1}/notifications/").json()["results"]) == 20


def test_inbox_needs_a_signed_in_person(api):
    assert api.get(f"{V1}/notifications/").status_code in (401, 403)
    assert api.post(f"{V1}/push-subscriptions/", {}, format="json").status_code in (401, 403)


def test_register_list_and_remove_a_push_device(api_for, resident, vapid):
    client = api_for(resident)
    body = Browser().subscription(ENDPOINT)
    response = client.post(f"{V1}/push-subscriptions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert client.post(f"{V1}/push-subscriptions/", body, format="json").status_code == 200
    assert [d["endpoint"] for d in client.get(f"{V1}/push-subscriptions/").json()] == [ENDPOINT]
    removed = client.post(f"{V1}/push-subscriptions/remove/", {"endpoint": ENDPOINT}, format="json")
    assert removed.json() == {"removed": True}
    assert not PushSubscription.objects.exists()
    again = client.post(f"{V1}/push-subscriptions/remove/", {"endpoint": ENDPOINT}, format="json")
    assert again.status_code == 404


def test_bad_push_subscriptions_are_400(api_for, resident, vapid):
    client = api_for(resident)
    body = Browser().subscription("http://evil.example/push")
    assert client.post(f"{V1}/push-subscriptions/", body, format="json").status_code == 400
    body = Browser().subscription(ENDPOINT)
    body["keys"]["p256dh"] = "bm90LWEta2V5"
    assert client.post(f"{V1}/push-subscriptions/", body, format="json").status_code == 400


def test_push_is_refused_when_not_configured(api_for, resident):
    body = Browser().subscription(ENDPOINT)
    response = api_for(resident).post(f"{V1}/push-subscriptions/", body, format="json")
    assert response.status_code == 400
