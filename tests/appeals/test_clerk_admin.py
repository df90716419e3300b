"""Clerks at work in the admin (issue 19, points 12–15).

The lists fit a 1366 px laptop (a few short columns, long texts cut with the
whole text in a tooltip); the front page counts the person's work first;
category answers and the records of the case page read as words in the
reader's language; the demo has a clerk and answer templates in every
department its categories route to.
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from appeals.admin.labels import audit_changes
from appeals.admin_home import staff_overview
from appeals.models import AnswerTemplate, Appeal, Category, CategoryQuestion
from appeals.services import staff
from appeals.workflow import Status
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:appeals_appeal_changelist")
QUEUE = reverse("admin:appeals_moderationqueue_changelist")
LONG_TITLE = "Яма на проїжджій частині вулиці Perekopska біля зупинки громадського транспорту №5"


def speaking(user, language: str):
    """Signed-in people read their preferred language."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def change_url(appeal):
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


def headers(html: str) -> list[str]:
    """The texts of the list's column headings."""
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)
    texts = [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in cells]
    return [text for text in texts if text]  # the checkbox column has no words


@pytest.fixture
def pothole(department):
    category = CategoryFactory(department=department, name_uk="Яма на дорозі", name_en="Pothole")
    size = CategoryQuestion.objects.create(
        category=category,
        code="size",
        label_uk="Приблизний розмір ями",
        label_en="Approximate size of the pothole",
        type=CategoryQuestion.Type.SINGLE,
    )
    for order, (key, uk, en) in enumerate(
        [("menshe-30-sm", "Менше 30 см", "Under 30 cm"), ("30-100-sm", "30–100 см", "30–100 cm")]
    ):
        size.choices.create(key=key, label_uk=uk, label_en=en, ordering=order)
    CategoryQuestion.objects.create(
        category=category,
        code="lit",
        label_uk="Місце освітлене вночі",
        label_en="Lit at night",
        type=CategoryQuestion.Type.YES_NO,
    )
    return category


# --- 12. lists that fit a laptop ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("uk", ["№", "Назва", "Категорія", "Статус", "Строк відповіді", "Виконавець"]),
        ("en", ["№", "Title", "Category", "Status", "Answer due", "Assigned to"]),
    ],
)
def test_the_changelist_shows_the_six_columns_a_clerk_needs(
    client_for, moderator, resident, pothole, language, expected
):
    submit_appeal(resident, pothole)

    html = client_for(speaking(moderator, language)).get(CHANGELIST).content.decode()

    assert headers(html) == expected


def test_a_long_title_is_cut_with_the_whole_title_in_its_tooltip(
    client_for, moderator, resident, pothole
):
    appeal = submit_appeal(resident, pothole, title=LONG_TITLE)

    html = client_for(moderator).get(CHANGELIST).content.decode()

    assert f'title="{LONG_TITLE}"' in html
    assert f">{LONG_TITLE}<" not in html
    assert appeal.reference in html


def test_the_answer_date_is_short_and_overdue_is_marked(client_for, moderator, resident, pothole):
    appeal = staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    Appeal.objects.filter(pk=appeal.pk).update(deadline=dt.date(2026, 3, 5))

    html = client_for(speaking(moderator, "uk")).get(CHANGELIST).content.decode()

    assert '<span class="appeal-overdue">05.03.2026 (прострочено)</span>' in html


def test_the_lists_leave_out_the_app_sidebar_to_keep_their_width(client_for, moderator):
    client = client_for(moderator)

    for url in (CHANGELIST, QUEUE):
        assert 'id="nav-sidebar"' not in client.get(url).content.decode()
    assert (
        'id="nav-sidebar"'
        in client.get(reverse("admin:appeals_answertemplate_changelist")).content.decode()
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "uk",
            [
                "№",
                "Фото",
                "Назва",
                "Категорія",
                "Ймовірний дублікат",
                "Тип",
                "Район",
                "Очікує",
                "Строк відповіді",
            ],
        ),
        (
            "en",
            [
                "№",
                "Photos",
                "Title",
                "Category",
                "Likely duplicate",
                "Kind",
                "District",
                "Waiting",
                "Answer due",
            ],
        ),
    ],
)
def test_the_queue_shows_what_a_moderator_decides_by(
    client_for, moderator, resident, pothole, language, expected
):
    appeal = submit_appeal(resident, pothole, title=LONG_TITLE)

    html = client_for(speaking(moderator, language)).get(QUEUE).content.decode()

    assert headers(html) == expected
    assert f'title="{LONG_TITLE}"' in html
    assert f'href="{change_url(appeal)}"' in html


