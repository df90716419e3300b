"""The e-services' public figures (applications) and open datasets (catalogue, centres)."""

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from mycity import transparency
from mycity.transparency import Period, months_before
from services.models import Application, CentreException, ServiceCentre
from services.transparency import APPLICATIONS, CATALOGUE, CENTRES
from services.workflow import Status
from tests.factories import DepartmentFactory
from tests.query_counts import SIZES, assert_flat

from .factories import ServiceCategoryFactory, ServiceCentreFactory, ServiceFactory

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
_numbers = itertools.count(1)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment of 2026 in the city's time."""
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def application(service, *, submitted, due, status=Status.SUBMITTED, decided=None, extended=None):
    """An application with known times, written as the workflow leaves it."""
    return Application.objects.create(
        reference=f"TEST-{next(_numbers):06d}",
        service=service,
        department=service.department,
        status=status,
        submitted_at=submitted,
        term_days=5,
        due_at=due,
        extended_at=extended,
        decided_at=decided,
        idempotency_key=uuid.uuid4(),
    )


def query_counts(call, seed) -> list[int]:
    """The queries of `call()` (consumed whole) with the data seeded up to each of SIZES."""
    counts, seeded = [], 0
    for size in SIZES:
        seed(size - seeded)
        seeded = size
        with CaptureQueriesContext(connection) as queries:
            result = call()
            if isinstance(result, Iterator):
                list(result)
        counts.append(len(queries))
    return counts


@pytest.fixture
def other_service(db):
    department = DepartmentFactory(slug="social", name_uk="Соцзахист", name_en="Social protection")
    return ServiceFactory(slug="subsidy", department=department)


@pytest.fixture
def applications(service, other_service):
    """Applications of the TsNAP and of social protection, around March 2026."""
    far = timezone.now() + dt.timedelta(days=30)
    return {
        # TsNAP (service.department):
        "in_term": application(
            service, submitted=at(3, 2), due=at(3, 10), status=Status.ISSUED, decided=at(3, 5)
        ),
        "late": application(
            service, submitted=at(3, 3), due=at(3, 10), status=Status.REFUSED, decided=at(3, 12)
        ),
        # Submitted in February, extended, decided in March within the longer term.
        "extended": application(
            service,
            submitted=at(2, 20),
            due=at(3, 20),
            status=Status.READY,
            decided=at(3, 15),
            extended=at(2, 23),
        ),
        "overdue": application(
            service, submitted=at(3, 4), due=at(3, 11), status=Status.IN_PROGRESS
        ),
        "open": application(service, submitted=at(3, 30), due=far),
        "withdrawn": application(
            service, submitted=at(3, 5), due=at(3, 12), status=Status.WITHDRAWN
        ),
        "january": application(
            service, submitted=at(1, 5), due=at(1, 15), status=Status.ISSUED, decided=at(1, 10)
        ),
        "old_overdue": application(
            service, submitted=at(1, 20), due=at(2, 1), status=Status.NEEDS_CORRECTION
        ),
        # Social protection:
        "other_late": application(
            other_service,
            submitted=at(3, 10),
            due=at(3, 20),
            status=Status.REFUSED,
            decided=at(3, 25),
        ),
    }


def test_the_apps_declare_their_source_and_datasets():
    assert APPLICATIONS in transparency.figure_sources()
    datasets = transparency.open_datasets()
    assert CATALOGUE in datasets
    assert CENTRES in datasets


def test_measures_are_as_stats_expects():
    measures = {m.key: m for m in APPLICATIONS.measures}
    assert list(measures) == [
        "submitted",
        "decided",
        "decided_in_term_pct",
        "extended_pct",
        "overdue_now",
    ]
    assert measures["decided_in_term_pct"].base == "decided"
    assert measures["decided_in_term_pct"].unit == transparency.PERCENT
    assert measures["decided_in_term_pct"].trend
    assert measures["extended_pct"].base == "decided"
    assert measures["overdue_now"].current
    assert all(str(m.how) for m in measures.values())
    assert APPLICATIONS.key == "services"
    assert APPLICATIONS.breakdowns == ("department",)
    assert APPLICATIONS.ranking == "decided_in_term_pct"


def test_city_figures_over_a_period(applications):
    figures = APPLICATIONS.figures(MARCH)

    assert figures.key == "city"
    # Submitted or decided in March, or overdue now (the January one too).
    assert figures.size == 8
    assert figures.values == {
        "submitted": 6,
        "decided": 4,
        "decided_in_term_pct": 50.0,
        "extended_pct": 25.0,
        "overdue_now": 2,
    }


