"""Saved places are told about what covers them, once per place and subject."""

import pytest
from django.core.exceptions import ValidationError

from citizens.models import SavedPlace, SavedPlaceNotice
from citizens.notifications.models import Notification
from citizens.places import place_save, places_tell
from tests.factories import DistrictFactory, SavedPlaceFactory, UserFactory, square

pytestmark = pytest.mark.django_db

CONTEXT = {
    "icon": "⚡",
    "title": {"uk": "Немає світла", "en": "No power"},
    "text": {"uk": "Аварія.", "en": "A fault."},
}
WHAT = {"uk": "Почалося", "en": "Started"}


def test_a_place_in_an_affected_district_is_told_once():
    north, south = DistrictFactory(), DistrictFactory()
    home = SavedPlaceFactory(district=north, label="Дім")
    SavedPlaceFactory(district=south)
    for _ in range(2):
        places_tell(
            subject="incident:1:declared", context=CONTEXT, what=WHAT, district_ids=[north.pk]
        )
    notes = Notification.objects.filter(event="citizens.saved_place")
    assert [n.recipient_id for n in notes] == [home.user_id]
    assert notes[0].context["place"] == "Дім"
    assert SavedPlaceNotice.objects.count() == 1
    # Another subject (the end of the same incident) is told again.
    places_tell(subject="incident:1:resolved", context=CONTEXT, what=WHAT, district_ids=[north.pk])
    assert Notification.objects.filter(event="citizens.saved_place").count() == 2


def test_two_places_of_one_resident_are_each_told():
    district = DistrictFactory()
    person = UserFactory()
    SavedPlaceFactory(user=person, district=district, label="Дім")
    SavedPlaceFactory(user=person, district=district, label="Батьки")
    assert (
        places_tell(
            subject="alert:3:published", context=CONTEXT, what=WHAT, district_ids=[district.pk]
        )
        == 2
    )


def test_a_drawn_area_tells_only_places_inside_it():
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    inside = SavedPlaceFactory(district=district, latitude=south + 0.001, longitude=west + 0.001)
    SavedPlaceFactory(district=district, latitude=south + 0.008, longitude=west + 0.008)
    area = square(west=west, south=south, size=0.002)
    assert places_tell(subject="incident:2:declared", context=CONTEXT, what=WHAT, area=area) == 1
    assert Notification.objects.get().recipient_id == inside.user_id


def test_a_point_only_geometry_falls_back_to_the_districts():
    district = DistrictFactory()
    SavedPlaceFactory(district=district)
    points = {"type": "Point", "coordinates": [0, 0]}
    told = places_tell(
        subject="alert:9:published", context=CONTEXT, what=WHAT, area=points,
        district_ids=[district.pk],
    )  # fmt: skip
    assert told == 1


def test_inactive_accounts_are_not_told():
    district = DistrictFactory()
    SavedPlaceFactory(district=district, user=UserFactory(is_active=False))
    assert places_tell(subject="x:1:y", context=CONTEXT, what=WHAT, whole_city=True) == 0


def test_place_save_derives_the_district_and_refuses_outside_the_city():
    district = DistrictFactory()
    person = UserFactory()
    west, south = district.boundary["coordinates"][0][0]
    place = place_save(
        user=person, label="  Робота ", latitude=south + 0.005, longitude=west + 0.005
    )
    assert (place.label, place.district) == ("Робота", district)
    with pytest.raises(ValidationError):
        place_save(user=person, label="Дача", latitude=10.0, longitude=10.0)
    with pytest.raises(ValidationError):
        place_save(user=person, label="робота", latitude=south + 0.005, longitude=west + 0.005)


def test_place_save_caps_the_number_of_places(settings):
    settings.SAVED_PLACES_MAX = 2
    district = DistrictFactory()
    person = UserFactory()
    west, south = district.boundary["coordinates"][0][0]
    for label in ("a", "b"):
        place_save(user=person, label=label, latitude=south + 0.005, longitude=west + 0.005)
    with pytest.raises(ValidationError):
        place_save(user=person, label="c", latitude=south + 0.005, longitude=west + 0.005)
    assert SavedPlace.objects.filter(user=person).count() == 2
