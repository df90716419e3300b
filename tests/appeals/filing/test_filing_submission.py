"""Filing an appeal, what is sent: bad input refused with reasons, photos, the
success page, a double submit, and submissions sent later by the outbox."""

import io
import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from appeals.models import Appeal
from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.appeals.filing.filing_helpers import (
    errors_of,
    form_data,
    speak,
    step2,
)
from tests.factories import CategoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def jpeg(name="photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- bad input -------------------------------------------------------------------


def test_errors_keep_what_was_typed(client, category, inside):
    data = form_data(
        title="", description="Занадто коротко", address="вул. Перекопська, 10", **inside
    )

    response = client.post(step2(category), data)

    html = response.content.decode()
    assert errors_of(response, "title") == ["This field is required."]
    assert errors_of(response, "description") == [
        "Ensure this value has at least 20 characters (it has 15)."
    ]
    assert "Занадто коротко</textarea>" in html
    assert 'value="вул. Перекопська, 10"' in html
    assert f'value="{inside["latitude"]}"' in html
    assert f'name="idempotency_key" value="{data["idempotency_key"]}"' in html


def test_errors_are_shown_in_the_users_language(client, resident, category):
    speak(resident, "uk")

    response = client.post(step2(category), form_data(title=""))

    assert errors_of(response, "title") == ["Це поле обов'язкове."]
    assert "Це поле обов&#x27;язкове." in response.content.decode()


def test_too_long_title_is_refused(client, category, inside):
    response = client.post(step2(category), form_data(title="я" * 151, **inside))

    assert errors_of(response, "title")
    assert 'maxlength="150"' in response.content.decode()


def test_point_outside_the_city_is_refused_on_the_location(client, category, district):
    response = client.post(step2(category), form_data(latitude="50.45", longitude="30.52"))

    assert errors_of(response, "latitude") == [
        "This place is outside the city. Put the pin inside the city."
    ]
    assert 'id="location-errors"' in response.content.decode()
    assert not Appeal.objects.exists()


def test_only_one_coordinate_is_refused(client, category, district):
    response = client.post(step2(category), form_data(latitude="46.605"))

    assert errors_of(response, "latitude")


def test_location_required_without_pin_or_address_is_refused_on_the_address(client):
    category = CategoryFactory(location_required=True)

    response = client.post(step2(category), form_data())

    assert errors_of(response, "address") == ["Show the place on the map or type its address."]


def test_typed_address_alone_is_enough(client):
    category = CategoryFactory(location_required=True)

    response = client.post(step2(category), form_data(address="вул. Перекопська, 10"))

    assert response.status_code == 302
    assert Appeal.objects.get().address == "вул. Перекопська, 10"


def test_service_refusal_is_shown_as_a_form_error(client, category, inside, monkeypatch):
    from appeals.services import AppealError

    def refuse(**kwargs):
        raise AppealError("The city cannot take requests right now.")

    monkeypatch.setattr("appeals.views.filing.appeal_submit", refuse)

    response = client.post(step2(category), form_data(**inside))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The city cannot take requests right now."
    ]
    assert "The city cannot take requests right now." in response.content.decode()


def test_script_in_title_is_stored_as_text_and_shown_escaped(client, category, inside):
    script = "<script>alert('x')</script> Яма"

    response = client.post(
        step2(category), form_data(title=script, description="короткий", **inside)
    )

    html = response.content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Яма" in html

    client.post(step2(category), form_data(title=script, **inside))
    appeal = Appeal.objects.get()
    assert appeal.title == script
    transition(appeal=appeal, action=Action.ACCEPT, actor=appeal.author, role=MODERATOR)
    partial = client.get(
        reverse("appeals:similar"),
        {
            "category": category.slug,
            "latitude": inside["latitude"],
            "longitude": inside["longitude"],
        },
    ).content.decode()
    assert "<script>alert(" not in partial
    assert "&lt;script&gt;" in partial


