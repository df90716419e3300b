"""The demo surveys: realistic, idempotent, and their pages open."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from surveys import demo
from surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    from mycity import demo as city_demo

    city_demo.seed(StringIO())
    demo.seed(StringIO())


def test_demo_is_idempotent(seeded):
    counts = Survey.objects.count(), Response.objects.count()
    demo.seed(StringIO())
    assert (Survey.objects.count(), Response.objects.count()) == counts
    assert counts[0] == 3


def test_demo_pages_open(seeded, client_for):
    client = client_for(None)
    assert client.get(reverse("surveys:list")).status_code == 200
    for survey in Survey.objects.all():
        assert client.get(survey.get_absolute_url()).status_code == 200
    results = client.get(reverse("surveys:results", args=["bus-routes-2025"]))
    assert results.status_code == 200


def test_seed_command_adds_responses(seeded):
    call_command("surveys_seed_responses", "shelters-2026", count=50, stdout=StringIO())
    assert Survey.objects.get(slug="shelters-2026").responses.count() == 240 + 50
