"""The resident's services after filing: follow, add information, rate, reopen."""

import datetime as dt

import pytest
from django.utils import timezone
from PIL import Image

from appeals.models import Appeal, AppealEvent, AppealFollower, AppealMessage, AppealRating
from appeals.services import AppealError
from appeals.services.following import (
    REOPEN_DAYS,
    appeal_add_info,
    appeal_follow,
    appeal_rate,
    appeal_reopen,
    appeal_unfollow,
)
from appeals.workflow import Action, Status
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import (
    accept,
    answer,
    photo_upload,
    return_to_author,
    staff_of,
)
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


@pytest.fixture
def appeal(resident, moderator, department):
    return accept(submit_appeal(resident, CategoryFactory(department=department)), moderator)


@pytest.fixture
def answered(appeal, routed_staff):
    return answer(appeal, routed_staff)


def status_notifications(user):
    return Notification.objects.filter(recipient=user, event="appeals.status_changed")


# --- follow ---------------------------------------------------------------------


def test_following_a_public_appeal_adds_one_follower(appeal, other_resident):
    assert appeal_follow(appeal=appeal, user=other_resident) is True

    assert AppealFollower.objects.filter(appeal=appeal, user=other_resident).count() == 1


def test_following_twice_keeps_one_row(appeal, other_resident):
    appeal_follow(appeal=appeal, user=other_resident)

    assert appeal_follow(appeal=appeal, user=other_resident) is False
    assert AppealFollower.objects.filter(appeal=appeal).count() == 1


def test_author_cannot_follow_their_own_appeal(appeal, resident):
    with pytest.raises(AppealError):
        appeal_follow(appeal=appeal, user=resident)

    assert not AppealFollower.objects.exists()


def test_private_appeal_cannot_be_followed(resident, other_resident, moderator):
    private = accept(submit_appeal(resident, is_public=False), moderator)

    with pytest.raises(AppealError):
        appeal_follow(appeal=private, user=other_resident)


def test_appeal_in_moderation_cannot_be_followed(resident, other_resident):
    with pytest.raises(AppealError):
        appeal_follow(appeal=submit_appeal(resident), user=other_resident)


def test_unfollowing_removes_the_row_and_is_idempotent(appeal, other_resident):
    appeal_follow(appeal=appeal, user=other_resident)

    assert appeal_unfollow(appeal=appeal, user=other_resident) is True
    assert appeal_unfollow(appeal=appeal, user=other_resident) is False
    assert not AppealFollower.objects.exists()


def test_followers_hear_about_status_changes(appeal, other_resident, routed_staff):
    appeal_follow(appeal=appeal, user=other_resident)

    answer(appeal, routed_staff)

    assert status_notifications(other_resident).count() == 1


# --- add information ---------------------------------------------------------------


def test_adding_information_to_a_returned_appeal_sends_it_back_to_moderation(resident, moderator):
    appeal = return_to_author(submit_appeal(resident), moderator)

    updated = appeal_add_info(appeal=appeal, author=resident, text="Біля будинку 12.")

    assert updated.status == Status.MODERATION
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        Action.ADD_INFO,
        Status.RETURNED,
        Status.MODERATION,
        resident,
    )
    assert event.is_public
    assert AppealMessage.objects.get(appeal=appeal, type="info").text == "Біля будинку 12."


def test_adding_information_to_a_returned_appeal_tells_the_author_and_followers(
    appeal, resident, other_resident, moderator
):
    appeal_follow(appeal=appeal, user=other_resident)
    appeal = return_to_author(appeal, moderator)
    before = {u: status_notifications(u).count() for u in (resident, other_resident)}

    appeal_add_info(appeal=appeal, author=resident, text="Біля будинку 12.")

    for user in (resident, other_resident):
        assert status_notifications(user).count() == before[user] + 1
    latest = status_notifications(other_resident).order_by("-pk").first()
    assert latest.context["status"]["en"] == "Awaiting moderation"


def test_adding_information_while_accepted_keeps_the_status_and_records_an_event(
    appeal, resident, other_resident
):
    appeal_follow(appeal=appeal, user=other_resident)

    updated = appeal_add_info(appeal=appeal, author=resident, text="Яма стала більшою.")

    assert updated.status == Status.ACCEPTED
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert (event.action, event.from_status, event.to_status) == (
        Action.ADD_INFO,
        Status.ACCEPTED,
        Status.ACCEPTED,
    )
    assert not status_notifications(other_resident).exists()


def test_added_photos_are_stored_without_exif(appeal, resident):
    appeal_add_info(appeal=appeal, author=resident, text="", photos=[photo_upload(exif=True)])

    photo = appeal.photos.get()
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
    assert photo.is_public
    assert photo.added_by == resident


def test_adding_more_than_five_photos_is_refused(appeal, resident):
    with pytest.raises(AppealError):
        appeal_add_info(
            appeal=appeal, author=resident, text="", photos=[photo_upload() for _ in range(6)]
        )

    assert not appeal.photos.exists()


