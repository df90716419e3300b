"""The admin's front page shows staff their work first (issue 19, point 13).

The core draws what the installed apps declare (citizens.staff_tasks): its
template loads no feature app's tags, so an app taken out of INSTALLED_APPS
takes its lines with it and the front page still works.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from citizens.access import mark
from citizens.staff_tasks import staff_overview_for

pytestmark = pytest.mark.django_db

INDEX = Path(__file__).resolve().parents[2] / "templates" / "admin" / "index.html"
FEATURE_APPS = ("appeals", "news", "surveys", "services")


def test_the_index_template_loads_no_feature_apps_tags():
    loads = " ".join(re.findall(r"{%\s*load ([^%]+)%}", INDEX.read_text()))
    assert not [app for app in FEATURE_APPS if app in loads]


def test_the_overview_comes_before_the_list_of_models(client_for, moderator):
    html = client_for(moderator).get("/admin/").content.decode()

    assert html.index('id="staff-overview"') < html.index('class="app-appeals')


def test_without_a_declaring_app_the_front_page_still_works(client_for, moderator, monkeypatch):
    """As if no app declared an overview: none drawn, the rest of the page intact."""
    for label in ("appeals", "outages"):
        monkeypatch.setattr(apps.get_app_config(label), "staff_overview", None, raising=False)

    response = client_for(moderator).get("/admin/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="staff-overview"' not in html
    assert 'id="content-main"' in html


def test_residents_and_visitors_get_no_overview(resident):
    assert staff_overview_for(AnonymousUser()) == []
    assert staff_overview_for(resident) == []


def test_a_moderator_whose_session_skipped_two_factor_gets_no_overview(moderator):
    mark(moderator, session=None)  # as the middleware marks a password-only session

    assert staff_overview_for(moderator) == []
