"""Reads that may come from the read replica (DATABASE_REPLICA_URL), when there is one.

Only reads that can be a few seconds old belong there: public lists, public
statistics, exports and open data. Never a page that shows what the person
has just written (their appeal after filing, their cabinet, a form being
edited), and never a read that decides a write (a check before an update):
those stay on "default", which is what every queryset uses unless it is
passed through `replica()`.

Without DATABASE_REPLICA_URL both helpers change nothing, so the code reads
the same on a single machine.
"""

from typing import TypeVar

from django.conf import settings
from django.db.models import QuerySet

from mycity.db_router import DEFAULT, REPLICA

Q = TypeVar("Q", bound=QuerySet)


def read_alias() -> str:
    """The alias for reads that may lag: "replica" when one is configured, else "default"."""
    return REPLICA if REPLICA in settings.DATABASES else DEFAULT


def replica(queryset: Q) -> Q:
    """`queryset` read from the replica when one is configured; otherwise unchanged."""
    alias = read_alias()
    return queryset if alias == DEFAULT else queryset.using(alias)