# --- photos -----------------------------------------------------------------------


def test_photos_are_attached_to_the_appeal(client, category, inside):
    data = form_data(photos=[jpeg("a.jpg"), jpeg("b.jpg")], **inside)

    client.post(step2(category), data)

    assert Appeal.objects.get().photos.count() == 2


def test_not_a_photo_is_refused_next_to_the_field_and_asked_again(client, category, inside):
    fake = SimpleUploadedFile("holiday.jpg", b"just some text", content_type="image/jpeg")

    response = client.post(step2(category), form_data(photos=[jpeg(), fake], **inside))

    assert errors_of(response, "photos") == [
        "“holiday.jpg” is not a photo we can read (JPEG, PNG or WebP)."
    ]
    assert "Please attach them again." in response.content.decode()
    assert not Appeal.objects.exists()


def test_six_photos_are_refused(client, category, inside):
    response = client.post(step2(category), form_data(photos=[jpeg() for _ in range(6)], **inside))

    assert errors_of(response, "photos") == ["You can attach up to 5 photos; you chose 6."]


def test_form_without_photos_says_nothing_about_attaching_again(client, category):
    response = client.post(step2(category), form_data(title=""))

    assert "Please attach them again." not in response.content.decode()


# --- success ----------------------------------------------------------------------


def test_success_redirects_to_the_appeal_with_reference_and_deadline(
    client, category, inside, eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step2(category), form_data(**inside))

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == appeal.get_absolute_url()
    assert re.fullmatch(rf"KH-{timezone.localdate().year}-000001", appeal.reference)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == (
        f"Your request {appeal.reference} is registered. The answer is due by "
        f"{appeal.deadline:%d.%m.%Y}. We sent a confirmation by e-mail."
    )
    assert appeal.author.email == "resident@example.com"
    assert appeal.kind == "problem"
    assert appeal.district is not None
    [email] = mailoutbox
    assert email.to == ["resident@example.com"]
    assert appeal.reference in email.subject


def test_double_submit_with_the_same_token_files_one_appeal(client, category, inside):
    data = form_data(**inside)

    first = client.post(step2(category), data)
    second = client.post(step2(category), data)

    appeal = Appeal.objects.get()
    assert first["Location"] == second["Location"] == appeal.get_absolute_url()


def test_lost_token_still_files_the_appeal(client, category, inside):
    client.post(step2(category), form_data(idempotency_key="not-a-uuid", **inside))

    assert Appeal.objects.get().idempotency_key is not None


def test_mangled_token_is_replaced_by_one_kept_on_re_render(client, category, inside):
    response = client.post(step2(category), form_data(title="", idempotency_key="x", **inside))

    token = re.search(r'name="idempotency_key" value="([^"]*)"', response.content.decode())
    assert uuid.UUID(token.group(1))


# --- Sent later by the device's outbox (static/js/outbox.js) -----------------

JSON = {"HTTP_ACCEPT": "application/json"}


def test_outbox_submission_gets_the_reference_as_data(client, category, inside):
    response = client.post(step2(category), form_data(**inside), **JSON)

    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert response.json() == {
        "reference": appeal.reference,
        "url": appeal.get_absolute_url(),
        "created": True,
        "deadline": appeal.deadline.isoformat(),
    }
    # No "registered" message is left over for the next page the person opens.
    assert list(get_messages(response.wsgi_request)) == []


def test_outbox_sending_twice_creates_one_request(client, category, inside):
    data = form_data(**inside)
    first = client.post(step2(category), data, **JSON)
    again = client.post(step2(category), data, **JSON)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["created"] is False
    assert Appeal.objects.count() == 1


def test_outbox_submission_with_errors_is_refused_with_the_reasons(client, category):
    response = client.post(step2(category), form_data(title=""), **JSON)

    assert response.status_code == 400
    body = response.json()
    assert "title" in body["errors"]
    assert body["message"]
    assert Appeal.objects.count() == 0
