"""Documents are private: only the applicant and the department's officers download them."""

import pytest
from django.conf import settings
from django.urls import reverse

from services.models import Document

from .factories import pdf_bytes, submit, upload

pytestmark = pytest.mark.django_db

# role -> may download (True) or gets 404 (False); anonymous is sent to sign in.
ROLE_TABLE = [
    ("resident", True),  # the applicant
    ("officer", True),  # officer of the responsible department
    ("head_of_cnap", True),  # its head
    ("superuser", True),
    ("other_resident", False),
    ("other_officer", False),  # a service officer of another department
    ("member_without_role", False),  # staff of the department without the role
    ("moderator", False),
    ("department_staff", False),
    ("city_admin", False),
]


@pytest.fixture
def document(resident, service):
    application = submit(
        resident, service, documents=[("scan", upload(pdf_bytes(), "паспорт.pdf"))]
    )
    return Document.objects.get(application=application)


@pytest.mark.parametrize(("role", "allowed"), ROLE_TABLE)
def test_who_may_download_a_document(request, client_for, document, role, allowed):
    response = client_for(request.getfixturevalue(role)).get(document.get_absolute_url())
    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    else:
        assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client_for, document):
    response = client_for(None).get(document.get_absolute_url())
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_download_is_an_attachment_never_sniffed_or_cached(client_for, resident, document):
    response = client_for(resident).get(document.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%D0%BF" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_behind_nginx_a_document_leaves_by_x_accel_redirect(
    settings, client_for, resident, document
):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"

    response = client_for(resident).get(document.get_absolute_url())

    assert response["X-Accel-Redirect"] == f"/_private/{document.file.name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_behind_nginx_others_get_no_redirect(settings, client_for, other_resident, document):
    settings.PRIVATE_FILES_X_ACCEL_PREFIX = "/_private/"

    response = client_for(other_resident).get(document.get_absolute_url())

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_files_are_stored_outside_media_and_without_the_applicants_name(document, private_root):
    path = document.file.path
    assert path.startswith(str(private_root))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert "паспорт" not in path
    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018 - no public URL exists


def test_an_unknown_document_is_404(client_for, resident):
    url = reverse("services:document", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(resident).get(url).status_code == 404


def test_a_missing_file_is_404_not_500(client_for, resident, document):
    document.file.delete(save=False)
    assert client_for(resident).get(document.get_absolute_url()).status_code == 404
