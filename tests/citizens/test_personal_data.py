"""Law "On Personal Data Protection": export one's data, erase the account, purge after retention.

Through the services (citizens.personal_data) and the pages (/me/data/, /me/delete/,
/privacy/, the API's account endpoint), in Ukrainian and English.
"""

import datetime as dt
import io
import json
import uuid
import zipfile

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal, AppealFollower, AppealMessage, AppealRating
from appeals.services.following import appeal_add_info, appeal_follow, appeal_rate
from citizens import personal_data
from citizens.models import DataExport, Notification, User
from news.models import Subscription
from services.models import Document
from surveys.models import Participation, Response
from surveys.services.responding import survey_respond
from tests.appeals.following_helpers import photo_upload
from tests.appeals.public_factories import public_appeal
from tests.factories import PASSWORD, UserFactory, submit_appeal
from tests.services.factories import ServiceFactory, pdf_bytes, submit, upload
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

ERASED = {"uk": "видалено на їхнє прохання", "en": "removed at their request"}


@pytest.fixture
def person(resident):
    """A resident with something in every app: appeals, a message, a photo, a follow,
    an application with a document, a named survey response, a news subscription."""
    resident.phone = "+380501234567"
    resident.residence = "Херсон, вул. Перекопська"
    resident.save()
    public = public_appeal(resident, title="Яма на Перекопській", photos=[photo_upload()])
    private = submit_appeal(
        resident, title="Сусід шумить", description="Приватний опис скарги.", is_public=False
    )
    appeal_add_info(appeal=private, author=resident, text="Ще одна приватна деталь.")
    Appeal.objects.filter(pk=private.pk).update(status="answered", answered_at=timezone.now())
    appeal_rate(appeal=private, author=resident, score=2, comment="Приватний коментар.")
    other = public_appeal(UserFactory(full_name="Інша Людина"), title="Чужа заява")
    appeal_follow(appeal=other, user=resident)
    submit(
        resident,
        ServiceFactory(),
        documents=[("passport", upload(pdf_bytes(), name="passport.pdf"))],
    )
    survey = SurveyFactory(is_anonymous=False)
    question_with_choices(survey, required=True, page=1)
    question = survey.questions.get()
    survey_respond(
        survey=survey,
        user=resident,
        raw={str(question.pk): {"choice": str(question.choices.first().pk), "other": ""}},
    )
    Subscription.objects.create(user=resident, digest=True)
    resident.test_objects = {"public": public, "private": private, "survey": survey}
    return resident


