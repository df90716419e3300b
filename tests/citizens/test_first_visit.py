"""A resident's first visit (issue 19): one tap to report, the e-mail's code that
signs them in and leads back, the welcome step, the cabinet's warning."""

import re
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core import mail
from django.urls import NoReverseMatch, reverse

from citizens.models import User
from citizens.notifications.models import NotificationPreference
from mycity import context_processors
from tests.citizens.test_signup import CODE_PAGE, signup_data, verification_code
from tests.factories import PASSWORD, DistrictFactory, UserFactory, square

pytestmark = pytest.mark.django_db

WIZARD = "/requests/new/?kind=problem"


def header_report(html: str) -> str | None:
    match = re.search(r'<a class="btn btn-warning header-report[^"]*" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


# --- 1. One tap to report -----------------------------------------------------


def test_anonymous_home_offers_reporting_and_explains_the_account(client):
    html = client.get("/").content.decode()

    assert 'home-report" href="/requests/new/?kind=problem"' in html
    assert 'id="how-title"' in html


def test_signed_in_home_offers_reporting_without_the_how_it_works_block(client_for, resident):
    html = client_for(resident).get("/").content.decode()

    assert 'home-report" href="/requests/new/?kind=problem"' in html
    assert 'id="how-title"' not in html
    assert reverse("citizens:cabinet") in html


@pytest.mark.parametrize("path", ["/", "/news/", "/requests/", "/surveys/", "/privacy/"])
def test_every_page_header_links_to_the_problem_wizard(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert header_report(response.content.decode()) == WIZARD


@pytest.mark.parametrize("path", ["/me/", "/me/notifications/settings/", "/requests/new/"])
def test_the_header_link_is_on_signed_in_pages_too(client_for, resident, path):
    response = client_for(resident).get(path)

    assert response.status_code == 200
    assert header_report(response.content.decode()) == WIZARD


def test_without_the_requests_app_the_header_has_no_dead_link(client, monkeypatch):
    def no_appeals(name, *args, **kwargs):
        if name.startswith("appeals:"):
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(context_processors, "reverse", no_appeals)
    context_processors._report_url.cache_clear()
    try:
        response = client.get("/")
    finally:
        context_processors._report_url.cache_clear()

    assert response.status_code == 200
    html = response.content.decode()
    assert header_report(html) is None
    assert "home-report" not in html


def test_anonymous_report_goes_through_sign_in_straight_to_the_wizard(client, resident):
    response = client.get(WIZARD)
    login = f"{reverse('account_login')}?next={quote(WIZARD, safe='/')}"
    assert response.status_code == 302
    assert response["Location"] == login

    response = client.post(
        login, {"login": resident.email, "password": PASSWORD, "next": WIZARD}, follow=True
    )

    assert response.redirect_chain[-1][0] == WIZARD
    assert response.status_code == 200
    assert response.wsgi_request.user == resident


# --- 2. The e-mail's code signs in and leads back -------------------------------


def signup_and_code(client, *, next_url: str | None) -> str:
    data = signup_data()
    if next_url is not None:
        data["next"] = next_url
    response = client.post(reverse("account_signup"), data)
    assert response["Location"] == CODE_PAGE
    return verification_code(mail.outbox[-1])


def test_the_code_in_the_same_browser_signs_in_and_returns_to_the_wizard(client):
    code = signup_and_code(client, next_url=WIZARD)

    response = client.post(CODE_PAGE, {"code": code})

    user = User.objects.get(email="ivan@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    # First sign-in: the welcome step, then the wizard.
    assert response.status_code == 302
    welcome = urlsplit(response["Location"])
    assert welcome.path == reverse("citizens:welcome")
    assert parse_qs(welcome.query)["next"] == [WIZARD]

    response = client.post(reverse("citizens:welcome"), {"skip": "1", "next": WIZARD})
    assert response["Location"] == WIZARD
    assert client.get(WIZARD).status_code == 200


def test_signing_in_in_another_browser_asks_for_a_new_code_then_leads_to_the_wizard(
    client, monkeypatch
):
    signup_and_code(client, next_url=WIZARD)
    elsewhere = client.__class__()
    # A minute later: allauth sends a new code to one address at most every ten seconds.
    later = time.time() + 60
    monkeypatch.setattr(allauth_ratelimit.time, "time", lambda: later)

    response = elsewhere.post(
        f"{reverse('account_login')}?next={quote(WIZARD, safe='/')}",
        {"login": "ivan@example.com", "password": PASSWORD, "next": WIZARD},
    )

    # The code was for the session that signed up: this one gets its own.
    assert response["Location"] == CODE_PAGE
    assert "_auth_user_id" not in elsewhere.session
    response = elsewhere.post(CODE_PAGE, {"code": verification_code(mail.outbox[-1])})
    welcome = urlsplit(response["Location"])
    assert welcome.path == reverse("citizens:welcome")
    assert parse_qs(welcome.query)["next"] == [WIZARD]
    assert elsewhere.session["_auth_user_id"]


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil"]
)
def test_an_external_next_is_never_followed(client, evil):
    code = signup_and_code(client, next_url=evil)

    response = client.post(CODE_PAGE, {"code": code})

    assert "evil" not in response["Location"]
    assert client.session["_auth_user_id"]


# --- 3. The welcome step ------------------------------------------------------


@pytest.fixture
def newcomer(db):
    from allauth.account.models import EmailAddress

    user = UserFactory(onboarded_at=None, district=None)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in_by_form(client, user, next_url="/"):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": next_url}
    )


def test_the_first_sign_in_shows_the_welcome_step_before_the_page(client, newcomer):
    response = sign_in_by_form(client, newcomer, next_url="/surveys/")

    assert response["Location"] == f"{reverse('citizens:welcome')}?next=%2Fsurveys%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="skip"' in page.content.decode()


def test_skipping_is_recorded_and_the_step_is_not_shown_again(client, newcomer):
    sign_in_by_form(client, newcomer)
    response = client.post(reverse("citizens:welcome"), {"skip": "1", "next": "/surveys/"})

    assert response["Location"] == "/surveys/"
    newcomer.refresh_from_db()
    assert newcomer.onboarded_at is not None
    assert newcomer.district is None
    client.logout()
    assert sign_in_by_form(client, newcomer, next_url="/surveys/")["Location"] == "/surveys/"


def test_leaving_the_step_without_an_answer_still_counts_as_shown(client, newcomer):
    welcome = sign_in_by_form(client, newcomer, next_url="/surveys/")["Location"]
    assert client.get(welcome).status_code == 200
    client.logout()

    assert sign_in_by_form(client, newcomer, next_url="/surveys/")["Location"] == "/surveys/"


def test_the_step_saves_the_district_from_the_list_and_the_alert_channels(client, newcomer):
    district = DistrictFactory()
    sign_in_by_form(client, newcomer)

    response = client.post(reverse("citizens:welcome"), {"district": district.pk, "next": WIZARD})

    assert response["Location"] == WIZARD
    newcomer.refresh_from_db()
    assert newcomer.district == district
    assert newcomer.onboarded_at is not None
    # No channel ticked: e-mail is switched off for every city-alert event.
    off = set(
        NotificationPreference.objects.filter(user=newcomer, enabled=False).values_list(
            "event", "channel"
        )
    )
    assert ("news.alert_critical", "email") in off
    assert ("news.alert", "email") in off
    assert not NotificationPreference.objects.filter(user=newcomer, event__startswith="appeals.")


def test_ticking_e_mail_keeps_alerts_by_e_mail(client, newcomer):
    district = DistrictFactory()
    NotificationPreference.objects.create(
        user=newcomer, event="news.alert_critical", channel="email", enabled=False
    )
    client.force_login(newcomer)

    client.post(reverse("citizens:welcome"), {"district": district.pk, "channels": ["email"]})

    assert not NotificationPreference.objects.filter(
        user=newcomer, event="news.alert_critical", channel="email", enabled=False
    ).exists()


def test_a_point_on_the_map_picks_the_district_that_contains_it(client, newcomer):
    DistrictFactory(boundary=square(west=32.0, south=46.6))
    east = DistrictFactory(boundary=square(west=32.5, south=46.6))
    client.force_login(newcomer)

    client.post(
        reverse("citizens:welcome"),
        {"latitude": "46.605", "longitude": "32.505", "channels": ["email"]},
    )

    newcomer.refresh_from_db()
    assert newcomer.district == east


def test_a_point_outside_the_city_is_refused_and_nothing_is_saved(client, newcomer):
    DistrictFactory(boundary=square(west=32.0, south=46.6))
    client.force_login(newcomer)

    response = client.post(reverse("citizens:welcome"), {"latitude": "50.45", "longitude": "30.52"})

    assert response.status_code == 200
    assert "поза межами районів міста" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.district is None
    assert not NotificationPreference.objects.filter(user=newcomer).exists()


def test_an_unknown_district_is_refused(client, newcomer):
    client.force_login(newcomer)

    response = client.post(reverse("citizens:welcome"), {"district": "99999"})

    assert response.status_code == 200
    assert 'class="invalid-feedback d-block mb-2" role="alert"' in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.district is None


def test_the_welcome_step_never_sends_to_another_site(client, newcomer):
    client.force_login(newcomer)

    response = client.post(
        reverse("citizens:welcome"), {"skip": "1", "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("citizens:cabinet")


def test_the_welcome_step_needs_an_account(client):
    response = client.get(reverse("citizens:welcome"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_signing_in_to_the_administration_skip_the_welcome_step(client, newcomer):
    newcomer.is_staff = True
    newcomer.save()

    response = sign_in_by_form(client, newcomer, next_url="/admin/")

    assert not response["Location"].startswith(reverse("citizens:welcome"))


def test_the_welcome_page_lists_districts_without_javascript(client, newcomer):
    DistrictFactory(name_uk="Корабельний", name_en="Korabelnyi")
    client.force_login(newcomer)

    html = client.get(reverse("citizens:welcome"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()

    assert 'type="radio" name="district"' in html
    assert "Корабельний" in html
    # "Use my location" waits for the script to find geolocation.
    assert re.search(r'id="welcome-locate" hidden', html)


# --- The cabinet --------------------------------------------------------------


def test_the_cabinet_warns_when_the_home_district_is_not_set(client, newcomer):
    client.force_login(newcomer)

    html = client.get(reverse("citizens:cabinet")).content.decode()

    assert 'id="district-unset"' in html
    assert f"{reverse('citizens:welcome')}?next=%2Fme%2F" in html


def test_the_cabinet_does_not_warn_once_the_district_is_set(client_for, resident):
    resident.district = DistrictFactory()
    resident.save()

    html = client_for(resident).get(reverse("citizens:cabinet")).content.decode()

    assert 'id="district-unset"' not in html


def test_cabinet_links_are_links_not_input_like_boxes(client_for, resident):
    html = client_for(resident).get(reverse("citizens:cabinet")).content.decode()

    assert "btn-outline-secondary w-100" not in html
    assert (
        'class="list-group-item list-group-item-action" href="/me/notifications/settings/"' in html
    )


def test_an_account_that_already_has_a_district_is_not_asked(client, newcomer):
    newcomer.district = DistrictFactory()
    newcomer.save()

    assert sign_in_by_form(client, newcomer, next_url="/surveys/")["Location"] == "/surveys/"


def test_an_unknown_channel_is_refused(client, newcomer):
    district = DistrictFactory()
    client.force_login(newcomer)

    response = client.post(
        reverse("citizens:welcome"), {"district": district.pk, "channels": "sms"}
    )

    assert response.status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.district is None


@pytest.mark.parametrize("sms_offered", [False, True])
def test_the_step_saves_the_channels_whether_or_not_sms_is_offered(
    client, newcomer, settings, sms_offered
):
    # SMS needs a phone confirmed with a code on its own page: the welcome
    # step neither offers it nor touches its choices, even where SMS exists.
    if sms_offered:
        settings.SMS_BACKEND = "citizens.notifications.sms.backends.LocmemBackend"
    district = DistrictFactory()
    client.force_login(newcomer)

    page = client.get(reverse("citizens:welcome"))
    assert 'value="sms"' not in page.content.decode()
    response = client.post(
        reverse("citizens:welcome"), {"district": district.pk, "channels": ["email"]}
    )
    refused = client.post(reverse("citizens:welcome"), {"district": district.pk, "channels": "sms"})

    assert response.status_code == 302
    assert refused.status_code == 200  # not a choice here
    newcomer.refresh_from_db()
    assert newcomer.district == district
    assert not NotificationPreference.objects.filter(user=newcomer, channel="sms").exists()


def test_a_resident_can_come_back_from_the_cabinet_and_change_the_district(client_for, resident):
    first, second = DistrictFactory(), DistrictFactory()
    resident.district = first
    resident.save()
    client = client_for(resident)
    page = client.get(f"{reverse('citizens:welcome')}?next=/me/").content.decode()
    assert re.search(rf'<input type="radio" name="district" value="{first.pk}"[^>]*checked', page)

    response = client.post(
        reverse("citizens:welcome"), {"district": second.pk, "channels": ["email"], "next": "/me/"}
    )

    assert response["Location"] == "/me/"
    resident.refresh_from_db()
    assert resident.district == second


def test_welcome_page_query_count_does_not_grow_with_districts(
    client, newcomer, django_assert_max_num_queries
):
    DistrictFactory.create_batch(8)
    client.force_login(newcomer)
    client.get(reverse("citizens:welcome"))  # the first view records that it was shown

    # Session, user, districts (map and list), alert preferences, bell.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("citizens:welcome")).status_code == 200
