"""Art. 20: a resident declares a priority status, staff with the permission verify or refuse it."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from citizens import services
from citizens.models import PriorityCategory, PriorityStatus
from citizens.notifications.models import Notification
from tests.factories import UserFactory, enable_mfa, give_role, verify_email

pytestmark = pytest.mark.django_db

PAGE = reverse("citizens:priority")
CHANGELIST = reverse("admin:citizens_prioritystatus_changelist")


@pytest.fixture
def declared(resident):
    return services.priority_declare(
        user=resident, category=PriorityCategory.COMBATANT, document="УБД № 123456"
    )


# --- the service ---------------------------------------------------------------------


def test_a_declaration_waits_for_verification_and_gives_no_priority(resident, declared):
    assert declared.decision == PriorityStatus.Decision.PENDING
    assert services.priority_category(resident) == ""


def test_a_moderator_verifies_recording_who_and_when(resident, declared, moderator):
    before = timezone.now()

    status = services.priority_decide(status=declared, by=moderator, verified=True)

    assert status.decision == PriorityStatus.Decision.VERIFIED
    assert status.decided_by == moderator
    assert before <= status.decided_at <= timezone.now()
    assert services.priority_category(resident) == PriorityCategory.COMBATANT
    assert Notification.objects.filter(recipient=resident, event="citizens.priority_decided")


def test_a_refusal_needs_a_reason_and_gives_no_priority(resident, declared, moderator):
    with translation.override("en"), pytest.raises(services.CitizenError):
        services.priority_decide(status=declared, by=moderator, verified=False)

    status = services.priority_decide(
        status=declared, by=moderator, verified=False, reason="Посвідчення не підтверджено."
    )

    assert status.decision == PriorityStatus.Decision.REFUSED
    assert status.refusal_reason == "Посвідчення не підтверджено."
    assert services.priority_category(resident) == ""


def test_changing_the_declaration_resets_the_verification(resident, declared, moderator):
    services.priority_decide(status=declared, by=moderator, verified=True)

    status = services.priority_declare(user=resident, category=PriorityCategory.DISABILITY)

    assert status.decision == PriorityStatus.Decision.PENDING
    assert status.decided_by is None
    assert status.decided_at is None
    assert services.priority_category(resident) == ""


def test_a_resident_cannot_verify_their_own_or_anyones_status(resident, declared, other_resident):
    with pytest.raises(services.CitizenError):
        services.priority_decide(status=declared, by=resident, verified=True)
    with pytest.raises(services.CitizenError):
        services.priority_decide(status=declared, by=other_resident, verified=True)

    declared.refresh_from_db()
    assert declared.decision == PriorityStatus.Decision.PENDING


def test_a_verifier_cannot_verify_their_own_status(moderator):
    own = services.priority_declare(user=moderator, category=PriorityCategory.HERO_UKRAINE)

    with pytest.raises(services.CitizenError):
        services.priority_decide(status=own, by=moderator, verified=True)


def test_staff_without_the_permission_cannot_verify(declared, department_staff, city_admin):
    for person in (department_staff, city_admin):
        with pytest.raises(services.CitizenError):
            services.priority_decide(status=declared, by=person, verified=True)


def test_an_unknown_category_is_refused(resident):
    with pytest.raises(services.CitizenError):
        services.priority_declare(user=resident, category="mayor")


def test_withdrawing_removes_the_priority(resident, declared, moderator):
    services.priority_decide(status=declared, by=moderator, verified=True)

    assert services.priority_withdraw(user=resident)
    assert services.priority_category(resident) == ""


def test_the_moderator_role_holds_the_permission_and_others_do_not(moderator, department_staff):
    assert moderator.has_perm("citizens.verify_priority_status")
    assert not department_staff.has_perm("citizens.verify_priority_status")


# --- the resident's page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Priority status"), ("uk", "Пільговий статус")]
)
def test_resident_declares_on_the_page_in_both_languages(client_for, resident, language, title):
    resident.preferred_language = language
    resident.save()
    client = client_for(resident)

    assert title in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"category": "war_disability", "document": "серія АБ 1"})

    assert response.status_code == 302
    status = PriorityStatus.objects.get(user=resident)
    assert (status.category, status.decision) == ("war_disability", "pending")


def test_page_refuses_an_unknown_category_and_keeps_nothing(client_for, resident):
    response = client_for(resident).post(PAGE, {"category": "mayor"})

    assert response.status_code == 200
    assert not PriorityStatus.objects.exists()


def test_page_needs_a_signed_in_resident(client):
    assert client.get(PAGE).status_code == 302


def test_cabinet_links_to_the_priority_status(client_for, resident, declared):
    body = client_for(resident).get(reverse("citizens:cabinet")).content.decode()

    assert PAGE in body


# --- the admin -----------------------------------------------------------------------------


def run_action(client, action, statuses, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in statuses], "index": 0, **extra},
    )


def test_moderator_verifies_in_the_admin(client_for, moderator, resident, declared):
    response = run_action(client_for(moderator), "verify", [declared])

    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.decision == "verified"
    assert declared.decided_by == moderator


def test_moderator_refuses_in_the_admin_with_a_reason(client_for, moderator, declared):
    client = client_for(moderator)

    asked = run_action(client, "refuse", [declared])
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    run_action(client, "refuse", [declared], reason="Документ не підтверджено.")

    declared.refresh_from_db()
    assert declared.decision == "refused"
    assert declared.refusal_reason == "Документ не підтверджено."


def test_the_admin_list_is_closed_to_staff_without_the_permission(
    client_for, department_staff, declared
):
    assert client_for(department_staff).get(CHANGELIST).status_code == 403


def test_a_moderator_without_two_factor_sees_no_list(client_for, declared):
    person = UserFactory(is_staff=True)
    verify_email(person)
    give_role(person, "moderator")

    assert client_for(person).get(CHANGELIST).status_code in (302, 403)


def test_moderator_with_two_factor_sees_the_list(client_for, declared):
    person = UserFactory(is_staff=True)
    verify_email(person)
    enable_mfa(person)
    give_role(person, "moderator")

    assert client_for(person).get(CHANGELIST).status_code == 200
