"""Staff tasks that are not a list of records, on the admin's front page.

The admin's index lists the models a person may view; a task such as
"register an oral or paper appeal" is a page of its own, and a role may hold
it without seeing any list (a service centre's officer registers appeals but
does not browse them). Each app declares its tasks on its AppConfig, the way
it declares `role_permissions`:

    staff_tasks = [StaffTask(_("Register an appeal"), "admin:appeals_appeal_register",
                             "appeals.register_appeal")]
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class StaffTask:
    label: str
    url_name: str
    permission: str
    help: str = ""


def staff_tasks_for(user) -> list[dict]:
    """The tasks `user` may do, as {"label", "url", "help"}, in the order the apps declare them."""
    from .access import has_staff_powers  # AppConfigs import this module before the models

    if not has_staff_powers(user):
        return []
    tasks = []
    for config in apps.get_app_configs():
        for task in getattr(config, "staff_tasks", ()):
            if user.has_perm(task.permission):
                tasks.append(
                    {"label": task.label, "url": reverse(task.url_name), "help": task.help}
                )
    return tasks
