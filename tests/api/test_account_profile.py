"""The profile in the API (/api/v1/account/profile/): the web cabinet's form and rules."""

import pytest
from django.urls import reverse

from citizens.models import User
from citizens.notifications.models import Broadcast
from citizens.notifications.services import broadcast_fan_out_step
from tests.factories import DistrictFactory
from tests.news.factories import make_alert
from tests.problems import messages
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/account/profile/"
WEB_PROFILE = reverse("citizens:profile")


def test_anonymous_caller_gets_no_profile(api):
    assert api.get(PROFILE).status_code in (401, 403)
    assert api.patch(PROFILE, {"full_name": "X"}, format="json").status_code in (401, 403)


def test_profile_shows_the_callers_own_data(api_for, resident, other_resident):
    body = api_for(resident).get(PROFILE).json()

    assert body["email"] == resident.email
    assert body["full_name"] == resident.full_name
    assert other_resident.email not in str(body)


def test_patch_changes_only_the_fields_given(api_for, resident, district):
    response = api_for(resident).patch(
        PROFILE,
        {"display_name": "Оксана К.", "phone": "+380501234567", "district": district.slug},
        format="json",
    )

    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.display_name == "Оксана К."
    assert resident.phone.as_e164 == "+380501234567"
    assert resident.district == district
    assert resident.full_name == "Оксана Коваленко"  # not sent, kept
    assert response.json()["district_name"] == "Central district"


def test_patch_of_one_person_leaves_another_untouched(api_for, resident, other_resident):
    api_for(resident).patch(PROFILE, {"full_name": "Нове Ім'я"}, format="json")

    other_resident.refresh_from_db()
    assert other_resident.full_name != "Нове Ім'я"


def test_email_cannot_be_changed_here(api_for, resident):
    response = api_for(resident).patch(PROFILE, {"email": "new@example.com"}, format="json")

    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.email == "resident@example.com"


def test_language_switch_answers_in_the_new_language(api_for, resident, district):
    resident.district = district
    resident.preferred_language = "en"
    resident.save()

    response = api_for(resident).patch(PROFILE, {"preferred_language": "uk"}, format="json")

    assert response.json()["preferred_language"] == "uk"
    assert response.json()["district_name"] == "Центральний район"


def test_district_can_be_cleared(api_for, resident, district):
    resident.district = district
    resident.save()

    response = api_for(resident).patch(PROFILE, {"district": None}, format="json")

    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.district is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("district", "no-such-district"),
        ("district", 5),
        ("district", "ц" * 60),
        ("phone", "12345"),
        ("phone", "+12025550123"),  # not Ukrainian
        ("preferred_language", "de"),
        ("full_name", "a" * 151),
        ("full_name", "x" * 100_000),
        ("display_name", "Nul\x00byte"),
        ("residence", "Херсон\x00"),
        ("full_name", ["a list"]),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(api_for, resident, field, value):
    before = User.objects.values().get(pk=resident.pk)

    response = api_for(resident).patch(PROFILE, {field: value}, format="json")

    assert response.status_code == 400
    # The offending field is named, or the parser refused the whole body (a NUL byte).
    text = response.content.decode()
    assert field in text or "NUL" in text
    assert User.objects.values().get(pk=resident.pk) == before


def test_a_change_in_the_api_shows_in_the_web_cabinet(api_for, client_for, resident):
    api_for(resident).patch(PROFILE, {"display_name": "Пані О."}, format="json")

    page = client_for(resident).get(WEB_PROFILE)

    assert page.context["form"]["display_name"].value() == "Пані О."


def test_a_change_on_the_web_shows_in_the_api(api_for, client_for, resident, district):
    page = client_for(resident).post(
        WEB_PROFILE,
        {
            "full_name": resident.full_name,
            "display_name": "З вебу",
            "phone": "+380501234567",
            "preferred_language": "en",
            "district": district.pk,
            "residence": resident.residence,
        },
    )
    assert page.status_code == 302
    resident.refresh_from_db()  # force_authenticate keeps the object it was given

    body = api_for(resident).get(PROFILE).json()

    assert body["display_name"] == "З вебу"
    assert body["phone"] == "+380501234567"
    assert body["district"] == district.slug
    assert body["preferred_language"] == "en"


def test_web_and_api_refuse_the_same_phone(api_for, client_for, resident):
    bad = "+12025550123"
    web = client_for(resident).post(
        WEB_PROFILE,
        {"full_name": resident.full_name, "phone": bad, "preferred_language": "uk"},
    )
    api = api_for(resident).patch(PROFILE, {"phone": bad}, format="json")

    assert web.status_code == 200
    assert web.context["form"].errors["phone"]
    assert api.status_code == 400
    assert messages(api, "phone") == web.context["form"].errors["phone"]


# --- A home district set through the API brings its alerts and surveys -------------


def _fan_out():
    for broadcast in Broadcast.objects.filter(status=Broadcast.Status.PENDING):
        while broadcast_fan_out_step(broadcast_id=broadcast.pk):
            pass


def test_a_home_district_set_in_the_api_brings_its_alerts(api_for, resident):
    north, south = DistrictFactory(), DistrictFactory()
    client = api_for(resident)

    make_alert(districts=[north], title_en="Before")
    _fan_out()
    assert not resident.notifications.exists()

    client.patch(PROFILE, {"district": north.slug}, format="json")
    make_alert(districts=[north], title_en="Shelter closed")
    make_alert(districts=[south], title_en="Elsewhere")
    _fan_out()

    inbox = client.get("/api/v1/notifications/").json()["results"]
    assert len(inbox) == 1
    assert "Shelter closed" in inbox[0]["title"]


def test_a_home_district_set_in_the_api_opens_its_surveys(api_for, resident):
    north = DistrictFactory()
    survey = SurveyFactory(audience="districts", slug="for-north", districts=[north])
    question_with_choices(survey)
    client = api_for(resident)
    url = f"/api/v1/surveys/{survey.slug}/"

    assert client.get(url).json()["can_answer"] is False

    client.patch(PROFILE, {"district": north.slug}, format="json")

    assert client.get(url).json()["can_answer"] is True
