"""/requests/: the public list of appeals with filters, pages and htmx."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealPhoto, Kind
from appeals.services import transition
from appeals.workflow import DEPARTMENT, MODERATOR, Action, Status
from tests.factories import CategoryFactory, DistrictFactory, submit_appeal

from .public_factories import many_public_appeals, public_appeal, set_registered

pytestmark = pytest.mark.django_db
URL = reverse("appeals:list")


def titles(response) -> str:
    return response.content.decode()


def test_accepted_public_appeal_is_listed_with_link_badge_and_deadline(client, resident):
    appeal = public_appeal(resident, title="Не працюють ліхтарі у дворі")
    html = titles(client.get(URL))
    assert "Не працюють ліхтарі у дворі" in html
    assert f'href="{appeal.get_absolute_url()}"' in html
    assert "status-badge status-accepted" in html
    assert 'class="deadline' in html


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda r: public_appeal(r, is_public=False), id="private"),
        pytest.param(
            lambda r: public_appeal(r, category=CategoryFactory(sensitive=True)), id="sensitive"
        ),
        pytest.param(lambda r: public_appeal(r, accept=False), id="awaiting-moderation"),
        pytest.param(
            lambda r: transition(
                appeal=submit_appeal(r), action=Action.REJECT, actor=r, role=MODERATOR
            ),
            id="rejected",
        ),
        pytest.param(
            lambda r: transition(
                appeal=submit_appeal(r), action=Action.RETURN, actor=r, role=MODERATOR
            ),
            id="returned",
        ),
    ],
)
def test_appeal_that_is_not_public_is_never_listed(client, resident, make):
    hidden = make(resident)
    Appeal.objects.filter(pk=hidden.pk).update(title="Прихована заявка")
    public_appeal(resident, title="Відкрита заявка")
    html = titles(client.get(URL))
    assert "Відкрита заявка" in html
    assert "Прихована заявка" not in html
    assert hidden.reference not in html


def test_list_is_newest_first(client, resident):
    old = set_registered(public_appeal(resident, title="Стара заявка"), dt.date(2026, 1, 5))
    new = set_registered(public_appeal(resident, title="Нова заявка"), dt.date(2026, 3, 5))
    html = titles(client.get(URL))
    assert html.index(new.title) < html.index(old.title)


def test_list_shows_twenty_per_page_and_the_rest_on_the_next(client, resident):
    category, district = CategoryFactory(), DistrictFactory()
    for i in range(21):
        public_appeal(resident, category=category, district=district, title=f"Заявка №{i:02d}")
    first = titles(client.get(URL))
    second = titles(client.get(URL, {"page": 2}))
    assert first.count('class="appeal-row"') == 20
    assert second.count('class="appeal-row"') == 1
    assert "Заявка №00" in second  # the oldest


def test_filter_by_kind(client, resident):
    public_appeal(resident, kind=Kind.PROPOSAL, title="Встановити лавки")
    public_appeal(resident, kind=Kind.PROBLEM, title="Яма біля школи")
    html = titles(client.get(URL, {"kind": "proposal"}))
    assert "Встановити лавки" in html
    assert "Яма біля школи" not in html


def test_filter_by_category(client, resident):
    lights = CategoryFactory(slug="streetlight")
    public_appeal(resident, category=lights, title="Не світить ліхтар")
    public_appeal(resident, title="Яма біля школи")
    html = titles(client.get(URL, {"category": "streetlight"}))
    assert "Не світить ліхтар" in html
    assert "Яма біля школи" not in html


def test_filter_by_status(client, resident):
    started = public_appeal(resident, title="Вже ремонтують")
    transition(appeal=started, action=Action.START, actor=resident, role=DEPARTMENT)
    public_appeal(resident, title="Ще чекає")
    html = titles(client.get(URL, {"status": Status.IN_PROGRESS}))
    assert "Вже ремонтують" in html
    assert "Ще чекає" not in html


def test_filter_by_district(client, resident):
    north = DistrictFactory(slug="north")
    public_appeal(resident, district=north, title="На півночі")
    public_appeal(resident, title="Деінде")
    html = titles(client.get(URL, {"district": "north"}))
    assert "На півночі" in html
    assert "Деінде" not in html


def test_filter_by_registration_dates_includes_both_ends(client, resident):
    set_registered(public_appeal(resident, title="Січнева"), dt.date(2026, 1, 10))
    set_registered(public_appeal(resident, title="Лютнева"), dt.date(2026, 2, 10))
    set_registered(public_appeal(resident, title="Березнева"), dt.date(2026, 3, 10))
    html = titles(client.get(URL, {"date_from": "2026-02-10", "date_to": "2026-03-10"}))
    assert "Лютнева" in html
    assert "Березнева" in html
    assert "Січнева" not in html


def test_filter_overdue_only(client, resident):
    late = public_appeal(resident, title="Прострочена")
    set_registered(late, timezone.localdate() - dt.timedelta(days=40))
    public_appeal(resident, title="Вчасна")
    response = client.get(URL, {"overdue": "on"})
    html = titles(response)
    assert "Прострочена" in html
    assert "Вчасна" not in html
    assert "text-bg-danger" in html  # the overdue badge


@pytest.mark.parametrize(
    "query",
    [
        {"district": "12; DROP TABLE"},
        {"district": "999"},
        {"category": "<script>"},
        {"kind": "nonsense"},
        {"status": "moderation"},
        {"date_from": "2026-13-45"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "2026-03-01", "date_to": "2026-01-01"},
        {"overdue": "maybe"},
        {"page": "zzz"},
        {"page": "99999"},
        {"q": "я" * 500},
        {"q": "%_\\'\""},
    ],
)
def test_bad_filter_values_never_fail(client, resident, query):
    public_appeal(resident, title="Яма біля школи")
    response = client.get(URL, query)
    assert response.status_code == 200


def test_bad_date_is_shown_as_an_error_and_left_out(client, resident):
    public_appeal(resident, title="Яма біля школи")
    response = client.get(URL, {"date_from": "2026-13-45"})
    html = titles(response)
    assert response.context["form"].errors["date_from"]
    assert "Яма біля школи" in html  # the bad filter is left out, not applied
    assert 'role="alert"' in html


def test_status_not_public_cannot_be_chosen_to_reveal_appeals(client, resident):
    public_appeal(resident, accept=False, title="Чекає модерації")
    html = titles(client.get(URL, {"status": "moderation"}))
    assert "Чекає модерації" not in html


def test_photo_count_counts_public_photos_only(client, resident):
    appeal = public_appeal(resident)
    AppealPhoto.objects.create(appeal=appeal, image="appeals/test/a.jpg")
    AppealPhoto.objects.create(appeal=appeal, image="appeals/test/b.jpg")
    AppealPhoto.objects.create(appeal=appeal, image="appeals/test/c.jpg", is_public=False)
    response = client.get(URL)
    assert response.context["page"].object_list[0].photo_count == 2


def test_empty_list_says_so_and_offers_to_clear_filters(client, resident):
    public_appeal(resident, title="Яма біля школи")
    html = titles(client.get(URL, {"q": "велосипедна доріжка"}))
    assert 'class="appeal-row"' not in html
    assert "empty-state" in html
    assert f'href="{URL}"' in html


def test_plain_get_renders_the_whole_page_with_the_filter_form(client, resident):
    public_appeal(resident)
    response = client.get(URL, {"kind": "problem"})
    html = titles(response)
    assert "<html" in html
    assert 'hx-get="/requests/"' in html
    assert 'id="appeal-results"' in html
    assert 'name="category"' in html


def test_htmx_request_gets_only_the_rows(client, resident):
    public_appeal(resident, title="Яма біля школи")
    response = client.get(URL, {"kind": "problem"}, headers={"HX-Request": "true"})
    html = titles(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="appeal-results"')
    assert "Яма біля школи" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, resident):
    public_appeal(resident)
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in titles(response)


def test_map_link_keeps_the_filters(client, resident):
    public_appeal(resident)
    html = titles(client.get(URL, {"kind": "problem", "page": "1"}))
    assert f'href="{reverse("appeals:map")}?kind=problem"' in html


# On PostgreSQL a search sets its similarity threshold first: one query, and in
# a test's transaction a savepoint around it (two more); and its count asks the
# planner's estimate before counting (one more: mycity.lib.pagination).
SEARCH_SETUP = 4 if connection.vendor == "postgresql" else 0


def test_query_count_does_not_grow_with_rows(client, resident, django_assert_max_num_queries):
    many_public_appeals(resident, 40)
    # count, the page's rows (categories, districts, photo counts joined in),
    # and the options of the category and district filters.
    with django_assert_max_num_queries(4) as few:
        client.get(URL)  # 20 rows of 4 categories and 4 districts, 2 photos each
    with django_assert_max_num_queries(4 + SEARCH_SETUP):
        client.get(URL, {"page": 2, "q": "ліхтар", "category": "x", "overdue": "on"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, headers={"HX-Request": "true"})
