"""`dangjian export KIND FILE.xlsx [--reveal] [--as USERNAME]`: export the registry to Excel."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.organizations.management.commands._spreadsheet import acting_user, add_common_arguments, from_cli
from dangjian.organizations.spreadsheets import COUNT_LABELS, registry_export_counted


class Command(BaseCommand):
    help = ("Export organs, party-organizations or people (with posts) visible to the acting user to an .xlsx "
            "workbook laid out like the import template. ID numbers and mobile phones are masked unless --reveal "
            "is given; every export is recorded in the audit trail.")

    def add_arguments(self, parser):
        add_common_arguments(parser)
        parser.add_argument("--reveal", action="store_true",
                            help="Write full ID numbers and mobile phones (needed to import the file again).")

    def handle(self, *args, kind, file, username, reveal, **options):
        user = acting_user(username)
        with from_cli():
            try:
                content, counts = registry_export_counted(kind=kind, by=user, reveal=reveal)
            except PermissionDenied as error:
                raise CommandError(_("%(user)s may not export this.") % {"user": user.username}) from error
        Path(file).write_bytes(content)
        summary = ", ".join(f"{COUNT_LABELS[key]}: {count}" for key, count in counts.items())
        self.stdout.write(self.style.SUCCESS(_("Wrote %(path)s (%(summary)s).") % {"path": file, "summary": summary}))
