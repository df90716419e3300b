"""Issue 22: a published or resolved alert reaches the saved places in its area, once each."""

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from citizens.models import SavedPlaceNotice
from citizens.notifications.models import Notification
from news.models import Severity
from news.services import alert_publish, alert_resolve, alerts_notify_due
from news.services.alerts import _notify_if_due
from news.tasks import tell_saved_places
from tests.factories import SavedPlaceFactory, square

from .factories import committed, make_alert

pytestmark = pytest.mark.django_db
TASK = "news.tasks.tell_saved_places"


def place_calls(queued) -> list[tuple]:
    return [args for name, args in queued if name == TASK]


def run_place_tasks(queued) -> int:
    return sum(tell_saved_places(*args) for args in place_calls(queued))


def told_places() -> list:
    rows = Notification.objects.filter(event="citizens.saved_place").order_by("pk")
    return [(n.recipient_id, n.context["place"], n.context["what"]["en"]) for n in rows]


def test_a_published_alert_tells_the_places_in_its_districts_only(queued, north, south):
    home = SavedPlaceFactory(district=north, label="Дім")
    SavedPlaceFactory(district=south, label="Робота")
    alert = make_alert(districts=[north], severity=Severity.WARNING)
    assert place_calls(queued) == [(alert.pk, "published")]
    assert run_place_tasks(queued) == 1
    assert told_places() == [(home.user_id, "Дім", "It has started")]
    note = Notification.objects.get(event="citizens.saved_place")
    assert note.context["title"] == {"uk": alert.title_uk, "en": alert.title_en}
    assert note.context["what"]["uk"] == "Почалося"
    assert note.url == alert.get_absolute_url()


def test_the_task_is_queued_after_the_commit_not_inside_it(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north], publish=False)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        alert_publish(alert=alert)
    assert place_calls(queued) == []
    assert SavedPlaceNotice.objects.count() == 0
    for callback in callbacks:
        callback()
    assert place_calls(queued) == [(alert.pk, "published")]


def test_the_priority_lane_is_used(monkeypatch, north, settings):
    from mycity.lib import tasks as task_queue

    lanes = []
    monkeypatch.setattr(
        task_queue, "queue", lambda task, *args, on=None: lanes.append((task, on)) or True
    )
    make_alert(districts=[north])
    assert (TASK, settings.NOTIFICATIONS_PRIORITY_QUEUE) in lanes


def test_a_reclaim_and_a_repeated_task_do_not_tell_twice(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north])
    with committed():
        assert _notify_if_due(alert.pk) is False  # claimed already
        assert alerts_notify_due() == 0  # nor does the beat task
    assert len(place_calls(queued)) == 1
    assert run_place_tasks(queued) == 1
    assert run_place_tasks(queued) == 0  # the task retried
    assert len(told_places()) == 1


def test_the_beat_task_tells_a_scheduled_alert_once(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north], starts_at=timezone.now() + dt.timedelta(minutes=5))
    assert place_calls(queued) == []
    later = timezone.now() + dt.timedelta(minutes=6)
    with committed():
        alerts_notify_due(now=later)
        alerts_notify_due(now=later)
    assert place_calls(queued) == [(alert.pk, "published")]
    run_place_tasks(queued)
    assert len(told_places()) == 1


def test_a_resolved_alert_tells_the_places_again_once(queued, north):
    SavedPlaceFactory(district=north, label="Дім")
    alert = make_alert(districts=[north])
    run_place_tasks(queued)
    with committed():
        alert_resolve(alert=alert, text_uk="Укриття знову відкрите.", text_en="Open again.")
    assert place_calls(queued) == [(alert.pk, "published"), (alert.pk, "resolved")]
    run_place_tasks(queued)  # both again: a retry tells nobody twice
    assert [what for _user, _place, what in told_places()] == ["It has started", "It is over"]
    over = Notification.objects.filter(event="citizens.saved_place").order_by("pk").last()
    assert over.context["text"] == {"uk": "Укриття знову відкрите.", "en": "Open again."}


def test_a_resolved_alert_nobody_was_told_of_tells_no_place(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north], starts_at=timezone.now() + dt.timedelta(hours=1))
    with committed():
        alert_resolve(alert=alert)
    assert place_calls(queued) == []
    assert tell_saved_places(alert.pk, "resolved") == 0


def test_an_information_alert_tells_no_place(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north], severity=Severity.INFO)
    with committed():
        alert_resolve(alert=alert)
    assert place_calls(queued) == []
    assert tell_saved_places(alert.pk, "published") == 0
    assert told_places() == []


def test_a_whole_city_alert_tells_every_place(queued, north, south):
    SavedPlaceFactory(district=north)
    SavedPlaceFactory(district=south)
    make_alert(whole_city=True)
    assert run_place_tasks(queued) == 2


def test_a_drawn_area_tells_only_the_places_inside_it(queued, north):
    inside = SavedPlaceFactory(district=north)
    outside = SavedPlaceFactory(district=north)
    outside.latitude += 0.004
    outside.save()
    area = square(west=inside.longitude - 0.001, south=inside.latitude - 0.001, size=0.002)
    make_alert(districts=[north], geometry={"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": area, "properties": {}}
    ]})  # fmt: skip
    run_place_tasks(queued)
    assert [user for user, _place, _what in told_places()] == [inside.user_id]


def test_a_start_is_not_told_once_the_alert_is_over(queued, north):
    SavedPlaceFactory(district=north)
    alert = make_alert(districts=[north])
    with committed():
        alert_resolve(alert=alert)
    assert tell_saved_places(alert.pk, "published") == 0


def test_without_a_broker_the_places_are_told_after_the_commit(monkeypatch, north):
    from mycity.lib import tasks as task_queue

    monkeypatch.setattr(task_queue, "queue", lambda task, *args, on=None: False)
    SavedPlaceFactory(district=north)
    make_alert(districts=[north])
    assert len(told_places()) == 1


def test_an_unknown_alert_or_event_tells_nobody(north):
    assert tell_saved_places(999_999, "published") == 0
    alert = make_alert(districts=[north])
    assert tell_saved_places(alert.pk, "exploded") == 0
