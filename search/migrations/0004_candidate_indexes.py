"""Add the PostgreSQL indexes that keep ranking a bounded candidate set fast.

Broad queries match tens of thousands of documents, so search ranks a
bounded set of candidates (``search.backends.MAX_CANDIDATES``). A title
index lets the papers whose title matches join that set first, and a
covering index on summaries lets the visibility check of each candidate
summary read the index alone. SQLite needs neither: FTS5 ranks every match
and keeps the best.
"""

from django.db import migrations

CREATE = [
    """
    ALTER TABLE search_paperdocument ADD COLUMN title_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('english'::regconfig, title)) STORED
    """,
    """
    CREATE INDEX search_paperdocument_title_vector
    ON search_paperdocument USING gin (title_vector)
    """,
    """
    CREATE INDEX search_summary_visibility
    ON summaries_summary (id) INCLUDE (private, author_id)
    """,
]
DROP = [
    "DROP INDEX search_summary_visibility",
    "ALTER TABLE search_paperdocument DROP COLUMN title_vector",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_index_existing_rows"),
        ("summaries", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
