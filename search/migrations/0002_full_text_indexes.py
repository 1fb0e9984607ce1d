"""Create each database's full-text structures over the search documents.

PostgreSQL: a stored generated ``vector`` column per table, weighted title
A, authors B, abstract and summary text C, and the paper's venue, key and
identifiers D, with a GIN index. It follows every insert and
update of the row by itself.

SQLite: FTS5 tables that read their text from the document tables
(external content), kept current by triggers on those tables. The porter
stemmer makes ``initialization`` match ``initializations``.
"""

from django.db import migrations

POSTGRES = [
    (
        """
        ALTER TABLE search_paperdocument ADD COLUMN vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, title), 'A')
            || setweight(to_tsvector('english'::regconfig, authors), 'B')
            || setweight(to_tsvector('english'::regconfig, abstract), 'C')
            || setweight(to_tsvector('english'::regconfig, details), 'D')
        ) STORED;
        CREATE INDEX search_paperdocument_vector
            ON search_paperdocument USING gin (vector);
        ALTER TABLE search_summarydocument ADD COLUMN vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english'::regconfig, body), 'C')
        ) STORED;
        CREATE INDEX search_summarydocument_vector
            ON search_summarydocument USING gin (vector);
        """,
        """
        ALTER TABLE search_paperdocument DROP COLUMN vector;
        ALTER TABLE search_summarydocument DROP COLUMN vector;
        """,
    )
]


def _fts5(table: str, fts: str, key: str, columns: list[str]) -> tuple[str, str]:
    """Return the SQL creating and dropping an FTS5 table over ``table``."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{key}, {old});"
    )
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{key}, {new});"
    create = f"""
        CREATE VIRTUAL TABLE {fts} USING fts5(
            {names}, content='{table}', content_rowid='{key}',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END;
        CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END;
        CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END;
        INSERT INTO {fts}({fts}) VALUES ('rebuild');
    """
    drop = f"""
        DROP TRIGGER {table}_ai;
        DROP TRIGGER {table}_ad;
        DROP TRIGGER {table}_au;
        DROP TABLE {fts};
    """
    return create, drop


SQLITE = [
    _fts5(
        "search_paperdocument",
        "search_paper_fts",
        "paper_id",
        ["title", "authors", "abstract", "details"],
    ),
    _fts5("search_summarydocument", "search_summary_fts", "summary_id", ["body"]),
]


def _run(schema_editor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Full-text search does not support {vendor!r}.")
    for pair in statements:
        with schema_editor.connection.cursor() as cursor:
            if vendor == "sqlite":
                # executescript runs the trigger bodies, which hold semicolons.
                cursor.connection.executescript(pair[index])
            else:
                cursor.execute(pair[index])


def create(apps, schema_editor):
    _run(schema_editor, 0)


def drop(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