def in_language(client_for, user, language):
    """A client signed in as `user`, whose portal language is `language`."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return client_for(user)


def archive_of(user) -> tuple[dict, zipfile.ZipFile]:
    export = DataExport.objects.filter(user=user).latest("created_at")
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return json.loads(archive.read("data.json")), archive


# --- Export ---------------------------------------------------------------------


def test_the_export_holds_every_apps_data_and_the_files(person, other_resident, eager):
    submit_appeal(other_resident, title="Чужа таємниця", description="Не для інших.")
    with_callbacks = personal_data.data_export_request(user=person)
    personal_data.data_export_build(export_id=with_callbacks.pk)

    data, archive = archive_of(person)

    assert data["account"]["profile"]["email"] == "resident@example.com"
    assert data["account"]["profile"]["residence"] == "Херсон, вул. Перекопська"
    titles = {a["title"] for a in data["appeals"]["appeals"]}
    assert titles == {"Яма на Перекопській", "Сусід шумить"}
    private = next(a for a in data["appeals"]["appeals"] if a["title"] == "Сусід шумить")
    assert [m["text"] for m in private["messages"]] == ["Ще одна приватна деталь."]
    assert private["rating"] == {"score": 2, "comment": "Приватний коментар."}
    assert len(data["appeals"]["following"]) == 1
    assert len(data["services"]["applications"]) == 1
    assert data["surveys"]["named_responses"][0]["answers"]
    assert data["news"]["subscription"]["digest"] is True
    names = archive.namelist()
    assert any(n.startswith("files/appeals/") and n.endswith(".jpg") for n in names)
    assert any(n.startswith("files/services/") and n.endswith("passport.pdf") for n in names)
    # Nothing of anyone else: not their appeal, not their name, not their e-mail.
    text = archive.read("data.json").decode()
    for foreign in ("Чужа таємниця", "Не для інших", "neighbour@example.com", "Тарас"):
        assert foreign not in text


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_page_prepares_the_archive_and_the_notification_brings_the_link(
    person, client_for, eager, django_capture_on_commit_callbacks, language
):
    client = in_language(client_for, person, language)

    page = client.get(reverse("citizens:data"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizens:data"), follow=True)

    expected = {"uk": "Готуємо архів", "en": "We are preparing the archive"}[language]
    assert expected in response.content.decode()
    [notification] = Notification.objects.filter(event="citizens.data_export_ready")
    assert notification.recipient == person
    download = client.get(notification.url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "private, no-store"
    data = json.loads(
        zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).read("data.json")
    )
    assert data["account"]["profile"]["email"] == person.email


def test_another_person_cannot_download_the_archive_even_with_the_link(
    person, other_resident, client_for, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = personal_data.data_export_request(user=person)
    link = personal_data.data_export_link(DataExport.objects.get(pk=export.pk))

    assert client_for(other_resident).get(link).status_code == 404
    assert client_for(None).get(link).status_code == 302  # to sign in, then still 404
    assert client_for(person).get(link).status_code == 200
    # A forged token naming someone else's export: the signature fails.
    forged = signing.dumps({"u": other_resident.pk, "e": export.pk}, salt="another salt")
    path = reverse("citizens:data_download", args=[forged])
    assert client_for(other_resident).get(path).status_code == 404


def test_an_expired_link_no_longer_downloads(person, client_for, eager, settings):
    export = DataExport.objects.create(user=person)
    personal_data.data_export_build(export_id=export.pk)
    link = personal_data.data_export_link(export)
    settings.DATA_EXPORT_DAYS = 0  # every link is older than that

    assert client_for(person).get(link).status_code == 404


def test_old_exports_are_deleted_with_their_files(person):
    export = DataExport.objects.create(user=person)
    personal_data.data_export_build(export_id=export.pk)
    export.refresh_from_db()
    name = export.file.name
    storage = export.file.storage

    later = timezone.now() + dt.timedelta(days=settings.DATA_EXPORT_DAYS + 1)
    assert personal_data.data_exports_clean(now=timezone.now()) == 0
    assert personal_data.data_exports_clean(now=later) == 1
    assert not DataExport.objects.exists()
    assert not storage.exists(name)


def test_export_requests_are_rate_limited(resident, client_for, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "data_export": {"account": "2/day", "address": "10/day"},
    }
    client = client_for(resident)
    codes = [client.post(reverse("citizens:data")).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


# --- Erase ----------------------------------------------------------------------


def test_erasing_keeps_a_tombstone_and_detaches_the_person(person):
    old_email = person.email
    public = person.test_objects["public"]
    survey = person.test_objects["survey"]
    responses_before = Response.objects.filter(survey=survey).count()

    assert personal_data.user_erase(user=person) is True

    person.refresh_from_db()
    assert person.email.endswith("@erased.invalid")
    assert (person.full_name, person.display_name, str(person.phone), person.residence) == (
        "",
        "",
        "",
        "",
    )
    assert not person.is_active
    assert not person.has_usable_password()
    assert person.erased_at is not None
    assert not User.objects.filter(email__iexact=old_email).exists()
    assert not person.emailaddress_set.exists()
    # The appeals stay, public, without the author's details.
    public.refresh_from_db()
    assert public.author_id == person.pk
    assert (public.author_full_name, public.author_residence) == ("", "")
    assert Appeal.objects.filter(author=person).count() == 2
    assert not AppealFollower.objects.filter(user=person).exists()
    # Survey answers stay counted but no longer linked.
    assert Response.objects.filter(survey=survey).count() == responses_before
    assert not Response.objects.filter(respondent=person).exists()
    assert Participation.objects.filter(survey=survey).count() == 1
    assert not Subscription.objects.filter(user=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    # Private texts are kept until the retention period ends.
    private = person.test_objects["private"]
    private.refresh_from_db()
    assert private.description == "Приватний опис скарги."


def test_erasing_twice_is_safe(person):
    assert personal_data.user_erase(user=person) is True
    assert personal_data.user_erase(user=person) is False
    person.refresh_from_db()
    assert person.erased_at is not None


def test_staff_cannot_delete_their_own_account(moderator):
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.user_erase(user=moderator)
    moderator.refresh_from_db()
    assert moderator.erased_at is None
    assert moderator.is_active


@pytest.mark.parametrize("language", ["uk", "en"])
def test_an_erased_author_is_removed_at_their_request_everywhere(person, language):
    from django.utils import translation

    personal_data.user_erase(user=person)
    person.refresh_from_db()
    with translation.override(language):
        assert str(person) == ERASED[language]
        assert person.public_name == ERASED[language]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_public_page_shows_the_erased_author(person, client_for, language):
    public = person.test_objects["public"]
    personal_data.user_erase(user=person)
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(public.get_absolute_url())

    assert page.status_code == 200
    body = page.content.decode()
    assert ERASED[language] in body
    assert "Оксана" not in body
    assert "О.К." not in body


def test_staff_and_the_admin_no_longer_find_the_person_by_their_old_email(
    person, superuser, client_for
):
    admin = client_for(superuser)
    search = "/admin/citizens/user/?q=resident@example.com"
    assert admin.get(search).context["cl"].result_count == 1

    personal_data.user_erase(user=person)

    assert admin.get(search).context["cl"].result_count == 0
    assert person not in admin.get("/admin/citizens/user/?q=Оксана").context["cl"].result_list
    # The tombstone is still listed, under the erased label.
    tombstone = admin.get(f"/admin/citizens/user/{person.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert tombstone.status_code == 200


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_delete_page_asks_for_the_password_and_then_erases(person, client_for, language):
    client = in_language(client_for, person, language)
    url = reverse("citizens:delete")

    page = client.get(url)
    assert page.status_code == 200
    kept = {"uk": "Що залишається", "en": "What is kept"}[language]
    assert kept in page.content.decode()

    wrong = client.post(url, {"password": "not-the-password", "confirm": "on"})
    assert wrong.status_code == 200
    person.refresh_from_db()
    assert person.erased_at is None

    done = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None
    # Signed out: the cabinet asks to sign in again.
    assert client.get(reverse("citizens:cabinet")).status_code == 302


def test_the_delete_page_refuses_staff(moderator, client_for):
    client = in_language(client_for, moderator, "en")
    page = client.get(reverse("citizens:delete"))
    assert "ask a superuser" in page.content.decode()
    client.post(reverse("citizens:delete"), {"password": PASSWORD, "confirm": "on"})
    moderator.refresh_from_db()
    assert moderator.erased_at is None


def test_an_erased_person_cannot_sign_in_again(person):
    personal_data.user_erase(user=person)
    response = APIClient().post(
        "/api/v1/auth/app/v1/auth/login",
        {"email": "resident@example.com", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400


def test_the_api_deletes_the_account_with_the_password(person):
    from tests.conftest import app_token

    token = app_token(person, code=False)
    api = APIClient(HTTP_X_SESSION_TOKEN=token)

    wrong = api.delete("/api/v1/account/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    done = api.delete("/api/v1/account/", {"password": PASSWORD}, format="json")
    assert done.status_code == 204
    person.refresh_from_db()
    assert person.erased_at is not None
    # The session token no longer works.
    assert api.get("/api/v1/notifications/").status_code in (401, 403)


def test_the_api_refuses_to_delete_a_staff_account(moderator):
    from tests.conftest import app_token

    api = APIClient(HTTP_X_SESSION_TOKEN=app_token(moderator, code=True))

    response = api.delete("/api/v1/account/", {"password": PASSWORD}, format="json")

    assert response.status_code == 403
    moderator.refresh_from_db()
    assert moderator.erased_at is None


def test_the_api_requests_an_export(person, eager, django_capture_on_commit_callbacks):
    from tests.conftest import app_token

    api = APIClient(HTTP_X_SESSION_TOKEN=app_token(person, code=False))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/account/data-export/")

    assert response.status_code == 202
    export = DataExport.objects.get(user=person)
    assert export.file
    assert Notification.objects.filter(recipient=person, event="citizens.data_export_ready")
    assert APIClient().post("/api/v1/account/data-export/").status_code in (401, 403)


# --- Retention ------------------------------------------------------------------


def test_the_retention_job_purges_only_accounts_erased_long_enough_ago(person, other_resident):
    kept = submit_appeal(other_resident, description="Свіжий приватний текст.", is_public=False)
    appeal_add_info(appeal=kept, author=other_resident, text="Моє повідомлення.")
    personal_data.user_erase(user=person)
    personal_data.user_erase(user=other_resident)
    long_ago = timezone.now() - dt.timedelta(days=365 * settings.PRIVACY_RETENTION_YEARS + 1)
    User.objects.filter(pk=person.pk).update(erased_at=long_ago)

    assert personal_data.privacy_purge_expired() == 1
    assert personal_data.privacy_purge_expired() == 1  # idempotent: nothing more changes

    private = person.test_objects["private"]
    private.refresh_from_db()
    assert private.description == ""
    assert not AppealMessage.objects.filter(author=person).exclude(text="").exists()
    assert AppealRating.objects.get(appeal__author=person).comment == ""
    assert not Document.objects.filter(application__applicant=person).exists()
    # The public appeal keeps its text, as the public record.
    public = person.test_objects["public"]
    public.refresh_from_db()
    assert public.description
    # The other person's retention period has not passed.
    kept.refresh_from_db()
    assert kept.description == "Свіжий приватний текст."
    assert AppealMessage.objects.filter(author=other_resident, text="Моє повідомлення.").exists()


def test_the_sweep_task_runs_both_jobs(person):
    from citizens.tasks import privacy_sweep

    assert privacy_sweep() == {"purged": 0, "exports_deleted": 0}
    assert "citizens-privacy-sweep" in settings.CELERY_BEAT_SCHEDULE


# --- Privacy notice and sign-up ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"), [("uk", "Повідомлення про приватність"), ("en", "Privacy notice")]
)
def test_the_privacy_notice_names_the_controller_and_the_rights(client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("privacy"))
    body = page.content.decode()
    assert page.status_code == 200
    assert heading in body
    assert settings.PRIVACY_CONTROLLER in body
    assert str(settings.PRIVACY_RETENTION_YEARS) in body
    # Linked from the footer of every page.
    assert reverse("privacy") in client.get("/").content.decode()


def test_sign_up_requires_accepting_the_notice_and_records_it(client):
    data = {
        "full_name": "Іван Франко",
        "email": "ivan@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    refused = client.post(reverse("account_signup"), data)
    assert refused.status_code == 200
    assert not User.objects.filter(email="ivan@example.com").exists()
    assert f'<a href="{reverse("privacy")}" target="_blank"' in refused.content.decode()

    client.post(reverse("account_signup"), {**data, "accept_privacy": "on"})
    user = User.objects.get(email="ivan@example.com")
    assert user.privacy_version == settings.PRIVACY_NOTICE_VERSION
    assert user.privacy_accepted_at is not None


def test_registry_holds_every_feature_app():
    names = {entry.name for entry in personal_data.registered()}
    assert names == {"account", "appeals", "services", "surveys", "news"}


@pytest.mark.parametrize(
    ("language", "asked"),
    [("uk", "Будь ласка, прочитайте повідомлення"), ("en", "Please read the privacy notice")],
)
def test_an_account_from_before_the_notice_is_asked_in_the_cabinet_once(
    resident, client_for, language, asked
):
    client = in_language(client_for, resident, language)
    assert resident.privacy_version == ""

    assert asked in client.get(reverse("citizens:cabinet")).content.decode()
    assert client.post(reverse("privacy")).status_code == 302

    resident.refresh_from_db()
    assert resident.privacy_version == settings.PRIVACY_NOTICE_VERSION
    assert resident.privacy_accepted_at is not None
    assert asked not in client.get(reverse("citizens:cabinet")).content.decode()
    assert personal_data.privacy_accept(user=resident) is False  # once


def test_accepting_the_notice_needs_an_account(client):
    response = client.post(reverse("privacy"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Issue 16's other personal data: priority status, registered details, answer contacts ---


def test_the_export_and_the_erasure_cover_the_priority_status(person, moderator, eager):
    from citizens.models import PriorityStatus
    from citizens.services import priority_decide, priority_declare

    priority_decide(
        status=priority_declare(user=person, category="war_disability", document="Посв. 123"),
        by=moderator,
        verified=True,
    )
    export = personal_data.data_export_request(user=person)
    personal_data.data_export_build(export_id=export.pk)

    data, _archive = archive_of(person)
    assert data["account"]["priority_status"]["category"] == "war_disability"
    assert data["account"]["priority_status"]["document"] == "Посв. 123"

    personal_data.user_erase(user=person)

    assert not PriorityStatus.objects.filter(user=person).exists()


def test_an_erased_authors_appeal_is_not_taken_for_an_anonymous_one(person):
    """Art. 8: the details were there when it was registered; the erasure blanked them."""
    public = person.test_objects["public"]
    assert not public.is_anonymous

    personal_data.user_erase(user=person)

    public = Appeal.objects.select_related("author").get(pk=public.pk)
    assert (public.author_full_name, public.author_residence) == ("", "")
    assert not public.is_anonymous


def test_erasing_deletes_the_contact_kept_from_a_staff_registration(resident, moderator):
    from appeals.models import AppealContact
    from appeals.services.registration import appeal_claim, appeal_register
    from tests.factories import CategoryFactory

    appeal, code, _created = appeal_register(
        staff=moderator,
        channel="hotline",
        full_name="Петренко Олена Іванівна",
        residence="Херсон, вул. Соборна",
        phone="+380501112233",
        kind="problem",
        category=CategoryFactory(),
        title="Не світить ліхтар",
        description="Третій тиждень не світить ліхтар біля будинку.",
        idempotency_key=uuid.uuid4(),
    )
    appeal_claim(user=resident, reference=appeal.reference, code=code, keep_contact=True)
    assert AppealContact.objects.filter(appeal=appeal).exists()
    export = personal_data.personal_data_collect(user=resident)[0]
    mine = next(a for a in export["appeals"]["appeals"] if a["reference"] == appeal.reference)
    assert mine["contact_for_the_answer"]["phone"] == "+380501112233"

    personal_data.user_erase(user=resident)

    assert not AppealContact.objects.filter(appeal=appeal).exists()
    assert Appeal.objects.filter(pk=appeal.pk, author=resident).exists()


def test_the_export_and_the_erasure_cover_the_phone_confirmed_for_sms(person, eager):
    from citizens.notifications.models import PhoneVerification
    from tests.citizens.notifications.sms_helpers import PHONE, confirm_phone

    confirm_phone(person, PHONE)
    export = personal_data.data_export_request(user=person)
    personal_data.data_export_build(export_id=export.pk)

    data, _archive = archive_of(person)
    assert data["account"]["sms_phone"]["confirmed_phone"] == PHONE
    assert data["account"]["sms_phone"]["confirmed_at"]

    personal_data.user_erase(user=person)

    assert not PhoneVerification.objects.filter(user=person).exists()
