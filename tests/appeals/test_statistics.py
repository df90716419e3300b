"""Issue 16 point 7: overdue appeals stay visible as overdue in the statistics (Art. 20).

Per department: open appeals past their deadline now, and appeals answered
after it, on the staff dashboard and the public statistics page.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import staff
from appeals.statistics import department_statistics
from tests.appeals.test_dashboard import accepted, answered
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db

STATISTICS = reverse("appeals:statistics")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def data(resident, moderator, department, other_department, department_staff):
    department.members.add(department_staff)
    accepted(resident, moderator, department)  # open, in time
    for days in (3, 10):  # open, overdue
        late = accepted(resident, moderator, department)
        Appeal.objects.filter(pk=late.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=days)
        )
    private = submit_appeal(
        resident, CategoryFactory(department=department), is_public=False, title="Приватна яма"
    )
    Appeal.objects.filter(pk=private.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )  # awaiting moderation, private, overdue: counted all the same
    answered(resident, moderator, department, days_to_answer=2)  # in time
    answered(resident, moderator, department, days_to_answer=20)  # late
    answered(resident, moderator, department, days_to_answer=25)  # late
    answered(resident, moderator, other_department, days_to_answer=4)


def test_the_statistics_count_overdue_and_answered_late(data):
    rows = {row["department"].slug: row for row in department_statistics(Appeal.objects.all())}

    roads = rows["roads"]
    assert (roads["open"], roads["overdue"]) == (4, 3)
    assert (roads["answered"], roads["answered_late"], roads["in_time_percent"]) == (3, 2, 33)
    assert (rows["housing"]["overdue"], rows["housing"]["answered_late"]) == (0, 0)


def test_an_answered_appeal_is_no_longer_overdue_but_counts_as_late(
    resident, moderator, department, department_staff
):
    department.members.add(department_staff)
    appeal = accepted(resident, moderator, department)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    [before] = department_statistics(Appeal.objects.all())

    staff.appeal_answer(appeal=appeal, staff=department_staff, text="Зроблено.")
    [after] = department_statistics(Appeal.objects.all())

    assert (before["overdue"], before["answered_late"]) == (1, 0)
    assert (after["overdue"], after["answered_late"]) == (0, 1)


@pytest.mark.parametrize(
    ("language", "overdue", "late"),
    [
        ("uk", "Прострочені зараз", "Відповіли із запізненням"),
        ("en", "Overdue now", "Answered late"),
    ],
)
def test_the_public_page_shows_overdue_and_late_per_department(
    client, data, language, overdue, late
):
    client.cookies.load({"django_language": language})

    response = client.get(STATISTICS, HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 200
    assert overdue in page
    assert late in page
    roads = page.split('data-department="roads"')[1].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in roads.split("</td>")[:-1]]
    assert cells == ["4", "3", "3", "2", "33 %"]


def test_the_list_links_to_the_city_statistics(client):
    """To /stats/ (the legal terms, open data) where the stats app is installed."""
    assert reverse("stats:overview") in client.get(reverse("appeals:list")).content.decode()


def test_the_public_page_shows_no_request_text(client, data):
    page = client.get(STATISTICS).content.decode()

    assert "Приватна яма" not in page
    assert "Яма на дорозі" not in page
