"""The staff side of appeals in the admin: queue, scoping, action panel, bulk actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from appeals.admin_views import ACTIONS
from appeals.models import AnswerTemplate, Appeal, AppealAudit, AppealEvent, AppealMessage
from appeals.services import staff
from appeals.workflow import Status
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]


@pytest.fixture
def own_appeal(resident, moderator, other_department):
    """An accepted appeal of the department `department_staff` works in."""
    appeal = submit_appeal(resident, CategoryFactory(department=other_department), title="Own")
    return staff.appeal_accept(appeal=appeal, moderator=moderator)


@pytest.fixture
def foreign_appeal(resident, moderator, department):
    """An accepted appeal of another department than `department_staff`'s."""
    appeal = submit_appeal(resident, CategoryFactory(department=department), title="Foreign")
    return staff.appeal_accept(appeal=appeal, moderator=moderator)


@pytest.fixture
def waiting(resident, department):
    return submit_appeal(resident, CategoryFactory(department=department), title="Waiting")


def change_url(appeal):
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


def action_url(appeal, key):
    return reverse("admin:appeals_appeal_action", args=[appeal.pk, key])


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the moderation queue ------------------------------------------------------------


def test_moderator_sees_the_queue_oldest_first(client_for, moderator, resident, department):
    category = CategoryFactory(department=department)
    older = submit_appeal(resident, category, title="Older")
    newer = submit_appeal(resident, category, title="Newer")
    Appeal.objects.filter(pk=older.pk).update(registered_at=newer.registered_at.replace(year=2020))

    html = (
        client_for(moderator)
        .get(reverse("admin:appeals_moderationqueue_changelist"))
        .content.decode()
    )

    assert html.index(older.reference) < html.index(newer.reference)
    assert change_url(older) in html


def test_queue_lists_only_appeals_awaiting_moderation(client_for, moderator, waiting, own_appeal):
    html = (
        client_for(moderator)
        .get(reverse("admin:appeals_moderationqueue_changelist"))
        .content.decode()
    )

    assert waiting.reference in html
    assert own_appeal.reference not in html


