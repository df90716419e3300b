"""Reports of one outage kind gathering close together in a short time become one
suggested incident for moderators, with the reports linked to it."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from appeals.models import Appeal
from appeals.services.incidents import appeals_cluster_check, distance_m
from citizens.notifications.models import Notification
from mycity.models import Incident
from tests.appeals.incident_helpers import centre_of, offset, outage_category
from tests.concurrency import at_once
from tests.factories import DistrictFactory, IncidentFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

EVENT = "appeals.incident_suggested"


@pytest.fixture(autouse=True)
def cluster_settings(settings):
    settings.INCIDENT_CLUSTER_REPORTS = 5
    settings.INCIDENT_CLUSTER_RADIUS_M = 300
    settings.INCIDENT_CLUSTER_MINUTES = 60


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def category():
    return outage_category(slug="no-power")


def report(category, district, *, north_m=0.0, east_m=0.0, author=None):
    lat, lon = offset(*centre_of(district), north_m=north_m, east_m=east_m)
    return submit_appeal(
        author or UserFactory(), category, district=district, latitude=lat, longitude=lon
    )


def reports(category, district, n, *, step_m=40):
    return [report(category, district, east_m=i * step_m - 80) for i in range(n)]


def test_fewer_reports_than_needed_suggest_nothing(category, district, moderator):
    filed = reports(category, district, 4)
    assert appeals_cluster_check(appeal_id=filed[-1].pk) is None
    assert not Incident.objects.exists()
    assert not Appeal.objects.filter(incident__isnull=False).exists()


def test_enough_reports_close_together_make_one_suggestion(category, district, moderator):
    filed = reports(category, district, 5)

    suggestion = appeals_cluster_check(appeal_id=filed[-1].pk)

    assert suggestion is not None
    assert (suggestion.status, suggestion.kind) == ("suggested", "power")
    assert set(Appeal.objects.values_list("incident_id", flat=True)) == {suggestion.pk}
    assert suggestion.area["type"] == "Polygon"
    assert suggestion.title_uk
    assert suggestion.title_en
    assert suggestion.events.get().action == "suggest"
    [told] = Notification.objects.filter(event=EVENT)
    assert told.recipient == moderator
    assert told.url == f"/admin/mycity/incident/{suggestion.pk}/change/"


def test_the_suggestion_is_around_the_clusters_centre(category, district, moderator):
    filed = reports(category, district, 5)
    suggestion = appeals_cluster_check(appeal_id=filed[0].pk)
    lat = sum(a.latitude for a in filed) / 5
    lon = sum(a.longitude for a in filed) / 5
    ring = suggestion.area["coordinates"][0]
    centre_lat = sum(y for _x, y in ring[:-1]) / len(ring[:-1])
    centre_lon = sum(x for x, _y in ring[:-1]) / len(ring[:-1])
    assert distance_m(lat, lon, centre_lat, centre_lon) < 5


def test_residents_are_not_told_of_a_suggestion(category, district, moderator):
    filed = reports(category, district, 5)
    appeals_cluster_check(appeal_id=filed[-1].pk)
    assert not Notification.objects.filter(
        event=EVENT, recipient_id__in=[a.author_id for a in filed]
    ).exists()


def test_reports_farther_than_the_radius_do_not_count(category, district, moderator):
    near = reports(category, district, 4)
    far = report(category, district, north_m=450)
    assert appeals_cluster_check(appeal_id=far.pk) is None
    assert appeals_cluster_check(appeal_id=near[-1].pk) is None
    assert not Incident.objects.exists()


def test_reports_older_than_the_window_do_not_count(category, district, moderator):
    filed = reports(category, district, 5)
    Appeal.objects.filter(pk=filed[0].pk).update(
        registered_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert appeals_cluster_check(appeal_id=filed[-1].pk) is None
    assert not Incident.objects.exists()


def test_reports_of_another_outage_kind_do_not_count(category, district, moderator):
    reports(category, district, 4)
    water = report(outage_category("water", slug="no-water"), district)
    assert appeals_cluster_check(appeal_id=water.pk) is None
    power = report(category, district, east_m=10)
    assert appeals_cluster_check(appeal_id=power.pk) is not None
    assert Appeal.objects.get(pk=water.pk).incident_id is None


def test_reports_already_linked_do_not_count(category, district, moderator):
    reports(category, district, 4)
    Appeal.objects.update(incident=IncidentFactory(status="resolved"))
    last = report(category, district)
    assert appeals_cluster_check(appeal_id=last.pk) is None


def test_running_the_check_twice_makes_one_suggestion(category, district, moderator):
    filed = reports(category, district, 5)
    first = appeals_cluster_check(appeal_id=filed[-1].pk)
    again = [appeals_cluster_check(appeal_id=a.pk) for a in filed]
    assert first is not None
    assert again == [None] * 5
    assert Incident.objects.count() == 1
    assert Notification.objects.filter(event=EVENT).count() == 1


def test_a_report_filed_after_the_suggestion_joins_it(category, district, moderator):
    filed = reports(category, district, 5)
    suggestion = appeals_cluster_check(appeal_id=filed[-1].pk)
    later = report(category, district, north_m=20)
    assert later.incident_id == suggestion.pk
    assert Notification.objects.filter(event=EVENT).count() == 1


def test_filing_queues_the_check_after_commit(
    category, district, moderator, eager, django_capture_on_commit_callbacks
):
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            report(category, district, east_m=i * 30)
    suggestion = Incident.objects.get()
    assert Appeal.objects.filter(incident=suggestion).count() == 5
    assert Notification.objects.filter(event=EVENT).count() == 1


def test_the_check_ignores_what_it_should_not_look_at(category, district, moderator):
    from tests.factories import CategoryFactory

    plain = submit_appeal(UserFactory(), CategoryFactory(), district=district)
    assert appeals_cluster_check(appeal_id=plain.pk) is None
    assert appeals_cluster_check(appeal_id=999_999) is None


def test_the_check_reads_a_fixed_number_of_queries(
    category, district, moderator, django_assert_max_num_queries
):
    filed = reports(category, district, 3)
    # Many reports elsewhere in the city: the bounding box leaves them in the table.
    elsewhere = DistrictFactory()
    for _ in range(10):
        report(category, elsewhere)
    with django_assert_max_num_queries(8):
        assert appeals_cluster_check(appeal_id=filed[-1].pk) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
)
def test_concurrent_checks_make_one_suggestion(category, district, moderator):
    filed = reports(category, district, 6)
    results, errors = at_once(
        [lambda a=a: appeals_cluster_check(appeal_id=a.pk) for a in filed[-3:]]
    )
    assert not errors, errors
    assert Incident.objects.count() == 1
    assert len([r for r in results if r is not None]) == 1
    assert Appeal.objects.filter(incident__isnull=True).count() == 0
    assert Notification.objects.filter(event=EVENT).count() == 1
