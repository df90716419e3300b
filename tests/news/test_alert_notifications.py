"""Alerts reach the right residents through the outbox: by district, in their language, once."""

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.utils import timezone, translation

from citizens.notifications.models import (
    Broadcast,
    Delivery,
    Notification,
    PushSubscription,
    TelegramLink,
)
from citizens.notifications.services import broadcast_fan_out_step
from news.models import Alert, AlertKind, Severity
from news.services import (
    NewsError,
    alert_publish,
    alert_resolve,
    alert_save,
    alert_update_add,
    alerts_notify_due,
    subscription_set,
)
from news.tasks import notify_due_alerts
from tests.factories import UserFactory, verify_email

from .factories import committed, make_alert

pytestmark = pytest.mark.django_db
_chat = itertools.count(1000)


def resident_in(district, *, language="uk", push=True, telegram=True):
    user = UserFactory(district=district, preferred_language=language)
    verify_email(user)
    if push:
        PushSubscription.objects.create(
            user=user, endpoint=f"https://fcm.googleapis.com/{user.pk}", p256dh="k", auth="a"
        )
    if telegram:
        TelegramLink.objects.create(user=user, chat_id=next(_chat), linked_at=timezone.now())
    return user


def fan_out():
    for broadcast in Broadcast.objects.filter(status=Broadcast.Status.PENDING):
        while broadcast_fan_out_step(broadcast_id=broadcast.pk):
            pass


def told(event=None):
    rows = Notification.objects.all()
    if event:
        rows = rows.filter(event=event)
    return sorted(rows.values_list("recipient_id", flat=True))


@pytest.fixture
def people(north, south, all_channels):
    return {
        "north": resident_in(north),
        "north_en": resident_in(north, language="en"),
        "south": resident_in(south),
        "nowhere": resident_in(None),
    }


def test_critical_alert_reaches_residents_of_its_districts_on_every_channel(people, north):
    make_alert(districts=[north])
    fan_out()

    assert told("news.alert_critical") == sorted([people["north"].pk, people["north_en"].pk])
    channels = sorted(
        Delivery.objects.filter(notification__recipient=people["north"]).values_list(
            "channel", flat=True
        )
    )
    assert channels == ["email", "telegram", "webpush"]
    assert not Delivery.objects.filter(notification__recipient=people["south"]).exists()


def test_whole_city_alert_reaches_everyone(people):
    make_alert(whole_city=True)
    fan_out()
    assert told() == sorted(u.pk for u in people.values())


def test_alert_is_rendered_in_each_recipients_language(people, north):
    make_alert(districts=[north])
    fan_out()
    for key, lang, title in [
        ("north", "uk", "Укриття на вул. Перекопській зачинене"),
        ("north_en", "en", "The shelter on Perekopska St is closed"),
    ]:
        notification = Notification.objects.get(recipient=people[key])
        with translation.override(lang):
            rendered_title, text = notification.rendered()
        assert title in rendered_title
        assert text == (
            "Користуйтеся укриттям у школі №5." if lang == "uk" else "Use the shelter in school 5."
        )


def test_residents_who_chose_another_district_get_its_alerts(people, north, south):
    with committed():
        subscription_set(user=people["south"], digest=False, alert_districts=[north])
    make_alert(districts=[north])
    fan_out()
    assert people["south"].pk in told()
    assert people["nowhere"].pk not in told()


def test_muted_kind_is_not_sent_unless_critical(people, north):
    with committed():
        subscription_set(user=people["north"], digest=False, muted_kinds=[AlertKind.ROAD])
    make_alert(districts=[north], kind=AlertKind.ROAD, severity=Severity.WARNING)
    fan_out()
    assert told("news.alert") == [people["north_en"].pk]

    make_alert(districts=[north], kind=AlertKind.ROAD, severity=Severity.CRITICAL)
    fan_out()
    assert people["north"].pk in told("news.alert_critical")


def test_information_alerts_are_shown_but_not_sent(people, north):
    make_alert(districts=[north], severity=Severity.INFO, kind=AlertKind.WATER_TRUCK)
    fan_out()
    assert told() == []


def test_channel_switched_off_in_preferences_is_respected(people, north):
    from citizens.notifications.services import preferences_set

    preferences_set(user=people["north"], choices={("news.alert_critical", "email"): False})
    make_alert(districts=[north])
    fan_out()
    channels = set(
        Delivery.objects.filter(notification__recipient=people["north"]).values_list(
            "channel", flat=True
        )
    )
    assert channels == {"telegram", "webpush"}


def test_draft_alert_tells_nobody(people, north):
    make_alert(districts=[north], publish=False)
    fan_out()
    assert told() == []


def test_alert_is_sent_once_however_often_the_task_runs(people, north):
    alert = make_alert(districts=[north])
    with committed():
        assert alerts_notify_due() == 0
        notify_due_alerts()
    fan_out()
    assert Broadcast.objects.count() == 1
    assert told() == sorted([people["north"].pk, people["north_en"].pk])
    alert.refresh_from_db()
    assert alert.notified_at is not None


