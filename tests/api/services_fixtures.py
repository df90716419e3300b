"""Shared fixtures and helpers of the e-services API tests (tests/api/test_services_*.py).

A service with a generated form (a text, a choice, a statement to confirm and
an optional file) received at one centre of the ЦНАП department, whose officer
is in the role table. Each test module names the fixtures it uses in its
FIXTURES tuple so that pytest finds them there.
"""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.functional import empty
from rest_framework.test import APIClient

from services.models import FormField, private_storage
from tests.conftest import _staff
from tests.factories import PASSWORD, DepartmentFactory
from tests.services.factories import FormFieldFactory, ServiceCentreFactory, ServiceFactory

V1 = "/api/v1"
LOGIN = f"{V1}/auth/app/v1/auth/login"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Documents go to a temporary private folder (as in tests/services/)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "mycity.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


@pytest.fixture
def cnap(db):
    return DepartmentFactory(slug="cnap-test", name_uk="ЦНАП", name_en="TsNAP")


@pytest.fixture
def officer(cnap):
    user = _staff("service_officer", email="officer@example.com")
    cnap.members.add(user)
    return user


@pytest.fixture
def centre(db):
    return ServiceCentreFactory(slug="main", name_uk="ЦНАП Центр", name_en="TsNAP Centre")


@pytest.fixture
def service(cnap, centre):
    service = ServiceFactory(
        slug="certificate",
        name_uk="Довідка про склад сім'ї",
        name_en="Family composition certificate",
        department=cnap,
        centres=[centre],
        documents="Паспорт\nДовідка про реєстрацію",
        fee="85.00",
    )
    FormFieldFactory(service=service, code="name", label_uk="ПІБ", label_en="Full name")
    FormFieldFactory(
        service=service,
        code="purpose",
        type=FormField.Type.CHOICE,
        choices="Субсидія\nШкола",
        label_uk="Мета",
        label_en="Purpose",
    )
    FormFieldFactory(service=service, code="agree", type=FormField.Type.YES_NO)
    FormFieldFactory(service=service, code="scan", type=FormField.Type.FILE, required=False)
    return service


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=day_offset)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def uk_client(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    if user is not None:
        client.force_authenticate(user)
    return client


def app_for(user, **headers) -> APIClient:
    """A mobile app's client: signed in through allauth's headless API, then the
    X-Session-Token alone (no cookie, no force_authenticate)."""
    response = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_X_SESSION_TOKEN=token, **headers)
