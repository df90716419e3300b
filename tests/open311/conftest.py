"""Fixtures of the Open311 tests: a city with public, private and sensitive requests."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from tests.appeals.public_factories import public_appeal
from tests.factories import CategoryFactory, DistrictFactory

from .factories import api_client, pothole_category

BASE = "/open311/v2"


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """An anonymous client that asks for English, as a foreign Open311 client would."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def district(db):
    return DistrictFactory(name_uk="Центральний район", name_en="Central district")


@pytest.fixture
def pothole(db):
    return pothole_category()


@pytest.fixture
def partner(db):
    """(client, key) of an organisation with an API key."""
    return api_client(name="Херсон 311", contact_email="hotline@example.org")


@pytest.fixture
def city(resident, pothole, district):
    """Requests of every visibility: what Open311 may and may not show."""
    sensitive = CategoryFactory(slug="violence", sensitive=True, kinds=["problem"])
    return {
        "public": public_appeal(
            resident, category=pothole, district=district, title="Яма біля школи"
        ),
        "private": public_appeal(
            resident, category=pothole, district=district, is_public=False, title="Приватне"
        ),
        "sensitive": public_appeal(
            resident, category=sensitive, district=district, title="Чутливе"
        ),
        "moderation": public_appeal(
            resident, category=pothole, district=district, accept=False, title="На модерації"
        ),
        "proposal": public_appeal(
            resident, category=pothole, district=district, kind="proposal", title="Пропозиція"
        ),
    }


def registered(appeal: Appeal, days_ago: float) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    appeal.refresh_from_db()
    return appeal


def xml(response) -> ET.Element:
    """The parsed body; fails the test if it is not well-formed UTF-8 XML."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    from defusedxml.ElementTree import fromstring

    return fromstring(response.content)


def errors(response) -> list[dict]:
    """The spec's error list in either format, as dicts."""
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        return [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


@pytest.fixture(autouse=True)
def _fresh_answers(monkeypatch):
    """Lists are cached a minute; tests that change data between calls read them fresh."""
    monkeypatch.setattr("appeals.open311.views.CACHE_SECONDS", 0)
