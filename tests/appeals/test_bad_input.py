"""The appeals' pages answer NUL bytes in their parameters with a 400 page, not a 500.

"Is it one of these?" with a NUL in its category was a 500 on PostgreSQL.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
# Ukrainian is the default language.
REFUSED = "недозволені символи"


def test_similar_appeals_with_nul_in_category_is_a_400(client):
    response = client.get(reverse("appeals:similar") + "?category=pot%00hole&latitude=46.6")

    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_public_list_with_nul_in_search_is_a_400(client):
    response = client.get(reverse("appeals:list") + "?q=%D1%8F%D0%BC%D0%B0%00")

    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_refusal_page_is_in_english_when_asked(client):
    response = client.get(reverse("appeals:list") + "?q=a%00", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "characters that are not allowed" in response.content.decode()