def test_scheduled_alert_is_sent_by_the_task_when_it_starts(people, north, clock):
    alert = make_alert(districts=[north], starts_at=timezone.now() + dt.timedelta(minutes=30))
    fan_out()
    assert told() == []
    with committed():
        assert alerts_notify_due() == 0

    clock.shift(dt.timedelta(minutes=31))
    with committed():
        assert alerts_notify_due() == 1
    fan_out()
    assert told("news.alert_critical") == sorted([people["north"].pk, people["north_en"].pk])
    alert.refresh_from_db()
    assert alert.notified_at is not None


def test_alert_over_before_its_start_was_noticed_is_not_sent(people, north, clock):
    make_alert(
        districts=[north],
        starts_at=timezone.now() + dt.timedelta(minutes=1),
        ends_at=timezone.now() + dt.timedelta(minutes=2),
    )
    clock.shift(dt.timedelta(minutes=5))
    with committed():
        alerts_notify_due()
    fan_out()
    assert told() == []


def test_update_reaches_those_told_about_the_alert(people, north):
    alert = make_alert(districts=[north], severity=Severity.WARNING, kind=AlertKind.WATER)
    fan_out()
    with committed():
        alert_update_add(alert=alert, text_uk="Вода є на Перекопській.", text_en="Water is back.")
    fan_out()
    assert told("news.alert_update") == sorted([people["north"].pk, people["north_en"].pk])
    note = Notification.objects.get(event="news.alert_update", recipient=people["north_en"])
    with translation.override("en"):
        title, text = note.rendered()
    assert text == "Water is back."
    assert title.endswith(": update")


def test_resolving_closes_the_alert_and_tells_who_was_told(people, north):
    alert = make_alert(districts=[north])
    fan_out()
    with committed():
        alert_resolve(
            alert=alert, text_uk="Укриття знову відчинене.", text_en="The shelter is open again."
        )
    fan_out()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert alert.resolved_at is not None
    assert told("news.alert_update") == sorted([people["north"].pk, people["north_en"].pk])
    assert alert.updates.get().text_en == "The shelter is open again."


def test_update_needs_both_languages(north):
    alert = make_alert(districts=[north])
    with pytest.raises(NewsError):
        alert_update_add(alert=alert, text_uk="Лише українською", text_en=" ")


def test_resolved_alert_takes_no_updates(north):
    alert = make_alert(districts=[north])
    with committed():
        alert_resolve(alert=alert)
    with pytest.raises(NewsError):
        alert_update_add(alert=alert, text_uk="Ще", text_en="More")


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        (Alert.Status.DRAFT, "publish", True),
        (Alert.Status.DRAFT, "resolve", False),
        (Alert.Status.PUBLISHED, "publish", False),
        (Alert.Status.PUBLISHED, "resolve", True),
        (Alert.Status.RESOLVED, "publish", False),
        (Alert.Status.RESOLVED, "resolve", False),
    ],
)
def test_transition_table(north, status, action, allowed):
    alert = make_alert(districts=[north], publish=False)
    Alert.objects.filter(pk=alert.pk).update(status=status)
    alert.refresh_from_db()
    call = {"publish": alert_publish, "resolve": alert_resolve}[action]
    if allowed:
        with committed():
            call(alert=alert)
    else:
        with pytest.raises(NewsError):
            call(alert=alert)


def test_alert_without_districts_or_whole_city_is_refused(north):
    alert = Alert(kind=AlertKind.POWER, title_uk="Т", title_en="T", text_uk="Т", text_en="T")
    with pytest.raises(NewsError):
        alert_save(alert=alert, districts=[])


def test_alert_must_end_after_it_starts(north):
    now = timezone.now()
    alert = Alert(
        kind=AlertKind.POWER, title_uk="Т", title_en="T", text_uk="Т", text_en="T",
        whole_city=True, starts_at=now, ends_at=now - dt.timedelta(hours=1),
    )  # fmt: skip
    with pytest.raises(NewsError):
        alert_save(alert=alert)


@pytest.mark.parametrize(
    "geometry",
    [
        "not json",
        '{"type": "Circle"}',
        '{"type": "Point", "coordinates": [500, 46]}',
        '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}',
        '{"type": "FeatureCollection", "features": []}',
    ],
)
def test_bad_geojson_is_refused_with_a_message(geometry):
    alert = Alert(
        kind=AlertKind.POWER, title_uk="Т", title_en="T", text_uk="Т", text_en="T",
        whole_city=True, geometry=geometry,
    )  # fmt: skip
    with pytest.raises(NewsError):
        alert_save(alert=alert)


def test_pasted_geometry_is_stored_as_a_feature_collection():
    alert = Alert(
        kind=AlertKind.WATER_TRUCK, title_uk="Т", title_en="T", text_uk="Т", text_en="T",
        whole_city=True, geometry='{"type": "Point", "coordinates": [32.61, 46.63]}',
    )  # fmt: skip
    with committed():
        alert_save(alert=alert)
    alert.refresh_from_db()
    assert alert.geometry["type"] == "FeatureCollection"
    assert alert.geometry["features"][0]["geometry"]["type"] == "Point"


def test_alerts_notify_due_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["news-alerts-notify-due"]
    assert entry["task"] == "news.tasks.notify_due_alerts"
    assert entry["schedule"] <= 30
