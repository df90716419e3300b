"""The resident's actions through the pages: follow, add information, rate, reopen, My requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import Appeal, AppealFollower, AppealMessage, AppealRating
from appeals.services.following import appeal_follow
from appeals.workflow import Status
from tests.appeals.following_helpers import (
    accept,
    answer,
    photo_upload,
    return_to_author,
    staff_of,
)
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


@pytest.fixture
def appeal(resident, moderator, department):
    return accept(submit_appeal(resident, CategoryFactory(department=department)), moderator)


def url(appeal, action: str = "") -> str:
    return f"{appeal.get_absolute_url()}{action}/" if action else appeal.get_absolute_url()


# --- follow ----------------------------------------------------------------------


def test_follow_adds_the_resident_and_returns_to_the_page(client_for, appeal, other_resident):
    response = client_for(other_resident).post(url(appeal, "follow"), follow=True)

    assert response.redirect_chain[-1][0] == appeal.get_absolute_url()
    assert AppealFollower.objects.filter(appeal=appeal, user=other_resident).exists()
    assert "Stop following" in response.content.decode() or "Не стежити" in (
        response.content.decode()
    )


def test_follow_twice_keeps_one_follower(client_for, appeal, other_resident):
    client = client_for(other_resident)

    client.post(url(appeal, "follow"))
    client.post(url(appeal, "follow"))

    assert AppealFollower.objects.filter(appeal=appeal).count() == 1


def test_unfollow_removes_the_follower(client_for, appeal, other_resident):
    appeal_follow(appeal=appeal, user=other_resident)

    client_for(other_resident).post(url(appeal, "follow"), {"action": "unfollow"})

    assert not AppealFollower.objects.exists()


def test_follow_own_appeal_is_refused_with_a_message(client_for, appeal, resident):
    response = client_for(resident).post(url(appeal, "follow"), follow=True)

    assert not AppealFollower.objects.exists()
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()


def test_follow_honours_a_local_next(client_for, appeal, other_resident):
    response = client_for(other_resident).post(
        url(appeal, "follow"), {"next": "/requests/new/?kind=problem"}
    )

    assert response["Location"] == "/requests/new/?kind=problem"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_follow_ignores_a_next_that_leaves_the_site(client_for, appeal, other_resident, next_url):
    response = client_for(other_resident).post(url(appeal, "follow"), {"next": next_url})

    assert response["Location"] == appeal.get_absolute_url()


def test_follow_with_htmx_returns_the_button(client_for, appeal, other_resident):
    response = client_for(other_resident).post(url(appeal, "follow"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="follow-{appeal.reference}"' in html
    assert 'value="unfollow"' in html
    assert "<html" not in html


@pytest.mark.parametrize("private", [True, False])
def test_following_a_private_or_unaccepted_appeal_is_404(
    client_for, resident, other_resident, moderator, private
):
    appeal = submit_appeal(resident, is_public=not private)
    if private:
        appeal = accept(appeal, moderator)

    response = client_for(other_resident).post(url(appeal, "follow"))

    assert response.status_code == 404
    assert not AppealFollower.objects.exists()


def test_moderator_cannot_follow_a_private_appeal_they_can_see(client_for, resident, moderator):
    appeal = accept(submit_appeal(resident, is_public=False), moderator)

    assert client_for(moderator).post(url(appeal, "follow")).status_code == 404


def test_follow_without_csrf_token_is_refused(appeal, other_resident):
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), other_resident)

    assert client.post(url(appeal, "follow")).status_code == 403


# --- add information ---------------------------------------------------------------


def test_author_answers_a_question_and_the_appeal_returns_to_moderation(
    client_for, resident, moderator
):
    appeal = return_to_author(submit_appeal(resident), moderator)

    response = client_for(resident).post(
        url(appeal, "info"),
        {"text": "Будинок 12, біля під'їзду.", "photos": [photo_upload(), photo_upload()]},
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.MODERATION
    assert appeal.photos.count() == 2
    assert appeal.messages.filter(type="info").get().text == "Будинок 12, біля під'їзду."


def test_add_information_with_htmx_returns_the_updated_appeal(client_for, resident, moderator):
    appeal = return_to_author(submit_appeal(resident), moderator)

    response = client_for(resident).post(url(appeal, "info"), {"text": "Будинок 12."}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="appeal"' in html
    assert "status-moderation" in html
    assert "Будинок 12." in html
    assert "<html" not in html


def test_add_information_when_closed_is_refused_and_keeps_the_text(
    client_for, appeal, resident, routed_staff
):
    answer(appeal, routed_staff)

    response = client_for(resident).post(url(appeal, "info"), {"text": "Ще одне."})

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()
    assert not AppealMessage.objects.filter(type="info").exists()


def test_add_information_with_a_bad_photo_keeps_the_text(client_for, appeal, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("virus.jpg", b"MZ not a photo", content_type="image/jpeg")

    response = client_for(resident).post(
        url(appeal, "info"), {"text": "Мій текст лишається", "photos": [fake]}
    )

    html = response.content.decode()
    assert "Мій текст лишається" in html
    assert "virus.jpg" in html
    assert not AppealMessage.objects.filter(type="info").exists()


def test_add_information_with_six_photos_is_refused(client_for, appeal, resident):
    response = client_for(resident).post(
        url(appeal, "info"), {"text": "Фото", "photos": [photo_upload() for _ in range(6)]}
    )

    assert response.status_code == 200
    assert not appeal.photos.exists()


def test_other_resident_cannot_add_information_to_a_public_appeal(
    client_for, appeal, other_resident
):
    client_for(other_resident).post(url(appeal, "info"), {"text": "Я сусід."})

    assert not AppealMessage.objects.filter(type="info").exists()


# --- rate and reopen ---------------------------------------------------------------


def test_author_rates_the_answer_once(client_for, appeal, resident, routed_staff):
    answer(appeal, routed_staff)
    client = client_for(resident)

    client.post(url(appeal, "rate"), {"score": "5", "comment": "Дякую!"})
    response = client.post(url(appeal, "rate"), {"score": "1"}, follow=True)

    assert AppealRating.objects.get().score == 5
    assert 'class="alert alert-danger"' in response.content.decode()


def test_rating_before_the_answer_is_refused(client_for, appeal, resident):
    client_for(resident).post(url(appeal, "rate"), {"score": "5"})

    assert not AppealRating.objects.exists()


@pytest.mark.parametrize("score", ["0", "6", "five", ""])
def test_rating_with_a_bad_score_is_refused(client_for, appeal, resident, routed_staff, score):
    answer(appeal, routed_staff)

    response = client_for(resident).post(url(appeal, "rate"), {"score": score})

    assert response.status_code == 200
    assert not AppealRating.objects.exists()


def test_author_reopens_the_answered_appeal(client_for, appeal, resident, routed_staff):
    answer(appeal, routed_staff)

    response = client_for(resident).post(
        url(appeal, "reopen"), {"reason": "Яму засипали піском, вона знову є."}, follow=True
    )

    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopened) == (Status.IN_PROGRESS, True)
    html = response.content.decode()
    assert "Яму засипали піском, вона знову є." in html  # on the public timeline
    assert "/reopen/" not in html  # not offered a second time


def test_reopen_without_a_reason_keeps_the_form_open(client_for, appeal, resident, routed_staff):
    answer(appeal, routed_staff)

    response = client_for(resident).post(url(appeal, "reopen"), {"reason": ""})

    assert response.status_code == 200
    assert '<details class="reopen" open>' in response.content.decode()
    assert not Appeal.objects.get(pk=appeal.pk).reopened


def test_reopen_after_thirty_days_is_refused(client_for, appeal, resident, routed_staff):
    answer(appeal, routed_staff, days_ago=31)

    client_for(resident).post(url(appeal, "reopen"), {"reason": "Не виправлено."})

    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED


# --- My requests ---------------------------------------------------------------------


def test_my_requests_lists_every_appeal_the_person_filed(client_for, resident, moderator):
    in_moderation = submit_appeal(resident, title="Чекає модерації")
    private = accept(submit_appeal(resident, title="Приватне", is_public=False), moderator)
    someone_elses = submit_appeal(UserFactory(), title="Чуже")

    html = client_for(resident).get("/me/requests/").content.decode()

    assert in_moderation.reference in html
    assert private.reference in html
    assert someone_elses.reference not in html
    assert html.index(private.reference) < html.index(in_moderation.reference)  # newest first


def test_my_requests_flags_a_question_waiting_for_an_answer(client_for, resident, moderator):
    waiting = return_to_author(submit_appeal(resident), moderator)
    client = client_for(resident)

    assert "badge text-bg-warning" in client.get("/me/requests/").content.decode()

    client.post(url(waiting, "info"), {"text": "Відповідь."})

    assert "badge text-bg-warning" not in client.get("/me/requests/").content.decode()


def test_my_requests_lists_followed_public_appeals(client_for, appeal, other_resident):
    appeal_follow(appeal=appeal, user=other_resident)

    html = client_for(other_resident).get("/me/requests/").content.decode()

    assert appeal.reference in html


def test_my_requests_is_paginated(client_for, resident):
    from appeals.selectors import MINE_PER_PAGE

    category = CategoryFactory()
    for i in range(MINE_PER_PAGE + 1):
        submit_appeal(resident, category, title=f"Звернення {i}")
    client = client_for(resident)

    first = client.get("/me/requests/").content.decode()
    second = client.get("/me/requests/?page=2").content.decode()

    assert first.count('class="card-panel p-3"') == MINE_PER_PAGE
    assert second.count('class="card-panel p-3"') == 1
    assert client.get("/me/requests/?page=banana").status_code == 200


def test_my_requests_query_count_does_not_grow_with_30_appeals(
    client_for, resident, other_resident, moderator, django_assert_max_num_queries
):
    category = CategoryFactory()
    client = client_for(resident)
    client.get("/me/requests/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/me/requests/")
    for i in range(30):
        appeal = submit_appeal(resident, category, title=f"Звернення {i}")
        if i % 3 == 0:
            return_to_author(appeal, moderator)
        mine_followed = accept(submit_appeal(other_resident, category), moderator)
        appeal_follow(appeal=mine_followed, user=resident)

    with django_assert_max_num_queries(7):
        response = client.get("/me/requests/")

    assert response.status_code == 200
    assert len(empty) <= 7


def test_cabinet_links_to_my_requests(client_for, resident):
    html = client_for(resident).get("/me/").content.decode()

    assert 'href="/me/requests/"' in html
