"""The demo's enrollment (报名): the 2022 seed program's completed enrollment, and a program of the coming months
open for enrollment.

- 2022 (history): every secretary appointed in 2022 was nominated by their organ (a quota per organ of its new
  secretaries), 112 seats for 120 nominees; the first 112 confirmed, 8 on the waitlist; then three substitutions
  (a confirmed nominee replaced by a colleague of the same organ) and two withdrawals, whose seats went to the
  first two of the waitlist; the rest of the waitlist was not admitted (the class was full). Each confirmed
  participant has an account (no password: first sign-in by activation link), a preferred phase (the phase
  whose class they were placed in); the class itself is held and closed by demo/delivery.py, whose closing
  credits their induction training in the ledger.
  Written directly (dated as it happened), not through the services: those apply today's rules (the
  deadline, a post held today, a class not yet started), which a record of 2022 cannot pass today.
- The coming months: the 2022 program copied for the next class (through the training services: copy, submit,
  approve, open enrollment), first day about ten weeks from today, a nomination deadline a month from today,
  and quotas from the suggestion (the people due per organ, as the ledger says, and the capacity). `unitadmin`
  nominates the due secretaries of 南阳市教育局 on the nomination page.

- Messages (the outbox): the 2022 class's first admission notices (入学通知, PDF attached to the e-mail), sent
  then; the coming program's "what to bring" and a deadline reminder to the organs that have not nominated, as
  drafts. Only a few notices are rendered (a PDF takes about half a second): "prepare the admission notices" on
  the enrollment page writes the others, as a job.

Deterministic for a given day and idempotent: nothing is written again when the 2022 enrollment or the coming
program exist.
"""

import datetime

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.certificates.demo import load_certificates
from dangjian.demo.delivery import hold_history_class
from dangjian.demo.training import PROGRAM_TITLE, demo_program, trainee_secretaries
from dangjian.enrollment import allocation, selectors, services
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement, ProgramEnrollment, Quota
from dangjian.followup.demo import load_followups
from dangjian.organizations.models import Person
from dangjian.training import services as training
from dangjian.training.models import Program

S = NominationStatus
DEADLINE_2022 = datetime.date(2022, 9, 20)
NOMINATED_AT = datetime.datetime(2022, 9, 12, 9, 30, tzinfo=datetime.UTC)
DECIDED_AT = datetime.datetime(2022, 9, 22, 10, 0, tzinfo=datetime.UTC)
SUBSTITUTIONS = ["原人选因工作调整，改派本单位同志参训", "原人选参加上级调训，时间冲突", "原人选因病住院"]
WITHDRAWALS = ["单位重要工作任务，无法脱产参训", "家庭原因，申请下期参训"]
NOT_ADMITTED = "本期名额已满，转入下一期培训"
COMING_TITLE = "新任党组织书记培训班"  # the program of the coming months: "<year>年南阳市直机关" before it
ADMISSION_NOTES = ("请于开班当日上午9时前到学院报到处报到，领取学习资料、房卡和学员证。\n"
                   "请携带本通知、身份证、笔记本和党章；着装整洁，统一佩戴党员徽章。\n"
                   "培训期间统一食宿，实行封闭式管理，一般不得请假；确有特殊情况须经本单位和市直机关工委同意。")
NOTICES_2022 = 3  # admission notices rendered while loading (the others: "prepare" on the enrollment page)
SENT_AT = datetime.datetime(2022, 9, 26, 9, 0, tzinfo=datetime.UTC)


def _dated(nomination: Nomination, **fields) -> Nomination:
    for name, value in fields.items():
        setattr(nomination, name, value)
    nomination.full_clean()
    nomination.save()
    return nomination


