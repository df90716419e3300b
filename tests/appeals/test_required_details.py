"""Art. 5 and 8 of the Law "On Citizens' Appeals": the author's details and anonymous appeals.

An appeal keeps the author's full name and place of residence as registered;
the filing form asks for them once when the profile lacks them; without them
the appeal is registered as anonymous and a moderator may leave it without
consideration (Art. 8), with the reason told to the author.
"""

import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal, AppealEvent
from appeals.services import AppealError, appeal_close_anonymous, appeal_submit
from appeals.services import staff as staff_services
from appeals.workflow import Action, Status
from citizens.notifications.models import Notification
from tests.factories import CategoryFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

NEW = reverse("appeals:new")
RESIDENCE = "Херсон, вул. Перекопська"


@pytest.fixture
def nameless(db):
    """A resident whose profile has one name and no residence."""
    return UserFactory(full_name="Оксана", residence="", preferred_language="en")


@pytest.fixture
def category():
    return CategoryFactory(slug="pothole", location_required=False)


def file_via_service(author, category, **fields):
    values = {
        "kind": "problem",
        "category": category,
        "title": "Яма на дорозі",
        "description": "Велика яма біля зупинки, машини об'їжджають.",
        "is_public": True,
        "idempotency_key": uuid.uuid4(),
        "address": "вул. Перекопська, 1",
    }
    values.update(fields)
    appeal, _created = appeal_submit(author=author, **values)
    return appeal


