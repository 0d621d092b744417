"""The full-text index of `arrival.core.fulltext`, in each engine's own form (docs/search.md).

SQLite: a key table (content type, object id, language) whose `id` is the rowid of an FTS5 table holding
the weighted fields. PostgreSQL: one table with a weighted `tsvector` and a GIN index. Neither is a Django
model: only `arrival.core.fulltext` reads or writes them.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TABLE core_fulltext_key (
        id INTEGER PRIMARY KEY,
        content_type_id INTEGER NOT NULL,
        object_id VARCHAR(64) NOT NULL,
        language VARCHAR(10) NOT NULL,
        UNIQUE (content_type_id, object_id)
    )""",
    """CREATE VIRTUAL TABLE core_fulltext USING fts5(
        title, summary, body, tokenize="porter unicode61 remove_diacritics 2"
    )""",
]
SQLITE_BACKWARD = ["DROP TABLE core_fulltext", "DROP TABLE core_fulltext_key"]

POSTGRESQL_FORWARD = [
    """CREATE TABLE core_fulltext (
        id BIGSERIAL PRIMARY KEY,
        content_type_id INTEGER NOT NULL,
        object_id VARCHAR(64) NOT NULL,
        language VARCHAR(10) NOT NULL,
        document TSVECTOR NOT NULL,
        UNIQUE (content_type_id, object_id)
    )""",
    "CREATE INDEX core_fulltext_document_gin ON core_fulltext USING GIN (document)",
]
POSTGRESQL_BACKWARD = ["DROP TABLE core_fulltext"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"Full-text search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_jobs_schedule_attachments"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
