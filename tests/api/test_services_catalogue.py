"""The e-services catalogue in the API: services, centres and their free visit times."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from services.models import CentreException
from services.services import appointment_book
from tests.api.services_fixtures import (
    V1,
    at,
    centre,
    cnap,
    private_root,
    service,
    uk_client,
)
from tests.factories import UserFactory
from tests.problems import fields
from tests.services.factories import (
    FormFieldFactory,
    ServiceCategoryFactory,
    ServiceCentreFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
# The shared fixtures (services_fixtures.py): pytest finds them by their names here.
FIXTURES = (centre, cnap, private_root, service)


# --- the catalogue -------------------------------------------------------------


def test_catalogue_lists_published_services_in_the_callers_language(api, service):
    ServiceFactory(slug="hidden", is_active=False)
    rows = api.get(f"{V1}/services/").json()["results"]
    assert [r["slug"] for r in rows] == ["certificate"]
    assert rows[0]["name"] == "Family composition certificate"
    assert rows[0]["department"] == "TsNAP"
    assert rows[0]["fee"] == "85.00"
    ukrainian = uk_client().get(f"{V1}/services/").json()["results"][0]
    assert ukrainian["name"] == "Довідка про склад сім'ї"
    assert ukrainian["department"] == "ЦНАП"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=pensions", {"pension"}),
        ("department=cnap-test", {"certificate"}),
        ("online=false", {"pension"}),
        ("online=true", {"certificate"}),
        ("bookable=false", {"pension"}),
        ("q=складу", {"certificate"}),  # Ukrainian word forms, as the web search
        ("q=перерахунку пенсій", {"pension"}),
        ("", {"certificate", "pension"}),
    ],
)
def test_catalogue_filters(api, service, query, expected):
    ServiceFactory(
        slug="pension",
        name_uk="Перерахунок пенсії",
        name_en="Pension recalculation",
        category=ServiceCategoryFactory(slug="pensions"),
        online=False,
        bookable=False,
    )
    slugs = {r["slug"] for r in api.get(f"{V1}/services/?{query}").json()["results"]}
    assert slugs == expected


def test_bad_catalogue_filter_is_400(api, service):
    response = api.get(f"{V1}/services/?q={'довідка ' * 20}")
    assert response.status_code == 400
    assert "q" in fields(response)


def test_service_detail_gives_its_form_documents_fee_and_centres(api, service, centre):
    ServiceCentreFactory(slug="closed-for-good", is_active=False).services.add(service)
    data = api.get(f"{V1}/services/certificate/").json()
    assert data["documents"] == ["Паспорт", "Довідка про реєстрацію"]
    assert (data["fee"], data["is_free"], data["processing_days"]) == ("85.00", False, 5)
    assert [c["slug"] for c in data["centres"]] == ["main"]
    assert data["centres"][0]["name"] == "TsNAP Centre"
    assert isinstance(data["centres"][0]["open_now"], bool)
    form = {f["name"]: f for f in data["form"]}
    assert list(form) == ["name", "purpose", "agree", "scan"]
    assert form["name"] == {
        "name": "name",
        "label": "Full name",
        "kind": "text",
        "required": True,
        "choices": [],
        "help": "",
        "min": None,
        "max": "300",
        "pattern": None,
        "max_files": None,
    }
    assert form["purpose"]["choices"] == [
        {"value": "0", "label": "Субсидія"},
        {"value": "1", "label": "Школа"},
    ]
    assert form["agree"]["required"] is True
    assert (form["scan"]["kind"], form["scan"]["required"]) == ("file", False)
    assert form["scan"]["max_files"] == 1
    assert "PDF" in form["scan"]["help"]


def test_an_unpublished_service_is_404(api, service):
    service.is_active = False
    service.save()
    assert api.get(f"{V1}/services/certificate/").status_code == 404
    assert api.get(f"{V1}/services/nope/").status_code == 404


def test_an_offline_service_has_no_form(api, service):
    service.online = False
    service.save()
    assert api.get(f"{V1}/services/certificate/").json()["form"] == []


def test_catalogue_list_makes_a_fixed_number_of_queries(api, django_assert_num_queries):
    ServiceFactory.create_batch(25)
    with django_assert_num_queries(2):
        assert len(api.get(f"{V1}/services/").json()["results"]) == 20


def test_catalogue_answers_are_cached_until_the_catalogue_changes(
    api, service, centre, django_assert_num_queries
):
    for url in (f"{V1}/services/", f"{V1}/services/certificate/", f"{V1}/centres/"):
        first = api.get(url).json()
        with django_assert_num_queries(0):
            assert api.get(url).json() == first
    service.name_en = "Certificate of residence, renamed"
    service.save()  # a change to the catalogue moves its version
    [row] = api.get(f"{V1}/services/").json()["results"]
    assert row["name"] == "Certificate of residence, renamed"
    assert api.get(f"{V1}/services/certificate/").json()["name"] == row["name"]
    # Each language and question has its own answer.
    ukrainian = api.get(f"{V1}/services/", HTTP_ACCEPT_LANGUAGE="uk").json()["results"]
    assert ukrainian[0]["name"] == service.name_uk


@pytest.mark.parametrize("extra", [0, 4])
def test_service_detail_makes_a_fixed_number_of_queries(
    api, service, extra, django_assert_num_queries
):
    for n in range(extra):
        FormFieldFactory(service=service, code=f"more_{n}")
        service.centres.add(ServiceCentreFactory())
    # service, form fields, centres, their hours, their exceptions
    with django_assert_num_queries(5):
        data = api.get(f"{V1}/services/certificate/").json()
    assert len(data["centres"]) == 1 + extra


# --- centres ------------------------------------------------------------------


def test_centres_with_hours_exceptions_and_open_now(api, centre):
    ServiceCentreFactory(slug="gone", is_active=False)
    CentreException.objects.create(
        centre=centre,
        date=timezone.localdate() + dt.timedelta(days=2),
        reason="outage",
        note="Немає світла",
    )
    CentreException.objects.create(
        centre=centre, date=timezone.localdate() + dt.timedelta(days=30), reason="holiday"
    )
    rows = api.get(f"{V1}/centres/").json()
    assert [r["slug"] for r in rows] == ["main"]
    row = rows[0]
    assert row["point"] == {"latitude": 46.6354, "longitude": 32.6169}
    assert row["week"][0] == {
        "weekday": 0,
        "name": "Monday",
        "periods": [{"opens": "09:00", "closes": "17:00"}],
    }
    # The coming week only, as the web page.
    assert [(e["reason"], e["reason_label"], e["closed"]) for e in row["exceptions"]] == [
        ("outage", "Power outage", True)
    ]
    now = timezone.localtime()
    assert row["open_now"] is (dt.time(9) <= now.time() < dt.time(17))
    assert uk_client().get(f"{V1}/centres/").json()[0]["week"][0]["name"] == "Понеділок"


def test_centre_by_id_or_slug(api, centre):
    assert api.get(f"{V1}/centres/main/").json()["id"] == centre.pk
    assert api.get(f"{V1}/centres/{centre.pk}/").json()["slug"] == "main"
    assert api.get(f"{V1}/centres/nope/").status_code == 404
    centre.is_active = False
    centre.save()
    assert api.get(f"{V1}/centres/main/").status_code == 404


def test_centres_filtered_by_service(api, service, centre):
    ServiceCentreFactory(slug="other")
    assert [c["slug"] for c in api.get(f"{V1}/centres/?service=certificate").json()] == ["main"]
    assert len(api.get(f"{V1}/centres/").json()) == 2


@pytest.mark.parametrize("count", [1, 6])
def test_centres_make_a_fixed_number_of_queries(api, count, django_assert_num_queries):
    for item in ServiceCentreFactory.create_batch(count):
        CentreException.objects.create(
            centre=item, date=timezone.localdate() + dt.timedelta(days=1), reason="outage"
        )
    with django_assert_num_queries(3):  # centres, hours, exceptions
        assert len(api.get(f"{V1}/centres/").json()) == count
    with django_assert_num_queries(4):  # the centre, then as the list
        api.get(f"{V1}/centres/{item.slug}/")


def test_free_times_count_the_booked_places(api, service, centre, other_resident):
    appointment_book(resident=other_resident, service=service, centre=centre, starts_at=at(1, 10))
    day = at(1, 10).date().isoformat()
    data = api.get(f"{V1}/centres/main/free-times/?service=certificate&date={day}").json()
    assert data["closed"] is None
    times = {t["start"]: t["free"] for t in data["times"]}
    assert len(times) == 16  # 09:00–17:00 by 30 minutes
    assert times[at(1, 10).isoformat()] == 1
    assert times[at(1, 11).isoformat()] == 2
    assert data["days"][0]["date"] == timezone.localdate().isoformat()
    assert len(data["days"]) == settings.SERVICES_BOOKING_DAYS_AHEAD + 1


def test_free_times_of_a_closed_day_say_why(api, service, centre):
    day = at(2, 10).date()
    CentreException.objects.create(centre=centre, date=day, reason="outage", note="Немає світла")
    data = api.get(f"{V1}/centres/main/free-times/?service=certificate&date={day}").json()
    assert data["times"] == []
    assert data["closed"] == "Power outage: Немає світла"
    assert {"date": day.isoformat(), "open": False, "note": "Power outage: Немає світла"} in data[
        "days"
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "service"),
        ("service=nope", "service"),
        ("service=elsewhere", "service"),
        ("service=certificate&date=2001-01-01", "date"),
        ("service=certificate&date=tomorrow", "date"),
        ("service=certificate&date=" + "{far}", "date"),
    ],
)
def test_free_times_refuse_bad_questions_by_field(api, service, query, field):
    ServiceFactory(slug="elsewhere", centres=[ServiceCentreFactory()])
    far = timezone.localdate() + dt.timedelta(days=settings.SERVICES_BOOKING_DAYS_AHEAD + 1)
    response = api.get(f"{V1}/centres/main/free-times/?{query.format(far=far)}")
    assert response.status_code == 400
    assert field in fields(response)


@pytest.mark.parametrize("booked", [0, 5])
def test_free_times_make_a_fixed_number_of_queries(
    api, service, centre, booked, django_assert_num_queries
):
    for hour in range(10, 10 + booked):
        appointment_book(
            resident=UserFactory(), service=service, centre=centre, starts_at=at(1, hour)
        )
    day = at(1, 10).date()
    # centre, service, offered here, hours, window's exceptions, the day's slots
    with django_assert_num_queries(6):
        response = api.get(f"{V1}/centres/main/free-times/?service=certificate&date={day}")
    assert response.status_code == 200
