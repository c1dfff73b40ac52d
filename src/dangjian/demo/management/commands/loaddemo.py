from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.demo.registry import load_registry
from dangjian.demo.users import DEMO_PASSWORD, load_users


class Command(BaseCommand):
    help = "Load the Nanyang demo (idempotent, deterministic): organs, party organizations, people, users."

    @transaction.atomic
    def handle(self, *args, **options):
        counts = load_registry()
        logins = load_users()
        self.stdout.write(
            f"Nanyang demo: {counts['organs']} organs, {counts['party_organizations']} party organizations, "
            f"{counts['people']} people."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, roles in logins:
            self.stdout.write(f"  {username:<12} {roles}")
