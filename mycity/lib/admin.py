"""Admin pages for rows that only the services write.

Appeals, their timeline and audit, Open311 submissions, access changes,
notifications, survey responses: staff read them in the admin, and every
change goes through a service function (an action panel, an admin action),
never through the form. Who may *view* stays each admin's decision.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes rows through this ModelAdmin or inline.

    Put it first among the bases: `class X(ReadOnlyAdminMixin, admin.ModelAdmin)`.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Columns for lists whose model names its fields in code words ("user", "id"):
# the heading in the reader's language without a migration of each model.


@admin.display(description=_("person"), ordering="user")
def person_column(obj):
    return obj.user


@admin.display(description=_("№"), ordering="pk")
def number_column(obj):
    return obj.pk
