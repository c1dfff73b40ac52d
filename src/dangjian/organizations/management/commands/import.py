"""`dangjian import KIND FILE.xlsx [--as USERNAME] [--background]`: import a registry workbook, all rows or none.

By default the import runs in this process and prints its progress. With --background it is queued as a
background job, like an upload on the page, for a worker (`dangjian db_worker`) to run; the job's page
shows its progress and report.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
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
        parser.add_argument("--background", action="store_true",
                            help="Queue the import as a background job for a worker (dangjian db_worker) and return.")

    def handle(self, *args, kind, file, username, background=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        user = acting_user(username)
        if background:
            self._queue(kind, path, user)
            return

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

    def _queue(self, kind: str, path: Path, user) -> None:
        from dangjian.organizations.tasks import registry_import_start

        with from_cli(), path.open("rb") as handle:
            try:
                job = registry_import_start(kind=kind, file=File(handle, name=path.name), by=user, filename=path.name)
            except PermissionDenied as error:
                raise CommandError(_("%(user)s may not import %(kind)s.") % {"user": user.username, "kind": kind}) \
                    from error
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(_("Queued as background job %(id)d (%(status)s): a worker (dangjian db_worker) runs it; "
                            "its page is /jobs/%(id)d/.") % {"id": job.pk, "status": job.get_status_display()})
