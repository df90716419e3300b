"""Issue 22: /me/places/: list, add (map pin, address, coordinates), rename, remove."""

import datetime as dt

import pytest
from django.utils import timezone

from citizens.forms import SavedPlaceForm
from citizens.models import SavedPlace
from mycity.lib import geocoder
from tests.factories import DistrictFactory, IncidentFactory, SavedPlaceFactory, square
from tests.news.factories import committed, make_alert
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db
URL = "/me/places/"


def inside(district) -> tuple[float, float]:
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


def add(client, district, label="Дім", **extra):
    lat, lon = inside(district)
    return client.post(URL, {"label": label, "latitude": lat, "longitude": lon, **extra})


@pytest.fixture
def me(client_for, resident):
    return client_for(resident)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_place_is_added_by_coordinates_and_its_district_found(me, resident, north):
    response = add(me, north, label="  Дім   батьків ")
    assert response.status_code == 302
    place = SavedPlace.objects.get(user=resident)
    assert place.label == "Дім батьків"
    assert place.district == north
    page = me.get(URL).content.decode()
    assert "Дім батьків" in page
    assert north.name_uk in page


def test_a_place_is_added_by_a_typed_address(me, resident, north, monkeypatch):
    monkeypatch.setattr(geocoder, "search", lambda text: inside(north))
    response = me.post(URL, {"label": "Робота", "address": "Перекопська 17"})
    assert response.status_code == 302
    place = SavedPlace.objects.get(user=resident)
    assert (place.address, place.district) == ("Перекопська 17", north)


def test_an_address_not_found_keeps_what_was_typed(me, resident, monkeypatch):
    monkeypatch.setattr(geocoder, "search", lambda text: None)
    response = me.post(URL, {"label": "Робота", "address": "Нема такої 1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Нема такої 1" in html
    assert 'value="Робота"' in html
    assert not SavedPlace.objects.exists()


def test_nothing_to_locate_the_place_by_is_an_error(me):
    assert me.post(URL, {"label": "Дім"}).status_code == 400
    assert not SavedPlace.objects.exists()


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("abc", "32.6"), ("46.6", ""), ("", "32.6"), ("200", "32.6"), ("46.6", "-1000"),
     ("nan", "32.6"), ("inf", "32.6")],
)  # fmt: skip
def test_bad_coordinates_are_a_form_error(me, lat, lon):
    response = me.post(URL, {"label": "Дім", "latitude": lat, "longitude": lon})
    assert response.status_code == 400
    assert not SavedPlace.objects.exists()


def test_a_point_outside_the_city_is_refused(me, north):
    response = me.post(URL, {"label": "Дача", "latitude": "50.45", "longitude": "30.52"})
    assert response.status_code == 400
    assert "Ця точка за межами міста" in response.content.decode()
    assert not SavedPlace.objects.exists()


@pytest.mark.parametrize("label", ["Дім\x00", "", "   ", "x" * 61])
def test_a_bad_name_is_a_form_error(me, north, label):
    response = add(me, north, label=label)
    assert response.status_code == 400
    assert not SavedPlace.objects.exists()


def test_a_lone_surrogate_in_the_name_is_a_form_error(north):
    lat, lon = inside(north)
    form = SavedPlaceForm(data={"label": "Дім\ud800", "latitude": lat, "longitude": lon})
    assert not form.is_valid()
    assert "label" in form.errors


def test_a_nul_byte_in_the_address_is_a_form_error(me, north):
    assert add(me, north, address="вул.\x00").status_code == 400


def test_the_sixth_place_is_refused(me, resident, north, settings):
    settings.SAVED_PLACES_MAX = 5
    for i in range(5):
        assert add(me, north, label=f"Місце {i}").status_code == 302
    response = add(me, north, label="Шосте")
    assert response.status_code == 400
    assert SavedPlace.objects.filter(user=resident).count() == 5
    page = me.get(URL).content.decode()
    assert 'id="place-form"' not in page  # the form is replaced by the reason


def test_a_double_submit_saves_one_place(me, resident, north):
    assert add(me, north).status_code == 302
    assert add(me, north).status_code == 400
    assert SavedPlace.objects.filter(user=resident).count() == 1


