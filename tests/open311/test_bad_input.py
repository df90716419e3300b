"""Open311 answers NUL bytes and lone surrogates with a 400 in its own error list, not a 500.

Each of these was a 500 on PostgreSQL (which refuses NUL in text) before.
"""

import pytest

from .conftest import BASE, errors

pytestmark = pytest.mark.django_db
REFUSED = "characters that are not allowed"


def refused(response, fmt="json") -> bool:
    return (
        response.status_code == 400
        and response["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
        and REFUSED in errors(response)[0]["description"]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_list_with_nul_in_service_code_is_a_400(client, city, fmt):
    assert refused(client.get(f"{BASE}/requests.{fmt}?service_code=pot%00hole"), fmt)


def test_requests_list_with_nul_in_service_request_id_is_a_400(client, city):
    assert refused(client.get(f"{BASE}/requests.json?service_request_id=KH%00-1"))


def test_request_detail_with_nul_in_its_id_is_a_400(client, city):
    assert refused(client.get(f"{BASE}/requests/KH-2026%00.json"))


def test_service_definition_with_nul_in_its_code_is_a_400(client, pothole):
    assert refused(client.get(f"{BASE}/services/pot%00hole.json"))


def test_posted_request_with_nul_in_its_description_is_a_400(client, partner, pothole):
    _api_client, key = partner
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": key, "service_code": "pothole", "description": "Яма\x00", "lat": "46.6"},
    )

    assert refused(response)


def test_unknown_resource_with_nul_stays_open311s_404(client):
    response = client.get(f"{BASE}/nothing%00here.json")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
