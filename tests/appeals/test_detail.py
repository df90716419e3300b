"""The appeal page: what it shows to whom, OpenGraph, escaping and its query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.models import AnswerAttachment, AppealEvent, AppealFollower, AppealMessage, AppealPhoto
from appeals.workflow import Action, Status
from tests.appeals.following_helpers import accept, answer, return_to_author, staff_of
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

ADDRESS = "вул. Перекопська, 17, кв. 4"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://mycity.example"


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


@pytest.fixture
def category(department):
    return CategoryFactory(department=department)


@pytest.fixture
def appeal(resident, moderator, category):
    return accept(submit_appeal(resident, category, address=ADDRESS), moderator)


def page(client, appeal) -> str:
    response = client.get(appeal.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def meta(html: str, prop: str) -> str | None:
    found = re.search(rf'<meta property="{prop}" content="([^"]*)"', html)
    return found.group(1) if found else None


# --- what it shows --------------------------------------------------------------


def test_page_shows_title_reference_status_category_and_district(client_for, appeal):
    html = page(client_for(None), appeal)

    assert appeal.title in html
    assert appeal.reference in html
    assert "status-accepted" in html
    assert appeal.category.name in html
    assert appeal.district.name in html


@pytest.mark.parametrize("viewer", ["anonymous", "other_resident", "department_staff"])
def test_public_page_never_shows_the_authors_email_or_full_name(
    request, client_for, appeal, resident, viewer
):
    html = page(client_for(request.getfixturevalue(viewer)), appeal)

    assert resident.email not in html
    assert resident.full_name not in html
    assert "Коваленко" not in html
    assert resident.public_name in html


def test_public_page_shows_the_display_name_chosen_by_the_author(client_for, moderator, category):
    author = UserFactory(full_name="Марія Шевченко", display_name="Мешканка Шуменського")
    appeal = accept(submit_appeal(author, category), moderator)

    html = page(client_for(None), appeal)

    assert "Мешканка Шуменського" in html
    assert "Шевченко" not in html


@pytest.mark.parametrize("viewer", ["anonymous", "other_resident", "department_staff"])
def test_public_page_shows_only_the_approximate_place(request, client_for, appeal, viewer):
    html = page(client_for(request.getfixturevalue(viewer)), appeal)

    assert ADDRESS not in html
    # The map gets the rounded point, drawn as an area, never the exact marker.
    lat, lon = appeal.approximate_location
    assert f'data-lat="{lat:f}" data-lon="{lon:f}"' in html
    assert 'data-exact="0"' in html
    assert 'data-exact="1"' not in html


@pytest.mark.parametrize("viewer", ["resident", "moderator", "routed_staff"])
def test_author_and_staff_see_the_exact_address(request, client_for, appeal, viewer):
    html = page(client_for(request.getfixturevalue(viewer)), appeal)

    assert ADDRESS in html


def test_private_appeal_address_is_shown_to_its_author(client_for, resident, moderator):
    private = accept(submit_appeal(resident, is_public=False, address=ADDRESS), moderator)

    html = page(client_for(resident), private)

    assert ADDRESS in html
    assert "noindex" in html


def test_script_in_title_and_text_is_shown_as_text(client_for, resident, moderator):
    appeal = accept(
        submit_appeal(
            resident,
            title="<script>alert('t')</script>",
            description="<img src=x onerror=alert(1)> текст",
        ),
        moderator,
    )

    html = page(client_for(None), appeal)

    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_hidden_photo_is_shown_to_the_author_but_not_publicly(client_for, appeal, resident):
    shown = AppealPhoto.objects.create(appeal=appeal, image="appeals/shown.jpg", is_public=True)
    hidden = AppealPhoto.objects.create(appeal=appeal, image="appeals/blurred.jpg", is_public=False)

    public_html = page(client_for(None), appeal)
    author_html = page(client_for(resident), appeal)

    assert f'src="{shown.get_absolute_url()}"' in public_html
    assert hidden.get_absolute_url() not in public_html
    assert f'src="{hidden.get_absolute_url()}"' in author_html
    # Only the checked view's address, never the stored name.
    assert "blurred.jpg" not in author_html


def test_timeline_shows_public_events_and_reasons_only(client_for, appeal, moderator):
    AppealEvent.objects.create(
        appeal=appeal, action=Action.EXTEND, reason="Потрібна експертиза.", is_public=True
    )
    AppealEvent.objects.create(
        appeal=appeal, action=Action.EXTEND, reason="Внутрішня нотатка", is_public=False
    )

    html = page(client_for(None), appeal)

    assert "Потрібна експертиза." in html
    assert "Внутрішня нотатка" not in html


def test_official_answer_is_shown_to_everyone(client_for, appeal, routed_staff):
    answer(appeal, routed_staff, "Яму залатано 3 травня.")

    assert "Яму залатано 3 травня." in page(client_for(None), appeal)


def test_staff_question_is_shown_to_the_author_with_the_add_information_form(
    client_for, resident, moderator
):
    appeal = return_to_author(submit_appeal(resident), moderator, "Уточніть номер будинку.")

    html = page(client_for(resident), appeal)

    assert "Уточніть номер будинку." in html
    assert f'action="/requests/{appeal.reference}/info/"' in html


def test_staff_question_is_not_public(client_for, appeal, moderator, other_resident):
    AppealMessage.objects.create(
        appeal=appeal, type=AppealMessage.Type.QUESTION, author=moderator, text="Ваш телефон?"
    )

    assert "Ваш телефон?" not in page(client_for(other_resident), appeal)


def test_add_information_form_is_not_offered_once_answered(
    client_for, appeal, resident, routed_staff
):
    answer(appeal, routed_staff)

    html = page(client_for(resident), appeal)

    assert "/info/" not in html
    assert f'action="/requests/{appeal.reference}/rate/"' in html
    assert f'action="/requests/{appeal.reference}/reopen/"' in html


def test_rate_and_reopen_are_offered_only_to_the_author(
    client_for, appeal, routed_staff, other_resident
):
    answer(appeal, routed_staff)

    html = page(client_for(other_resident), appeal)

    assert "/rate/" not in html
    assert "/reopen/" not in html


def test_follow_button_is_shown_to_other_residents_but_not_to_the_author(
    client_for, appeal, resident, other_resident
):
    follow_action = f'action="/requests/{appeal.reference}/follow/"'

    assert follow_action in page(client_for(other_resident), appeal)
    assert follow_action not in page(client_for(resident), appeal)
    assert follow_action not in page(client_for(None), appeal)


def test_follow_button_is_not_offered_on_a_private_appeal(client_for, resident, moderator):
    private = accept(submit_appeal(resident, is_public=False), moderator)

    assert "/follow/" not in page(client_for(moderator), private)


# --- OpenGraph ---------------------------------------------------------------------


def test_page_has_opengraph_tags_with_absolute_url(client_for, appeal):
    html = page(client_for(None), appeal)

    assert meta(html, "og:title").startswith(appeal.title)
    assert meta(html, "og:url") == f"https://mycity.example/requests/{appeal.reference}/"
    assert meta(html, "og:image") is None


def test_opengraph_description_is_the_first_200_characters(client_for, resident, moderator):
    appeal = accept(submit_appeal(resident, description="д" * 600), moderator)

    description = meta(page(client_for(None), appeal), "og:description")

    assert description.startswith("д" * 150)
    assert len(description) <= 200


def test_opengraph_image_is_the_first_public_photo(client_for, appeal):
    AppealPhoto.objects.create(appeal=appeal, image="appeals/hidden.jpg", is_public=False)
    first = AppealPhoto.objects.create(appeal=appeal, image="appeals/first.jpg", is_public=True)
    AppealPhoto.objects.create(appeal=appeal, image="appeals/second.jpg", is_public=True)

    image = meta(page(client_for(None), appeal), "og:image")

    assert image == f"https://mycity.example/requests/{appeal.reference}/photos/{first.pk}/"


# --- queries -------------------------------------------------------------------


@pytest.fixture
def busy_appeal(appeal, moderator, routed_staff):
    AppealEvent.objects.bulk_create(
        AppealEvent(appeal=appeal, action=Action.EXTEND, reason=f"Причина {i}", actor=moderator)
        for i in range(8)
    )
    AppealPhoto.objects.bulk_create(
        AppealPhoto(appeal=appeal, image=f"appeals/p{i}.jpg", width=40, height=30) for i in range(5)
    )
    AppealMessage.objects.bulk_create(
        AppealMessage(appeal=appeal, type=kind, author=routed_staff, text=f"Повідомлення {i}")
        for i, kind in enumerate(["question", "info", "question", "info", "answer"])
    )
    answer_message = AppealMessage.objects.get(appeal=appeal, type="answer")
    AnswerAttachment.objects.bulk_create(
        AnswerAttachment(message=answer_message, file=f"appeals/answers/a{i}.pdf", name=f"{i}.pdf")
        for i in range(4)
    )
    followers = UserFactory.create_batch(20)
    AppealFollower.objects.bulk_create(AppealFollower(appeal=appeal, user=u) for u in followers)
    assert appeal.events.count() == 10
    return appeal


@pytest.mark.parametrize(
    ("viewer", "limit"),
    [
        ("anonymous", 6),
        ("other_resident", 12),
        ("resident", 11),
        ("moderator", 12),
        ("routed_staff", 12),
        ("department_staff", 12),
    ],
)
def test_page_query_count_does_not_grow_with_events_photos_messages_and_followers(
    request, client_for, busy_appeal, viewer, limit, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(viewer))
    client.get(busy_appeal.get_absolute_url())  # warm caches (content types, sessions)

    with django_assert_max_num_queries(limit):
        response = client.get(busy_appeal.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count("<img ") >= 5


def test_page_query_count_is_the_same_for_a_quiet_and_a_busy_appeal(
    client_for, busy_appeal, resident, moderator, category
):
    quiet = accept(submit_appeal(resident, category), moderator)
    client = client_for(resident)
    counts = []
    for appeal in (quiet, busy_appeal):
        client.get(appeal.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            client.get(appeal.get_absolute_url())
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_status_label_and_deadline_are_shown_while_open(client_for, appeal):
    html = page(client_for(None), appeal)

    assert str(Status.ACCEPTED.label) in html or "Прийнято" in html
    assert "deadline" in html
