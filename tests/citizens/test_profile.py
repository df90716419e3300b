"""The personal cabinet (/me/) and the profile form (/me/profile/)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

CABINET = reverse("citizens:cabinet")
PROFILE = reverse("citizens:profile")


def profile_data(user, **overrides):
    data = {
        "full_name": user.full_name,
        "display_name": user.display_name,
        "phone": "",
        "preferred_language": user.preferred_language,
        "district": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("path", [CABINET, PROFILE])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": [path]}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("path", [CABINET, PROFILE])
def test_every_signed_in_role_opens_its_own_pages(as_role, role, path):
    assert as_role(role).get(path).status_code == 200


def test_cabinet_shows_the_persons_own_data_only(client_for, resident, other_resident):
    html = client_for(resident).get(CABINET).content.decode()

    assert resident.full_name in html
    assert resident.email in html
    assert other_resident.email not in html
    assert other_resident.full_name not in html


def test_editing_the_profile_saves_the_changes(client_for, resident):
    district = DistrictFactory()

    response = client_for(resident).post(
        PROFILE,
        profile_data(
            resident,
            full_name="Оксана Петрівна Коваленко",
            display_name="Оксана К.",
            preferred_language="en",
            district=district.pk,
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == CABINET
    resident.refresh_from_db()
    assert resident.full_name == "Оксана Петрівна Коваленко"
    assert resident.display_name == "Оксана К."
    assert resident.preferred_language == "en"
    assert resident.district == district


@pytest.mark.parametrize("typed", ["050 123 45 67", "0501234567", "+380 50 123 45 67"])
def test_ukrainian_phone_is_stored_in_e164(client_for, resident, typed):
    response = client_for(resident).post(PROFILE, profile_data(resident, phone=typed))

    assert response.status_code == 302
    resident.refresh_from_db()
    assert str(resident.phone) == "+380501234567"


@pytest.mark.parametrize("typed", ["+14155550123", "12ab", "050 123", "+380 00 000 00 00"])
def test_phone_that_is_not_ukrainian_is_refused_and_nothing_is_saved(client_for, resident, typed):
    response = client_for(resident).post(
        PROFILE, profile_data(resident, phone=typed, full_name="Нове Ім'я")
    )

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    resident.refresh_from_db()
    assert resident.full_name == "Оксана Коваленко"
    assert str(resident.phone) == ""


def test_refused_profile_keeps_what_was_typed(client_for, resident):
    response = client_for(resident).post(
        PROFILE, profile_data(resident, phone="+14155550123", full_name="Оксана Нова")
    )

    html = response.content.decode()
    assert 'value="+14155550123"' in html
    assert 'value="Оксана Нова"' in html


def test_cabinet_shows_the_phone_in_international_form(client_for, resident):
    client = client_for(resident)
    client.post(PROFILE, profile_data(resident, phone="050 123 45 67"))

    assert "+380 50 123 4567" in client.get(CABINET).content.decode()


def test_cabinet_query_count_is_pinned(client_for, resident, django_assert_max_num_queries):
    resident.district = DistrictFactory()
    resident.save()
    client = client_for(resident)

    # Session, user, MFA state, e-mail state, district, unread notifications, priority status.
    with django_assert_max_num_queries(7):
        assert client.get(CABINET).status_code == 200


def test_staff_cabinet_query_count_is_pinned(client_for, city_admin, django_assert_max_num_queries):
    client = client_for(city_admin)

    with django_assert_max_num_queries(6):  # the priority status link included
        assert client.get(CABINET).status_code == 200


def test_profile_form_query_count_does_not_grow_with_districts(
    client_for, resident, django_assert_max_num_queries
):
    DistrictFactory.create_batch(20)
    client = client_for(resident)

    # Session, user, the districts of the select in one query, the bell.
    with django_assert_max_num_queries(4):
        assert client.get(PROFILE).status_code == 200
