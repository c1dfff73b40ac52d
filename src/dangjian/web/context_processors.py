import rules
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role


def navigation(request):
    """Main menu entries the current user may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Overview"), reverse("home"), "home")]
    if user.has_perm("organizations.view_registry"):
        items += [
            (_("Organs"), reverse("organ_list"), "organ"),
            (_("Party organizations"), reverse("party_organization_list"), "party_organization"),
            (_("People"), reverse("person_list"), "person"),
            (_("Import and export"), reverse("spreadsheets"), "spreadsheet"),
        ]
    if user.has_perm("training.view_program"):
        items.append((_("Training programs"), reverse("program_list"), "training_program"))
    if user.has_perm("training.view_library"):
        items.append((_("Training library"), reverse("library_index"), "training_library"))
    if user.has_perm("ledger.view_ledger"):
        items.append((_("Training hours"), reverse("ledger_home"), "ledger"))
    # The rule alone (no model-permission tables: a superuser is not a participant).
    if rules.has_perm("enrollment.view_own_enrollment", user):
        items.append((_("My start page"), reverse("my_home"), "my_home"))
        items.append((_("My training"), reverse("my_enrollment"), "my_enrollment"))
    if Role.INSTRUCTOR in user.roles:
        items.append((_("My sessions"), reverse("my_sessions"), "my_sessions"))
    if rules.has_perm("followup.view_confirmations", user):
        items.append((_("Follow-up reports"), reverse("followup_confirmations"), "followup"))
    if user.has_perm("outbox.view_outbox"):
        items.append((_("Outbox"), reverse("outbox_list"), "outbox"))
    if user.is_staff and user.has_perm("accounts.change_user"):
        items.append((_("Users and roles"), reverse("admin:accounts_user_changelist"), "users"))
    if user.has_perm("wagtailadmin.access_admin"):
        items.append((_("News portal"), reverse("wagtailadmin_home"), "portal"))
    if user.has_perm("core.view_auditentry"):
        items.append((_("Audit trail"), reverse("audit_list"), "audit"))
    return {"nav_items": items}
