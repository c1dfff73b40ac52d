"""Shared by the `import` and `export` commands: the acting user and the audit origin."""

import contextlib

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.audit import current_origin
from dangjian.organizations.spreadsheets import KINDS


def add_common_arguments(parser) -> None:
    parser.add_argument("kind", choices=sorted(KINDS), help="organs, party-organizations or people")
    parser.add_argument("file", help="Path of the .xlsx workbook.")
    parser.add_argument("--as", dest="username", default="",
                        help="Act as this user (permissions and audit apply). Default: the first active organizer.")


def acting_user(username: str) -> User:
    """The user the command acts as: `--as USERNAME`, or the first active organizer."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named “%(name)s”.") % {"name": username})
        return user
    user = User.objects.filter(is_active=True, groups__name=Role.ORGANIZER).order_by("pk").first()
    if user is None:
        raise CommandError(_("There is no active organizer to act as; name a user with --as USERNAME."))
    return user


@contextlib.contextmanager
def from_cli():
    """Audit entries written inside record "cli" as their origin."""
    token = current_origin.set("cli")
    try:
        yield
    finally:
        current_origin.reset(token)