def test_one_departments_figures(applications, cnap, other_service):
    assert APPLICATIONS.figures(MARCH, department=cnap).values == {
        "submitted": 5,
        "decided": 3,
        "decided_in_term_pct": 66.7,
        "extended_pct": 33.3,
        "overdue_now": 2,
    }
    other = APPLICATIONS.figures(MARCH, department=other_service.department)
    assert (other.key, other.label, other.size) == ("social", "Соцзахист", 1)
    assert other.values == {
        "submitted": 1,
        "decided": 1,
        "decided_in_term_pct": 0.0,
        "extended_pct": 0.0,
        "overdue_now": 0,
    }


def test_nothing_decided_gives_no_shares(service):
    application(service, submitted=at(3, 2), due=timezone.now() + dt.timedelta(days=3))

    figures = APPLICATIONS.figures(MARCH)

    assert figures.size == 1
    assert figures.values == {
        "submitted": 1,
        "decided": 0,
        "decided_in_term_pct": None,
        "extended_pct": None,
        "overdue_now": 0,
    }


def test_the_period_holds_whole_local_days(service):
    application(service, submitted=at(2, 28, 23, 59), due=at(3, 1, 0, 0), status=Status.READY)
    first = application(
        service, submitted=at(3, 1, 0, 0), due=at(3, 31, 23, 59), status=Status.READY
    )
    first.decided_at = first.due_at  # decided at the very due time: in term
    first.save(update_fields=["decided_at"])
    application(service, submitted=at(4, 1, 0, 0), due=at(4, 2), status=Status.READY)

    figures = APPLICATIONS.figures(MARCH)

    assert figures.values["submitted"] == 1
    assert figures.values["decided"] == 1
    assert figures.values["decided_in_term_pct"] == 100.0


def test_breakdown_by_department(applications, cnap):
    rows = APPLICATIONS.breakdown(MARCH, "department")

    assert [(f.key, f.label, f.size) for f in rows] == [
        ("social", "Соцзахист", 1),
        ("cnap-test", "ЦНАП", 7),
    ]
    assert rows[1].values == {
        "submitted": 5,
        "decided": 3,
        "decided_in_term_pct": 66.7,
        "extended_pct": 33.3,
        "overdue_now": 2,
    }
    assert rows[0].values["decided_in_term_pct"] == 0.0


def test_breakdown_labels_in_the_active_language(applications):
    with translation.override("en"):
        rows = APPLICATIONS.breakdown(MARCH, "department")
    assert [f.label for f in rows] == ["Social protection", "TsNAP"]


def test_breakdown_of_one_department_and_without_cases(applications, cnap):
    assert [f.key for f in APPLICATIONS.breakdown(MARCH, "department", department=cnap)] == [
        "cnap-test"
    ]
    DepartmentFactory(slug="idle")  # no applications: no row
    assert "idle" not in [f.key for f in APPLICATIONS.breakdown(MARCH, "department")]


def test_breakdown_by_anything_else_is_refused():
    with pytest.raises(ValueError, match="district"):
        APPLICATIONS.breakdown(MARCH, "district")


def test_monthly_figures(applications):
    months = months_before(dt.date(2026, 3, 31), 3)

    rows = APPLICATIONS.monthly(months)

    assert [(f.key, f.size) for f in rows] == [("2026-01", 2), ("2026-02", 1), ("2026-03", 7)]
    assert [f.values for f in rows] == [
        {
            "submitted": 2,
            "decided": 1,
            "decided_in_term_pct": 100.0,
            "extended_pct": 0.0,
            "overdue_now": None,
        },
        {
            "submitted": 1,
            "decided": 0,
            "decided_in_term_pct": None,
            "extended_pct": None,
            "overdue_now": None,
        },
        {
            "submitted": 6,
            "decided": 4,
            "decided_in_term_pct": 50.0,
            "extended_pct": 25.0,
            "overdue_now": None,
        },
    ]


def test_monthly_figures_of_one_department(applications, other_service):
    months = months_before(dt.date(2026, 3, 31), 3)

    rows = APPLICATIONS.monthly(months, department=other_service.department)

    assert [(f.key, f.size, f.values["submitted"], f.values["decided"]) for f in rows] == [
        ("2026-01", 0, 0, 0),
        ("2026-02", 0, 0, 0),
        ("2026-03", 1, 1, 1),
    ]


