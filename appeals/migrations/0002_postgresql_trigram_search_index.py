"""pg_trgm and a GIN trigram index on Appeal.search_text, on PostgreSQL only.

The index serves both halves of appeals.search on PostgreSQL: the lemma
match (LIKE '%word%') and the typo-tolerant word similarity (%>). SQLite
has neither, searches by LIKE alone, and this migration does nothing there.
pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database owner may
create it without being a superuser.
"""

from django.db import migrations

INDEX = "appeals_search_text_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON appeals_appeal USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other tables may use it, and it costs nothing idle.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
