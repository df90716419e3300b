"""mycity.lib.departments: who works in a department (members and head)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from mycity.lib.departments import department_staff_ids, departments_of, works_in
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return DepartmentFactory()


def test_staff_are_the_active_members_and_the_head_sorted(department):
    members = UserFactory.create_batch(3, is_staff=True)
    gone = UserFactory(is_staff=True, is_active=False)
    head = UserFactory(is_staff=True)
    department.members.add(*members, gone)
    department.head = head
    department.save()

    assert department_staff_ids(department) == sorted([m.pk for m in members] + [head.pk])


def test_a_head_who_is_also_a_member_counts_once(department):
    head = UserFactory(is_staff=True)
    department.members.add(head)
    department.head = head
    department.save()

    assert department_staff_ids(department) == [head.pk]


def test_without_the_head_even_when_a_member(department):
    member, head = UserFactory(is_staff=True), UserFactory(is_staff=True)
    department.members.add(member, head)
    department.head = head
    department.save()

    assert department_staff_ids(department, head=False) == [member.pk]


def test_a_department_with_nobody_has_no_staff(department):
    assert department_staff_ids(department) == []
    assert department_staff_ids(department, head=False) == []


def test_departments_of_a_member_and_of_a_head_each_once(department):
    other, elsewhere = DepartmentFactory(), DepartmentFactory()
    person = UserFactory(is_staff=True)
    department.members.add(person, *UserFactory.create_batch(3))
    department.head = person  # head and member: still listed once
    department.save()
    other.head = person
    other.save()
    elsewhere.members.add(UserFactory())

    assert sorted(departments_of(person).values_list("pk", flat=True)) == sorted(
        [department.pk, other.pk]
    )


def test_works_in_only_their_own_departments(department):
    elsewhere = DepartmentFactory()
    member, head, stranger = UserFactory(), UserFactory(), UserFactory()
    department.members.add(member)
    department.head = head
    department.save()

    assert works_in(member, department.pk)
    assert works_in(head, department.pk)
    assert not works_in(stranger, department.pk)
    assert not works_in(member, elsewhere.pk)


def test_nobody_signed_in_works_nowhere(department):
    assert list(departments_of(AnonymousUser())) == []
    assert list(departments_of(None)) == []
    assert not works_in(AnonymousUser(), department.pk)
