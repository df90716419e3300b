"""The appeals' public figures and open dataset, from appeals with known dates.

Every figure is asserted from a city built by hand: answered in term, late,
extended, reopened, private, sensitive, rejected, still in moderation, and
groups under the small-group threshold; then the same through /stats/ and
every row of the public appeals dataset.
"""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealRating
from appeals.models.rules import public_point
from appeals.transparency import APPEALS, PROPOSALS, PUBLIC_APPEALS
from appeals.workflow import Status
from mycity.transparency import BY_CATEGORY, BY_DEPARTMENT, BY_DISTRICT, Period, months_before
from tests.factories import CategoryFactory, DepartmentFactory, DistrictFactory, submit_appeal

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def kyiv(month: int, day: int, year: int = 2026, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def appeal(
    author,
    category,
    district,
    *,
    registered,
    deadline,
    status=Status.ANSWERED,
    answered=None,
    rating=None,
    rated=None,
    **fields,
) -> Appeal:
    """An appeal filed by the service, then set to known dates and status."""
    made = submit_appeal(author, category=category, district=district)
    Appeal.objects.filter(pk=made.pk).update(
        registered_at=registered,
        deadline=deadline,
        status=status,
        answered_at=answered,
        department=category.department,
        **fields,
    )
    if rating is not None:
        AppealRating.objects.create(appeal=made, score=rating, created_at=rated)
    made.refresh_from_db()
    return made


@pytest.fixture
def march(resident):
    """The city of the docstring: two departments, a sensitive category, one district."""
    roads, parks = DepartmentFactory(slug="roads"), DepartmentFactory(slug="parks")
    potholes = CategoryFactory(slug="potholes", department=roads)
    violence = CategoryFactory(slug="violence", department=roads, sensitive=True)
    trees = CategoryFactory(slug="trees", department=parks)
    centre, north = DistrictFactory(slug="centre"), DistrictFactory(slug="north")
    made = {
        # Answered in term, 8 days; rated 5.
        "in_term": appeal(
            resident, potholes, centre,
            registered=kyiv(3, 2), answered=kyiv(3, 10), deadline=dt.date(2026, 3, 17),
            rating=5, rated=kyiv(3, 15),
        ),
        # Answered late, 22 days; rated 1.
        "late": appeal(
            resident, potholes, centre,
            registered=kyiv(3, 3), answered=kyiv(3, 25), deadline=dt.date(2026, 3, 18),
            rating=1, rated=kyiv(3, 26),
        ),
        # Private, answered in term in 2 days, then reopened; rated 2.
        "private": appeal(
            resident, potholes, north,
            registered=kyiv(3, 4), answered=kyiv(3, 6), deadline=dt.date(2026, 3, 19),
            is_public=False, reopened=True, rating=2, rated=kyiv(3, 20),
        ),
        # Sensitive, its term extended, answered within it in 23 days; rated 3.
        "sensitive": appeal(
            resident, violence, north,
            registered=kyiv(3, 5), answered=kyiv(3, 28), deadline=dt.date(2026, 4, 19),
            deadline_extended=True, rating=3, rated=kyiv(3, 29),
        ),
        # Registered in February, answered late in March, 20 days; rated 4.
        "february": appeal(
            resident, trees, centre,
            registered=kyiv(2, 20), answered=kyiv(3, 12), deadline=dt.date(2026, 3, 7),
            rating=4, rated=kyiv(3, 22),
        ),
        "moderation": appeal(
            resident, potholes, centre,
            registered=kyiv(3, 6), deadline=dt.date(2026, 3, 21), status=Status.MODERATION,
        ),
        "rejected": appeal(
            resident, potholes, centre,
            registered=kyiv(3, 7), deadline=dt.date(2026, 3, 22), status=Status.REJECTED,
        ),
        # Open since last year, its term long past: overdue now, whatever the period.
        "overdue": appeal(
            resident, potholes, centre,
            registered=kyiv(11, 3, year=2025), deadline=dt.date(2025, 11, 18),
            status=Status.IN_PROGRESS,
        ),
    }  # fmt: skip
    return {"appeals": made, "roads": roads, "parks": parks}


def test_the_city_figures_count_every_appeal(march):
    figures = APPEALS.figures(MARCH)
    assert figures.key == "city"
    assert figures.size == 6
    assert figures.values == {
        # The six registered in March; four past moderation and not rejected.
        "received": 6,
        "considered": 4,
        # Answered in March: five, the February one too; in term: three.
        "answered": 5,
        "in_term_pct": 60.0,
        "extended_pct": 20.0,
        "reopened_pct": 20.0,
        # The one open since last year, and the one left in moderation: the term
        # runs from registration (Art. 20), moderation included.
        "overdue_now": 2,
        # Days: 2, 8, 20, 22, 23.
        "median_days": 20.0,
        "p90_days": 22.6,
        "rated": 5,
        "rating": 3.0,
    }


def test_a_department_counts_its_own_appeals_only(march):
    roads = APPEALS.figures(MARCH, department=march["roads"])
    assert roads.key == "roads"
    assert roads.values["received"] == 6
    assert roads.values["answered"] == 4
    assert roads.values["in_term_pct"] == 75.0
    assert roads.values["overdue_now"] == 2
    parks = APPEALS.figures(MARCH, department=march["parks"])
    assert parks.size == 1
    assert parks.values["received"] == 0
    assert parks.values["answered"] == 1
    assert parks.values["in_term_pct"] == 0.0


def test_breakdowns_group_by_department_category_and_district(march):
    by_department = {f.key: f for f in APPEALS.breakdown(MARCH, BY_DEPARTMENT)}
    assert set(by_department) == {"roads", "parks"}
    assert by_department["roads"].values["answered"] == 4
    assert by_department["parks"].size == 1

    by_category = {f.key: f.values for f in APPEALS.breakdown(MARCH, BY_CATEGORY)}
    assert by_category["potholes"]["received"] == 5
    assert by_category["potholes"]["answered"] == 3
    assert by_category["potholes"]["median_days"] == 8.0
    assert by_category["violence"]["extended_pct"] == 100.0
    assert by_category["trees"]["rating"] == 4.0

    by_district = {f.key: f.values for f in APPEALS.breakdown(MARCH, BY_DISTRICT)}
    assert by_district["centre"]["received"] == 4
    assert by_district["north"]["received"] == 2
    assert by_district["north"]["reopened_pct"] == 50.0

    # Within a department: its categories only.
    inside = APPEALS.breakdown(MARCH, BY_CATEGORY, department=march["parks"])
    assert [f.key for f in inside] == ["trees"]


def test_monthly_figures_follow_the_months(march):
    february, month = APPEALS.monthly(months_before(dt.date(2026, 3, 31), 2))
    assert (february.key, month.key) == ("2026-02", "2026-03")
    assert february.values["received"] == 1
    assert february.values["answered"] == 0
    assert february.values["overdue_now"] is None
    assert month.values["received"] == 6
    assert month.values["in_term_pct"] == 60.0
    assert month.values["median_days"] == 20.0
    assert month.values["overdue_now"] is None


def summary(client, url) -> dict[str, str] | None:
    """The appeals section's summary figures as printed, or None when withheld whole."""
    page = client.get(
        url, {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    ).content.decode()
    section = page.split('data-source="appeals"', 1)[1].split("</section>", 1)[0]
    if "stats-figures" not in section:
        return None
    return {
        key: re.sub(r"<[^>]+>", "", value).strip()
        for key, value in re.findall(
            r'data-measure="(\w+)">.*?<dd[^>]*>(.*?)</dd>', section, flags=re.S
        )
    }


def test_the_page_shows_the_city_and_withholds_small_groups(client, march):
    cache.clear()
    city = summary(client, reverse("stats:overview"))
    assert city["received"] == "6"
    assert city["in_term_pct"] == "60,0 %"
    assert city["median_days"] == "20,0"
    assert city["rating"] == "3,0"
    # Roads answered four in March: the count shows, a share of four does not.
    roads = summary(client, reverse("stats:department", args=["roads"]))
    assert roads["answered"] == "4"
    assert roads["in_term_pct"].startswith("&lt;5")
    # Parks had one appeal behind its figures: its page shows none of them.
    assert summary(client, reverse("stats:department", args=["parks"])) is None


def test_proposals_that_reached_the_threshold_and_their_answers(resident):
    parks = DepartmentFactory(slug="parks")
    trees = CategoryFactory(slug="trees", department=parks)
    district = DistrictFactory()

    def proposal(reached, answered, deadline):
        return appeal(
            resident, trees, district, kind="proposal",
            registered=kyiv(1, 10), deadline=deadline, answered=answered,
            status=Status.ANSWERED if answered else Status.IN_PROGRESS,
            threshold_reached_at=reached,
        )  # fmt: skip

    proposal(kyiv(3, 5), kyiv(3, 20), dt.date(2026, 3, 25))  # answered in time
    proposal(kyiv(3, 8), kyiv(4, 20), dt.date(2026, 4, 7))  # answered late
    proposal(kyiv(3, 10), None, dt.date(2026, 4, 9))  # not answered yet
    proposal(kyiv(2, 1), kyiv(2, 10), dt.date(2026, 2, 20))  # reached in February
    appeal(  # never reached its threshold
        resident, trees, district, kind="proposal",
        registered=kyiv(3, 1), deadline=dt.date(2026, 3, 16), answered=kyiv(3, 2),
    )  # fmt: skip

    figures = PROPOSALS.figures(MARCH)
    assert figures.values == {
        "reached": 3,
        "answered": 2,
        "answered_in_term": 1,
        "in_term_pct": 33.3,
    }
    assert [f.key for f in PROPOSALS.breakdown(MARCH, BY_DEPARTMENT)] == ["parks"]
    february, month = PROPOSALS.monthly(months_before(dt.date(2026, 3, 31), 2))
    assert february.values["reached"] == 1
    assert month.values["reached"] == 3


def test_the_dataset_holds_public_appeals_only_without_names_or_texts(march):
    rows = {row["reference"]: row for row in PUBLIC_APPEALS.rows()}
    made = march["appeals"]
    public = {made[key].reference for key in ("in_term", "late", "february", "overdue")}
    assert set(rows) == public
    late = rows[made["late"].reference]
    assert set(late) == {field.name for field in PUBLIC_APPEALS.fields}
    assert late["registered"] == dt.date(2026, 3, 3)
    assert late["answered"] == dt.date(2026, 3, 25)
    assert late["deadline"] == dt.date(2026, 3, 18)
    assert late["answered_in_term"] is False
    assert late["category"] == "potholes"
    assert late["department"] == "roads"
    assert late["district"] == "centre"
    assert (late["latitude"], late["longitude"]) == public_point(
        made["late"].latitude, made["late"].longitude
    )
    assert rows[made["in_term"].reference]["answered_in_term"] is True
    assert rows[made["overdue"].reference]["answered"] is None
    assert rows[made["overdue"].reference]["answered_in_term"] is None
    text = json.dumps(list(rows.values()), default=str)
    assert made["late"].title not in text
    assert made["late"].author.email not in text
    assert str(made["late"].latitude) not in text


@pytest.mark.parametrize("fmt", ["csv", "json", "geojson"])
def test_the_dataset_downloads_in_each_format(client, march, fmt):
    response = client.get(reverse("stats:download", args=["appeals", fmt]))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    made = march["appeals"]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        references = {row["reference"] for row in rows}
    elif fmt == "json":
        references = {row["reference"] for row in json.loads(raw)}
    else:
        features = json.loads(raw)["features"]
        references = {f["properties"]["reference"] for f in features}
        point = public_point(made["late"].latitude, made["late"].longitude)
        late = next(f for f in features if f["properties"]["reference"] == made["late"].reference)
        assert late["geometry"]["coordinates"] == [point[1], point[0]]
    assert made["private"].reference not in references
    assert made["sensitive"].reference not in references
    assert made["late"].reference in references


@pytest.mark.parametrize("page", ["overview", "department"])
def test_the_pages_queries_do_not_grow_with_appeals_or_groups(client, resident, page):
    """More appeals, in more departments, categories and districts: the same queries."""
    from tests.query_counts import assert_flat, counts_at_growing_data

    roads = DepartmentFactory(slug="roads")

    def seed(count):
        for n in range(count):
            department = roads if n % 2 else DepartmentFactory()
            made = appeal(
                resident, CategoryFactory(department=department), DistrictFactory(),
                registered=timezone.now() - dt.timedelta(days=3),
                answered=timezone.now() - dt.timedelta(days=1),
                deadline=timezone.localdate(), rating=4, rated=timezone.now(),
            )  # fmt: skip
            assert made.department_id == department.pk

    url = (
        reverse("stats:overview")
        if page == "overview"
        else reverse("stats:department", args=["roads"])
    )
    counts = counts_at_growing_data(client, url, seed=seed, sizes=(6, 16))
    # Every source's figures, breakdowns and trends, the departments and the session.
    assert_flat(counts, limit={"overview": 17, "department": 14}[page])
