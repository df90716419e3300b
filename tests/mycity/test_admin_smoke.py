"""Every registered ModelAdmin opens: changelist, search, add page and a change page."""

import datetime as dt
import uuid

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from appeals.models import AnswerTemplate
from appeals.open311.services import api_client_create, open311_request_submit
from appeals.services.staff import appeal_note
from citizens.models import User
from citizens.notifications.models import (
    Device,
    NotificationPreference,
    PushSubscription,
    TelegramLink,
)
from citizens.notifications.services import notify, notify_audience
from citizens.roles import roles_sync
from citizens.services import contacts_disclose, department_set_staff, priority_declare
from news.services import digest_send, subscription_set
from outages.services import point_report, point_set_status
from outages.services.incidents import incident_declare, incident_update_add
from services.services import appointment_book
from surveys.services import survey_respond
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    DistrictFactory,
    UserFactory,
    category_question,
    give_role,
    submit_appeal,
    verify_email,
)
from tests.news.factories import make_alert, make_item
from tests.services.factories import ServiceCentreFactory, ServiceFactory, submit
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _model_admin in MODEL_ADMINS]


@pytest.fixture
def admin_client(client_for, superuser):
    # Rows in every table, so that changelists render real rows.
    district = DistrictFactory()
    head = UserFactory(is_staff=True, district=district)
    verify_email(head)
    department = DepartmentFactory(head=head)
    # Access changes and a display of contacts: their append-only records.
    department_set_staff(department=department, by=superuser, members=[head])
    contacts_disclose(viewer=superuser, person=head, case="smoke")
    # A declared priority status (Art. 20).
    priority_declare(user=head, category="disability")
    # The notification outbox: a notification with its delivery, a broadcast,
    # and a person's channels and preferences.
    notify(recipients=[head], event="citizens.test")
    notify_audience(event="citizens.test")
    PushSubscription.objects.create(
        user=head, endpoint="https://push.example.com/x", p256dh="k", auth="a"
    )
    TelegramLink.objects.create(user=head, chat_id=1, username="head")
    Device.objects.create(user=head, platform="android", token="fcm-token-" + "x" * 40)
    NotificationPreference.objects.create(
        user=head, event="citizens.test", channel="email", enabled=False
    )
    appeal = submit_appeal(head, CategoryFactory(department=department), district=district)
    # A category question with a keyed choice (its own admin page lists the choices).
    category_question(
        appeal.category, code="lane", type="single", choices=[("liva", "Ліва", "Left")]
    )
    # The staff side: an answer template, and an audit entry written by a service.
    AnswerTemplate.objects.create(department=department, title="Ремонт", text="Відремонтуємо.")
    appeal_note(appeal=appeal, author=head, text="Перевірити на місці.")
    # Open311: an API client and a request it posted.
    api_client, _key = api_client_create(name="Херсон 311")
    west, south = district.boundary["coordinates"][0][0]
    open311_request_submit(
        client=api_client,
        category=appeal.category,
        title="Яма",
        description="Яма на дорозі біля зупинки.",
        latitude=south + 0.005,
        longitude=west + 0.005,
    )
    # Surveys: a survey with a question and one response.
    survey = SurveyFactory()
    question = question_with_choices(survey)
    choice = question.choices.first()
    survey_respond(
        survey=survey, user=head, raw={str(question.pk): {"choice": str(choice.pk), "other": ""}}
    )
    # News: an item, an alert, a subscription and a digest run.
    make_item()
    make_alert(districts=[district])
    subscription_set(user=head, digest=True, alert_districts=[district])
    digest_send()
    # E-services: a service at a centre, an application and a booked visit.
    centre = ServiceCentreFactory()
    service = ServiceFactory(department=department, centres=[centre])
    submit(head, service)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    appointment_book(
        resident=head,
        service=service,
        centre=centre,
        starts_at=dt.datetime.combine(
            tomorrow, dt.time(10), tzinfo=timezone.get_current_timezone()
        ),
    )
    # Points of help: a point with an operator, a status change and a resident's report.
    from tests.outages.factories import HelpPointFactory

    roles_sync()
    give_role(head, "point_operator")
    operator = User.objects.get(pk=head.pk)  # its permissions read afresh
    point = HelpPointFactory(
        latitude=south + 0.005, longitude=west + 0.005, district=district, operators=[operator]
    )
    point_set_status(point=point, by=operator, status="full")
    point_report(point=point, problem="closed", key=uuid.uuid4())
    # Outages: a declared incident with an update.
    incident = incident_declare(
        kind="power", title_uk="Немає світла", title_en="No power", districts=[district]
    )
    incident_update_add(incident=incident, text_uk="Бригада", text_en="Crew", by=superuser)
    return client_for(superuser)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_changelist_opens(admin_client, model, model_admin):
    assert admin_client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_changelist_search_opens(admin_client, model, model_admin):
    assert admin_client.get(url(model, "changelist"), {"q": "x"}).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_add_page_opens(admin_client, rf, superuser, model, model_admin):
    request = rf.get("/")
    request.user = superuser
    expected = 200 if model_admin.has_add_permission(request) else 403

    assert admin_client.get(url(model, "add")).status_code == expected


@pytest.mark.parametrize(("model", "model_admin"), MODEL_ADMINS, ids=IDS)
def test_change_page_opens(admin_client, model, model_admin):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, "admin_client must create a row of every registered model"

    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


def test_admin_index_lists_every_registered_model(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    for model, _model_admin in MODEL_ADMINS:
        assert url(model, "changelist") in html
