"""Moderators see the exact point of an appeal on a map in the admin."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


def test_the_admin_page_of_an_appeal_shows_its_exact_point_on_a_map(client_for, moderator):
    appeal = submit_appeal(UserFactory())

    response = client_for(moderator).get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="admin-appeal-map"' in page
    assert f'data-lat="{appeal.latitude}"' in page
    assert "js/admin-appeal-map" in page
    assert f"{appeal.latitude:.5f}" in page
