from django import template

from ..staff_tasks import staff_overview_for, staff_tasks_for

register = template.Library()


@register.simple_tag
def staff_tasks(user):
    """`{% staff_tasks request.user as tasks %}`: see citizens.staff_tasks."""
    return staff_tasks_for(user)


@register.simple_tag
def staff_overview(user):
    """`{% staff_overview request.user as overview %}`: see citizens.staff_tasks."""
    return staff_overview_for(user)
