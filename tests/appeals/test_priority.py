"""Art. 20: appeals of people the law gives priority are marked, listed first, counted apart.

The status is sensitive data: staff handling the appeal see a flag, the
public pages and APIs never show it.
"""

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import staff
from citizens import services as citizens_services
from citizens.models import PriorityCategory
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:appeals_moderationqueue_changelist")
CHANGELIST = reverse("admin:appeals_appeal_changelist")
DASHBOARD = reverse("admin:appeals_appeal_dashboard")


@pytest.fixture
def veteran(other_resident, moderator):
    status = citizens_services.priority_declare(
        user=other_resident, category=PriorityCategory.COMBATANT, document="УБД 1"
    )
    citizens_services.priority_decide(status=status, by=moderator, verified=True)
    return other_resident


@pytest.fixture
def category(department):
    return CategoryFactory(department=department)


def test_an_appeal_of_a_verified_status_is_marked_priority(veteran, category):
    appeal = submit_appeal(veteran, category)

    assert appeal.priority
    assert appeal.priority_category == PriorityCategory.COMBATANT


def test_an_unverified_declaration_gives_no_priority(resident, category):
    citizens_services.priority_declare(user=resident, category=PriorityCategory.HERO_UKRAINE)

    appeal = submit_appeal(resident, category)

    assert not appeal.priority
    assert appeal.priority_category == ""


def test_a_refused_status_gives_no_priority(resident, moderator, category):
    status = citizens_services.priority_declare(user=resident, category=PriorityCategory.DISABILITY)
    citizens_services.priority_decide(status=status, by=moderator, verified=False, reason="Ні.")

    assert not submit_appeal(resident, category).priority


def test_the_mark_is_a_snapshot_at_registration(veteran, category):
    appeal = submit_appeal(veteran, category)
    citizens_services.priority_withdraw(user=veteran)

    appeal.refresh_from_db()
    assert appeal.priority
    assert not submit_appeal(veteran, category).priority


def test_moderation_queue_lists_priority_first_with_a_flag(
    client_for, moderator, resident, veteran, category
):
    older = submit_appeal(resident, category, title="Older")
    urgent = submit_appeal(veteran, category, title="Priority")
    Appeal.objects.filter(pk=older.pk).update(registered_at=urgent.registered_at.replace(year=2020))

    html = client_for(moderator).get(QUEUE).content.decode()

    assert html.index(urgent.reference) < html.index(older.reference)
    assert 'class="appeal-priority"' in html


def test_department_list_lists_priority_first(
    client_for, moderator, resident, veteran, category, department, department_staff
):
    department.members.add(department_staff)
    urgent = staff.appeal_accept(appeal=submit_appeal(veteran, category), moderator=moderator)
    newer = staff.appeal_accept(appeal=submit_appeal(resident, category), moderator=moderator)

    html = client_for(department_staff).get(CHANGELIST).content.decode()

    assert html.index(urgent.reference) < html.index(newer.reference)


def test_staff_case_page_shows_the_priority_flag(client_for, moderator, veteran, category):
    appeal = submit_appeal(veteran, category)

    html = (
        client_for(moderator)
        .get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
        .content.decode()
    )

    assert 'id="appeal-priority-flag"' in html


def test_dashboard_counts_priority_appeals_separately(
    client_for, moderator, resident, veteran, category
):
    staff.appeal_accept(appeal=submit_appeal(veteran, category), moderator=moderator)
    staff.appeal_accept(appeal=submit_appeal(resident, category), moderator=moderator)

    rows = {r["department"].slug: r for r in client_for(moderator).get(DASHBOARD).context["rows"]}

    assert rows["roads"]["open"] == 2
    assert rows["roads"]["priority_open"] == 1


def test_public_page_api_and_open311_never_show_the_status(
    client, client_for, moderator, veteran, category
):
    appeal = staff.appeal_accept(appeal=submit_appeal(veteran, category), moderator=moderator)
    label = str(PriorityCategory.COMBATANT.label)

    pages = [
        client.get(appeal.get_absolute_url()),
        client.get(reverse("appeals:list")),
        client_for(veteran).get(appeal.get_absolute_url()),
        client.get(f"/api/v1/appeals/{appeal.reference}/"),
        client.get("/api/v1/appeals/"),
        client.get("/open311/v2/requests.json"),
        client.get(f"/open311/v2/requests/{appeal.reference}.json"),
    ]

    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200, response.request
        assert "priority" not in body.lower()
        assert label not in body
        assert "УБД" not in body
        assert "Херсон, вул. Перекопська" not in body
