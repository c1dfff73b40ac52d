"""`dangjian import KIND FILE.xlsx [--as USERNAME]`: import a registry workbook, all rows or none."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dangjian.organizations.management.commands._spreadsheet import acting_user, add_common_arguments, from_cli
from dangjian.organizations.spreadsheets import registry_import


class Command(BaseCommand):
    help = ("Import organs, party-organizations or people (with posts) from an .xlsx workbook laid out like the "
            "template. Every row is checked first; on any error nothing is imported, every bad row and column is "
            "printed and the command exits with status 1.")

    def add_arguments(self, parser):
        add_common_arguments(parser)

    def handle(self, *args, kind, file, username, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        user = acting_user(username)

        def progress(done: int, total: int) -> None:
            self.stdout.write(_("Checked %(done)d of %(total)d rows") % {"done": done, "total": total})

        with from_cli():
            try:
                result = registry_import(kind=kind, file=path, by=user, progress=progress, filename=path.name)
            except PermissionDenied as error:
                raise CommandError(_("%(user)s may not import %(kind)s.") % {"user": user.username, "kind": kind}) \
                    from error
        if not result.ok:
            for error in result.errors:
                where = " ".join(part for part in (
                    error.sheet,
                    _("row %(row)d") % {"row": error.row} if error.row else "",
                    error.column,
                ) if part)
                self.stderr.write(f"{where}: {error.message}" if where else str(error.message))
            if result.omitted:
                self.stderr.write(_("… and %(count)d more problems, not listed.") % {"count": result.omitted})
            raise CommandError(_("%(count)d problems found; nothing was imported.") % {"count": result.error_count})
        summary = ", ".join(f"{label}: {count}" for label, count in result.summary)
        self.stdout.write(self.style.SUCCESS(_("Imported %(summary)s.") % {"summary": summary}))
