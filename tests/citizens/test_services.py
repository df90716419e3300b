"""citizens.services: every change to a person's account."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citizens import services
from citizens.models import User
from tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_verify_resident_records_who_and_when(resident, service_officer):
    before = timezone.now()

    assert services.user_verify_resident(user=resident, by=service_officer) is True

    stored = User.objects.get(pk=resident.pk)
    assert stored.is_verified_resident
    assert stored.verified_by == service_officer
    assert before <= stored.verified_at <= timezone.now()


def test_verify_resident_refreshes_the_instance_passed_in(resident, service_officer):
    services.user_verify_resident(user=resident, by=service_officer)

    assert resident.is_verified_resident
    assert resident.verified_by_id == service_officer.pk


def test_verify_resident_twice_returns_false_and_keeps_the_first_record(
    resident, service_officer, city_admin
):
    services.user_verify_resident(user=resident, by=service_officer)
    first = User.objects.get(pk=resident.pk)

    assert services.user_verify_resident(user=resident, by=city_admin) is False

    again = User.objects.get(pk=resident.pk)
    assert again.verified_by == service_officer
    assert again.verified_at == first.verified_at


def test_verify_resident_reads_the_row_not_a_stale_instance(resident, service_officer):
    stale = User.objects.get(pk=resident.pk)
    services.user_verify_resident(user=resident, by=service_officer)

    assert services.user_verify_resident(user=stale, by=service_officer) is False


def test_unverify_resident_withdraws_the_mark(resident, service_officer):
    services.user_verify_resident(user=resident, by=service_officer)

    assert services.user_unverify_resident(user=resident) is True

    stored = User.objects.get(pk=resident.pk)
    assert not stored.is_verified_resident
    assert stored.verified_at is None
    assert stored.verified_by is None
    assert not resident.is_verified_resident


def test_unverify_resident_who_is_not_verified_returns_false(resident):
    assert services.user_unverify_resident(user=resident) is False


def test_update_profile_saves_the_fields_passed(resident):
    district = DistrictFactory()

    services.user_update_profile(
        user=resident, full_name="Оксана Нова", district=district, phone="+380501234567"
    )

    stored = User.objects.get(pk=resident.pk)
    assert stored.full_name == "Оксана Нова"
    assert stored.district == district
    assert str(stored.phone) == "+380501234567"


def test_update_profile_leaves_other_fields_alone(resident):
    User.objects.filter(pk=resident.pk).update(display_name="Set elsewhere")

    services.user_update_profile(user=resident, full_name="Оксана Нова")

    assert User.objects.get(pk=resident.pk).display_name == "Set elsewhere"


@pytest.mark.parametrize(
    "field", ["email", "is_staff", "is_superuser", "is_verified_resident", "password", "x"]
)
def test_update_profile_refuses_fields_that_are_not_profile_fields(resident, field):
    with pytest.raises(services.CitizenError, match=field):
        services.user_update_profile(user=resident, **{field: True})

    stored = User.objects.get(pk=resident.pk)
    assert not stored.is_staff
    assert not stored.is_superuser
    assert not stored.is_verified_resident


def test_update_profile_refuses_a_foreign_phone(resident):
    with pytest.raises(ValidationError) as excinfo:
        services.user_update_profile(user=resident, phone="+14155550123")

    assert "phone" in excinfo.value.message_dict
    assert str(User.objects.get(pk=resident.pk).phone) == ""


def test_set_language_remembers_the_choice(resident):
    services.user_set_language(user=resident, language="en")

    assert User.objects.get(pk=resident.pk).preferred_language == "en"


def test_set_language_refuses_an_unknown_language(resident):
    with pytest.raises(services.CitizenError):
        services.user_set_language(user=resident, language="de")

    assert User.objects.get(pk=resident.pk).preferred_language == "uk"


@pytest.mark.parametrize(
    ("full_name", "display_name", "public"),
    [
        ("Оксана Коваленко", "", "О.К."),
        ("оксана", "", "О."),
        ("", "", "—"),
        ("Оксана Коваленко", "Оксана К.", "Оксана К."),
    ],
)
def test_public_name_never_shows_the_email(full_name, display_name, public):
    user = UserFactory.build(full_name=full_name, display_name=display_name)

    assert user.public_name == public
    assert user.email not in user.public_name


def test_create_user_lowercases_the_email():
    user = User.objects.create_user("Mixed.Case@Example.COM", "river-dnipro-2026")

    assert user.email == "mixed.case@example.com"


def test_natural_key_lookup_ignores_case(resident):
    assert User.objects.get_by_natural_key("RESIDENT@example.com") == resident
