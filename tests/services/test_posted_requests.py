"""A request for public information filed without an account with only a postal address
(Art. 19(5) of the Law "On Access to Public Information"): the portal cannot reach the
requester, so the officer's page says the answer and every notice go by post, and the
officer records each letter on the request's timeline."""

import pytest
from django.urls import reverse

from services.models import Application, ApplicationEvent
from services.services import (
    ServiceError,
    application_transition,
    needs_post,
    requester_post_record,
)
from services.workflow import Action
from tests.services.factories import submit
from tests.services.test_public_information import _anon_post, open_pubinfo, pubinfo

pytestmark = pytest.mark.django_db
FIXTURES = (open_pubinfo, pubinfo)

ADDRESS = "вул. Соборна, 1, кв. 3, Житомир, 10014"


@pytest.fixture
def by_post(client, open_pubinfo):
    _anon_post(client, open_pubinfo, requester_email="", requester_address=ADDRESS)
    return Application.objects.get(applicant=None)


@pytest.fixture
def by_email(client, open_pubinfo):
    _anon_post(client, open_pubinfo)
    return Application.objects.get(applicant=None)


def posted(application) -> list[ApplicationEvent]:
    return list(ApplicationEvent.objects.filter(application=application, action=Action.POSTED))


def test_only_a_postal_address_means_the_answer_goes_by_post(by_post):
    assert needs_post(by_post)


def test_an_email_or_an_account_means_no_letter(by_email, resident, open_pubinfo):
    assert not needs_post(by_email)
    assert not needs_post(submit(resident, open_pubinfo))


def test_the_officer_records_a_letter_on_the_timeline(by_post, officer):
    application_transition(
        application=by_post, action=Action.EXTEND, actor=officer, reason="Великий обсяг"
    )

    event = requester_post_record(
        application=by_post, officer=officer, what="Повідомлення про продовження строку"
    )

    assert posted(by_post) == [event]
    assert (event.actor, event.reason) == (officer, "Повідомлення про продовження строку")
    assert event.from_status == event.to_status == Application.objects.get(pk=by_post.pk).status


@pytest.mark.parametrize("what", ["", "   "])
def test_a_letter_needs_a_description(by_post, officer, what):
    with pytest.raises(ServiceError):
        requester_post_record(application=by_post, officer=officer, what=what)
    assert posted(by_post) == []


def test_an_officer_of_another_department_cannot_record_a_letter(by_post, other_officer):
    with pytest.raises(ServiceError):
        requester_post_record(application=by_post, officer=other_officer, what="Відповідь")
    assert posted(by_post) == []


def test_no_letter_is_recorded_for_a_requester_with_an_email(by_email, officer):
    with pytest.raises(ServiceError):
        requester_post_record(application=by_email, officer=officer, what="Відповідь")


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("uk", "надсилайте поштою"),
        ("en", "by post to this address"),
    ],
)
def test_the_officers_page_says_send_it_by_post(client_for, by_post, officer, language, warning):
    officer.preferred_language = language
    officer.save(update_fields=["preferred_language"])
    url = reverse("admin:services_application_change", args=[by_post.pk])

    page = client_for(officer).get(url).content.decode()

    assert warning in page
    assert ADDRESS in page
    assert reverse("admin:services_application_posted", args=[by_post.pk]) in page


def test_the_page_has_no_post_form_when_the_requester_has_an_email(client_for, by_email, officer):
    url = reverse("admin:services_application_change", args=[by_email.pk])

    page = client_for(officer).get(url).content.decode()

    assert reverse("admin:services_application_posted", args=[by_email.pk]) not in page


def test_the_officer_records_the_letter_from_the_page(client_for, by_post, officer):
    client = client_for(officer)
    url = reverse("admin:services_application_posted", args=[by_post.pk])

    response = client.post(url, {"what": "Відповідь на запит, рекомендований лист № 1001"})

    assert response.status_code == 302
    [event] = posted(by_post)
    assert event.reason == "Відповідь на запит, рекомендований лист № 1001"
    page = client.get(reverse("admin:services_application_change", args=[by_post.pk]))
    assert "рекомендований лист № 1001" in page.content.decode()


def test_an_empty_letter_is_refused_from_the_page(client_for, by_post, officer):
    response = client_for(officer).post(
        reverse("admin:services_application_posted", args=[by_post.pk]), {"what": ""}
    )

    assert response.status_code == 302
    assert posted(by_post) == []


def test_another_departments_officer_cannot_reach_the_request(client_for, by_post, other_officer):
    response = client_for(other_officer).post(
        reverse("admin:services_application_posted", args=[by_post.pk]), {"what": "Відповідь"}
    )

    assert response.status_code in (403, 404)
    assert posted(by_post) == []


def test_after_an_action_the_officer_is_reminded_to_post_it(client_for, by_post, officer):
    response = client_for(officer).post(
        reverse("admin:services_application_act", args=[by_post.pk]),
        {"action": Action.START},
        follow=True,
    )

    assert "лише поштову адресу" in response.content.decode()


def test_the_action_form_refuses_the_posted_action(client_for, by_post, officer):
    client_for(officer).post(
        reverse("admin:services_application_act", args=[by_post.pk]), {"action": Action.POSTED}
    )

    assert posted(by_post) == []
