"""The end of each party organization's current term, stored (PartyOrganization.term_ends_on, indexed) so that the
换届 warnings of the start page and the list filter and sort through an index instead of computing every term's
end. New and changed records get it on save and bulk_create (TermEndField.pre_save); the rows already registered
get it here. And a partial index of the secretaries' periods, from which the start page counts the current
secretaries."""

from django.db import migrations, models

import dangjian.organizations.models

BATCH = 1000


def fill_term_ends(apps, schema_editor):
    from dangjian.organizations.models import term_end

    PartyOrganization = apps.get_model("organizations", "PartyOrganization")
    rows = PartyOrganization._base_manager.order_by("pk").values_list("pk", "term_started_on", "term_years",
                                                                      "org_type")
    updates = [PartyOrganization(pk=pk, term_ends_on=term_end(started_on, years, org_type))
               for pk, started_on, years, org_type in rows if started_on]
    PartyOrganization._base_manager.bulk_update(updates, ["term_ends_on"], batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0005_fill_sort_keys_and_first_secretary'),
    ]

    operations = [
        migrations.AddField(
            model_name='partyorganization',
            name='term_ends_on',
            field=dangjian.organizations.models.TermEndField(verbose_name='current term ends on'),
        ),
        migrations.RunPython(fill_term_ends, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='partyorganization',
            index=models.Index(condition=models.Q(('org_type', 'temporary_branch'), _negated=True),
                               fields=['term_ends_on'], name='party_org_term_ends'),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('role', 'secretary')),
                               fields=['started_on', 'ended_on', 'party_organization'], name='post_secretary_periods'),
        ),
    ]
