"""Declaring, updating, answering and resolving incidents; who hears of it, once."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citizens.notifications.models import Broadcast, Notification
from citizens.notifications.services import broadcast_fan_out_step
from mycity.incidents import incident_answered, incident_dismissed, incident_suggest
from mycity.models import Incident, IncidentEvent
from outages.services.incidents import (
    IncidentError,
    area_polygon,
    incident_answer,
    incident_confirm,
    incident_declare,
    incident_dismiss,
    incident_reopen,
    incident_resolve,
    incident_update_add,
    incidents_tell_due,
    tell_declared,
)
from tests.factories import SavedPlaceFactory, UserFactory, square, verify_email
from tests.news.factories import committed

pytestmark = pytest.mark.django_db


def resident_in(district, **fields):
    user = UserFactory(district=district, **fields)
    verify_email(user)
    return user


def fan_out():
    for broadcast in Broadcast.objects.filter(status=Broadcast.Status.PENDING):
        while broadcast_fan_out_step(broadcast_id=broadcast.pk):
            pass


def told(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def declare(districts, **fields):
    values = {"kind": "power", "title_uk": "Немає світла", "title_en": "No power"}
    values.update(fields)
    with committed():
        incident = incident_declare(districts=districts, **values)
    fan_out()
    return incident


@pytest.fixture
def clerk(db):
    return UserFactory(is_staff=True)


def test_declaring_tells_the_district_once_and_records_who(north, south, clerk):
    here, there = resident_in(north), resident_in(south)
    incident = declare([north], by=clerk)
    assert told("outages.incident") == [here.pk]
    assert there.pk not in told("outages.incident")
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.action, event.to_status, event.actor) == ("declare", "active", clerk)
    # The claim: neither the service again nor the sweep tells anyone twice.
    assert not tell_declared(incident.pk)
    assert incidents_tell_due() == 0
    fan_out()
    assert told("outages.incident") == [here.pk]


def test_the_message_says_since_when_and_until_when(north):
    resident_in(north, preferred_language="en")
    start = timezone.now().replace(hour=7, minute=40) - timezone.timedelta(days=1)
    declare(
        [north], started_at=start, expected_at=start + timezone.timedelta(hours=10),
        description_uk="Аварія на підстанції.", description_en="A substation fault.",
    )  # fmt: skip
    context = Notification.objects.get().context
    assert context["title"] == {"uk": "Немає світла", "en": "No power"}
    assert context["text"]["en"].startswith("Since ")
    assert "expected back" in context["text"]["en"]
    assert context["text"]["en"].endswith("A substation fault.")
    assert "Аварія на підстанції." in context["text"]["uk"]


def test_whole_city_tells_every_district(north, south):
    people = [resident_in(north), resident_in(south)]
    declare([], whole_city=True)
    assert told("outages.incident") == sorted(p.pk for p in people)


def test_a_drawn_area_tells_the_districts_it_touches(north, south):
    here, there = resident_in(north), resident_in(south)
    west, south_edge = north.boundary["coordinates"][0][0]
    declare([], area=square(west=west + 0.001, south=south_edge + 0.001, size=0.002))
    assert told("outages.incident") == [here.pk]
    assert there.pk not in told("outages.incident")


def test_saved_places_inside_the_area_are_told_once(north, south, eager):
    inside = SavedPlaceFactory(district=north, label="Батьки")
    SavedPlaceFactory(district=south)
    incident = declare([north])
    assert told("citizens.saved_place") == [inside.user_id]
    with committed():
        incident_resolve(incident=incident)
    fan_out()
    # Declared once, restored once: two messages to the place, each once.
    assert told("citizens.saved_place") == [inside.user_id, inside.user_id]
    subjects = sorted(n.context["what"]["en"] for n in Notification.objects.filter(
        event="citizens.saved_place"))  # fmt: skip
    assert subjects == ["Started", "restored"]


def test_muting_a_kind_of_alert_mutes_that_kind_of_outage(north):
    from news.services import subscription_set

    muted, plain = resident_in(north), resident_in(north)
    subscription_set(user=muted, digest=False, muted_kinds=["power"])
    declare([north])
    assert told("outages.incident") == [plain.pk]


def test_alert_subscribers_of_the_district_hear_of_its_outages(north, south):
    from news.services import subscription_set

    elsewhere = resident_in(south)
    subscription_set(user=elsewhere, digest=False, alert_districts=[north])
    declare([north])
    assert told("outages.incident") == [elsewhere.pk]


def test_an_update_reaches_the_area_and_followers(north, south):
    here = resident_in(north)
    follower = resident_in(south)
    incident = declare([north])
    incident.follows.create(user=follower)
    with committed():
        incident_update_add(incident=incident, text_uk="Бригада на місці", text_en="Crew on site")
    fan_out()
    assert told("outages.incident_update") == sorted([here.pk, follower.pk])


def test_an_update_needs_both_languages_and_a_live_incident(north):
    incident = declare([north])
    with pytest.raises(IncidentError):
        incident_update_add(incident=incident, text_uk="Бригада", text_en=" ")
    incident_resolve(incident=incident)
    with pytest.raises(IncidentError):
        incident_update_add(incident=incident, text_uk="Ще", text_en="More")


class Linked:
    """A stand-in for appeals: the receiver tells each linked author and returns their ids."""

    def __init__(self, ids):
        self.ids, self.calls = set(ids), 0

    def __call__(self, sender, incident, by, **kwargs):
        self.calls += 1
        return self.ids


def test_the_answer_goes_through_the_signal_once_and_followers_hear_it(north):
    author, follower = resident_in(north), resident_in(north)
    incident = declare([north])
    incident.follows.create(user=author)
    incident.follows.create(user=follower)
    linked = Linked({author.pk})
    incident_answered.connect(linked, sender=Incident, weak=False)
    try:
        result = incident_answer(incident=incident, answer_uk="Відновлено", answer_en="Restored")
        with pytest.raises(IncidentError):
            incident_answer(incident=incident, answer_uk="Ще раз", answer_en="Again")
    finally:
        incident_answered.disconnect(linked, sender=Incident)
    assert linked.calls == 1
    assert result == {author.pk, follower.pk}
    # The author heard it on their appeal (the receiver), not again here.
    assert told("outages.incident_update") == [follower.pk]
    incident.refresh_from_db()
    assert incident.answer_en == "Restored"


def test_resolving_with_an_answer_tells_linked_authors_once(north):
    author, neighbour = resident_in(north), resident_in(north)
    incident = declare([north])
    linked = Linked({author.pk})
    incident_answered.connect(linked, sender=Incident, weak=False)
    try:
        with committed():
            incident_resolve(incident=incident, answer_uk="Світло є", answer_en="Power is back")
        fan_out()
    finally:
        incident_answered.disconnect(linked, sender=Incident)
    # The author: the answer on their appeal only; the neighbour: "restored".
    assert told("outages.incident_update") == [neighbour.pk]
    note = Notification.objects.get(event="outages.incident_update")
    assert note.context["text"]["en"] == "Power is back"
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.resolved_at is not None
    assert list(incident.events.values_list("action", flat=True)) == ["declare", "resolve"]


def test_resolving_twice_is_refused(north):
    incident = declare([north])
    incident_resolve(incident=incident)
    with pytest.raises(IncidentError):
        incident_resolve(incident=incident)


def test_reopen_needs_a_reason(north):
    incident = declare([north])
    incident_resolve(incident=incident)
    with pytest.raises(IncidentError):
        incident_reopen(incident=incident, reason=" ")
    incident_reopen(incident=incident, reason="Знову вимкнули")
    incident.refresh_from_db()
    assert incident.status == "active"
    assert incident.events.last().note == "Знову вимкнули"


def suggestion(district):
    west, south = district.boundary["coordinates"][0][0]
    return incident_suggest(
        kind="water", lat=south + 0.005, lon=west + 0.005, radius_m=300,
        title_uk="Немає води?", title_en="No water?", started_at=timezone.now(),
    ).incident  # fmt: skip


def test_confirming_a_suggestion_declares_it_and_tells_its_area(north, clerk):
    here = resident_in(north)
    incident = suggestion(north)
    fan_out()
    assert not told("outages.incident")
    with committed():
        incident_confirm(incident=incident, by=clerk)
    fan_out()
    assert told("outages.incident") == [here.pk]
    assert Incident.objects.public().filter(pk=incident.pk).exists()


def test_dismissing_a_suggestion_needs_a_reason_and_tells_the_apps(north, clerk):
    incident = suggestion(north)
    heard = []

    def listener(sender, incident, by, **kwargs):
        heard.append((incident.pk, by))

    incident_dismissed.connect(listener, sender=Incident, weak=False)
    try:
        with pytest.raises(IncidentError):
            incident_dismiss(incident=incident, by=clerk, reason="")
        incident_dismiss(incident=incident, by=clerk, reason="Планові роботи, вже відомо")
    finally:
        incident_dismissed.disconnect(listener, sender=Incident)
    assert heard == [(incident.pk, clerk)]
    incident.refresh_from_db()
    assert incident.status == "dismissed"
    with pytest.raises(IncidentError):
        incident_confirm(incident=incident, by=clerk)


def test_declaring_needs_an_area():
    with pytest.raises(IncidentError):
        incident_declare(kind="power", title_uk="А", title_en="A", districts=[])


def test_expected_restoration_must_be_after_the_start(north):
    now = timezone.now()
    with pytest.raises(IncidentError):
        incident_declare(
            kind="power", title_uk="А", title_en="A", districts=[north],
            started_at=now, expected_at=now - timezone.timedelta(hours=1),
        )  # fmt: skip


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        {"type": "Point", "coordinates": [32.6, 46.6]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]},
        {"type": "FeatureCollection", "features": [{"geometry": None}]},
        "\x00",
        '{"type": "Polygon", "coordinates": "\ud800"}',
    ],
)
def test_bad_areas_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError):
        area_polygon(raw)


def test_a_drawn_feature_collection_becomes_one_geometry():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": square(west=32.6, south=46.6), "properties": {}},
            {"type": "Feature", "geometry": square(west=32.7, south=46.6), "properties": {}},
        ],
    }
    assert area_polygon(collection)["type"] == "MultiPolygon"
    assert area_polygon(square(west=32.6, south=46.6))["type"] == "Polygon"
    assert area_polygon("") is None