def load_history(*, program: Program, organizer: User) -> dict:
    """The 2022 enrollment, as it happened (see the module's docstring)."""
    if ProgramEnrollment.objects.filter(program=program).exists():
        return {"created": False}
    phases = list(program.phases.order_by("number"))
    people = trainee_secretaries()
    # The classes (demo/training.py) placed every other secretary in phase 1, the others in phase 2.
    phase_of = {person.pk: phases[i % 2] for i, person in enumerate(people)}
    capacity = sum(phase.capacity for phase in phases)
    ProgramEnrollment.objects.create(program=program, nomination_deadline=DEADLINE_2022,
                                     note="请各单位推荐2022年新任党组织书记参训。")
    per_organ = {}
    for person in people:
        per_organ[person.organ_id] = per_organ.get(person.organ_id, 0) + 1
    Quota.unscoped.bulk_create([Quota(program=program, organ_id=organ, seats=seats)
                                for organ, seats in sorted(per_organ.items())])
    nominations = []
    for index, person in enumerate(people):
        confirmed = index < capacity
        nominations.append(_dated(
            Nomination(program=program, person=person, organ_id=person.organ_id, nominated_by=organizer,
                       preferred_phase=phase_of[person.pk]),
            status=S.CONFIRMED if confirmed else S.WAITLISTED, decided_by=organizer, decided_at=DECIDED_AT,
            waitlist_position=None if confirmed else index - capacity + 1))
    Nomination.unscoped.filter(pk__in=[n.pk for n in nominations]).update(created_at=NOMINATED_AT)
    confirmed = [n for n in nominations if n.status == S.CONFIRMED]
    # Neither the classes' officers (the first of each phase's list) nor the demo participant change.
    movable = [n for n in confirmed[40:] if not User.objects.filter(person=n.person, username="participant").exists()]
    substituted = 0
    for nomination, reason in zip(movable[:len(SUBSTITUTIONS)], SUBSTITUTIONS, strict=True):
        colleague = (Person.unscoped.filter(organ_id=nomination.organ_id, posts__ended_on__isnull=True)
                     .exclude(nominations__program=program).exclude(pk__in=[p.pk for p in people])
                     .order_by("id").first())
        if colleague is None:
            continue
        _dated(nomination, status=S.SUBSTITUTED, reason=reason)
        _dated(Nomination(program=program, person=colleague, organ_id=nomination.organ_id, nominated_by=organizer,
                          preferred_phase=nomination.preferred_phase, replaces=nomination),
               status=S.CONFIRMED, decided_by=organizer, decided_at=DECIDED_AT)
        phase_of[colleague.pk] = nomination.preferred_phase
        substituted += 1
    waiting = [n for n in nominations if n.status == S.WAITLISTED]
    for nomination, reason, promoted in zip(movable[-len(WITHDRAWALS):], WITHDRAWALS, waiting, strict=False):
        _dated(nomination, status=S.WITHDRAWN, reason=reason)
        _dated(promoted, status=S.CONFIRMED, waitlist_position=None, preferred_phase=nomination.preferred_phase,
               decided_at=DECIDED_AT + datetime.timedelta(days=3))
        phase_of[promoted.person_id] = nomination.preferred_phase
    for nomination in Nomination.unscoped.filter(program=program, status=S.WAITLISTED):
        _dated(nomination, status=S.REJECTED, waitlist_position=None, reason=NOT_ADMITTED)
    participants = list(Nomination.unscoped.filter(program=program, status=S.CONFIRMED).select_related("person"))
    for nomination in participants:
        services.participant_account_ensure(person=nomination.person, by=organizer)
    return {"created": True, "confirmed": len(participants), "substituted": substituted,
            "promoted": min(len(WITHDRAWALS), len(waiting))}


def place_history(*, program: Program, organizer: User) -> str:
    """The 2022 class's groups, as the solver makes them (docs/allocation.md): each participant locked in the phase
    they attended (the ledger credits that phase), the solver splits each phase into its six groups of 8–10,
    spreading organs, sectors, genders and ages; each group's leader is then one of its members (none of the
    phase's other officers). Returns the solver's status."""
    ProgramEnrollment.objects.filter(program=program).update(group_size_min=8, group_size_max=10)
    participants = Nomination.unscoped.filter(program=program, status=S.CONFIRMED)
    Placement.unscoped.bulk_create([Placement(nomination=nomination, phase_id=nomination.preferred_phase_id,
                                              locked=True) for nomination in participants])
    problem = selectors.allocation_problem(program=program, time_limit=5)
    result = allocation.solve(problem)
    placements = list(Placement.unscoped.filter(nomination__program=program).select_related("nomination"))
    for placement in placements:
        placement.group_id = result.placements.get(placement.nomination_id, (None, None))[1]
    Placement.unscoped.bulk_update(placements, ["group"])
    for phase in program.phases.all():
        officers = set(phase.committee_members.values_list("person_id", flat=True))
        if phase.temporary_branch_id:
            officers |= set(phase.temporary_branch.posts.values_list("person_id", flat=True))
        groups = list(phase.groups.order_by("number"))
        leaders = {group.leader_id for group in groups}
        for group in groups:
            members = sorted(p.nomination.person_id for p in placements if p.group_id == group.pk)
            if group.leader_id in members:
                continue
            leader = next((pk for pk in members if pk not in officers and pk not in leaders), None)
            if leader is not None:
                leaders.discard(group.leader_id)
                leaders.add(leader)
                training.group_update(group=group, by=organizer, leader=Person.unscoped.get(pk=leader))
    return result.status