# --- 13. the front page: the person's work first ---------------------------------------


def overview(response) -> dict[str, tuple[int | None, str]]:
    return {str(line.label): (line.count, line.url) for line in response.context["overview"]}


def test_a_moderator_sees_the_queue_and_the_overdue_count_first(
    client_for, django_assert_max_num_queries, moderator, resident, pothole
):
    for _n in range(3):
        submit_appeal(resident, pothole)
    late = staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    Appeal.objects.filter(pk=late.pk).update(deadline=dt.date(2026, 1, 5))
    client = client_for(speaking(moderator, "en"))

    with django_assert_max_num_queries(9):
        response = client.get("/admin/")

    lines = overview(response)
    assert lines["Awaiting moderation"] == (3, QUEUE)
    assert lines["Overdue"] == (1, f"{CHANGELIST}?overdue=yes")
    assert lines["Department dashboard"][1] == reverse("admin:appeals_appeal_dashboard")
    html = response.content.decode()
    assert html.index('id="staff-overview"') < html.index('class="app-appeals')
    assert f'<a href="{QUEUE}" aria-label="Awaiting moderation: 3">3</a>' in html


def test_the_counts_take_no_more_queries_with_more_appeals(
    client_for, django_assert_max_num_queries, moderator, resident, pothole
):
    for _n in range(30):
        staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    client = client_for(moderator)

    with django_assert_max_num_queries(9):
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["moderator", "department_staff"])
def test_all_the_counts_are_one_query(request, django_assert_num_queries, resident, pothole, role):
    for _n in range(5):
        submit_appeal(resident, pothole)
    user = request.getfixturevalue(role)
    user.has_perm("appeals.view_appeal")  # the permissions are read once per request anyway

    with django_assert_num_queries(1):
        lines = staff_overview(user)

    assert lines


def test_department_staff_see_their_own_work_and_no_queue(
    client_for, moderator, resident, department_staff, other_department
):
    ours = CategoryFactory(department=other_department)
    mine = staff.appeal_accept(appeal=submit_appeal(resident, ours), moderator=moderator)
    staff.appeal_assign(appeal=mine, assignee=department_staff, actor=department_staff)
    late = staff.appeal_accept(appeal=submit_appeal(resident, ours), moderator=moderator)
    Appeal.objects.filter(pk=late.pk).update(deadline=dt.date(2026, 1, 5))
    theirs = staff.appeal_accept(
        appeal=submit_appeal(resident, CategoryFactory()), moderator=moderator
    )
    Appeal.objects.filter(pk=theirs.pk).update(deadline=dt.date(2026, 1, 5))
    client = client_for(speaking(department_staff, "en"))

    lines = overview(client.get("/admin/"))

    assert "Awaiting moderation" not in lines
    assert lines["Overdue"][0] == 1  # their department's, not the other's
    count, url = lines["Assigned to me"]
    assert count == 1
    listed = client.get(url)
    assert listed.status_code == 200
    assert [a.pk for a in listed.context["cl"].result_list] == [mine.pk]


def test_the_overdue_link_lists_the_overdue_appeals(client_for, moderator, resident, pothole):
    late = staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    Appeal.objects.filter(pk=late.pk).update(deadline=dt.date(2026, 1, 5))
    client = client_for(speaking(moderator, "en"))

    url = overview(client.get("/admin/"))["Overdue"][1]

    assert [a.pk for a in client.get(url).context["cl"].result_list] == [late.pk]


