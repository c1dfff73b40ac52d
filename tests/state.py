"""What the permission matrices compare before and after a request: the rows of the database.

A matrix asserts outcomes, not only status codes: a request that may change something must have changed it
(read again from the database), and a refused one — 401, 403, 404, or a redirect with an error message —
must leave every row of the platform's tables as it was.

The snapshot runs one plain SELECT per table through a cursor (the statements are built once per process):
the matrices take thousands of snapshots, and the ORM's per-query overhead used to be most of their time.
"""

from functools import cache

from django.apps import apps
from django.db import connection

# The platform's own apps, and the Wagtail tables that drafts and reviews write to.
STATE_APPS = ("core", "accounts", "organizations", "training", "ledger", "enrollment", "outbox", "portal", "search",
              "jobs", "attendance", "completion",
              "evaluation", "certificates", "followup")
STATE_MODELS = ("wagtailcore.Page", "wagtailcore.Revision", "wagtailcore.WorkflowState", "wagtaildocs.Document")


def _models():
    for label in STATE_APPS:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)
    for label in STATE_MODELS:
        yield apps.get_model(label)


@cache
def _statements() -> tuple[tuple[str, str], ...]:
    """(model label, SELECT of every concrete column in primary-key order) for each table; a multi-table
    child (a portal page) has its own table with its own columns, so each table is read once."""
    quote = connection.ops.quote_name
    statements = {}
    for model in _models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = ", ".join(quote(field.column) for field in meta.local_concrete_fields)
        statements[meta.label] = (f"SELECT {columns} FROM {quote(meta.db_table)} "
                                  f"ORDER BY {quote(meta.pk.column)}")
    return tuple(statements.items())


def db_state() -> dict[str, list[tuple]]:
    """Every row of those tables (every concrete column, many-to-many tables included), in primary-key order."""
    state = {}
    with connection.cursor() as cursor:
        for label, sql in _statements():
            cursor.execute(sql)
            state[label] = cursor.fetchall()
    return state


def state_diff(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ, with their row counts before and after (for a readable failure)."""
    return {label: (len(before[label]), len(after[label])) for label in before if before[label] != after[label]}
