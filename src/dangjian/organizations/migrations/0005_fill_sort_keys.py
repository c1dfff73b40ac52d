"""Sort keys (core.sorting, pinyin) for the organs, party organizations and people already registered.

New and changed records get theirs on save and bulk_create (core.fields.SortKeyField.pre_save); this fills the
existing rows, a thousand per UPDATE ... FROM (VALUES ...), which SQLite (3.33+) and PostgreSQL both run: a
province's 200,000 people take seconds, where one UPDATE per row would take minutes.
"""

from django.db import migrations

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


class Migration(migrations.Migration):

    dependencies = [
        ("organizations", "0004_sort_keys_and_indexes"),
    ]

    operations = [
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
