"""Oral and paper appeals through the pages: the staff register page, the receipt, the claim page,
the author's and the public page, the API and Open311 (contacts never leak)."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealContact
from appeals.services import staff
from appeals.services.registration import appeal_register
from citizens.models import ContactDisclosure
from tests.conftest import password_only
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("admin:appeals_appeal_register")
CLAIM = reverse("appeals:claim")
PHONE = "+380501112233"
NAME = "Петренко Олена Іванівна"
POSTAL = "вул. Соборна, 5, кв. 12, Херсон"


@pytest.fixture
def category(department):
    return CategoryFactory(department=department)


def form(category, **fields):
    values = {
        "channel": "hotline",
        "received_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "full_name": NAME,
        "residence": "Херсон, вул. Соборна",
        "account": "",
        "phone": PHONE,
        "postal_address": POSTAL,
        "email": "",
        "kind": "problem",
        "category": category.pk,
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля будинку.",
        "address": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    values.update(fields)
    return values


def registered(operator, category, **fields):
    values = {
        "channel": "hotline",
        "full_name": NAME,
        "residence": "Херсон, вул. Соборна",
        "kind": "problem",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля будинку.",
        "phone": PHONE,
        "postal_address": POSTAL,
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    appeal, code, _created = appeal_register(staff=operator, category=category, **values)
    return appeal, code


def speaking(user, language: str):
    """Signed-in people read their preferred language."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


# --- the register page and the receipt ----------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("uk", "Зареєструвати усне або письмове звернення"), ("en", "Register an oral or paper")],
)
def test_the_register_page_in_both_languages(client_for, moderator, language, words):
    client = client_for(speaking(moderator, language))

    page = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE=language)
    changelist = client.get(
        reverse("admin:appeals_appeal_changelist"), HTTP_ACCEPT_LANGUAGE=language
    )

    assert page.status_code == 200
    assert words in page.content.decode()
    assert REGISTER in changelist.content.decode()


def test_registering_shows_the_claim_code_once_on_the_receipt(client_for, moderator, category):
    client = client_for(moderator)

    response = client.post(REGISTER, form(category))

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:appeals_appeal_receipt", args=[appeal.reference])
    receipt = client.get(response.url).content.decode()
    assert 'id="receipt-claim-code"' in receipt
    assert appeal.reference in receipt
    assert CLAIM in receipt
    again = client.get(response.url).content.decode()
    assert 'id="receipt-claim-code"' not in again
    assert 'id="receipt-code-gone"' in again
    assert appeal.registered_by == moderator
    assert appeal.author is None


def test_the_same_form_posted_twice_registers_once(client_for, moderator, category):
    client = client_for(moderator)
    data = form(category)

    first = client.post(REGISTER, data)
    second = client.post(REGISTER, data)

    assert first.status_code == second.status_code == 302
    assert Appeal.objects.count() == 1


