"""The author's contacts on an appeal's admin page: for its handling staff, recorded."""

import pytest
from django.urls import reverse

from appeals import admin_views
from appeals.services import staff
from citizens.models import ContactDisclosure
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]

PHONE = "+380501234567"


@pytest.fixture
def author(resident):
    resident.phone = PHONE
    resident.save(update_fields=["phone"])
    return resident


@pytest.fixture
def appeal(author, moderator, other_department):
    """An accepted appeal of the department `department_staff` works in."""
    filed = submit_appeal(author, CategoryFactory(department=other_department))
    return staff.appeal_accept(appeal=filed, moderator=moderator)


@pytest.fixture
def outsider(department):
    """Department staff of another department than the appeal's."""
    from tests.conftest import _staff

    user = _staff("department_staff", email="outsider@example.com")
    department.members.add(user)
    return user


def change_url(appeal):
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


@pytest.mark.parametrize("role", ["department_staff", "moderator"])
def test_handling_staff_see_the_authors_contacts(request, client_for, role, appeal, author):
    response = client_for(request.getfixturevalue(role)).get(change_url(appeal))

    html = response.content.decode()
    assert response.status_code == 200
    assert author.email in html
    assert PHONE in html


def test_each_display_of_the_contacts_is_recorded(client_for, department_staff, appeal, author):
    client = client_for(department_staff)
    client.get(change_url(appeal))
    client.get(change_url(appeal))

    records = list(ContactDisclosure.objects.all())
    assert len(records) == 2
    assert {(r.viewer, r.person, r.case) for r in records} == {
        (department_staff, author, f"appeals.appeal {appeal.reference}")
    }


def test_staff_of_another_department_do_not_see_the_contacts(client_for, outsider, appeal, author):
    response = client_for(outsider).get(change_url(appeal))

    assert response.status_code in (302, 404)
    assert author.email not in response.content.decode()
    assert not ContactDisclosure.objects.exists()


def test_someone_not_handling_the_appeal_gets_no_contacts(rf, outsider, appeal):
    request = rf.get("/")
    request.user = outsider

    assert admin_views.author_contacts(request, appeal, staff.staff_role(outsider, appeal)) is None
    assert not ContactDisclosure.objects.exists()


def test_colleagues_offered_for_assignment_are_staff_only(other_department, department_staff):
    resident_by_mistake = UserFactory(is_staff=False)
    other_department.members.add(resident_by_mistake)

    offered = list(admin_views.colleagues(other_department.__class__.objects.all()))

    assert offered == [department_staff]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_staff_see_an_erased_author_as_removed_at_their_request(
    client_for, department_staff, appeal, author, language
):
    """Law "On Personal Data Protection": the appeal stays, the person is gone from it."""
    from django.utils import translation

    from citizens.personal_data import user_erase

    author.full_name = "Ярина Незабудько"
    author.save(update_fields=["full_name"])
    user_erase(user=author)
    department_staff.preferred_language = language
    department_staff.save(update_fields=["preferred_language"])
    with translation.override(language):
        response = client_for(department_staff).get(change_url(appeal))

    html = response.content.decode()
    assert response.status_code == 200
    expected = {"uk": "видалено на їхнє прохання", "en": "removed at their request"}[language]
    assert expected in html
    assert "resident@example.com" not in html
    assert PHONE not in html
    assert "Незабудько" not in html
    assert not ContactDisclosure.objects.exists()
