"""SearchEntry, and the database's own full-text index of its jieba tokens (see models.py):
an FTS5 table with triggers on SQLite, a generated tsvector column with a GIN index on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_searchentry_fts USING fts5(
        title_tokens, body_tokens, content='search_searchentry', content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER search_searchentry_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER search_searchentry_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER search_searchentry_fts_update AFTER UPDATE ON search_searchentry BEGIN
        INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO search_searchentry_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_searchentry_fts_update",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_insert",
    "DROP TABLE IF EXISTS search_searchentry_fts",
]
POSTGRESQL_FORWARD = [
    """ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title_tokens, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'B')) STORED""",
    "CREATE INDEX search_searchentry_vector_gin ON search_searchentry USING gin (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_searchentry_vector_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=255, verbose_name="title")),
                ("title_en", models.CharField(blank=True, max_length=255, verbose_name="title (English)")),
                ("text", models.TextField(blank=True, help_text="Plain text of the page, for result snippets.",
                                          verbose_name="text")),
                ("title_tokens", models.TextField(blank=True, verbose_name="title tokens")),
                ("body_tokens", models.TextField(blank=True, verbose_name="body tokens")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="publish time")),
                ("indexed_at", models.DateTimeField(auto_now=True, verbose_name="indexed at")),
                ("page", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="search_entry", to="wagtailcore.page",
                                              verbose_name="page")),
            ],
            options={"verbose_name": "search entry", "verbose_name_plural": "search entries"},
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