def test_a_place_is_renamed_and_moved(me, resident, north, south):
    place = SavedPlaceFactory(user=resident, district=north, label="Дім")
    lat, lon = inside(south)
    response = me.post(f"{URL}{place.pk}/", {"label": "Батьки", "latitude": lat, "longitude": lon})
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.label, place.district) == ("Батьки", south)
    assert SavedPlace.objects.count() == 1


def test_renaming_to_a_name_in_use_is_refused(me, resident, north):
    SavedPlaceFactory(user=resident, district=north, label="Дім")
    other = SavedPlaceFactory(user=resident, district=north, label="Робота")
    lat, lon = inside(north)
    response = me.post(f"{URL}{other.pk}/", {"label": "дім", "latitude": lat, "longitude": lon})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.label == "Робота"


def test_a_place_is_removed_and_a_second_removal_is_404(me, resident, north):
    place = SavedPlaceFactory(user=resident, district=north)
    assert me.post(f"{URL}{place.pk}/delete/").status_code == 302
    assert not SavedPlace.objects.exists()
    assert me.post(f"{URL}{place.pk}/delete/").status_code == 404


def test_removing_needs_a_post(me, resident, north):
    place = SavedPlaceFactory(user=resident, district=north)
    assert me.get(f"{URL}{place.pk}/delete/").status_code == 405
    assert SavedPlace.objects.filter(pk=place.pk).exists()


def test_another_persons_place_is_404(me, other_resident, north):
    theirs = SavedPlaceFactory(user=other_resident, district=north, label="Їхній дім")
    assert me.get(f"{URL}{theirs.pk}/").status_code == 404
    lat, lon = inside(north)
    response = me.post(f"{URL}{theirs.pk}/", {"label": "Моє", "latitude": lat, "longitude": lon})
    assert response.status_code == 404
    assert me.post(f"{URL}{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == "Їхній дім"
    assert "Їхній дім" not in me.get(URL).content.decode()


def test_each_place_shows_what_covers_it_now(me, resident, north, south):
    home = SavedPlaceFactory(user=resident, district=north, label="Дім")
    SavedPlaceFactory(user=resident, district=south, label="Робота")
    IncidentFactory(
        districts=[north],
        started_at=timezone.now().replace(hour=7, minute=40) - dt.timedelta(days=0),
        expected_at=timezone.now() + dt.timedelta(hours=6),
        title_uk="Немає світла на Півночі",
    )
    IncidentFactory(districts=[south], status="resolved", title_uk="Вже минуло")
    area = square(west=home.longitude - 0.001, south=home.latitude - 0.001, size=0.002)
    IncidentFactory(area=area, kind="water", title_uk="Немає води в кварталі")
    make_alert(districts=[north], title_uk="Укриття на Півночі зачинене")
    html = me.get(URL).content.decode()
    home_part, work_part = html.split("Робота</h3>")
    assert "Немає світла на Півночі" in home_part
    assert "Немає води в кварталі" in home_part
    assert "Укриття на Півночі зачинене" in home_part
    assert "⚡" in home_part
    assert "Вже минуло" not in html
    assert "Немає світла на Півночі" not in work_part


def test_the_cabinet_and_the_notification_settings_link_here(me):
    assert f'href="{URL}"' in me.get("/me/").content.decode()
    assert f'href="{URL}"' in me.get("/me/notifications/settings/").content.decode()


def test_a_place_saved_elsewhere_shows_on_the_kept_page(me, resident, north, settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 60
    me.get(URL)
    with committed():
        SavedPlaceFactory(user=resident, district=north, label="Нове місце")
    assert "Нове місце" in me.get(URL).content.decode()


@pytest.mark.parametrize(("language", "words"), [("uk", "Мої місця"), ("en", "My places")])
def test_the_page_is_in_both_languages(client_for, resident, language, words):
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])
    client = client_for(resident)
    client.cookies["django_language"] = language
    assert words in client.get(URL, headers={"accept-language": language}).content.decode()


def test_the_page_does_not_grow_with_incidents_and_alerts(client_for, resident):
    districts = [DistrictFactory() for _ in range(5)]
    for i, district in enumerate(districts):
        SavedPlaceFactory(user=resident, district=district, label=f"Місце {i}")

    def seed(n):
        for i in range(n):
            district = districts[i % 5]
            IncidentFactory(districts=[district, DistrictFactory()])
            IncidentFactory(whole_city=True, kind="water")
            make_alert(districts=[district])

    assert_flat(counts_at_growing_data(client_for(resident), URL, seed=seed))