def test_adding_a_file_that_is_not_a_photo_is_refused_and_saves_nothing(appeal, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")

    with pytest.raises(AppealError, match="photo"):
        appeal_add_info(appeal=appeal, author=resident, text="Текст", photos=[fake])

    assert not AppealMessage.objects.filter(type="info").exists()


def test_adding_nothing_is_refused(appeal, resident):
    with pytest.raises(AppealError):
        appeal_add_info(appeal=appeal, author=resident, text="   ")


@pytest.mark.parametrize("status", [Status.ANSWERED, Status.CLOSED, Status.REJECTED])
def test_adding_information_is_refused_once_the_appeal_is_no_longer_open(appeal, resident, status):
    Appeal.objects.filter(pk=appeal.pk).update(status=status)

    with pytest.raises(AppealError):
        appeal_add_info(appeal=appeal, author=resident, text="Ще щось.")

    assert not AppealMessage.objects.filter(type="info").exists()


def test_only_the_author_can_add_information(appeal, other_resident):
    with pytest.raises(AppealError):
        appeal_add_info(appeal=appeal, author=other_resident, text="Я теж бачив.")


# --- rate --------------------------------------------------------------------------


def test_author_rates_an_answered_appeal(answered, resident):
    rating = appeal_rate(appeal=answered, author=resident, score=4, comment="Швидко.")

    assert (rating.score, rating.comment) == (4, "Швидко.")


def test_rating_is_accepted_once(answered, resident):
    appeal_rate(appeal=answered, author=resident, score=4)

    with pytest.raises(AppealError):
        appeal_rate(appeal=answered, author=resident, score=1)

    assert AppealRating.objects.get().score == 4


def test_rating_before_the_answer_is_refused(appeal, resident):
    with pytest.raises(AppealError):
        appeal_rate(appeal=appeal, author=resident, score=5)

    assert not AppealRating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, -1])
def test_rating_outside_one_to_five_is_refused(answered, resident, score):
    with pytest.raises(AppealError):
        appeal_rate(appeal=answered, author=resident, score=score)


def test_only_the_author_rates(answered, other_resident):
    with pytest.raises(AppealError):
        appeal_rate(appeal=answered, author=other_resident, score=5)


# --- reopen ------------------------------------------------------------------------


def test_author_reopens_an_answered_appeal_within_thirty_days(answered, resident):
    reopened = appeal_reopen(appeal=answered, author=resident, reason="Яма знову є.")

    assert reopened.status == Status.IN_PROGRESS
    assert reopened.reopened is True
    event = AppealEvent.objects.filter(appeal=answered).last()
    assert (event.action, event.reason, event.actor, event.is_public) == (
        Action.REOPEN,
        "Яма знову є.",
        resident,
        True,
    )


def test_reopening_starts_a_new_legal_deadline(answered, resident):
    Appeal.objects.filter(pk=answered.pk).update(deadline=dt.date(2020, 1, 1))

    reopened = appeal_reopen(appeal=answered, author=resident, reason="Не виправлено.")

    assert reopened.deadline == timezone.localdate() + dt.timedelta(
        days=answered.category.answer_days
    )
    assert not reopened.is_overdue


def test_reopening_a_closed_appeal_is_allowed(answered, resident, routed_staff):
    from appeals.services import transition
    from appeals.workflow import DEPARTMENT

    closed = transition(appeal=answered, action=Action.CLOSE, actor=routed_staff, role=DEPARTMENT)

    assert appeal_reopen(appeal=closed, author=resident, reason="Ні.").status == Status.IN_PROGRESS


def test_reopening_tells_the_author_and_followers(answered, resident, other_resident):
    appeal_follow(appeal=answered, user=other_resident)
    before = {u: status_notifications(u).count() for u in (resident, other_resident)}

    appeal_reopen(appeal=answered, author=resident, reason="Яма знову є.")

    for user in (resident, other_resident):
        assert status_notifications(user).count() == before[user] + 1
    latest = status_notifications(other_resident).order_by("-pk").first()
    assert latest.context["reason"] == "Яма знову є."
    assert latest.context["status"]["en"] == "In progress"


def test_second_reopen_is_refused(answered, resident, routed_staff, english):
    reopened = appeal_reopen(appeal=answered, author=resident, reason="Ні.")
    answered_again = answer(reopened, routed_staff, "Тепер точно.")

    with pytest.raises(AppealError, match="once"):
        appeal_reopen(appeal=answered_again, author=resident, reason="Все одно ні.")

    assert Appeal.objects.get(pk=answered.pk).status == Status.ANSWERED


def test_reopen_after_thirty_days_is_refused(appeal, resident, routed_staff):
    late = answer(appeal, routed_staff, days_ago=REOPEN_DAYS + 1)

    with pytest.raises(AppealError):
        appeal_reopen(appeal=late, author=resident, reason="Ні.")

    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED


def test_reopen_on_the_last_day_is_allowed(appeal, resident, routed_staff):
    nearly = answer(appeal, routed_staff, days_ago=REOPEN_DAYS - 1)

    assert appeal_reopen(appeal=nearly, author=resident, reason="Ні.").reopened


def test_reopen_before_the_answer_is_refused(appeal, resident):
    with pytest.raises(AppealError):
        appeal_reopen(appeal=appeal, author=resident, reason="Ні.")


def test_reopen_without_a_reason_is_refused(answered, resident):
    with pytest.raises(AppealError):
        appeal_reopen(appeal=answered, author=resident, reason="  ")

    assert not Appeal.objects.get(pk=answered.pk).reopened


def test_only_the_author_reopens(answered, other_resident):
    with pytest.raises(AppealError):
        appeal_reopen(appeal=answered, author=other_resident, reason="Ні.")


def test_the_answer_tells_the_author_by_its_own_kind_and_followers_by_the_status(
    appeal, resident, other_resident, routed_staff
):
    appeal_follow(appeal=appeal, user=other_resident)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    answer(appeal, routed_staff)

    told = set(Notification.objects.filter(pk__gt=before).values_list("recipient_id", "event"))
    assert told == {
        (resident.pk, "appeals.answered"),
        (other_resident.pk, "appeals.status_changed"),
    }
