from django import template

from ..staff_tasks import staff_tasks_for

register = template.Library()


@register.simple_tag
def staff_tasks(user):
    """`{% staff_tasks request.user as tasks %}`: see citizens.staff_tasks."""
    return staff_tasks_for(user)
