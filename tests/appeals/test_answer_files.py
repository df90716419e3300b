"""Files of an official answer: checked like residents' documents, private, downloaded by role."""

import importlib
import io
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve
from PIL import Image
from rest_framework.test import APIClient

from appeals.models import AnswerAttachment, AppealAudit, AppealMessage
from appeals.services import (
    AppealError,
    answer_attachment_publish,
    appeal_accept,
    appeal_answer,
    appeal_start,
)
from mycity.lib.storage import private_storage
from tests.appeals.following_helpers import staff_of
from tests.factories import CategoryFactory, submit_appeal
from tests.mycity.pdfs import object_stream_pdf, plain_pdf
from tests.services.factories import image_bytes, pdf_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]

PRIVATE_PDF = pdf_bytes(text="Private act")
PUBLIC_PDF = pdf_bytes(text="Public scheme")


@pytest.fixture
def api_for():
    """An API client signed in as `user` (as tests/api/conftest.py's)."""

    def make(user):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


def pdf(name: str, content: bytes = PRIVATE_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def answered(author, moderator, department, staff, *, is_public=True, files=None, public=False):
    appeal = submit_appeal(author, CategoryFactory(department=department), is_public=is_public)
    appeal = appeal_accept(appeal=appeal, moderator=moderator)
    appeal = appeal_start(appeal=appeal, staff=staff)
    return appeal_answer(
        appeal=appeal,
        staff=staff,
        text="Яму залатано.",
        attachments=files if files is not None else [pdf("акт.pdf")],
        attachments_public=public,
    )


@pytest.fixture
def public_appeal(resident, moderator, department, routed_staff):
    """A public appeal answered with a private file and a file staff made public."""
    appeal = answered(resident, moderator, department, routed_staff)
    message = AppealMessage.objects.get(appeal=appeal, type="answer")
    shown = AnswerAttachment(message=message, name="схема.pdf")
    shown.file.save("file.pdf", ContentFile(PUBLIC_PDF), save=False)
    shown.save()
    answer_attachment_publish(attachment=shown, staff=routed_staff, public=True)
    return appeal


@pytest.fixture
def private_appeal(resident, moderator, department, routed_staff):
    return answered(resident, moderator, department, routed_staff, is_public=False, public=True)


def files_of(appeal):
    hidden = AnswerAttachment.objects.get(message__appeal=appeal, is_public=False)
    shown = AnswerAttachment.objects.filter(message__appeal=appeal, is_public=True).first()
    return hidden, shown


def url(appeal, attachment) -> str:
    return reverse("appeals:answer_file", args=[appeal.reference, attachment.pk])


# --- who may download ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "private_file", "public_file"),
    [
        ("resident", 200, 200),  # the author
        ("other_resident", 404, 200),
        ("anonymous", 404, 200),
        ("routed_staff", 200, 200),  # staff of the department answering it
        ("department_staff", 404, 200),  # staff of another department
        ("moderator", 200, 200),
    ],
)
def test_files_of_a_public_appeal_by_role(
    request, client_for, public_appeal, role, private_file, public_file
):
    client = client_for(request.getfixturevalue(role))
    hidden, shown = files_of(public_appeal)

    assert client.get(url(public_appeal, hidden)).status_code == private_file
    assert client.get(url(public_appeal, shown)).status_code == public_file


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("resident", 200),
        ("other_resident", 404),
        ("anonymous", 404),
        ("routed_staff", 200),
        ("department_staff", 404),
        ("moderator", 200),
    ],
)
def test_a_file_marked_public_stays_private_on_a_private_appeal(
    request, client_for, private_appeal, role, status
):
    attachment = AnswerAttachment.objects.get(message__appeal=private_appeal)
    assert attachment.is_public

    response = client_for(request.getfixturevalue(role)).get(url(private_appeal, attachment))

    assert response.status_code == status


def test_a_file_of_another_appeal_is_not_found_under_this_one(
    client_for, resident, public_appeal, private_appeal
):
    other = AnswerAttachment.objects.get(message__appeal=private_appeal)

    assert client_for(resident).get(url(public_appeal, other)).status_code == 404


