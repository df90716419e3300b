"""E-service officers need a session that passed two-factor authentication (citizens.access)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import _staff, app_token, password_only

from .factories import image_bytes, submit, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(resident, service):
    document = upload(image_bytes(), name="passport.jpg", content_type="image/jpeg")
    return submit(resident, service, documents=[("scan", document)])


def test_officers_without_two_factor_read_no_application_or_document(
    client_for, officer, application, private_root
):
    page = reverse("services:application", args=[application.reference])
    document = reverse("services:document", args=[application.documents.get().pk])

    stranger = password_only(officer)
    assert stranger.get(page).status_code == 404
    assert stranger.get(document).status_code == 404
    receipt = reverse("services:receipt", args=[application.reference])
    assert stranger.get(receipt).status_code == 404
    officer_client = client_for(officer)
    assert officer_client.get(page).status_code == 200
    assert officer_client.get(document).status_code == 200


def test_an_api_token_of_an_officer_without_two_factor_reads_no_application(
    cnap, application, private_root
):
    officer = _staff("service_officer", mfa=False, email="officer-no-mfa@example.com")
    cnap.members.add(officer)
    app = APIClient(HTTP_X_SESSION_TOKEN=app_token(officer, code=False))

    response = app.get(f"/api/v1/services/applications/{application.reference}/")

    assert response.status_code == 404
