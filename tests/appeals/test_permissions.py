"""Who may open an appeal page: the role table of issue 4.

A private appeal, a sensitive one and any appeal not yet accepted are visible
only to the author, moderators and staff of the department it is routed to;
everyone else gets 404, never 403.
"""

import pytest

from appeals.models import Appeal
from appeals.workflow import Status
from tests.appeals.following_helpers import accept, staff_of
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "author",
    "other_resident",
    "moderator",
    "routed_staff",
    "department_staff",  # staff of another department
]

CASES = ["public_accepted", "private_accepted", "public_in_moderation", "sensitive"]
# role -> status code for each of CASES, in order.
EXPECTED = {
    "anonymous": (200, 404, 404, 404),
    "author": (200, 200, 200, 200),
    "other_resident": (200, 404, 404, 404),
    "moderator": (200, 200, 200, 200),
    "routed_staff": (200, 200, 200, 200),
    "department_staff": (200, 404, 404, 404),
}


@pytest.fixture
def author(resident):
    return resident


@pytest.fixture
def routed_staff(department):
    return staff_of(department, email="roads-staff@example.com")


@pytest.fixture
def appeals(author, moderator, department):
    category = CategoryFactory(department=department)
    sensitive = CategoryFactory(department=department, sensitive=True)
    return {
        "public_accepted": accept(submit_appeal(author, category), moderator),
        "private_accepted": accept(submit_appeal(author, category, is_public=False), moderator),
        "public_in_moderation": submit_appeal(author, category),
        "sensitive": accept(submit_appeal(author, sensitive), moderator),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES)
def test_appeal_page_is_shown_or_hidden_by_the_role_table(request, client_for, appeals, role, case):
    user = request.getfixturevalue(role)
    appeal = appeals[case]

    response = client_for(user).get(appeal.get_absolute_url())

    assert response.status_code == EXPECTED[role][CASES.index(case)]


@pytest.mark.parametrize(
    "status", [Status.RETURNED, Status.REJECTED, Status.MERGED, Status.MODERATION]
)
def test_appeal_not_accepted_is_404_for_other_residents(
    client_for, resident, other_resident, status
):
    appeal = submit_appeal(resident)
    Appeal.objects.filter(pk=appeal.pk).update(status=status)

    assert client_for(other_resident).get(appeal.get_absolute_url()).status_code == 404
    assert client_for(resident).get(appeal.get_absolute_url()).status_code == 200


def test_head_of_routed_department_sees_a_private_appeal(client_for, resident, moderator):
    from tests.conftest import _staff

    head = _staff("department_head", email="head@example.com")
    category = CategoryFactory()
    category.department.head = head
    category.department.save()
    appeal = accept(submit_appeal(resident, category, is_public=False), moderator)

    assert client_for(head).get(appeal.get_absolute_url()).status_code == 200


def test_category_made_sensitive_after_filing_hides_a_public_appeal(
    client_for, resident, other_resident, moderator
):
    category = CategoryFactory()
    appeal = accept(submit_appeal(resident, category), moderator)
    category.sensitive = True
    category.save()

    assert appeal.is_public
    assert client_for(other_resident).get(appeal.get_absolute_url()).status_code == 404
    assert client_for(None).get(appeal.get_absolute_url()).status_code == 404


def test_unknown_reference_is_404(client_for, resident):
    assert client_for(resident).get("/requests/KH-2026-999999/").status_code == 404


@pytest.mark.parametrize("role", ["other_resident", "department_staff"])
@pytest.mark.parametrize("action", ["follow", "info", "rate", "reopen"])
def test_actions_on_a_private_appeal_are_404_for_outsiders(
    request, client_for, resident, moderator, role, action
):
    appeal = accept(submit_appeal(resident, is_public=False), moderator)
    client = client_for(request.getfixturevalue(role))

    response = client.post(f"{appeal.get_absolute_url()}{action}/", {"text": "x", "score": 5})

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["follow", "info", "rate", "reopen"])
def test_actions_send_an_anonymous_visitor_to_sign_in(client_for, resident, moderator, action):
    appeal = accept(submit_appeal(resident), moderator)

    response = client_for(None).post(f"{appeal.get_absolute_url()}{action}/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("action", ["follow", "info", "rate", "reopen"])
def test_actions_refuse_get(client_for, resident, moderator, action):
    appeal = accept(submit_appeal(resident), moderator)

    response = client_for(resident).get(f"{appeal.get_absolute_url()}{action}/")

    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_my_requests_needs_sign_in(request, client_for, role, appeals):
    user = request.getfixturevalue(role)

    response = client_for(user).get("/me/requests/")

    assert response.status_code == (302 if user is None else 200)