def test_the_download_is_a_private_attachment_never_sniffed(client_for, resident, public_appeal):
    hidden, _shown = files_of(public_appeal)

    response = client_for(resident).get(url(public_appeal, hidden))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('акт.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PRIVATE_PDF


def test_behind_nginx_the_download_is_an_x_accel_redirect(
    settings, client_for, resident, public_appeal
):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    hidden, _shown = files_of(public_appeal)

    response = client_for(resident).get(url(public_appeal, hidden))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{hidden.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_behind_nginx_a_refused_download_redirects_nowhere(settings, client_for, public_appeal):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"
    hidden, _shown = files_of(public_appeal)

    response = client_for(None).get(url(public_appeal, hidden))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_a_file_missing_from_storage_is_a_404(client_for, resident, public_appeal):
    hidden, _shown = files_of(public_appeal)
    private_storage.delete(hidden.file.name)

    assert client_for(resident).get(url(public_appeal, hidden)).status_code == 404


def test_only_get_is_answered(client_for, resident, public_appeal):
    hidden, _shown = files_of(public_appeal)

    assert client_for(resident).post(url(public_appeal, hidden)).status_code == 405


# --- where they are stored -------------------------------------------------------------------


def test_files_are_stored_privately_under_a_random_name(settings, public_appeal):
    hidden, _shown = files_of(public_appeal)

    path = private_storage.path(hidden.file.name)
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert "акт" not in hidden.file.name
    assert hidden.file.name.endswith(".pdf")
    with pytest.raises(ValueError, match="no public URL"):
        hidden.file.url  # noqa: B018


def test_nothing_under_the_private_root_is_reachable_under_media_url(settings, public_appeal):
    hidden, _shown = files_of(public_appeal)
    request = RequestFactory().get(settings.MEDIA_URL + hidden.file.name)

    # What DEBUG's /media/ (and nginx's /media/ alias) serves: MEDIA_ROOT only.
    with pytest.raises(Http404):
        serve(request, hidden.file.name, document_root=settings.MEDIA_ROOT)
    assert not default_storage.exists(hidden.file.name)


# --- on the page and in the API -----------------------------------------------------------


def test_the_author_sees_every_file_of_the_answer_on_the_page(client_for, resident, public_appeal):
    hidden, shown = files_of(public_appeal)

    html = client_for(resident).get(public_appeal.get_absolute_url()).content.decode()

    assert url(public_appeal, hidden) in html
    assert "акт.pdf" in html
    assert url(public_appeal, shown) in html


def test_the_public_sees_only_the_files_staff_made_public(client_for, public_appeal):
    hidden, shown = files_of(public_appeal)

    html = client_for(None).get(public_appeal.get_absolute_url()).content.decode()

    assert url(public_appeal, shown) in html
    assert url(public_appeal, hidden) not in html
    assert "акт.pdf" not in html


def test_the_api_shows_the_author_every_file_with_download_links(api_for, resident, public_appeal):
    data = api_for(resident).get(f"/api/v1/appeals/{public_appeal.reference}/").json()

    files = data["answers"][0]["attachments"]
    assert sorted(f["name"] for f in files) == ["акт.pdf", "схема.pdf"]
    hidden = next(f for f in files if f["name"] == "акт.pdf")
    assert hidden["is_public"] is False
    assert hidden["content_type"] == "application/pdf"
    assert hidden["download_url"].endswith(
        f"/api/v1/appeals/{public_appeal.reference}/files/{hidden['id']}/"
    )
    response = api_for(resident).get(hidden["download_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PRIVATE_PDF


def test_the_api_shows_others_only_the_public_files(api_for, other_resident, public_appeal):
    hidden, shown = files_of(public_appeal)

    data = api_for(other_resident).get(f"/api/v1/appeals/{public_appeal.reference}/").json()

    assert [f["id"] for f in data["answers"][0]["attachments"]] == [shown.pk]
    path = f"/api/v1/appeals/{public_appeal.reference}/files/{hidden.pk}/"
    assert api_for(other_resident).get(path).status_code == 404
    assert api_for(None).get(path).status_code == 404


# --- the checks on upload --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            pdf("js.pdf", plain_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            "contains scripts",
            id="javascript",
        ),
        pytest.param(
            pdf("escaped.pdf", plain_pdf(b"/OpenAction << /S /J#61vaScript /JS (x) >>")),
            "contains scripts",
            id="escaped-name",
        ),
        pytest.param(
            pdf("objstm.pdf", object_stream_pdf(b"/OpenAction << /S /Launch /F (cmd) >>")),
            "contains scripts",
            id="open-action-in-object-stream",
        ),
        pytest.param(pdf("page.pdf", b"<html><body>hi</body></html>"), "not a PDF", id="html"),
    ],
)
def test_answer_files_go_through_the_document_checks(
    resident, moderator, department, routed_staff, upload, message
):
    with pytest.raises(AppealError, match=message):
        answered(resident, moderator, department, routed_staff, files=[upload])

    assert not AnswerAttachment.objects.exists()


def test_an_image_bomb_is_refused_as_an_answer_file(resident, moderator, department, routed_staff):
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")
    bomb = SimpleUploadedFile("scheme.png", out.getvalue(), content_type="image/png")

    with pytest.raises(AppealError, match="too many pixels"):
        answered(resident, moderator, department, routed_staff, files=[bomb])


def test_an_image_answer_file_is_re_encoded_without_exif(
    resident, moderator, department, routed_staff
):
    photo = SimpleUploadedFile("photo.jpg", image_bytes("JPEG", exif=True))

    appeal = answered(resident, moderator, department, routed_staff, files=[photo])

    stored = AnswerAttachment.objects.get(message__appeal=appeal)
    content = stored.file.read()
    assert b"SecretCam" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif()
    assert stored.content_type == "image/jpeg"


def test_answer_files_are_private_unless_staff_tick_public(
    resident, moderator, department, routed_staff
):
    private = answered(resident, moderator, department, routed_staff)
    public = answered(resident, moderator, department, routed_staff, public=True)

    assert not AnswerAttachment.objects.get(message__appeal=private).is_public
    assert AnswerAttachment.objects.get(message__appeal=public).is_public


def test_publishing_a_file_is_audited_and_refused_to_other_departments(
    public_appeal, routed_staff, department_staff
):
    hidden, _shown = files_of(public_appeal)

    with pytest.raises(AppealError):
        answer_attachment_publish(attachment=hidden, staff=department_staff, public=True)
    answer_attachment_publish(attachment=hidden, staff=routed_staff, public=True)

    hidden.refresh_from_db()
    assert hidden.is_public
    entry = AppealAudit.objects.filter(appeal=public_appeal, action="appeals.attachment_publish")
    assert entry.last().actor == routed_staff


# --- in the admin -----------------------------------------------------------------------------


def test_staff_tick_public_files_in_the_answer_form(
    client_for, routed_staff, resident, moderator, department
):
    appeal = submit_appeal(resident, CategoryFactory(department=department))
    appeal = appeal_start(
        appeal=appeal_accept(appeal=appeal, moderator=moderator), staff=routed_staff
    )

    client_for(routed_staff).post(
        reverse("admin:appeals_appeal_action", args=[appeal.pk, "answer"]),
        {
            "answer-text": "Зроблено.",
            "answer-attachments": [pdf("акт.pdf")],
            "answer-attachments_public": "on",
        },
    )

    assert AnswerAttachment.objects.get(message__appeal=appeal).is_public


def test_staff_choose_the_public_files_in_the_admin(client_for, routed_staff, public_appeal):
    hidden, shown = files_of(public_appeal)

    client_for(routed_staff).post(
        reverse("admin:appeals_appeal_action", args=[public_appeal.pk, "files"]),
        {"files-public": [hidden.pk]},
    )

    hidden.refresh_from_db()
    shown.refresh_from_db()
    assert (hidden.is_public, shown.is_public) == (True, False)


def test_the_admin_page_links_the_files_through_the_checked_view(
    client_for, routed_staff, public_appeal
):
    hidden, _shown = files_of(public_appeal)

    html = (
        client_for(routed_staff)
        .get(reverse("admin:appeals_appeal_change", args=[public_appeal.pk]))
        .content.decode()
    )

    assert url(public_appeal, hidden) in html


# --- files saved before: moved to the private storage --------------------------------------


def test_the_data_migration_moves_old_files_out_of_media(
    public_appeal, django_capture_on_commit_callbacks
):
    from django.apps import apps

    migration = importlib.import_module(
        "appeals.migrations.0008_move_answer_attachments_to_private_storage"
    )
    message = AppealMessage.objects.get(appeal=public_appeal, type="answer")
    old_name = default_storage.save(
        "appeals/answers/2026/01/акт-Іваненко.pdf", ContentFile(b"%PDF-old")
    )
    old = AnswerAttachment.objects.create(message=message, name="акт.pdf", file=old_name)

    with django_capture_on_commit_callbacks(execute=True):
        migration.to_private(apps, None)

    old.refresh_from_db()
    assert old.file.name != old_name
    assert "Іваненко" not in old.file.name
    assert private_storage.open(old.file.name).read() == b"%PDF-old"
    assert not default_storage.exists(old_name)


@pytest.mark.parametrize(
    "path",
    [
        "/requests/{ref}/files/99999999999999999999999999/",
        "/requests/{ref}/files/0/",
        "/requests/KH-1999-000001/files/1/",
        "/api/v1/appeals/{ref}/files/999999999999999999/",
        "/api/v1/appeals/{ref}/files/0/",
    ],
)
def test_odd_file_addresses_are_404_not_500(client_for, resident, public_appeal, path):
    response = client_for(resident).get(path.format(ref=public_appeal.reference))

    assert response.status_code == 404


def test_the_api_detail_makes_no_query_per_file(
    api_for, resident, public_appeal, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_for(resident)
    path = f"/api/v1/appeals/{public_appeal.reference}/"
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    message = AppealMessage.objects.get(appeal=public_appeal, type="answer")
    AnswerAttachment.objects.bulk_create(
        AnswerAttachment(message=message, name=f"{i}.pdf", file=f"appeals/answers/{i}.pdf")
        for i in range(6)
    )

    with django_assert_max_num_queries(len(few)):
        data = client.get(path).json()

    assert len(data["answers"][0]["attachments"]) == 8
