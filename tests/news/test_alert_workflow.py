"""The alerts' transition table: the named sets, the services and the public surfaces."""

import pytest

from news.alert_workflow import (
    FINAL_STATUSES,
    LIVE_STATUSES,
    PUBLIC_STATUSES,
    PUBLISH,
    RESOLVE,
    Status,
    allowed,
    next_statuses,
)
from news.models import Alert
from news.services import NewsError, alert_publish, alert_resolve, alert_update_add

from .factories import committed, make_alert

pytestmark = pytest.mark.django_db


def test_the_named_sets_of_statuses():
    named = {"public": PUBLIC_STATUSES, "live": LIVE_STATUSES, "final": FINAL_STATUSES}

    assert named == {
        "public": {Status.PUBLISHED, Status.RESOLVED},
        "live": {Status.PUBLISHED},
        "final": {Status.RESOLVED},
    }
    assert [next_statuses(s) for s in Status] == [[Status.PUBLISHED], [Status.RESOLVED], []]


@pytest.mark.parametrize("status", Status.values)
def test_publish_and_resolve_only_from_where_the_table_allows(north, status):
    alert = make_alert(districts=[north], publish=False)
    Alert.objects.filter(pk=alert.pk).update(status=status)
    for action, service in ((PUBLISH, alert_publish), (RESOLVE, alert_resolve)):
        if allowed(action, status):
            continue
        with committed(), pytest.raises(NewsError):
            service(alert=alert)
        assert Alert.objects.get(pk=alert.pk).status == status


@pytest.mark.parametrize("status", Status.values)
def test_an_update_is_refused_only_for_a_final_alert(north, status):
    alert = make_alert(districts=[north], publish=False)
    Alert.objects.filter(pk=alert.pk).update(status=status)

    if status in FINAL_STATUSES:
        with committed(), pytest.raises(NewsError):
            alert_update_add(alert=alert, text_uk="Вода є", text_en="Water is back")
    else:
        with committed():
            alert_update_add(alert=alert, text_uk="Вода є", text_en="Water is back")
        assert alert.updates.count() == 1


@pytest.mark.parametrize("status", Status.values)
def test_the_page_and_the_api_show_exactly_the_public_statuses(client, north, status):
    alert = make_alert(districts=[north], publish=False)
    Alert.objects.filter(pk=alert.pk).update(status=status)

    page = client.get(alert.get_absolute_url()).status_code
    api = client.get(f"/api/v1/alerts/{alert.pk}/").status_code

    assert (page, api) == ((200, 200) if status in PUBLIC_STATUSES else (404, 404))
