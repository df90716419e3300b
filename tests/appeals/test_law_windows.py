"""Issue 16 points 2 and 3: return within 10 days and forward within 5 days of receipt."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import AppealError, appeal_accept, appeal_forward, appeal_return
from appeals.services.staff import days_since_receipt
from appeals.workflow import Status
from tests.factories import CategoryFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]


def aged(appeal: Appeal, days: int) -> Appeal:
    """The appeal as if it had been received `days` days ago."""
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=timezone.now() - dt.timedelta(days=days)
    )
    appeal.refresh_from_db()
    assert days_since_receipt(appeal) == days
    return appeal


@pytest.fixture
def waiting(resident, department):
    return submit_appeal(resident, CategoryFactory(department=department), title="Waiting")


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (9, True), (10, True), (11, False)])
def test_return_only_within_ten_days_of_receipt(moderator, waiting, days, allowed):
    appeal = aged(waiting, days)

    if allowed:
        assert appeal_return(appeal=appeal, actor=moderator, question="Де саме?").status == (
            Status.RETURNED
        )
    else:
        with pytest.raises(AppealError, match="within 10 days"):
            appeal_return(appeal=appeal, actor=moderator, question="Де саме?")
        assert Appeal.objects.get(pk=appeal.pk).status == Status.MODERATION


@pytest.mark.parametrize(("days", "allowed"), [(0, True), (5, True), (6, False), (20, False)])
def test_forward_only_within_five_days_of_receipt(moderator, waiting, days, allowed):
    appeal = aged(waiting, days)

    if allowed:
        forwarded = appeal_forward(appeal=appeal, actor=moderator, body="Держпраці")
        assert (forwarded.status, forwarded.forwarded_to) == (Status.FORWARDED, "Держпраці")
    else:
        with pytest.raises(AppealError, match="within 5 days"):
            appeal_forward(appeal=appeal, actor=moderator, body="Держпраці")
        assert Appeal.objects.get(pk=appeal.pk).status == Status.MODERATION


@pytest.mark.parametrize(
    ("days", "offered"),
    [(3, {"return", "forward"}), (7, {"return"}), (11, set())],
)
def test_admin_offers_return_and_forward_only_within_their_windows(
    client_for, moderator, waiting, days, offered
):
    appeal = aged(waiting, days)

    response = client_for(moderator).get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))

    keys = {item["spec"].key for item in response.context["panel_actions"]}
    assert keys & {"return", "forward"} == offered
    assert "accept" in keys


def test_department_cannot_forward_a_late_accepted_appeal_through_the_admin(
    client_for, moderator, department_staff, other_department, resident
):
    appeal = submit_appeal(resident, CategoryFactory(department=other_department))
    appeal = aged(appeal_accept(appeal=appeal, moderator=moderator), 6)

    response = client_for(department_staff).post(
        reverse("admin:appeals_appeal_action", args=[appeal.pk, "forward"]),
        {"forward-body": "Держпраці", "forward-comment": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ACCEPTED


# --- point 4: only the head of the department extends, once ----------------------


@pytest.fixture
def head_world(resident, moderator, department, department_staff):
    from tests.appeals.staff_helpers import World

    return World(
        resident=resident,
        moderator=moderator,
        department=department,
        department_staff=department_staff,
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("head", True), ("staff", False), ("moderator", False), ("other_staff", False)],
)
def test_only_the_department_head_extends_the_term(head_world, who, allowed):
    from appeals.services import appeal_extend

    appeal = head_world.appeal("in_progress")
    actor = getattr(head_world, who)

    if allowed:
        extended = appeal_extend(appeal=appeal, actor=actor, days=5, reason="Експертиза.")
        assert extended.deadline_extended
        with pytest.raises(AppealError, match="already been extended"):
            appeal_extend(appeal=extended, actor=actor, days=5, reason="Ще раз.")
    else:
        with pytest.raises(AppealError):
            appeal_extend(appeal=appeal, actor=actor, days=5, reason="Експертиза.")
        assert not Appeal.objects.get(pk=appeal.pk).deadline_extended


@pytest.mark.parametrize(("who", "offered"), [("head", True), ("staff", False)])
def test_admin_offers_extension_only_to_the_head(client_for, head_world, who, offered):
    appeal = head_world.appeal("in_progress")

    response = client_for(getattr(head_world, who)).get(
        reverse("admin:appeals_appeal_change", args=[appeal.pk])
    )

    keys = {item["spec"].key for item in response.context["panel_actions"]}
    assert ("extend" in keys) is offered


# --- point 2: the term restarts from the author's reply -------------------------------


def test_the_term_restarts_from_the_authors_reply(moderator, resident, waiting):
    from appeals.models import legal_deadline
    from appeals.services.following import appeal_add_info

    appeal = aged(waiting, 9)
    old_deadline = legal_deadline(appeal.registered_at, appeal.term_days)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=old_deadline)
    appeal.refresh_from_db()
    appeal_return(appeal=appeal, actor=moderator, question="Де саме?")

    replied = appeal_add_info(appeal=appeal, author=resident, text="Біля школи № 5.")

    assert replied.status == Status.MODERATION
    assert replied.deadline == legal_deadline(timezone.now(), replied.term_days)
    assert replied.deadline > old_deadline
