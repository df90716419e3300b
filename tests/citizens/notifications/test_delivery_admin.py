"""The outbox in the admin: the delivery list, its search and filters, the retry
action and who may use it."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from citizens.notifications.delivery import MAX_ATTEMPTS
from citizens.notifications.models import Delivery
from tests.citizens.notifications.delivery_helpers import (
    DELIVER,
    Status,
    outbox_row,
    person,
    statuses,
)

pytestmark = pytest.mark.django_db


# --- The admin ---------------------------------------------------------------


@pytest.fixture
def admin_client(client_for, city_admin):
    city_admin.preferred_language = "en"
    city_admin.save(update_fields=["preferred_language"])
    return client_for(city_admin)


def test_admin_lists_deliveries_with_recipient_and_error(admin_client):
    user = person(email="oksana@example.com")
    outbox_row(user, status=Status.FAILED, last_error="SMTP 550: " + "x" * 300)

    response = admin_client.get(reverse("admin:citizens_delivery_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "oksana@example.com" in html
    assert "SMTP 550: " in html
    assert "x" * 100 not in html  # an excerpt, not the whole error


def test_admin_finds_deliveries_by_recipient_email(admin_client):
    outbox_row(person(email="oksana@example.com"))
    outbox_row(person(email="taras@example.com"))

    response = admin_client.get(reverse("admin:citizens_delivery_changelist"), {"q": "oksana"})

    assert response.status_code == 200
    assert [d.notification.recipient.email for d in response.context["cl"].result_list] == [
        "oksana@example.com"
    ]


def test_admin_filters_deliveries_by_status_and_channel(admin_client):
    failed = outbox_row(status=Status.FAILED)
    outbox_row(status=Status.SENT)

    response = admin_client.get(
        reverse("admin:citizens_delivery_changelist"), {"status": "failed", "channel": "email"}
    )

    assert [d.pk for d in response.context["cl"].result_list] == [failed.pk]


def test_admin_delivery_list_makes_the_same_queries_for_many_rows(
    admin_client, django_assert_max_num_queries
):
    for _ in range(30):
        outbox_row()
    url = reverse("admin:citizens_delivery_changelist")
    admin_client.get(url)  # sessions, permissions and MFA state warmed up

    with django_assert_max_num_queries(12):
        assert admin_client.get(url).status_code == 200


def test_admin_retry_action_resets_failed_rows_and_says_so(
    admin_client, queued, django_capture_on_commit_callbacks
):
    failed = outbox_row(status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="550")
    sent = outbox_row(status=Status.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:citizens_delivery_changelist"),
            {"action": "retry_deliveries", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert statuses(failed, sent) == [Status.PENDING, Status.SENT]
    assert Delivery.objects.get(pk=failed.pk).attempts == 0
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 delivery will be sent again.",
        "1 delivery was left alone: only failed or cancelled ones are retried.",
    ]
    [(task, (ids,))] = queued
    assert (task, sorted(ids)) == (DELIVER, sorted([failed.pk, sent.pk]))


def test_admin_shows_a_delivery_read_only(admin_client):
    row = outbox_row(status=Status.FAILED, last_error="550 no such mailbox")
    url = reverse("admin:citizens_delivery_change", args=[row.pk])

    page = admin_client.get(url)
    admin_client.post(url, {"status": "sent", "attempts": 0})

    assert page.status_code == 200
    assert "550 no such mailbox" in page.content.decode()
    assert 'name="status"' not in page.content.decode()
    assert statuses(row) == [Status.FAILED]


def test_admin_cannot_add_or_delete_outbox_rows(admin_client):
    row = outbox_row()

    add = admin_client.get(reverse("admin:citizens_delivery_add"))
    delete = admin_client.post(
        reverse("admin:citizens_delivery_delete", args=[row.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Delivery.objects.filter(pk=row.pk).exists()


def test_staff_without_change_permission_is_not_offered_retry(client_for, moderator):
    outbox_row()
    moderator.user_permissions.add(Permission.objects.get(codename="view_delivery"))

    response = client_for(moderator).get(reverse("admin:citizens_delivery_changelist"))

    assert response.status_code == 200
    assert "retry_deliveries" not in response.content.decode()
