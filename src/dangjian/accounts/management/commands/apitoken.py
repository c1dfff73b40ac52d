from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is stored only as a digest)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user named {username!r}.") from error
        self.stdout.write(ApiToken.issue(user=user, name=name))