def form_data(**fields):
    data = {
        "title": "Яма на дорозі біля зупинки",
        "description": "Велика яма на проїжджій частині, машини об'їжджають по тротуару.",
        "address": "вул. Перекопська, 1",
        "visibility": "public",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(fields)
    return data


def step2(category):
    return f"{NEW}?kind=problem&category={category.slug}"


# --- the service -------------------------------------------------------------------------


def test_appeal_snapshots_the_authors_full_name_and_residence(resident, category):
    resident.residence = RESIDENCE
    resident.save()

    appeal = file_via_service(resident, category)

    assert (appeal.author_full_name, appeal.author_residence) == ("Оксана Коваленко", RESIDENCE)
    assert not appeal.is_anonymous


def test_a_later_profile_change_does_not_rewrite_a_registered_appeal(resident, category):
    appeal = file_via_service(resident, category)
    resident.full_name, resident.residence = "Інша Людина", "Київ, вул. Хрещатик"
    resident.save()

    appeal.refresh_from_db()
    assert appeal.author_full_name == "Оксана Коваленко"
    assert appeal.author_residence == RESIDENCE


def test_without_the_details_the_appeal_is_registered_as_anonymous(nameless, category):
    appeal = file_via_service(nameless, category)

    assert appeal.pk
    assert appeal.status == Status.MODERATION
    assert appeal.is_anonymous


@pytest.mark.parametrize(
    ("full_name", "residence", "anonymous"),
    [
        ("Коваленко Оксана Петрівна", RESIDENCE, False),
        ("Коваленко Оксана", RESIDENCE, False),
        ("Оксана", RESIDENCE, True),  # a surname and a name at least
        ("Коваленко Оксана", "   ", True),
        ("", "", True),
    ],
)
def test_anonymous_is_one_rule_on_name_and_residence(full_name, residence, anonymous, category):
    author = UserFactory(full_name=full_name, residence=residence)

    assert file_via_service(author, category).is_anonymous is anonymous


def test_details_typed_while_filing_go_to_the_profile_and_the_appeal(nameless, category):
    appeal = file_via_service(
        nameless, category, full_name="  Коваленко   Оксана ", residence=RESIDENCE
    )

    nameless.refresh_from_db()
    assert (nameless.full_name, nameless.residence) == ("Коваленко Оксана", RESIDENCE)
    assert (appeal.author_full_name, appeal.author_residence) == ("Коваленко Оксана", RESIDENCE)
    assert not appeal.is_anonymous


def test_too_long_a_residence_is_refused_and_nothing_is_saved(nameless, category):
    with translation.override("en"), pytest.raises(AppealError):
        file_via_service(nameless, category, residence="в" * 201)

    nameless.refresh_from_db()
    assert nameless.residence == ""
    assert not Appeal.objects.exists()


# --- the filing page ---------------------------------------------------------------------


def test_filing_form_asks_for_missing_details_prefilled_and_warns_about_art_8(
    client_for, nameless, category
):
    response = client_for(nameless).get(step2(category))

    body = response.content.decode()
    assert 'name="residence"' in body
    assert 'value="Оксана"' in body  # what the profile has is prefilled
    assert "not subject to consideration" in body


def test_filing_form_asks_nothing_when_the_profile_has_the_details(client_for, resident, category):
    response = client_for(resident).get(step2(category))

    assert 'name="residence"' not in response.content.decode()
    assert "anonymous-warning" not in response.content.decode()


def test_filing_form_in_ukrainian_warns_in_ukrainian(client_for, nameless, category):
    nameless.preferred_language = "uk"
    nameless.save()

    body = client_for(nameless).get(step2(category)).content.decode()

    assert "Місце проживання" in body
    assert "не підлягає розгляду" in body


def test_details_given_on_the_form_are_saved_once_for_next_time(client_for, nameless, category):
    client = client_for(nameless)
    response = client.post(
        step2(category), form_data(full_name="Коваленко Оксана", residence=RESIDENCE)
    )

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert (appeal.author_full_name, appeal.author_residence) == ("Коваленко Оксана", RESIDENCE)
    assert 'name="residence"' not in client.get(step2(category)).content.decode()


def test_offline_outbox_submission_snapshots_the_details(client_for, nameless, category):
    response = client_for(nameless).post(
        step2(category),
        form_data(full_name="Коваленко Оксана", residence=RESIDENCE),
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 201
    assert not Appeal.objects.get().is_anonymous


def test_author_page_shows_the_anonymous_mark(client_for, nameless, category):
    client = client_for(nameless)
    client.post(step2(category), form_data())
    appeal = Appeal.objects.get()

    body = client.get(appeal.get_absolute_url()).content.decode()

    assert appeal.is_anonymous
    assert 'id="anonymous-mark"' in body
    assert "Art. 8" in body


def test_author_page_has_no_anonymous_mark_with_the_details(client_for, resident, category):
    appeal = file_via_service(resident, category)

    body = client_for(resident).get(appeal.get_absolute_url()).content.decode()

    assert 'id="anonymous-mark"' not in body


# --- Art. 8: a moderator leaves an anonymous appeal without consideration ------------------


def test_moderator_closes_an_anonymous_appeal_citing_art_8_and_the_author_is_told(
    nameless, moderator, category
):
    appeal = file_via_service(nameless, category)

    with translation.override("en"):
        closed = appeal_close_anonymous(appeal=appeal, moderator=moderator, comment="Немає адреси.")

    assert closed.status == Status.REJECTED
    event = AppealEvent.objects.get(appeal=appeal, action=Action.CLOSE_ANONYMOUS)
    assert "Art. 8" in event.reason
    assert "Немає адреси." in event.reason
    told = Notification.objects.filter(recipient=nameless, event="appeals.status_changed")
    assert told.exists()


def test_an_appeal_with_the_details_cannot_be_closed_as_anonymous(resident, moderator, category):
    appeal = file_via_service(resident, category)

    with pytest.raises(AppealError):
        appeal_close_anonymous(appeal=appeal, moderator=moderator)
    appeal.refresh_from_db()
    assert appeal.status == Status.MODERATION


def test_department_staff_cannot_close_an_anonymous_appeal(nameless, moderator, department_staff):
    appeal = file_via_service(
        nameless, CategoryFactory(department=department_staff.departments.first())
    )
    staff_services.appeal_accept(appeal=appeal, moderator=moderator)

    with pytest.raises(AppealError):
        appeal_close_anonymous(appeal=appeal, moderator=department_staff)


def test_a_closed_anonymous_appeal_cannot_be_reopened(nameless, moderator, category):
    from appeals.services import transition
    from appeals.workflow import AUTHOR

    appeal = appeal_close_anonymous(
        appeal=file_via_service(nameless, category), moderator=moderator
    )

    with pytest.raises(AppealError):
        transition(appeal=appeal, action=Action.REOPEN, actor=nameless, role=AUTHOR)


def action_url(appeal, key):
    return reverse("admin:appeals_appeal_action", args=[appeal.pk, key])


def change_url(appeal):
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


def panel_keys(response):
    return {item["spec"].key for item in response.context["panel_actions"]}


def test_admin_offers_the_art_8_action_only_for_anonymous_appeals(
    client_for, moderator, nameless, resident, category
):
    client = client_for(moderator)
    anonymous = file_via_service(nameless, category)
    named = file_via_service(resident, category)

    assert "anonymous" in panel_keys(client.get(change_url(anonymous)))
    assert "anonymous" not in panel_keys(client.get(change_url(named)))
    response = client.post(action_url(named, "anonymous"), {"anonymous-comment": ""}, follow=True)
    named.refresh_from_db()
    assert named.status == Status.MODERATION
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_closes_an_anonymous_appeal_through_the_form(
    client_for, moderator, nameless, category
):
    appeal = file_via_service(nameless, category)

    response = client_for(moderator).post(
        action_url(appeal, "anonymous"), {"anonymous-comment": ""}
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.REJECTED


def test_staff_handling_the_case_see_the_registered_details(
    client_for, moderator, resident, category
):
    appeal = file_via_service(resident, category)

    body = client_for(moderator).get(change_url(appeal)).content.decode()

    assert 'id="appeal-author-details"' in body
    assert RESIDENCE in body


def test_staff_of_another_department_do_not_see_the_details(
    client_for, department_staff, resident, department
):
    appeal = file_via_service(resident, CategoryFactory(department=department))

    response = client_for(department_staff).get(change_url(appeal))

    assert RESIDENCE not in response.content.decode()


def test_public_page_never_shows_the_details(client, resident, moderator, category):
    appeal = file_via_service(resident, category)
    staff_services.appeal_accept(appeal=appeal, moderator=moderator)

    body = client.get(appeal.get_absolute_url()).content.decode()

    assert RESIDENCE not in body
    assert "Коваленко" not in body


def test_an_unrelated_flaw_of_an_old_profile_does_not_block_the_appeal(category):
    # A number from abroad, saved before the Ukrainian-only rule.
    author = UserFactory(full_name="Оксана", residence="", phone="+12025550123")

    appeal = file_via_service(author, category, full_name="Коваленко Оксана", residence=RESIDENCE)

    author.refresh_from_db()
    assert author.residence == RESIDENCE
    assert not appeal.is_anonymous


def test_author_page_shows_the_anonymous_mark_in_ukrainian(client_for, nameless, category):
    nameless.preferred_language = "uk"
    nameless.save()
    appeal = file_via_service(nameless, category)

    body = client_for(nameless).get(appeal.get_absolute_url()).content.decode()

    assert "Анонімне звернення" in body
    assert "не підлягає розгляду" in body
