from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.completion.demo_reflections import load_reflection_draft
from dangjian.core.audit import current_origin
from dangjian.demo.delivery import load_delivery
from dangjian.demo.enrollment import load_enrollment
from dangjian.demo.ledger import load_ledger
from dangjian.demo.outbox import load_outbox
from dangjian.demo.registry import load_registry
from dangjian.demo.training import load_training
from dangjian.demo.users import DEMO_PASSWORD, load_users
from dangjian.organizations.models import Organ, PartyOrganization, Person
from dangjian.portal.demo import load_portal


class Command(BaseCommand):
    help = (
        "Load the Nanyang demo (idempotent, deterministic): organs, party organizations, people, users, "
        "the training library and the seed's training program, external training records of the ledger, the "
        "seed program's enrollment and a program open for enrollment."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        token = current_origin.set("cli")  # the training services write the audit trail
        try:
            load_registry()
            logins = load_users()
            training = load_training()
            outbox = load_outbox()
            ledger = load_ledger()
            enrollment = load_enrollment()
            delivery = load_delivery(history=training["program"])
        finally:
            current_origin.reset(token)
        # Counted when everything is loaded, as the pages count: the training classes add their temporary
        # party branches to the registry's party organizations.
        temporary = PartyOrganization.unscoped.filter(org_type=PartyOrganization.Type.TEMPORARY_BRANCH).count()
        self.stdout.write(
            f"Nanyang demo: {Organ.unscoped.count()} organs, {PartyOrganization.unscoped.count()} party "
            f"organizations ({temporary} of them temporary branches of the training classes), "
            f"{Person.unscoped.count()} people."
        )
        program = training["program"]
        self.stdout.write(
            f"Training: {training['venues']} venues, {training['sites']} red-education sites, "
            f"{training['courses']} courses, {training['instructors']} instructors; "
            f"“{program.title}” ({program.get_status_display()}), {training['phases']} phases, "
            f"{training['sessions']} sessions{'' if training['created'] else ' (already loaded)'}."
        )
        self.stdout.write(
            f"Outbox: {outbox['messages']} messages ({outbox['created']} drafts composed: nomination notices and "
            f"induction reminders, for the organizer to preview and send at /outbox/)."
        )
        self.stdout.write(
            f"Training-hours ledger: {ledger['records']} external training records"
            f"{'' if ledger['created'] else ' (already loaded)'}; requirements: the rules of 2019–2023 (induction "
            f"within the rule's months, 56 and 32 hours a year, cadre tiers)."
        )
        placed = enrollment.get("placement")
        self.stdout.write(
            f"Enrollment: the 2022 class has {enrollment['confirmed']} confirmed participants"
            f"{'' if enrollment.get('created') else ' (already loaded)'}"
            f"{f' placed by the solver into phases and groups ({placed})' if placed else ''}"
            f"; “{enrollment['coming'].title}” is open "
            f"for enrollment, with a quota for each organ that has people due "
            f"({enrollment['coming_quotas']} quotas)."
        )
        running = delivery["running"]
        held = enrollment["held"]
        held = (f"{held['marks']} marks, {held['leaves']} approved leaves, one withdrawal; closed with its closing "
                f"pack, the hours of those who completed in the ledger" if held.get("created") else "already loaded")
        self.stdout.write(
            f"Delivery: the 2022 class's roll calls ({held}); “{running.title}” runs this week "
            f"({running.get_status_display()}), with the demo participant in it."
        )
        self.stdout.write(self._after_the_class())
        for warning in training["warnings"]:
            self.stdout.write(self.style.WARNING(f"  {warning}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, roles in logins:
            self.stdout.write(f"  {username:<12} {roles}")
        portal = load_portal()
        reflection_draft = load_reflection_draft()
        self.stdout.write(
            f"News portal: {portal['channels']} channels, {portal['items']} articles and notices "
            f"({portal['created']} pages created), served at /portal/; the editor is at /cms/."
            + (f" A participant's reflection is a draft article: “{reflection_draft.title}”." if reflection_draft
               else "")
        )

    @staticmethod
    def _after_the_class() -> str:
        """Issue 13's records of the 2022 class, counted from the database (so also on a second run)."""
        from dangjian.certificates.models import Certificate
        from dangjian.completion.models import Reflection
        from dangjian.demo.training import PROGRAM_TITLE
        from dangjian.evaluation.models import EvaluationAnswer
        from dangjian.followup.models import FollowUpReport, ImplementationPlan

        program = {"program__title": PROGRAM_TITLE}
        answers = EvaluationAnswer.objects.filter(**program)  # not organ-scoped: anonymous, no person
        cards = answers.filter(session__isnull=False).count()
        questionnaires = answers.filter(session__isnull=True, form__kind="programme").count()
        graded = Reflection.unscoped.filter(nomination__program__title=PROGRAM_TITLE).exclude(grade="").count()
        valid = Certificate.unscoped.filter(**program, status="valid").count()
        revoked = Certificate.unscoped.filter(**program, status="revoked").count()
        plans = ImplementationPlan.unscoped.filter(**program).count()
        reports = FollowUpReport.unscoped.filter(**program).count()
        return (f"After the class: {cards} session cards and {questionnaires} program questionnaires (anonymous), "
                f"{graded} graded reflections, {valid} valid certificates ({revoked} revoked and reissued), "
                f"{plans} implementation plans, {reports} three-month follow-ups.")