def coming_first_day(today: datetime.date) -> datetime.date:
    """A Monday about ten weeks from today."""
    day = today + datetime.timedelta(days=70)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def load_coming(*, source: Program, organizer: User, approver: User) -> Program:
    """The next class, open for enrollment, with its deadline and the suggested quotas."""
    today = timezone.localdate()
    first_day = coming_first_day(today)
    title = f"{first_day.year}年南阳市直机关{COMING_TITLE}"
    existing = Program.unscoped.filter(title=title).first()
    if existing is not None:
        return existing
    program, _warnings = training.program_copy(program=source, by=organizer, year=first_day.year,
                                               first_day=first_day, title=title)
    training.program_submit(program=program, by=organizer)
    training.program_approve(program=program, by=approver, comments="同意。", document_reference="宛委〔演示〕1号")
    program.refresh_from_db()
    training.program_open_enrollment(program=program, by=organizer)
    program.refresh_from_db()
    services.enrollment_settings_update(program=program, by=organizer,
                                        nomination_deadline=today + datetime.timedelta(days=30),
                                        note="请各单位推荐近期新任、尚未参加任职培训的党组织书记。")
    rows = selectors.quota_rows(user=organizer, program=program)
    services.quotas_set(program=program, by=organizer, seats={row.organ.pk: row.suggested for row in rows
                                                                if row.suggested})
    return program


def load_messages(*, history: Program, coming: Program, organizer: User) -> dict:
    """The admission notes of both programs, the first admission notices of 2022 (sent then), and a deadline
    reminder for the coming program (drafts). Left alone when the 2022 notices exist."""
    from dangjian.enrollment import messaging
    from dangjian.outbox.enums import MessageKind, MessageStatus
    from dangjian.outbox.models import Message

    if Message.unscoped.filter(kind=MessageKind.ADMISSION_NOTICE, program=history).exists():
        return {"notices": 0}
    for program in (history, coming):
        ProgramEnrollment.objects.filter(program=program).update(admission_notes=ADMISSION_NOTES)
    missing = messaging.notices_missing(program=history)
    own = list(missing.filter(person__user__username="participant"))  # the demo's participant login first
    participants = own + list(missing.exclude(pk__in=[n.pk for n in own]).order_by("id")[:NOTICES_2022 - len(own)])
    for nomination in participants:
        user = nomination.person.user
        if not user.email:
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])
    notices = [messaging.admission_notice_compose(nomination, by=organizer) for nomination in participants]
    Message.unscoped.filter(pk__in=[m.pk for m in notices if m]).update(
        status=MessageStatus.SENT, sent_at=SENT_AT, attempts=1, created_at=SENT_AT - datetime.timedelta(hours=2))
    reminders = messaging.deadline_reminder_compose(program=coming, by=organizer)
    return {"notices": len(notices), "reminders": reminders.count}


def load_enrollment() -> dict:
    """Needs the registry, the users, the seed program (load_training) and the ledger (load_ledger) first."""
    organizer = User.objects.get(username="organizer")
    program = demo_program()
    if program is None:  # pragma: no cover - load_training creates it
        return {"created": False}
    history = load_history(program=program, organizer=organizer)
    if history.get("created"):
        history["placement"] = place_history(program=program, organizer=organizer)
    # The 2022 class is held and closed (its credits in the ledger) before the coming program's quotas are
    # suggested from the people still due.
    history["held"] = hold_history_class(program=program, organizer=organizer,
                                         head_teacher=User.objects.get(username="college"))
    program.refresh_from_db()
    history["certificates"] = load_certificates(program)  # for everyone who completed; one reissued
    history["followup"] = load_followups(program)
    coming = load_coming(source=program, organizer=organizer, approver=User.objects.get(username="approver"))
    messages = load_messages(history=program, coming=coming, organizer=organizer)
    confirmed = Nomination.unscoped.filter(program=program, status=S.CONFIRMED).count()
    return {**history, **messages, "program": PROGRAM_TITLE, "confirmed": confirmed, "coming": coming,
            "coming_quotas": Quota.unscoped.filter(program=coming).count()}
