"""References past 999,999 in a year: every surface still finds the appeal or application."""

import pytest
from django.urls import resolve

from appeals.models import ReferenceCounter as AppealCounter
from mycity.lib.references import pattern
from services.models import ReferenceCounter as ServiceCounter
from tests.appeals.following_helpers import accept
from tests.factories import submit_appeal
from tests.services.factories import ServiceFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def millionth(resident, moderator):
    """The year's 1,000,000th appeal, public and accepted."""
    first = submit_appeal(resident)
    AppealCounter.objects.filter(year=first.registered_at.year).update(value=999_999)
    appeal = accept(submit_appeal(resident), moderator)
    assert appeal.reference.endswith("-1000000")
    return appeal


def test_the_url_pattern_takes_six_to_nine_digits():
    import re

    assert re.fullmatch(pattern(), "KH-2026-000123")
    assert re.fullmatch(pattern(), "KH-2026-1000000")
    assert re.fullmatch(pattern(), "KH-2026-123456789")
    assert not re.fullmatch(pattern(), "KH-2026-12345")
    assert not re.fullmatch(pattern(), "KH-2026-1234567890")
    assert re.fullmatch(pattern(suffix_letters=1), "KHERSS-2026-1000000")


def test_the_appeal_page_of_the_millionth_appeal(client, millionth):
    response = client.get(f"/requests/{millionth.reference}/")

    assert response.status_code == 200
    assert millionth.reference in response.content.decode()
    assert resolve(f"/requests/{millionth.reference}/follow/").url_name == "follow"


def test_the_api_and_open311_find_the_millionth_appeal(client, millionth):
    api = client.get(f"/api/v1/appeals/{millionth.reference}/", HTTP_ACCEPT="application/json")
    open311 = client.get(f"/open311/v2/requests/{millionth.reference}.json")

    assert api.status_code == 200
    assert api.json()["reference"] == millionth.reference
    assert open311.status_code == 200
    assert open311.json()[0]["service_request_id"] == millionth.reference


def test_the_millionth_application_of_the_year(client_for, resident, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    service = ServiceFactory()
    first = submit(resident, service)
    ServiceCounter.objects.filter(year=first.submitted_at.year).update(value=999_999)
    application = submit(resident, service)
    assert application.reference.endswith("-1000000")

    page = client_for(resident).get(f"/services/applications/{application.reference}/")
    api = client_for(resident).get(f"/api/v1/applications/{application.reference}/")

    assert page.status_code == 200
    assert api.status_code == 200
