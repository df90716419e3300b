"""A proposal's support: the web page's box and the API decide alike.

For every status, public or not, sensitive or not, and with the collection
period running, ended or never set, the page shows the Support button
exactly when the policy (appeals.policies.support_state) says supports are
collected, the API's `support` object equals the policy, and a support is
accepted on both surfaces exactly then.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, ProposalSupport
from appeals.policies import support_state
from appeals.workflow import Status
from tests.appeals.public_factories import public_appeal
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db
V1 = "/api/v1"

SHAPES = {
    # name: (is_public, sensitive category, days until the collection ends; None: no period)
    "public, collecting": (True, False, 5),
    "public, last day": (True, False, 0),
    "public, ended": (True, False, -1),
    "public, no period": (True, False, None),
    "private, collecting": (False, False, 5),
    "sensitive, collecting": (True, True, 5),
}


@pytest.fixture
def make(resident):
    def build(status, shape):
        is_public, sensitive, days = SHAPES[shape]
        category = CategoryFactory(sensitive=sensitive)
        proposal = public_appeal(resident, category=category, kind="proposal", title="Сквер")
        until = None if days is None else timezone.localdate() + dt.timedelta(days=days)
        Appeal.objects.filter(pk=proposal.pk).update(
            status=status, is_public=is_public, support_until=until
        )
        return Appeal.objects.select_related("category").get(pk=proposal.pk)

    return build


def support_button(html: str, appeal) -> bool:
    return f'id="support-button-{appeal.reference}"' in html


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("status", Status.values)
def test_the_box_the_api_and_the_policy_agree(
    client_for, api_for, other_resident, make, status, shape
):
    appeal = make(status, shape)
    state = support_state(appeal)
    page = client_for(other_resident).get(appeal.get_absolute_url())
    detail = api_for(other_resident).get(f"{V1}/appeals/{appeal.reference}/")

    assert page.status_code == detail.status_code
    if page.status_code == 404:
        return
    assert support_button(page.content.decode(), appeal) == state.collecting
    expected = None
    if state.supportable:
        expected = {
            "count": 0,
            "threshold": state.threshold,
            "until": state.support_until.isoformat() if state.support_until else None,
            "reached": False,
            "open": state.collecting,
        }
    assert detail.json()["support"] == expected


@pytest.mark.parametrize("surface", ["web", "api"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("status", Status.values)
def test_a_support_is_accepted_exactly_when_the_box_is_open(
    client_for, api_for, other_resident, make, status, shape, surface
):
    appeal = make(status, shape)
    collecting = support_state(appeal).collecting
    if surface == "web":
        client_for(other_resident).post(reverse("appeals:support", args=[appeal.reference]))
    else:
        response = api_for(other_resident).post(f"{V1}/appeals/{appeal.reference}/support/")
        assert (response.status_code == 200) == collecting

    assert ProposalSupport.objects.filter(appeal=appeal, user=other_resident).exists() == (
        collecting
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_the_author_is_never_offered_the_button_and_the_api_refuses(
    client_for, api_for, resident, make, shape
):
    appeal = make(Status.ACCEPTED, shape)

    page = client_for(resident).get(appeal.get_absolute_url())
    response = api_for(resident).post(f"{V1}/appeals/{appeal.reference}/support/")

    assert not support_button(page.content.decode(), appeal)
    assert response.status_code != 200
    assert not ProposalSupport.objects.filter(appeal=appeal).exists()
