"""The live status: the table of allowed changes, history, the feed's cache, "still accurate"."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from outages import point_workflow as workflow
from outages.models import HelpPoint, PointStatus
from outages.services import PointError, point_confirm, point_set_status

pytestmark = pytest.mark.django_db

ALLOWED = [
    ("open", "closed"),
    ("open", "full"),
    ("closed", "open"),
    ("full", "open"),
    ("full", "closed"),
]
REFUSED = [("closed", "full")]


def _with_status(point, status):
    HelpPoint.objects.filter(pk=point.pk).update(status=status)
    point.refresh_from_db()
    return point


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_allowed_status_changes(point, operator, before, after):
    _with_status(point, before)
    changed = point_set_status(point=point, by=operator, status=after)
    assert changed.status == after
    change = point.changes.get()
    assert (change.from_status, change.to_status, change.actor) == (before, after, operator)


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_refused_status_changes_change_nothing(point, operator, before, after):
    _with_status(point, before)
    with pytest.raises(PointError):
        point_set_status(point=point, by=operator, status=after)
    point.refresh_from_db()
    assert point.status == before
    assert not point.changes.exists()


def test_the_table_offers_what_it_allows():
    assert workflow.next_statuses(PointStatus.CLOSED) == [PointStatus.OPEN]
    assert set(workflow.next_statuses(PointStatus.OPEN)) == {PointStatus.CLOSED, PointStatus.FULL}


def test_a_status_change_records_who_when_from_and_to(client_for, operator, point):
    response = client_for(operator).post(
        reverse("outages:points_operate_status", args=[point.pk]),
        {"status": "full", "generator_on": "on"},
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.status == PointStatus.FULL
    assert point.generator_on is True
    assert point.confirmed_by == operator
    change = point.changes.get()
    assert change.action == "fill+generator"
    assert (change.from_status, change.to_status) == ("open", "full")
    assert (change.generator_before, change.generator_after) == (False, True)
    assert change.actor == operator


def test_a_status_change_invalidates_the_cached_feed(
    client, operator, point, django_capture_on_commit_callbacks
):
    first = json.loads(client.get("/points/points.geojson").content)
    assert first["features"][0]["properties"]["status"] == "open"
    with django_capture_on_commit_callbacks(execute=True):
        point_set_status(point=point, by=operator, status="closed")
    second = json.loads(client.get("/points/points.geojson").content)
    assert second["features"][0]["properties"]["status"] == "closed"


def test_the_feed_is_answered_from_the_cache(client, point, django_assert_num_queries):
    client.get("/points/points.geojson")
    with django_assert_num_queries(0):
        assert client.get("/points/points.geojson").status_code == 200


def test_still_accurate_moves_only_the_confirmation_time(client_for, operator, point):
    earlier = timezone.now() - dt.timedelta(hours=3)
    HelpPoint.objects.filter(pk=point.pk).update(confirmed_at=earlier, generator_on=True)
    response = client_for(operator).post(reverse("outages:points_operate_confirm", args=[point.pk]))
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.confirmed_at > earlier
    assert point.status == PointStatus.OPEN
    assert point.generator_on is True
    assert point.changes.get().action == workflow.CONFIRM


def test_the_same_status_again_is_a_confirmation(operator, point):
    point_confirm(point=point, by=operator)
    changed = point_set_status(point=point, by=operator, status="open")
    assert changed.status == PointStatus.OPEN
    assert list(point.changes.values_list("action", flat=True)) == ["confirm", "confirm"]


def test_htmx_gets_the_card_back(client_for, operator, point):
    response = client_for(operator).post(
        reverse("outages:points_operate_status", args=[point.pk]),
        {"status": "closed"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("<li")
    assert f'id="point-{point.pk}"' in body
    assert "підтверджено щойно" in body


def test_a_refused_change_on_the_web_says_why(client_for, operator, point):
    _with_status(point, PointStatus.CLOSED)
    response = client_for(operator).post(
        reverse("outages:points_operate_status", args=[point.pk]),
        {"status": "full"},
        follow=True,
    )
    assert "не може бути позначений" in response.content.decode()
    point.refresh_from_db()
    assert point.status == PointStatus.CLOSED


@pytest.mark.parametrize("status", ["", "burning", "open\x00", "x" * 5000])
def test_a_bad_status_is_a_form_error_never_a_500(client_for, operator, point, status):
    response = client_for(operator).post(
        reverse("outages:points_operate_status", args=[point.pk]),
        {"status": status},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    point.refresh_from_db()
    assert point.status == PointStatus.OPEN
