"""Who reaches the operator screen and changes a point: only its own operators, with 2FA."""

import pytest
from django.urls import reverse

from outages.models import HelpPoint, PointReport, PointStatus
from tests.conftest import password_only

pytestmark = pytest.mark.django_db

OPERATE = "/points/operate/"


def _status_url(point):
    return reverse("outages:points_operate_status", args=[point.pk])


def test_anonymous_visitors_are_sent_to_sign_in(client, point):
    response = client.get(OPERATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "role", ["resident", "moderator", "department_staff", "city_admin", "staff_with_mfa"]
)
def test_people_who_operate_no_point_are_refused_the_operator_screen(as_role, point, role):
    assert as_role(role).get(OPERATE).status_code == 403


def test_staff_without_two_factor_see_only_what_a_resident_sees(
    client_for, operator_without_mfa, point
):
    point.operators.add(operator_without_mfa)
    client = client_for(operator_without_mfa)
    assert client.get(OPERATE).status_code == 403
    response = client.post(_status_url(point), {"status": "closed"})
    assert response.status_code == 403
    assert client.get("/points/").status_code == 200


def test_an_operator_signed_in_without_the_code_is_refused(operator, point):
    client = password_only(operator)
    assert client.get(OPERATE).status_code == 403
    assert client.post(_status_url(point), {"status": "closed"}).status_code == 403
    point.refresh_from_db()
    assert point.status == PointStatus.OPEN


def test_the_operator_screen_lists_only_the_operators_own_points(
    client_for, operator, point, other_point
):
    response = client_for(operator).get(OPERATE)
    assert response.status_code == 200
    assert point.name_uk in response.content.decode()
    assert other_point.name_uk not in response.content.decode()


def test_an_operator_cannot_change_another_operators_point_on_the_web(
    client_for, operator, other_point
):
    client = client_for(operator)
    assert client.post(_status_url(other_point), {"status": "closed"}).status_code == 404
    confirm = reverse("outages:points_operate_confirm", args=[other_point.pk])
    assert client.post(confirm).status_code == 404
    other_point.refresh_from_db()
    assert other_point.status == PointStatus.OPEN
    assert not other_point.changes.exists()


def test_an_operator_cannot_handle_a_report_on_another_operators_point(
    client, client_for, operator, other_point
):
    client.post(
        reverse("outages:point_report", args=[other_point.pk]),
        {"problem": "closed", "idempotency_key": "7a1c0d2e-0000-4000-8000-000000000001"},
    )
    report = PointReport.objects.get()
    url = reverse("outages:points_report_handled", args=[report.pk])
    assert client_for(operator).post(url).status_code == 404
    report.refresh_from_db()
    assert report.handled_at is None


def test_an_operator_cannot_change_another_operators_point_through_the_api(
    api_client_for, operator, other_point
):
    response = api_client_for(operator).patch(
        f"/api/v1/points/{other_point.pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 404
    other_point.refresh_from_db()
    assert other_point.status == PointStatus.OPEN


@pytest.mark.parametrize("role", ["resident", "moderator", "staff_with_mfa"])
def test_people_who_operate_no_point_cannot_patch_through_the_api(
    request, api_client_for, point, role
):
    user = request.getfixturevalue(role)
    response = api_client_for(user).patch(
        f"/api/v1/points/{point.pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 403


def test_anonymous_callers_cannot_patch_through_the_api(point):
    from rest_framework.test import APIClient

    response = APIClient().patch(f"/api/v1/points/{point.pk}/", {"status": "closed"}, format="json")
    assert response.status_code in (401, 403)
    point.refresh_from_db()
    assert point.status == PointStatus.OPEN


def test_an_operator_sees_only_their_points_in_the_admin(client_for, operator, point, other_point):
    client = client_for(operator)
    listing = client.get(reverse("admin:outages_helppoint_changelist"))
    assert listing.status_code == 200
    assert point.name_uk in listing.content.decode()
    assert other_point.name_uk not in listing.content.decode()
    other = client.get(reverse("admin:outages_helppoint_change", args=[other_point.pk]))
    # The admin's answer for a row outside its queryset: back to the index.
    assert other.status_code == 302


def test_an_operator_cannot_change_a_point_through_the_admin_form(
    client_for, operator, point, other_point
):
    client = client_for(operator)
    for target in (point, other_point):
        url = reverse("admin:outages_helppoint_change", args=[target.pk])
        response = client.post(url, {"name_uk": "Змінено", "name_en": "Changed"})
        assert response.status_code in (302, 403)
        target.refresh_from_db()
        assert target.name_uk != "Змінено"


def test_an_operator_sees_only_reports_on_their_points_in_the_admin(
    client, client_for, operator, point, other_point
):
    for target, key in ((point, 1), (other_point, 2)):
        client.post(
            reverse("outages:point_report", args=[target.pk]),
            {
                "problem": "full",
                "comment": f"ZQREPORT{key}",
                "idempotency_key": f"7a1c0d2e-0000-4000-8000-00000000000{key}",
            },
        )
    page = client_for(operator).get(reverse("admin:outages_pointreport_changelist")).content
    assert b"ZQREPORT1" in page
    assert b"ZQREPORT2" not in page


def test_the_public_pages_never_name_the_operators(client, operator, point):
    for url in ("/points/", point.get_absolute_url(), "/points/points.geojson", "/api/v1/points/"):
        body = client.get(url).content.decode()
        assert operator.email not in body
        assert operator.full_name not in body


def test_an_unpublished_point_is_not_public(client, point):
    HelpPoint.objects.filter(pk=point.pk).update(is_published=False)
    assert client.get(point.get_absolute_url()).status_code == 404
    assert point.name_uk not in client.get("/points/").content.decode()


def test_the_register_links_the_operator_screen_only_for_operators(
    client_for, operator, operator_without_mfa, resident, point
):
    assert b'href="/points/operate/"' in client_for(operator).get("/points/").content
    for person in (operator_without_mfa, resident, None):
        assert b'href="/points/operate/"' not in client_for(person).get("/points/").content


def test_the_admin_shows_the_point_on_a_map(client_for, superuser, point):
    page = (
        client_for(superuser)
        .get(reverse("admin:outages_helppoint_change", args=[point.pk]))
        .content.decode()
    )
    assert 'class="admin-appeal-map"' in page
    assert "vendor/leaflet/leaflet.js" in page


def test_a_city_administrator_adds_a_point_in_the_admin(client_for, city_admin, districts):
    response = client_for(city_admin).post(
        reverse("admin:outages_helppoint_add"),
        {
            "kind": "heating",
            "name_uk": "Пункт обігріву",
            "name_en": "Heating point",
            "address_uk": "вул. Соборна, 1",
            "address_en": "1 Soborna St",
            "latitude": "46.64",
            "longitude": "32.61",
            "is_published": "on",
            "offers_heat": "on",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = HelpPoint.objects.get(name_en="Heating point")
    assert created.district.slug == "centre"


def test_the_admin_refuses_a_point_outside_the_city(client_for, city_admin, districts):
    response = client_for(city_admin).post(
        reverse("admin:outages_helppoint_add"),
        {
            "kind": "heating",
            "name_uk": "Десь",
            "name_en": "Somewhere",
            "address_uk": "а",
            "address_en": "a",
            "latitude": "50.45",
            "longitude": "30.52",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not HelpPoint.objects.filter(name_en="Somewhere").exists()
