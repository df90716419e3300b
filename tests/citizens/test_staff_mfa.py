"""Staff powers need a session that passed two-factor authentication, on every surface.

A staff account signed in with a password only (web session or the API's
session token) sees and does what a resident sees and does; the same
account after the two-factor step works as staff.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from citizens import access
from news.models import NewsItem
from tests.conftest import _staff, app_token, password_only
from tests.factories import CategoryFactory, give_role, submit_appeal, totp_code
from tests.news.factories import make_item
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_appeal(resident, other_department):
    """A private appeal routed to the department `department_staff` works in."""
    category = CategoryFactory(department=other_department)
    return submit_appeal(resident, category=category, is_public=False, title="Приватна скарга")


@pytest.fixture
def unprotected_staff(other_department):
    """Department staff who have not set up two-factor authentication."""
    user = _staff("department_staff", mfa=False, email="no-mfa@example.com")
    other_department.members.add(user)
    return user


# --- the predicate ----------------------------------------------------------


def test_a_session_without_the_two_factor_step_holds_no_permission(moderator):
    access.mark(moderator, password_only(moderator).session)

    assert access.mfa_pending(moderator)
    assert not access.has_staff_powers(moderator)
    assert not moderator.has_perm("appeals.moderate_appeal")
    assert not moderator.has_module_perms("appeals")


def test_a_session_that_passed_two_factor_keeps_the_role(client_for, moderator):
    access.mark(moderator, client_for(moderator).session)

    assert access.has_staff_powers(moderator)
    assert moderator.has_perm("appeals.moderate_appeal")


def test_another_persons_two_factor_step_does_not_count(client_for, moderator, staff_with_mfa):
    access.mark(moderator, client_for(staff_with_mfa).session)

    assert not access.has_staff_powers(moderator)


def test_residents_and_anonymous_visitors_have_no_staff_powers(resident):
    assert not access.has_staff_powers(resident)
    assert not access.has_staff_powers(AnonymousUser())
    assert not access.has_staff_powers(None)


def test_a_user_no_request_marked_acts_for_the_system(moderator):
    # Celery tasks and management commands load users without a session.
    assert access.has_staff_powers(moderator)


def test_a_resident_holds_no_permission_even_one_given_directly(
    resident, django_assert_num_queries
):
    resident.user_permissions.add(Permission.objects.get(codename="moderate_appeal"))
    give_role(resident, "moderator")

    with django_assert_num_queries(0):  # answered without asking the database
        assert not resident.has_perm("appeals.moderate_appeal")
        assert not resident.has_perms(["appeals.moderate_appeal"])
        assert not resident.has_module_perms("appeals")


def test_staff_keep_a_permission_given_directly(client_for, staff_with_mfa):
    staff_with_mfa.user_permissions.add(Permission.objects.get(codename="moderate_appeal"))
    access.mark(staff_with_mfa, client_for(staff_with_mfa).session)

    assert staff_with_mfa.has_perm("appeals.moderate_appeal")
    assert staff_with_mfa.has_perms(["appeals.moderate_appeal"])
    assert staff_with_mfa.has_module_perms("appeals")


def test_a_superuser_who_is_not_staff_keeps_every_permission(superuser):
    superuser.is_staff = False

    assert superuser.has_perm("appeals.moderate_appeal")


# --- the web ----------------------------------------------------------------


def test_department_staff_without_two_factor_see_a_private_appeal_as_a_resident(
    client_for, department_staff, private_appeal
):
    url = reverse("appeals:detail", args=[private_appeal.reference])

    assert password_only(department_staff).get(url).status_code == 404
    assert client_for(department_staff).get(url).status_code == 200


def test_moderators_without_two_factor_see_no_appeal_awaiting_moderation(
    client_for, moderator, private_appeal
):
    url = reverse("appeals:detail", args=[private_appeal.reference])

    assert password_only(moderator).get(url).status_code == 404
    assert client_for(moderator).get(url).status_code == 200


def test_staff_who_never_set_up_two_factor_see_only_public_appeals(
    unprotected_staff, private_appeal
):
    url = reverse("appeals:detail", args=[private_appeal.reference])

    assert password_only(unprotected_staff).get(url).status_code == 404


@pytest.fixture
def survey_manager(db):
    return _staff("survey_manager", email="surveys@example.com")


def test_survey_managers_without_two_factor_see_no_draft_or_staff_only_results(
    client_for, survey_manager
):
    draft = SurveyFactory(is_published=False)
    staff_results = SurveyFactory(results_visibility="staff")
    draft_url = reverse("surveys:detail", args=[draft.slug])
    results_url = reverse("surveys:results", args=[staff_results.slug])

    pending = password_only(survey_manager)
    assert pending.get(draft_url).status_code == 404
    assert pending.get(results_url).status_code == 403
    manager = client_for(survey_manager)
    assert manager.get(draft_url).status_code == 200
    assert manager.get(results_url).status_code == 200


@pytest.fixture
def editor(db):
    return _staff("editor", email="editor@example.com")


def test_editors_without_two_factor_get_no_preview_of_a_draft(client_for, editor):
    item = make_item(title_uk="Чернетка новини", status=NewsItem.Status.DRAFT)
    url = reverse("news:detail", args=[item.slug_uk])

    assert password_only(editor).get(url).status_code == 404
    assert client_for(editor).get(url).status_code == 200


def test_the_pages_tell_staff_without_two_factor_why_they_see_less(client_for, moderator):
    notice = "You are signed in without two-factor authentication"

    moderator.preferred_language = "en"
    moderator.save(update_fields=["preferred_language"])

    assert notice in password_only(moderator).get("/").content.decode()
    assert notice not in client_for(moderator).get("/").content.decode()


# --- the admin --------------------------------------------------------------


def test_the_admin_asks_staff_with_totp_for_a_code_first(moderator):
    client = password_only(moderator)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))
    entered = client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    assert entered.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_sends_staff_without_totp_to_set_it_up(unprotected_staff):
    response = password_only(unprotected_staff).get(reverse("admin:appeals_appeal_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_turning_totp_off_ends_the_sessions_staff_powers(client_for, moderator):
    client = client_for(moderator)
    authenticator = moderator.authenticator_set.get(type="totp")
    request = client.get("/").wsgi_request
    request.session = client.session

    access.on_authenticator_removed(
        None, request=request, user=moderator, authenticator=authenticator
    )

    access.mark(moderator, client.session)
    assert not access.has_staff_powers(moderator)


# --- the API ----------------------------------------------------------------


def test_an_api_token_of_staff_without_two_factor_reads_what_a_resident_reads(
    unprotected_staff, private_appeal
):
    token = app_token(unprotected_staff, code=False)
    app = APIClient(HTTP_X_SESSION_TOKEN=token)

    assert app.get(f"/api/v1/appeals/{private_appeal.reference}/").status_code == 404
    assert app.get("/api/v1/appeals/mine/").status_code == 200


def test_an_api_token_that_passed_two_factor_works_as_staff(department_staff, private_appeal):
    token = app_token(department_staff, code=True)
    app = APIClient(HTTP_X_SESSION_TOKEN=token)

    assert app.get(f"/api/v1/appeals/{private_appeal.reference}/").status_code == 200


def test_the_web_session_in_the_api_needs_two_factor_too(department_staff, private_appeal):
    client = password_only(department_staff)

    assert client.get(f"/api/v1/appeals/{private_appeal.reference}/").status_code == 404
