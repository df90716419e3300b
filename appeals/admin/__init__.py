"""Admin for categories, the moderation queue and department work on appeals.

Appeals are never edited through a ModelAdmin form: the change page is
read-only and every change goes through the action panel and the bulk
actions, which call appeals.services.staff (see appeals/admin_views.py). Scoping by
department lives in `get_queryset`, which every custom view uses too.

The package splits them by concern: categories, changelist (what the appeal
admins share), appeal (the case list and page), queue (moderation) and
records (answer templates, the audit log). Importing it registers them all.
"""

# The Open311 clients' admin lives with the Open311 code; registered with the rest.
from ..open311 import admin as _open311_admin  # noqa: F401
from .appeal import AppealAdmin  # noqa: F401
from .categories import CategoryAdmin, CategoryGroupAdmin  # noqa: F401
from .changelist import EstimatedCountPaginator, FastChangeListMixin  # noqa: F401
from .queue import ModerationQueueAdmin  # noqa: F401
from .records import AnswerTemplateAdmin, AppealAuditAdmin  # noqa: F401
