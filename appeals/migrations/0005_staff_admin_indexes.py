"""Indexes for the staff admin at a million appeals (docs/benchmarks.md).

Model indexes: the moderation queue and status filters in list order, deep
changelist pages, overdue and the dashboard over open appeals only (partial
indexes), the dashboard's window of answers.

On PostgreSQL only, two expression indexes for the changelist search, which
Django writes as UPPER(column::text) LIKE UPPER(...): a text_pattern_ops
btree for reference prefixes (`^reference`, istartswith) and a pg_trgm GIN
index for words in titles (`title`, icontains); without them every search
read the whole table. SQLite has neither and searches by scanning, as before.
"""

from django.conf import settings
from django.db import migrations, models

REFERENCE_INDEX = "appeals_reference_upper_prefix"
TITLE_INDEX = "appeals_title_upper_trgm"


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {REFERENCE_INDEX} ON appeals_appeal "
        "(UPPER(reference::text) text_pattern_ops)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TITLE_INDEX} ON appeals_appeal "
        "USING gin (UPPER(title::text) gin_trgm_ops)"
    )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {REFERENCE_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0004_moderation_queue_proxy"),
        ("mycity", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["status", "registered_at", "id"], name="appeals_status_registered"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["registered_at", "id", "department"], name="appeals_list_order"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("status__in", ["accepted", "in_progress", "moderation"])),
                fields=["-registered_at", "deadline"],
                name="appeals_open_recent",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("status__in", ["accepted", "in_progress", "moderation"])),
                fields=["department", "deadline"],
                name="appeals_open_by_department",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                fields=["answered_at", "department", "registered_at", "deadline"],
                name="appeals_answered_window",
            ),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