def test_monthly_of_no_months():
    assert APPLICATIONS.monthly([]) == []


# --- query counts ---------------------------------------------------------------------


@pytest.fixture
def seed_applications(service, other_service):
    def seed(n):
        for i in range(n):
            owner = service if i % 2 else other_service
            department = DepartmentFactory()
            owner = ServiceFactory(department=department) if i % 3 == 0 else owner
            application(
                owner,
                submitted=at(3, 1 + i % 28),
                due=at(3, 10),
                status=Status.REFUSED,
                decided=at(3, 2 + i % 20),
                extended=at(3, 1) if i % 4 == 0 else None,
            )

    return seed


def test_figures_query_count_is_flat(seed_applications, cnap):
    assert_flat(query_counts(lambda: APPLICATIONS.figures(MARCH), seed_applications), limit=1)
    assert_flat(
        query_counts(lambda: APPLICATIONS.figures(MARCH, department=cnap), lambda n: None),
        limit=1,
    )


def test_breakdown_query_count_is_flat(seed_applications):
    counts = query_counts(lambda: APPLICATIONS.breakdown(MARCH, "department"), seed_applications)
    assert_flat(counts, limit=2)


def test_monthly_query_count_is_flat(seed_applications):
    months = months_before(dt.date(2026, 3, 31), 12)
    assert_flat(query_counts(lambda: APPLICATIONS.monthly(months), seed_applications), limit=1)


# --- the catalogue --------------------------------------------------------------------


def test_catalogue_rows(settings, cnap, centre):
    category = ServiceCategoryFactory(slug="family", name_uk="Сім'я", name_en="Family")
    ServiceFactory(
        slug="birth",
        name_uk="Реєстрація народження",
        name_en="Birth registration",
        category=category,
        department=cnap,
        summary_uk="Свідоцтво про народження",
        summary_en="A birth certificate",
        online=False,
        bookable=True,
        processing_days=1,
        fee="0",
    )
    ServiceFactory(
        slug="public-info",
        name_uk="Запит на публічну інформацію",
        name_en="Request for public information",
        category=category,
        department=cnap,
        summary_uk="Відповідь на запит",
        summary_en="An answer to the request",
        online=True,
        bookable=False,
        processing_days=5,
        extension_days=20,
        urgent_hours=48,
        fee="150.50",
        fee_note_uk="За копії понад 10 сторінок",
        fee_note_en="For copies over 10 pages",
        legal_basis_uk="Закон України «Про доступ до публічної інформації»",
        legal_basis_en="Law on Access to Public Information",
        ordering=1,
    )

    with translation.override("en"):
        rows = list(CATALOGUE.rows())

    assert rows == [
        {
            "slug": "birth",
            "name": "Birth registration",
            "category": "Family",
            "department": "TsNAP",
            "summary": "A birth certificate",
            "online": False,
            "bookable": True,
            "processing_days": 1,
            "extension_days": None,
            "urgent_hours": None,
            "fee": 0.0,
            "fee_note": "",
            "legal_basis": "",
            "url": f"{settings.SITE_URL}/services/birth/",
        },
        {
            "slug": "public-info",
            "name": "Request for public information",
            "category": "Family",
            "department": "TsNAP",
            "summary": "An answer to the request",
            "online": True,
            "bookable": False,
            "processing_days": 5,
            "extension_days": 20,
            "urgent_hours": 48,
            "fee": 150.5,
            "fee_note": "For copies over 10 pages",
            "legal_basis": "Law on Access to Public Information",
            "url": f"{settings.SITE_URL}/services/public-info/",
        },
    ]
    assert [f.name for f in CATALOGUE.fields] == list(rows[0])
    assert (CATALOGUE.slug, CATALOGUE.app_label, CATALOGUE.frequency) == (
        "services",
        "services",
        transparency.WEEKLY,
    )


def test_catalogue_in_ukrainian(service):
    with translation.override("uk"):
        (row,) = CATALOGUE.rows()
    assert (row["name"], row["department"], row["summary"]) == (
        "Довідка про склад сім'ї",
        "ЦНАП",
        "Довідка для субсидії",
    )


def test_unpublished_services_are_not_in_the_catalogue(service):
    ServiceFactory(slug="draft", is_active=False)

    assert [row["slug"] for row in CATALOGUE.rows()] == ["certificate"]


