"""What the permission matrices compare before and after a request: the rows of the database.

A matrix asserts outcomes, not only status codes: a request that may change something must have changed it
(read again from the database), and a refused one — 401, 403, 404, or a redirect with an error message —
must leave every row of the platform's tables as it was.
"""

from django.apps import apps

# The platform's own apps, and the Wagtail tables that drafts and reviews write to.
STATE_APPS = ("core", "accounts", "organizations", "training", "portal", "search", "jobs")
STATE_MODELS = ("wagtailcore.Page", "wagtailcore.Revision", "wagtailcore.WorkflowState", "wagtaildocs.Document")


def _models():
    for label in STATE_APPS:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)
    for label in STATE_MODELS:
        yield apps.get_model(label)


def db_state() -> dict[str, list[tuple]]:
    """Every row of those tables (every concrete column, many-to-many tables included), in primary-key order."""
    state = {}
    for model in _models():
        columns = [field.attname for field in model._meta.concrete_fields]
        state[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return state


def state_diff(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ, with their row counts before and after (for a readable failure)."""
    return {label: (len(before[label]), len(after[label])) for label in before if before[label] != after[label]}