def test_staff_outside_appeals_see_no_appeals_counts(client_for, city_admin):
    city_admin.groups.clear()

    response = client_for(city_admin).get("/admin/")

    assert response.status_code == 200
    assert 'id="staff-overview"' not in response.content.decode()


# --- 14. words, not codes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("uk", ["Приблизний розмір ями: 30–100 см", "Місце освітлене вночі: так"]),
        ("en", ["Approximate size of the pothole: 30–100 cm", "Lit at night: yes"]),
    ],
)
def test_category_answers_read_as_label_and_value(
    client_for, moderator, resident, pothole, language, expected
):
    appeal = submit_appeal(resident, pothole, extra_answers={"size": "30-100-sm", "lit": True})

    html = client_for(speaking(moderator, language)).get(change_url(appeal)).content.decode()

    for line in expected:
        assert f'<div class="appeal-answer">{line}</div>' in html
    assert "30-100-sm" not in html  # the choice's key is for programs: people read its label
    assert "{&quot;size&quot;" not in html
    assert '{"size"' not in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "uk",
            ["прийнято й передано до підрозділу", "статус", "Очікує модерації → Прийнято", "коли"],
        ),
        ("en", ["accepted and routed", "status", "Awaiting moderation → Accepted", "when"]),
    ],
)
def test_the_case_records_are_in_words_of_the_readers_language(
    client_for, moderator, resident, pothole, language, words
):
    appeal = staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    staff.appeal_note(appeal=appeal, author=moderator, text="Перевірити на місці")

    html = client_for(speaking(moderator, language)).get(change_url(appeal)).content.decode()

    for word in words:
        assert word.lower() in html.lower(), word
    assert "appeals.accept" not in html
    assert f"{appeal.pk}: submit" not in html
    assert f"{appeal.pk}: accept" not in html
    assert "created at" not in html.lower()


def test_an_answer_in_the_audit_log_reads_as_words(moderator, resident, pothole, department):
    department.members.add(moderator)  # answers as the department's staff
    appeal = staff.appeal_accept(appeal=submit_appeal(resident, pothole), moderator=moderator)
    staff.appeal_answer(
        appeal=appeal,
        staff=moderator,
        text="Відремонтовано.",
        attachments=[],
        attachments_public=False,
    )
    entry = appeal.audit.get(action="appeals.answer")

    with translation.override("en"):
        html = str(audit_changes(entry))
        assert str(entry) == "answered"

    assert "<strong>official answer</strong>: sent" in html
    assert "<strong>status</strong>: Accepted → Answered" in html
    assert "answer files" not in html  # none before, none after: nothing to say


# --- 15. the demo works end to end without re-routing ------------------------------------


def test_every_routed_department_of_the_demo_has_a_clerk_and_answer_templates():
    call_command("seed_demo", stdout=StringIO())

    for category in Category.objects.select_related("department"):
        department = category.department
        clerks = [
            person
            for person in [*department.members.all(), department.head]
            if person is not None
            and person.is_active
            and person.is_staff
            and person.has_perm("appeals.change_appeal")
            and person.authenticator_set.exists()
        ]
        assert clerks, f"{category.slug}: nobody in {department.slug} can answer"
        assert AnswerTemplate.objects.filter(department=department, is_active=True).exists(), (
            f"{department.slug} has no answer template"
        )


def test_a_demo_clerk_can_answer_from_a_template_without_re_routing(client_for):
    call_command("seed_demo", stdout=StringIO())
    from citizens.models import User

    moderator = User.objects.get(email="moderator@demo.mycity.test")
    clerk = User.objects.get(email="roads.staff@demo.mycity.test")
    waiting = Appeal.objects.filter(status=Status.MODERATION, department__slug="roads").first()
    assert waiting is not None
    appeal = staff.appeal_accept(appeal=waiting, moderator=moderator)
    template = AnswerTemplate.objects.filter(department=appeal.department).first()
    client = client_for(clerk)

    page = client.get(
        reverse("admin:appeals_appeal_action", args=[appeal.pk, "answer"]),
        {"template": template.pk},
    )

    assert page.status_code == 200
    assert page.context["form"]["text"].value() == template.text