def test_without_any_contact_the_page_says_what_is_missing(client_for, moderator, category):
    client = client_for(speaking(moderator, "en"))

    response = client.post(
        REGISTER, form(category, phone="", postal_address=""), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert "phone number, a postal address or an e-mail" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_resident_account_found_by_e_mail_becomes_the_author(
    client_for, moderator, resident, category
):
    client = client_for(moderator)

    client.post(REGISTER, form(category, account=resident.email.upper(), phone=""))

    appeal = Appeal.objects.get()
    assert appeal.author == resident
    assert appeal.claim_code_hash == ""


def test_a_resident_account_found_by_phone_however_it_is_typed(
    client_for, moderator, resident, category
):
    resident.phone = "+380671234567"
    resident.save(update_fields=["phone"])

    client_for(moderator).post(REGISTER, form(category, account="067 123 45 67", phone=""))

    assert Appeal.objects.get().author == resident


def test_an_unknown_account_is_refused(client_for, moderator, category):
    response = client_for(moderator).post(REGISTER, form(category, account="nobody@example.com"))

    assert response.status_code == 200
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("who", ["resident", "department_staff", "city_admin"])
def test_people_without_the_permission_cannot_register(request, client_for, category, who):
    client = client_for(request.getfixturevalue(who))

    assert client.get(REGISTER).status_code in (302, 403)
    assert client.post(REGISTER, form(category)).status_code in (302, 403)
    assert not Appeal.objects.exists()


def test_staff_without_a_second_factor_cannot_register(moderator, category):
    client = password_only(moderator)

    response = client.post(REGISTER, form(category))

    assert response.status_code == 302
    assert not Appeal.objects.exists()


def test_a_service_officer_registers_a_letter(client_for, service_officer, category):
    response = client_for(service_officer).post(REGISTER, form(category, channel="letter"))

    assert response.status_code == 302
    assert Appeal.objects.get().channel == "letter"


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_admin_front_page_leads_a_service_officer_to_the_register_page(
    client_for, service_officer, language
):
    """A service officer sees no appeals list, so the front page carries the task."""
    html = (
        client_for(speaking(service_officer, language))
        .get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )

    assert 'id="staff-tasks"' in html
    assert reverse("admin:appeals_appeal_register") in html
    label = {"uk": "Зареєструвати усне або письмове звернення", "en": "Register an oral or paper"}
    assert label[language] in html


def test_the_front_page_offers_the_task_only_to_who_may_do_it(client_for):
    from tests.conftest import _staff

    editor = _staff("editor", email="editor-tasks@example.com")
    html = client_for(editor).get(reverse("admin:index")).content.decode()

    assert reverse("admin:appeals_appeal_register") not in html
    assert 'id="staff-tasks"' not in html


def test_another_operator_cannot_open_the_receipt(client_for, moderator, service_officer, category):
    appeal, _code = registered(moderator, category)

    url = reverse("admin:appeals_appeal_receipt", args=[appeal.reference])
    assert client_for(service_officer).get(url).status_code == 403


# --- the contact on the staff page --------------------------------------------


def test_handling_staff_see_the_contact_and_are_told_to_answer_by_phone_or_post(
    client_for, moderator, category
):
    appeal, _code = registered(moderator, category)
    client = client_for(speaking(moderator, "en"))

    html = client.get(
        reverse("admin:appeals_appeal_change", args=[appeal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert PHONE in html
    assert POSTAL in html
    assert 'id="appeal-answer-by-phone-or-post"' in html
    shown = ContactDisclosure.objects.get()
    assert shown.viewer == moderator
    assert shown.person is None
    assert shown.person_label == NAME
    assert shown.case == f"appeals.appeal {appeal.reference}"


def test_staff_of_another_department_do_not_see_the_contact(
    client_for, moderator, department_staff, other_department, category
):
    appeal, _code = registered(moderator, category)
    staff.appeal_accept(appeal=appeal, moderator=moderator)

    response = client_for(department_staff).get(
        reverse("admin:appeals_appeal_change", args=[appeal.pk])
    )

    assert PHONE not in response.content.decode()


# --- claiming ------------------------------------------------------------------


def test_claiming_on_the_page_moves_the_appeal_into_the_account(
    client_for, moderator, resident, category
):
    appeal, code = registered(moderator, category)
    client = client_for(resident)

    response = client.post(CLAIM, {"reference": appeal.reference, "code": code})

    assert response.status_code == 302
    assert response.url == appeal.get_absolute_url()
    appeal.refresh_from_db()
    assert appeal.author == resident
    mine = client.get(reverse("appeals:mine")).content.decode()
    assert appeal.reference in mine
    page = client.get(appeal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Приєднано до акаунта автора" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("uk", "не відповідають"), ("en", "do not match")],
)
def test_a_wrong_code_is_refused_in_both_languages(
    client_for, moderator, resident, category, language, words
):
    appeal, _code = registered(moderator, category)
    client = client_for(speaking(resident, language))

    response = client.post(
        CLAIM, {"reference": appeal.reference, "code": "AAAAA-BBBBB"}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert words in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.author is None


def test_the_claim_page_needs_an_account(client, moderator, category):
    appeal, code = registered(moderator, category)

    response = client.post(CLAIM, {"reference": appeal.reference, "code": code})

    assert response.status_code == 302
    assert "login" in response.url
    appeal.refresh_from_db()
    assert appeal.author is None


def test_guessing_codes_hits_the_rate_limit(settings, client_for, moderator, resident, category):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal_claim": {"account": "3/hour", "address": "10/hour"},
    }
    appeal, code = registered(moderator, category)
    client = client_for(resident)

    statuses = [
        client.post(CLAIM, {"reference": appeal.reference, "code": f"WRONG-{n:05d}"}).status_code
        for n in range(3)
    ]
    last = client.post(CLAIM, {"reference": appeal.reference, "code": code})

    assert statuses == [200, 200, 200]
    assert last.status_code == 429
    appeal.refresh_from_db()
    assert appeal.author is None


# --- the author's and the public page, the API and Open311 ---------------------


def test_the_authors_page_says_the_hotline_registered_it_never_the_operator(
    client_for, moderator, resident, category
):
    moderator.full_name = "Оператор Гарячої Лінії"
    moderator.save(update_fields=["full_name"])
    appeal, _code = registered(moderator, category, resident=resident, phone="", postal_address="")
    client = client_for(speaking(resident, "en"))

    html = client.get(appeal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "registered by the hotline" in html
    assert moderator.full_name not in html
    assert moderator.email not in html


@pytest.fixture
def public_appeal(moderator, category):
    """An appeal registered without an account, later made public and accepted."""
    appeal, _code = registered(moderator, category, email="olena@example.com")
    Appeal.objects.filter(pk=appeal.pk).update(is_public=True)
    appeal.refresh_from_db()
    return staff.appeal_accept(appeal=appeal, moderator=moderator)


def secrets_in(text: str) -> list[str]:
    return [
        s for s in (PHONE, POSTAL, "olena@example.com", NAME, "moderator@example.com") if s in text
    ]


def test_the_public_page_shows_it_without_contacts(client, public_appeal):
    client.cookies["django_language"] = "en"

    html = client.get(public_appeal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert public_appeal.title in html
    assert "registered by the hotline" in html
    assert secrets_in(html) == []


def test_the_api_and_open311_show_it_without_contacts(client, public_appeal):
    listing = client.get("/api/v1/appeals/")
    one = client.get(f"/api/v1/appeals/{public_appeal.reference}/")
    open311 = client.get("/open311/v2/requests.json")

    assert public_appeal.reference in listing.content.decode()
    assert one.status_code == 200
    assert public_appeal.reference in open311.content.decode()
    for response in (listing, one, open311):
        assert secrets_in(response.content.decode()) == []
    assert AppealContact.objects.filter(appeal=public_appeal).exists()


def test_an_appeal_without_an_account_is_nobodys_own(client, client_for, moderator, other_resident):
    """No author must never match an anonymous visitor or another resident (None == None)."""
    proposal, _code = registered(moderator, CategoryFactory(), kind="proposal")
    Appeal.objects.filter(pk=proposal.pk).update(is_public=True)
    proposal.refresh_from_db()
    staff.appeal_accept(appeal=proposal, moderator=moderator)
    speaking(other_resident, "en")

    anonymous_page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    resident_api = client_for(other_resident).get(f"/api/v1/appeals/{proposal.reference}/")

    assert anonymous_page.status_code == 200
    assert "This is your proposal" not in anonymous_page.content.decode()
    assert resident_api.json()["is_author"] is False
