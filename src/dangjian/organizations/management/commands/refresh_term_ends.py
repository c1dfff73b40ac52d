"""`dangjian refresh_term_ends`: compute the stored end of every party organization's term again."""

from django.core.management.base import BaseCommand

from dangjian.organizations.models import PartyOrganization


class Command(BaseCommand):
    help = ("Compute again the stored end of every party organization's current term (used by the 换届 warnings). "
            "Run it after changing the default term lengths (DANGJIAN_RULES term_years); saving a party "
            "organization keeps its own end up to date.")

    def handle(self, *args, **options):
        changed = PartyOrganization.refresh_term_ends()
        self.stdout.write(f"{changed} party organizations have a new term end.")
