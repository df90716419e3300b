"""The moderator's services: accept and route, redact, hide and remove photos,
return, reject, forward and merge."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import (
    Appeal,
    AppealAudit,
    AppealFollower,
    AppealMessage,
    AppealPhoto,
    RejectReason,
    legal_deadline,
)
from appeals.services import (
    AppealError,
    appeal_accept,
    appeal_forward,
    appeal_merge,
    appeal_redact,
    appeal_reject,
    appeal_return,
    photo_hide,
    photo_remove,
)
from appeals.workflow import Action, Status
from citizens.notifications.models import Notification
from tests.appeals.staff_helpers import told
from tests.factories import UserFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]


# --- accept -------------------------------------------------------------------


def test_accept_routes_to_the_categorys_department_and_tells_the_author(world):
    appeal = appeal_accept(appeal=world.appeal(), moderator=world.moderator)

    assert (appeal.status, appeal.department) == (Status.ACCEPTED, world.department)
    event = appeal.events.order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.ACCEPT,
        Status.MODERATION,
        Status.ACCEPTED,
        world.moderator,
    )
    assert told() == {world.author.pk}


def test_the_moderator_may_route_to_another_department(world, other_department):
    appeal = appeal_accept(
        appeal=world.appeal(), moderator=world.moderator, department=other_department
    )

    assert appeal.department == other_department
    entry = AppealAudit.objects.get(appeal=appeal, action="appeals.accept")
    assert entry.changes["department"] == [world.department.pk, other_department.pk]


@pytest.mark.parametrize("term", [15, 30])
def test_accept_sets_the_deadline_from_registration(world, term):
    appeal = appeal_accept(appeal=world.appeal(), moderator=world.moderator, term_days=term)

    assert appeal.term_days == term
    assert appeal.deadline == legal_deadline(appeal.registered_at, term)


@pytest.mark.parametrize("term", [0, 10, 20, 45])
def test_accept_refuses_a_term_the_law_does_not_know(world, term):
    appeal = world.appeal()

    with pytest.raises(AppealError, match="15 or 30"):
        appeal_accept(appeal=appeal, moderator=world.moderator, term_days=term)

    appeal.refresh_from_db()
    assert appeal.status == Status.MODERATION


def test_accept_with_redacted_text_publishes_the_redaction_and_search_finds_it(world):
    appeal = world.appeal(description="Яма біля будинку Петренка, тел. 0501234567.")

    appeal = appeal_accept(
        appeal=appeal,
        moderator=world.moderator,
        title="Яма на дорозі",
        description="Яма біля будинку.",
    )

    assert appeal.description == "Яма біля будинку."
    assert "0501234567" not in appeal.search_text
    assert "будинок" in appeal.search_text


def test_accept_keeps_a_sensitive_appeal_private(world):
    world.category.sensitive = True
    world.category.save(update_fields=["sensitive"])
    appeal = world.appeal()
    Appeal.objects.filter(pk=appeal.pk).update(is_public=True)

    appeal = appeal_accept(appeal=appeal, moderator=world.moderator)

    assert appeal.is_public is False


def test_accept_is_refused_once_accepted(world):
    with pytest.raises(AppealError, match="Accepted"):
        appeal_accept(appeal=world.appeal("accepted"), moderator=world.moderator)


# --- redaction and photos -----------------------------------------------------


def test_redact_replaces_the_public_text_and_keeps_the_old_one_in_the_audit(world):
    appeal = world.appeal("accepted", title="Яма біля кв. 5")

    appeal = appeal_redact(appeal=appeal, moderator=world.moderator, title="Яма на дорозі")

    assert Appeal.objects.get(pk=appeal.pk).title == "Яма на дорозі"
    entry = AppealAudit.objects.get(appeal=appeal, action="appeals.redact")
    assert entry.changes == {"title": ["Яма біля кв. 5", "Яма на дорозі"]}


@pytest.mark.parametrize(("title", "description"), [(None, None), ("", None), (None, "  ")])
def test_redact_refuses_empty_text(world, title, description):
    with pytest.raises(AppealError):
        appeal_redact(
            appeal=world.appeal(), moderator=world.moderator, title=title, description=description
        )


def test_a_hidden_photo_is_no_longer_public(world):
    appeal = world.appeal()
    photo = world.photo(appeal)

    photo_hide(photo=photo, moderator=world.moderator)

    assert AppealPhoto.objects.get(pk=photo.pk).is_public is False


def test_a_removed_photo_loses_its_row_and_file(world, django_capture_on_commit_callbacks):
    appeal = world.appeal()
    photo = world.photo(appeal)
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        photo_remove(photo=photo, moderator=world.moderator)

    assert not AppealPhoto.objects.filter(pk=photo.pk).exists()
    assert not storage.exists(name)


# --- return, reject, forward -------------------------------------------------


def test_return_asks_the_author_and_states_the_reply_date(world):
    appeal = world.appeal("accepted")
    reply_by = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d.%m.%Y")

    appeal = appeal_return(appeal=appeal, actor=world.staff, question="Який номер будинку?")

    assert appeal.status == Status.RETURNED
    question = AppealMessage.objects.get(appeal=appeal, type=AppealMessage.Type.QUESTION)
    assert (question.text, question.author) == ("Який номер будинку?", world.staff)
    event = appeal.events.order_by("-pk").first()
    assert event.action == Action.RETURN
    assert f"reply by {reply_by}" in event.reason
    notice = Notification.objects.filter(recipient=world.author).order_by("-pk").first()
    assert f"reply by {reply_by}" in notice.context["reason"]


def test_return_needs_a_question(world):
    with pytest.raises(AppealError, match="what the author should add"):
        appeal_return(appeal=world.appeal("accepted"), actor=world.staff, question="  ")


def test_reject_tells_the_author_the_reason_and_comment(world):
    appeal = appeal_reject(
        appeal=world.appeal(),
        moderator=world.moderator,
        reason=RejectReason.ABUSE,
        comment="Образи на адресу працівників.",
    )

    assert appeal.status == Status.REJECTED
    reason = appeal.events.order_by("-pk").first().reason
    assert reason == "Abusive language. Образи на адресу працівників."
    notice = Notification.objects.get(recipient=world.author, event="appeals.status_changed")
    assert notice.context["reason"] == reason


def test_reject_refuses_a_reason_not_on_the_list(world):
    with pytest.raises(AppealError, match="reason from the list"):
        appeal_reject(appeal=world.appeal(), moderator=world.moderator, reason="dislike")


def test_an_accepted_appeal_cannot_be_rejected(world):
    with pytest.raises(AppealError):
        appeal_reject(
            appeal=world.appeal("accepted"), moderator=world.moderator, reason=RejectReason.SPAM
        )


def test_forward_records_the_body_and_tells_the_author(world):
    appeal = appeal_forward(
        appeal=world.appeal("accepted"), actor=world.staff, body="Херсонська ОВА"
    )

    assert (appeal.status, appeal.forwarded_to) == (Status.FORWARDED, "Херсонська ОВА")
    notice = Notification.objects.filter(recipient=world.author).order_by("-pk").first()
    assert "Херсонська ОВА" in notice.context["reason"]
    assert "5 days" in notice.context["reason"]


def test_forward_needs_the_body(world):
    with pytest.raises(AppealError, match="Name the body"):
        appeal_forward(appeal=world.appeal("accepted"), actor=world.staff, body="")


# --- merge --------------------------------------------------------------------


def test_merge_moves_the_author_and_followers_to_the_original_and_tells_them(world):
    original = appeal_accept(appeal=world.original(), moderator=world.moderator)
    duplicate = world.appeal("accepted")
    follower, both = UserFactory(), UserFactory()
    for user in (follower, both):
        AppealFollower.objects.create(appeal=duplicate, user=user)
    AppealFollower.objects.create(appeal=original, user=both)
    AppealFollower.objects.create(appeal=duplicate, user=original.author)
    Notification.objects.all().delete()

    merged = appeal_merge(appeal=duplicate, into=original, moderator=world.moderator)

    assert (merged.status, merged.merged_into) == (Status.MERGED, original)
    followers = list(
        AppealFollower.objects.filter(appeal=original).values_list("user_id", flat=True)
    )
    assert sorted(followers) == sorted([world.author.pk, follower.pk, both.pk])
    assert not AppealFollower.objects.filter(appeal=duplicate).exists()
    notices = Notification.objects.filter(event="appeals.merged")
    assert {n.recipient_id for n in notices} == {world.author.pk, follower.pk, both.pk}
    assert {n.url for n in notices} == {original.get_absolute_url()}
    assert notices.first().context["into"] == original.reference


def test_merge_refuses_the_appeal_itself(world):
    appeal = world.appeal()
    with pytest.raises(AppealError, match="itself"):
        appeal_merge(appeal=appeal, into=appeal, moderator=world.moderator)


def test_merge_refuses_an_original_that_is_merged(world):
    original = world.original()
    appeal_merge(appeal=original, into=world.appeal(), moderator=world.moderator)

    with pytest.raises(AppealError, match="Merged"):
        appeal_merge(appeal=world.appeal(), into=original, moderator=world.moderator)


def test_merge_refuses_another_persons_private_appeal(world):
    original = submit_appeal(UserFactory(), world.category, is_public=False)

    with pytest.raises(AppealError, match="public"):
        appeal_merge(appeal=world.appeal(), into=original, moderator=world.moderator)