def test_department_staff_do_not_see_the_queue(client_for, department_staff, waiting):
    client = client_for(department_staff)

    assert client.get(reverse("admin:appeals_moderationqueue_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:appeals_moderationqueue_changelist") not in index


# --- department scoping ----------------------------------------------------------------


def test_department_staff_list_only_their_departments_appeals(
    client_for, department_staff, own_appeal, foreign_appeal
):
    html = client_for(department_staff).get(reverse("admin:appeals_appeal_changelist")).content

    assert own_appeal.reference.encode() in html
    assert foreign_appeal.reference.encode() not in html


def test_department_staff_cannot_open_another_departments_appeal(
    client_for, department_staff, foreign_appeal
):
    response = client_for(department_staff).get(change_url(foreign_appeal))

    # The admin's answer for an object outside get_queryset: back to the index.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


@pytest.mark.parametrize("key", sorted(ACTIONS))
def test_action_views_answer_404_for_another_departments_appeal(
    client_for, department_staff, foreign_appeal, key
):
    client = client_for(department_staff)

    assert client.get(action_url(foreign_appeal, key)).status_code == 404
    assert client.post(action_url(foreign_appeal, key), {}).status_code == 404
    foreign_appeal.refresh_from_db()
    assert foreign_appeal.status == Status.ACCEPTED


@pytest.mark.parametrize("operation", ["hide", "remove"])
def test_photo_views_answer_404_for_another_departments_appeal(
    client_for, department_staff, foreign_appeal, operation
):
    url = reverse("admin:appeals_appeal_photo", args=[foreign_appeal.pk, 1, operation])

    assert client_for(department_staff).post(url).status_code == 404


def test_residents_get_no_admin_action_views(client_for, resident, own_appeal):
    response = client_for(resident).get(action_url(own_appeal, "note"))

    assert response.status_code == 302
    assert "/login/" in response.url


def bulk(client, action, appeals, **extra):
    return client.post(
        reverse("admin:appeals_appeal_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in appeals], **extra},
        follow=True,
    )


def test_bulk_assign_to_me_skips_other_departments_appeals_and_says_so(
    client_for, department_staff, own_appeal, foreign_appeal
):
    response = bulk(client_for(department_staff), "assign_to_me", [own_appeal, foreign_appeal])

    own_appeal.refresh_from_db()
    foreign_appeal.refresh_from_db()
    assert own_appeal.assignee == department_staff
    assert foreign_appeal.assignee is None
    messages = texts(response)
    assert "1 request updated." in messages
    assert "1 selected request is outside your departments and was not changed." in messages


def test_bulk_start_work_reports_refused_rows_with_their_reason(
    client_for, department_staff, own_appeal, other_department, resident
):
    staff.appeal_start(appeal=own_appeal, staff=department_staff)
    fresh = staff.appeal_accept(
        appeal=submit_appeal(resident, CategoryFactory(department=other_department)),
        moderator=UserFactory(is_superuser=True, is_staff=True),
    )

    response = bulk(client_for(department_staff), "start_work", [own_appeal, fresh])

    fresh.refresh_from_db()
    assert fresh.status == Status.IN_PROGRESS
    messages = texts(response)
    assert "1 request updated." in messages
    assert any(m.startswith("1 request skipped: " + own_appeal.reference) for m in messages)


def test_bulk_close_closes_answered_appeals(client_for, department_staff, own_appeal):
    staff.appeal_answer(appeal=own_appeal, staff=department_staff, text="Done.")

    bulk(client_for(department_staff), "close_answered", [own_appeal])

    own_appeal.refresh_from_db()
    assert own_appeal.status == Status.CLOSED


def test_bulk_assign_to_colleague_asks_whom_then_assigns(
    client_for, department_staff, own_appeal, other_department
):
    colleague = UserFactory(is_staff=True, full_name="Колега")
    other_department.members.add(colleague)
    client = client_for(department_staff)

    page = bulk(client, "assign_to_colleague", [own_appeal])
    assert "Колега" in page.content.decode()
    bulk(client, "assign_to_colleague", [own_appeal], apply="1", assignee=colleague.pk)

    own_appeal.refresh_from_db()
    assert own_appeal.assignee == colleague


# --- the action panel -----------------------------------------------------------------


def panel_keys(response):
    return {item["spec"].key for item in response.context["panel_actions"]}


def test_panel_offers_moderation_actions_for_an_appeal_awaiting_moderation(
    client_for, moderator, waiting
):
    response = client_for(moderator).get(change_url(waiting))

    assert panel_keys(response) == {
        "accept",
        "return",
        "forward",
        "merge",
        "reject",
        "redact",
        "note",
    }


def test_panel_offers_department_work_for_an_accepted_appeal(
    client_for, department_staff, own_appeal
):
    response = client_for(department_staff).get(change_url(own_appeal))

    assert panel_keys(response) == {
        "start",
        "answer",
        "assign",
        "return",
        "forward",
        "note",
    }  # "extend" is for the department head only (Art. 20)


def test_action_not_allowed_in_the_status_is_refused(client_for, department_staff, own_appeal):
    response = client_for(department_staff).post(action_url(own_appeal, "close"), follow=True)

    own_appeal.refresh_from_db()
    assert own_appeal.status == Status.ACCEPTED
    assert "This action is not available for this request now." in texts(response)


def test_moderator_accepts_and_routes_through_the_form(
    client_for, moderator, waiting, other_department
):
    response = client_for(moderator).post(
        action_url(waiting, "accept"),
        {
            "accept-department": other_department.pk,
            "accept-term_days": "30",
            "accept-title": "Яма на вулиці",
            "accept-description": "Велика яма.",
        },
    )

    assert response.status_code == 302
    assert response.url == change_url(waiting)
    waiting.refresh_from_db()
    assert waiting.status == Status.ACCEPTED
    assert waiting.department == other_department
    assert waiting.term_days == 30
    assert waiting.title == "Яма на вулиці"


def test_moderator_rejects_with_a_reason(client_for, moderator, waiting):
    client_for(moderator).post(
        action_url(waiting, "reject"), {"reject-reason": "spam", "reject-comment": ""}
    )

    waiting.refresh_from_db()
    assert waiting.status == Status.REJECTED


def test_moderator_merges_into_an_appeal_by_reference(client_for, moderator, waiting, own_appeal):
    client_for(moderator).post(action_url(waiting, "merge"), {"merge-into": own_appeal.reference})

    waiting.refresh_from_db()
    assert waiting.status == Status.MERGED
    assert waiting.merged_into == own_appeal


def test_merge_form_refuses_an_unknown_reference(client_for, moderator, waiting):
    response = client_for(moderator).post(
        action_url(waiting, "merge"), {"merge-into": "KH-1999-000001"}
    )

    assert response.status_code == 200
    assert "No request with this reference is open to you." in response.content.decode()


def test_department_staff_answer_through_the_form(client_for, department_staff, own_appeal):
    client_for(department_staff).post(
        action_url(own_appeal, "answer"), {"answer-text": "Яму засипано."}
    )

    own_appeal.refresh_from_db()
    assert own_appeal.status == Status.ANSWERED
    assert AppealMessage.objects.get(appeal=own_appeal, type="answer").text == "Яму засипано."


def test_answer_form_starts_from_a_department_template(
    client_for, department_staff, own_appeal, other_department
):
    template = AnswerTemplate.objects.create(
        department=other_department, title="Ремонт", text="Ремонт заплановано на травень."
    )

    response = client_for(department_staff).get(
        action_url(own_appeal, "answer"), {"template": template.pk}
    )

    assert "Ремонт заплановано на травень." in response.content.decode()


def test_service_refusal_is_shown_and_the_form_keeps_the_input(
    client_for, moderator, department_staff, resident, other_department
):
    other_department.head = department_staff
    other_department.save(update_fields=["head"])
    appeal = staff.appeal_accept(
        appeal=submit_appeal(resident, CategoryFactory(department=other_department)),
        moderator=moderator,
        term_days=30,
    )

    response = client_for(department_staff).post(
        action_url(appeal, "extend"), {"extend-days": "20", "extend-reason": "Потрібна експертиза"}
    )

    assert response.status_code == 200
    assert any("45 days from registration" in m for m in texts(response))
    assert "Потрібна експертиза" in response.content.decode()
    appeal.refresh_from_db()
    assert not appeal.deadline_extended


def test_note_is_added_and_shown_on_the_appeal_page(client_for, department_staff, own_appeal):
    client = client_for(department_staff)

    client.post(action_url(own_appeal, "note"), {"note-text": "Зателефонувати автору"})

    assert "Зателефонувати автору" in client.get(change_url(own_appeal)).content.decode()


def test_change_page_shows_the_authors_contacts_to_staff(
    client_for, department_staff, own_appeal, resident
):
    html = client_for(department_staff).get(change_url(own_appeal)).content.decode()

    assert resident.full_name in html
    assert resident.email in html


# --- nothing is rewritten through the admin --------------------------------------------


def test_appeal_change_form_does_not_save_edits(client_for, superuser, own_appeal):
    response = client_for(superuser).post(
        change_url(own_appeal), {"status": Status.CLOSED, "title": "Changed"}
    )

    assert response.status_code == 403
    own_appeal.refresh_from_db()
    assert own_appeal.status == Status.ACCEPTED
    assert own_appeal.title == "Own"


def test_superuser_cannot_change_or_delete_audit_entries(client_for, superuser, own_appeal):
    entry = AppealAudit.objects.filter(appeal=own_appeal).first()
    client = client_for(superuser)

    delete = reverse("admin:appeals_appealaudit_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:appeals_appealaudit_change", args=[entry.pk])
    assert client.post(change, {"action": "x"}).status_code == 403
    assert client.get(reverse("admin:appeals_appealaudit_add")).status_code == 403
    assert AppealAudit.objects.filter(pk=entry.pk).exists()


def test_timeline_is_shown_read_only_even_to_a_superuser(client_for, superuser, rf, own_appeal):
    from django.contrib import admin

    appeal_admin = admin.site._registry[Appeal]
    request = rf.get("/")
    request.user = superuser
    inlines = {type(i).__name__: i for i in appeal_admin.get_inline_instances(request, own_appeal)}
    timeline = inlines["AppealEventInline"]

    assert AppealEvent not in admin.site._registry
    assert not timeline.has_add_permission(request, own_appeal)
    assert not timeline.has_change_permission(request, own_appeal)
    assert not timeline.has_delete_permission(request, own_appeal)
    html = client_for(superuser).get(change_url(own_appeal)).content.decode()
    assert 'name="events-0-reason"' not in html


# --- filters, templates, speed ------------------------------------------------------------


def test_overdue_filter_lists_only_overdue_appeals(client_for, moderator, own_appeal, waiting):
    Appeal.objects.filter(pk=own_appeal.pk).update(deadline="2020-01-01")

    html = (
        client_for(moderator)
        .get(reverse("admin:appeals_appeal_changelist"), {"overdue": "yes"})
        .content.decode()
    )

    assert own_appeal.reference in html
    assert waiting.reference not in html


def test_assignee_filter_me(client_for, department_staff, own_appeal, other_department, resident):
    staff.appeal_assign(appeal=own_appeal, assignee=department_staff, actor=department_staff)
    other = submit_appeal(resident, CategoryFactory(department=other_department), title="Other")

    html = (
        client_for(department_staff)
        .get(reverse("admin:appeals_appeal_changelist"), {"assigned": "me"})
        .content.decode()
    )

    assert own_appeal.reference in html
    assert other.reference not in html


def test_department_staff_see_only_their_departments_answer_templates(
    client_for, department_staff, department, other_department
):
    AnswerTemplate.objects.create(department=other_department, title="Ours", text="x")
    AnswerTemplate.objects.create(department=department, title="Theirs", text="y")

    html = (
        client_for(department_staff)
        .get(reverse("admin:appeals_answertemplate_changelist"))
        .content.decode()
    )

    assert "Ours" in html
    assert "Theirs" not in html


@pytest.mark.parametrize("role", ["moderator", "department_staff"])
def test_changelist_query_count_does_not_grow_with_appeals(
    request, client_for, django_assert_max_num_queries, resident, other_department, role
):
    user = request.getfixturevalue(role)
    category = CategoryFactory(department=other_department)
    for n in range(50):
        submit_appeal(resident, category, title=f"Яма {n}")
    client = client_for(user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:appeals_appeal_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 50


def test_queue_query_count_does_not_grow_with_appeals(
    client_for, django_assert_max_num_queries, moderator, resident, department
):
    category = CategoryFactory(department=department)
    for n in range(50):
        submit_appeal(resident, category, title=f"Яма {n}")
    client = client_for(moderator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:appeals_moderationqueue_changelist"))

    assert response.status_code == 200


def test_deep_changelist_pages_list_the_same_rows_in_the_same_order(
    client_for, monkeypatch, moderator, resident, department
):
    # A deep page reads the keys first, then the rows (EstimatedCountPaginator.page):
    # lowered here so that page 2 of 60 appeals takes that path.
    from appeals.admin import EstimatedCountPaginator

    category = CategoryFactory(department=department)
    for n in range(60):
        submit_appeal(resident, category, title=f"Яма {n}")
    client = client_for(moderator)
    url = reverse("admin:appeals_appeal_changelist") + "?p=2"
    shallow = [a.pk for a in client.get(url).context["cl"].result_list]

    monkeypatch.setattr(EstimatedCountPaginator, "DEEP_OFFSET", 1)
    response = client.get(url)

    assert response.status_code == 200
    deep = [a.pk for a in response.context["cl"].result_list]
    assert deep == shallow
    expected = list(Appeal.objects.order_by("-registered_at", "-pk").values_list("pk", flat=True))
    assert deep == expected[50:]