def test_catalogue_streams_with_a_constant_number_of_queries(db):
    category = ServiceCategoryFactory()
    assert_flat(
        query_counts(
            CATALOGUE.rows,
            lambda n: [ServiceFactory(category=category) for _ in range(n)],
        ),
        limit=1,
    )


# --- the centres ----------------------------------------------------------------------


def test_centre_rows(settings, db):
    today = timezone.localdate()
    centre = ServiceCentreFactory(
        slug="north",
        name_uk="ЦНАП Північ",
        name_en="TsNAP North",
        address_uk="вул. Перекопська, 5",
        address_en="5 Perekopska St",
        latitude=46.65,
        longitude=32.6,
        phone="+380 552 00 00 00",
        email="north@example.com",
        notes_uk="Укриття у дворі",
        notes_en="A shelter in the yard",
        weekly=[
            (0, "13:00", "17:00"),
            (0, "08:00", "12:00"),
            (1, "08:00", "17:00"),
            (2, "08:00", "17:00"),
            (3, "08:00", "20:00"),
            (4, "08:00", "16:00"),
            (5, "09:00", "13:00"),
        ],
    )
    CentreException.objects.create(
        centre=centre, date=today - dt.timedelta(days=1), reason=CentreException.Reason.OUTAGE
    )
    CentreException.objects.create(
        centre=centre,
        date=today + dt.timedelta(days=9),
        reason=CentreException.Reason.HOLIDAY,
    )
    CentreException.objects.create(
        centre=centre,
        date=today + dt.timedelta(days=2),
        reason=CentreException.Reason.OUTAGE,
        note_uk="Працює від генератора",
        note_en="Running on a generator",
        opens=dt.time(10, 0),
        closes=dt.time(14, 0),
    )

    with translation.override("en"):
        rows = list(CENTRES.rows())

    assert rows == [
        {
            "slug": "north",
            "name": "TsNAP North",
            "address": "5 Perekopska St",
            "phone": "+380 552 00 00 00",
            "email": "north@example.com",
            "notes": "A shelter in the yard",
            "monday": "08:00–12:00, 13:00–17:00",
            "tuesday": "08:00–17:00",
            "wednesday": "08:00–17:00",
            "thursday": "08:00–20:00",
            "friday": "08:00–16:00",
            "saturday": "09:00–13:00",
            "sunday": "",
            "next_change_date": today + dt.timedelta(days=2),
            "next_change_hours": "10:00–14:00",
            "next_change_reason": "Power outage: Running on a generator",
            "url": f"{settings.SITE_URL}/services/centres/#centre-north",
            "latitude": 46.65,
            "longitude": 32.6,
        }
    ]
    assert [f.name for f in CENTRES.fields] == list(rows[0])
    assert CENTRES.geometry
    assert (CENTRES.slug, CENTRES.frequency) == ("centres", transparency.WEEKLY)


def test_a_centre_closed_on_its_next_change_and_without_one(db):
    today = timezone.localdate()
    closed = ServiceCentreFactory(slug="a", ordering=1)
    CentreException.objects.create(centre=closed, date=today, reason=CentreException.Reason.SAFETY)
    ServiceCentreFactory(slug="b", ordering=2)

    with translation.override("uk"):
        first, second = CENTRES.rows()

    assert (
        first["next_change_date"],
        first["next_change_hours"],
        first["next_change_reason"],
    ) == (today, "", "Безпекова ситуація")
    assert (
        second["next_change_date"],
        second["next_change_hours"],
        second["next_change_reason"],
    ) == (None, "", "")
    assert second["monday"] == "09:00–17:00"


def test_inactive_centres_are_not_in_the_dataset(centre):
    ServiceCentreFactory(slug="closed-branch", is_active=False)

    assert [row["slug"] for row in CENTRES.rows()] == ["main"]


def test_centres_stream_with_a_constant_number_of_queries(db):
    today = timezone.localdate()

    def seed(n):
        for _ in range(n):
            centre = ServiceCentreFactory()
            CentreException.objects.create(centre=centre, date=today + dt.timedelta(days=3))
            CentreException.objects.create(centre=centre, date=today + dt.timedelta(days=4))

    assert_flat(query_counts(CENTRES.rows, seed), limit=3)
    assert ServiceCentre.objects.count() == SIZES[-1]
