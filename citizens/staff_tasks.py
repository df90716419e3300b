"""What the admin's front page shows staff before the list of models.

The admin's index lists the models a person may view, alphabetically; a
clerk starts the day from their work instead. Each app declares it on its
AppConfig, the way it declares `role_permissions`, and the core draws what
the installed apps declare (an app taken out of INSTALLED_APPS takes its
part with it; the front page still works):

- `staff_tasks`: pages of their own that are not a list of records, e.g.
  "register an oral or paper appeal" (a service centre's officer registers
  appeals but does not browse them):

      staff_tasks = [StaffTask(_("Register an appeal"), "admin:appeals_appeal_register",
                               "appeals.register_appeal")]

- `staff_overview`: the dotted path of a function `(user) -> list[StaffCount]`
  that counts the person's work (a queue, what is overdue) in a few queries,
  each count linking to the list it counts:

      staff_overview = "appeals.admin_home.staff_overview"
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class StaffTask:
    label: str
    url_name: str
    permission: str
    help: str = ""


@dataclass(frozen=True)
class StaffCount:
    """One line of the front page's overview: a count (None: a link alone) and its list."""

    label: str
    url: str
    count: int | None = None
    help: str = ""
    # Drawn as a warning when there is something to act on (e.g. overdue appeals).
    urgent: bool = False
    # A sentence drawn as a warning box above the overview, linking to `url`,
    # instead of a line of it: for what must be acted on now (the priority
    # lane of notifications falling behind).
    alert: str = ""


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


def staff_overview_for(user) -> list[StaffCount]:
    """The counts of `user`'s work the installed apps declare, in the order of INSTALLED_APPS.

    Nothing for a person without staff powers (no staff flag, or a session
    that has not passed two-factor authentication).
    """
    from .access import has_staff_powers

    if not has_staff_powers(user):
        return []
    lines = []
    for config in apps.get_app_configs():
        path = getattr(config, "staff_overview", None)
        if path:
            lines.extend(import_string(path)(user))
    return lines
