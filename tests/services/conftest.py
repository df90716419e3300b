"""Fixtures for the e-services tests: a department with its officer, a service, a centre."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.functional import empty

from services.models import private_storage
from tests.conftest import _staff
from tests.factories import DepartmentFactory

from .factories import ServiceCentreFactory, ServiceFactory


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """Documents go to a temporary private folder; media elsewhere."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "mycity.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Django drops its storages when STORAGES changes; our lazy handle must follow.
    private_storage._wrapped = empty
    yield root
    private_storage._wrapped = empty


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def everything_in_english(settings, monkeypatch, english):
    from citizens.models import User

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(User._meta.get_field("preferred_language"), "default", "en")


@pytest.fixture
def cnap(db):
    """The department that processes the test services."""
    return DepartmentFactory(slug="cnap-test", name_uk="ЦНАП", name_en="TsNAP")


@pytest.fixture
def officer(cnap):
    user = _staff("service_officer", email="officer@example.com", full_name="Наталія Іваненко")
    cnap.members.add(user)
    return user


@pytest.fixture
def head_of_cnap(cnap):
    user = _staff("service_officer", email="head@example.com")
    cnap.head = user
    cnap.save(update_fields=["head"])
    return user


@pytest.fixture
def other_officer(db):
    """A service officer of another department."""
    user = _staff("service_officer", email="other-officer@example.com")
    DepartmentFactory().members.add(user)
    return user


@pytest.fixture
def member_without_role(cnap):
    """Staff of the department without the service officer role."""
    user = _staff(email="clerk@example.com")
    cnap.members.add(user)
    return user


@pytest.fixture
def centre(db):
    return ServiceCentreFactory(slug="main", name_uk="ЦНАП Центр", name_en="TsNAP Centre")


@pytest.fixture
def service(cnap, centre):
    return ServiceFactory(
        slug="certificate",
        name_uk="Довідка про склад сім'ї",
        name_en="Family composition certificate",
        department=cnap,
        centres=[centre],
    )


@pytest.fixture
def tomorrow_10(centre):
    """Tomorrow at 10:00 in Kyiv time: a slot of the test centre."""
    day = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
