"""Who may issue, revoke, reissue and read certificates (结业证书), and when (core.rules.add_action).

Objects: a training Program for the list, issuing and the ZIP; a Certificate for one PDF, revoking and reissuing.
Services `require` these permissions; pages, templates and the API ask the same ones. Reading is scoped by
certificates.scoping (Certificate.objects.visible_to): organizers all; college staff of the venue their programs';
unit administrators their own organs' people's; a participant their own.
"""

import rules
from django.utils.translation import gettext as _

from dangjian.accounts.rules import is_college_staff, is_organizer, is_participant, is_unit_admin
from dangjian.certificates.enums import CertificateStatus
from dangjian.core.rules import add_action
from dangjian.training.enums import ProgramStatus
from dangjian.training.rules import can_see_program, program_status_in, runs_class

ISSUE_STATUSES = (ProgramStatus.CLOSED, ProgramStatus.ARCHIVED)


@rules.predicate
def certificate_is_valid(user, certificate) -> bool:
    return certificate is None or certificate.status == CertificateStatus.VALID


@rules.predicate
def sees_certificate(user, certificate) -> bool:
    """The certificate is in the user's scope (a list-level question passes: the list is scoped)."""
    if certificate is None:
        return True
    from dangjian.certificates.models import Certificate

    return Certificate.objects.visible_to(user).filter(pk=certificate.pk).exists()


# A program's certificates (the list, the ZIP): those who run the class; unit administrators of a program they
# see, their own organs' people only (the list is scoped).
rules.add_perm("certificates.view_program_certificates", runs_class | (is_unit_admin & can_see_program))
# Issuing to everyone who completed: organizers, once the class has closed (the results are fixed then).
add_action("certificates.issue", who=is_organizer & can_see_program, when=program_status_in(*ISSUE_STATUSES),
           refusal=lambda program: _("Certificates are issued after the class has closed: the results are fixed "
                                     "then."))
# Revoking, and reissuing (a new serial; the old certificate is revoked): organizers, of a valid certificate.
REVOKED_REFUSAL = lambda certificate: _("This certificate has already been revoked.")  # noqa: E731
add_action("certificates.revoke", who=is_organizer, when=certificate_is_valid, refusal=REVOKED_REFUSAL)
add_action("certificates.reissue", who=is_organizer, when=certificate_is_valid, refusal=REVOKED_REFUSAL)
# One certificate's PDF: whoever sees it (staff in scope, the participant their own).
rules.add_perm("certificates.view_certificate",
               (is_organizer | is_college_staff | is_unit_admin | is_participant) & sees_certificate)
# The participant's own certificates (/my/ and the API's /certificates/mine).
rules.add_perm("certificates.view_own_certificates", is_participant)
