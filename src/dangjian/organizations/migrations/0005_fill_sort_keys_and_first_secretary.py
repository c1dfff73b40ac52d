"""Values derived on save, filled for the records already registered:

- the sort keys (core.sorting, pinyin) of organs, party organizations and people. New and changed records get
  theirs on save and bulk_create (core.fields.SortKeyField.pre_save); existing rows get them here, a thousand
  per UPDATE ... FROM (VALUES ...), which SQLite (3.33+) and PostgreSQL both run: a province's 200,000 people
  take seconds, where one UPDATE per row would take minutes;
- each person's first secretary post (Person.first_secretary_on): one UPDATE with a correlated subquery, as
  Person.refresh_first_secretary_on does.

Organs keep an empty place in the official list (sort_order) until the working committee sets it: they are
listed by the pinyin of their names meanwhile.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 1000


def fill_sort_keys(apps, schema_editor):
    connection = schema_editor.connection
    for model_name in ("Organ", "PartyOrganization", "Person"):
        model = apps.get_model("organizations", model_name)
        field = model._meta.get_field("name_sort")
        table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(field.column)
        rows = [(pk, field.key_for(value)) for pk, value in model._base_manager.values_list("pk", field.source)]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                batch = rows[start:start + BATCH]
                values = ", ".join(["(%s, %s)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} SET {column} = keys.column2 FROM (VALUES {values}) AS keys "
                    f"WHERE {table}.id = keys.column1",
                    [item for row in batch for item in row],
                )


def fill_first_secretary_on(apps, schema_editor):
    Person = apps.get_model("organizations", "Person")
    Post = apps.get_model("organizations", "Post")
    first = (
        Post._base_manager.filter(person=OuterRef("pk"), role="secretary")
        .exclude(party_organization__org_type="temporary_branch")
        .order_by("started_on").values("started_on")[:1]
    )
    Person._base_manager.update(first_secretary_on=Subquery(first))


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0004_sort_keys_official_order_first_secretary"),
    ]

    operations = [
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.RunPython(fill_first_secretary_on, migrations.RunPython.noop),
    ]
