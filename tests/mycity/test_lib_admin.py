"""mycity.lib.admin.ReadOnlyAdminMixin: the admin shows the rows and changes none of them."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from citizens.models import AccessChange
from citizens.services import department_set_staff
from mycity.lib.admin import ReadOnlyAdminMixin
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

READ_ONLY = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ReadOnlyAdminMixin)
]


def test_the_read_only_admins_use_the_shared_mixin():
    labels = {model._meta.label for model, _admin in READ_ONLY}
    assert {
        "appeals.Appeal",
        "appeals.AppealAudit",
        "citizens.AccessChange",
        "citizens.Notification",
        "surveys.Response",
    } <= labels


@pytest.mark.parametrize(
    ("model", "model_admin"), READ_ONLY, ids=[m._meta.label for m, _a in READ_ONLY]
)
def test_even_a_superuser_may_not_add_change_or_delete(model, model_admin, superuser):
    # What an admin states below the mixin is its own (e.g. the outbox's
    # "retry" action needs the change permission): only the rest is checked.
    request = RequestFactory().get("/admin/")
    request.user = superuser
    admins = [model_admin, *model_admin.get_inline_instances(request)]
    checked = 0
    for each in admins:
        for name in ("has_add_permission", "has_change_permission", "has_delete_permission"):
            if getattr(type(each), name) is getattr(ReadOnlyAdminMixin, name):
                assert getattr(each, name)(request, None) is False
                checked += 1
    assert checked


@pytest.fixture
def access_change(superuser):
    department_set_staff(
        department=DepartmentFactory(), by=superuser, members=[UserFactory(is_staff=True)]
    )
    return AccessChange.objects.latest("pk")


def test_a_superuser_reads_the_record_without_a_save_button(client_for, superuser, access_change):
    client = client_for(superuser)
    page = client.get(reverse("admin:citizens_accesschange_change", args=[access_change.pk]))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_adding_or_deleting_through_the_admin_is_refused(client_for, superuser, access_change):
    client = client_for(superuser)
    delete = reverse("admin:citizens_accesschange_delete", args=[access_change.pk])

    assert client.get(reverse("admin:citizens_accesschange_add")).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessChange.objects.filter(pk=access_change.pk).exists()
