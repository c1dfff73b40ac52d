"""The demo's class delivery (issue 12): the 2022 seed class as it was held, and a class running this week.

- 2022: the class started; the head teacher (`college`) took the roll call of every session of both phases —
  mostly present, a few late (with a note), a few absent —; five participants had leave approved for a session or
  two, and one had to leave for a family emergency for two days: their leave passed the limit (1/7 of the class's
  学时), they were flagged and the organizer confirmed their withdrawal (退学). Written directly, dated as it
  happened (like demo/enrollment.py's history: today's services refuse a session of 2022). Then the class is
  closed through the services: completion rules (attendance ≥ 80 %, leave within the limit, credited per day),
  the closing pack, and "close", which credits each participant who completed in the ledger.
- This week: the seed program copied as the annual rotation class (轮训) of the year, its first day yesterday,
  in progress; secretaries of several organs (the unit administrator's among them, and the demo `participant`)
  placed in its first phase; yesterday's roll calls taken, today's to take — the head teacher's roll call, the QR
  code and the participant's phone pages have something to show whenever the demo is opened.

Deterministic and idempotent: nothing is written again when the 2022 marks or the running class exist.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.attendance.enums import LeaveStatus, Mark, MarkSource, WithdrawalStatus
from dangjian.attendance.models import Attendance, LeaveRequest, Withdrawal
from dangjian.completion.demo_reflections import load_reflections
from dangjian.completion.enums import Crediting
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import Nomination, Placement
from dangjian.evaluation.demo import load_evaluation
from dangjian.organizations.models import Person
from dangjian.training import services as training
from dangjian.training.enums import ProgramStatus
from dangjian.training.models import Program, Session

LATE_NOTES = ["路上堵车，迟到约10分钟", "参加单位紧急会议后赶来", "车辆故障，迟到约15分钟"]
ABSENT_NOTES = ["未请假缺课，已电话联系本人", "身体不适，未到"]
SHORT_LEAVES = [  # (reason, how many consecutive sessions): within the limit
    ("单位紧急公务，经单位和工委同意返回处理", 1),
    ("参加市委重要会议", 1),
    ("身体不适，校医建议休息", 1),
    ("陪同上级检查组", 1),
    ("子女急病就医", 1),
]
LONG_LEAVE = ("家中老人病危，需返回照料", 6)  # two days: over 1/7 of the class's hours
WITHDRAWAL_REASON = "请假累计超过培训总学时的七分之一，按规定作退学处理。"
RUNNING_TITLE = "南阳市直机关党组织书记轮训班"  # "<year>年" before it
RUNNING_PEOPLE = 36


def _marks_of(session: Session, placements: list[Placement], rng: random.Random, taken_by: User) -> list[Attendance]:
    """The roll call of a held session: mostly present, a few late or absent."""
    made_at = session.starts_at + datetime.timedelta(minutes=10)
    marks = []
    for placement in placements:
        roll = rng.random()
        mark, note = Mark.PRESENT, ""
        if roll < 0.03:
            mark, note = Mark.LATE, rng.choice(LATE_NOTES)
        elif roll < 0.04:
            mark, note = Mark.ABSENT, rng.choice(ABSENT_NOTES)
        marks.append(Attendance(session=session, nomination_id=placement.nomination_id, mark=mark, note=note,
                                marked_by=taken_by, marked_at=made_at, made_at=made_at))
    return marks


def _leave(*, nomination: Nomination, sessions: list[Session], reason: str, head_teacher: User) -> LeaveRequest:
    """An approved leave, filed the day before the first session, decided that evening."""
    filed_at = sessions[0].starts_at - datetime.timedelta(hours=14)
    leave = LeaveRequest.unscoped.create(
        nomination=nomination, reason=reason, status=LeaveStatus.APPROVED, filed_by=head_teacher, filed_at=filed_at,
        decided_by=head_teacher, decided_at=filed_at + datetime.timedelta(hours=2), decision_note="同意。")
    leave.sessions.set(sessions)
    return leave


def _session_roster(session: Session, placements: list[Placement]) -> list[Placement]:
    return [p for p in placements if p.phase_id == session.phase_id and (not session.group_id
                                                                          or p.group_id == session.group_id)]


def hold_history_class(*, program: Program, organizer: User, head_teacher: User) -> dict:
    """The 2022 class as it was held (see the module's docstring). Needs the enrollment and the placement."""
    if Attendance.unscoped.filter(session__phase__program=program).exists():
        return {"created": False}
    if program.status == ProgramStatus.APPROVED:
        training.program_open_enrollment(program=program, by=organizer)
        program.refresh_from_db()
    if program.status == ProgramStatus.ENROLLMENT_OPEN:
        training.program_start(program=program, by=organizer)
        program.refresh_from_db()
    rng = random.Random(2022)
    sessions = list(Session.unscoped.filter(phase__program=program).order_by("starts_at", "group_id", "pk"))
    placements = list(Placement.unscoped.filter(phase__program=program, nomination__status=NominationStatus.CONFIRMED)
                      .order_by("phase__number", "nomination_id"))
    officers = set(Person.unscoped.filter(class_committee_posts__phase__program=program).values_list("pk", flat=True))
    ordinary = [p for p in placements if p.nomination.person_id not in officers]
    # Leaves: whole-class sessions with hours, from the second day on (not the opening), of each one's phase.
    teaching = {}
    for session in sessions:
        if session.hours and not session.group_id and session.local_day > session.phase.starts_on:
            teaching.setdefault(session.phase_id, []).append(session)
    on_leave: dict[tuple[int, int], LeaveRequest] = {}
    leave_takers = rng.sample(ordinary, len(SHORT_LEAVES) + 1)
    for placement, (reason, count) in zip(leave_takers, [*SHORT_LEAVES, LONG_LEAVE], strict=True):
        candidates = teaching[placement.phase_id]
        start = rng.randrange(0, len(candidates) - count)
        chosen = candidates[start:start + count]
        leave = _leave(nomination=placement.nomination, sessions=chosen, reason=reason, head_teacher=head_teacher)
        for session in chosen:
            on_leave[(session.pk, placement.nomination_id)] = leave
    withdrawn = leave_takers[-1]
    last_leave_session = max(s.starts_at for (s_pk, n), _l in on_leave.items() for s in sessions
                             if s.pk == s_pk and n == withdrawn.nomination_id)
    marks = []
    for session in sessions:
        roster = _session_roster(session, placements)
        if session.starts_at > last_leave_session:  # withdrawn: off the roster after their leave
            roster = [p for p in roster if p.nomination_id != withdrawn.nomination_id]
        for mark in _marks_of(session, roster, rng, head_teacher):
            if (session.pk, mark.nomination_id) in on_leave:
                mark.mark, mark.note, mark.source = Mark.ON_LEAVE, "", MarkSource.LEAVE
            marks.append(mark)
    Attendance.unscoped.bulk_create(marks, batch_size=1000)
    decided_at = last_leave_session + datetime.timedelta(hours=12)
    Withdrawal.unscoped.create(nomination=withdrawn.nomination, status=WithdrawalStatus.CONFIRMED,
                               reason=WITHDRAWAL_REASON, flagged_at=decided_at - datetime.timedelta(hours=10),
                               decided_by=organizer, decided_at=decided_at,
                               decision_note="经工委研究，同意退学，转下一期参训。")
    load_evaluation(program)  # before closing: the closing pack prints the evaluation summary
    load_reflections(program, head_teacher=head_teacher)
    close_history_class(program=program, organizer=organizer)
    return {"created": True, "marks": len(marks), "leaves": len(leave_takers), "withdrawn": 1}


def close_history_class(*, program: Program, organizer: User) -> None:
    """The class ends as the platform closes one: its completion rules, the closing pack (made here and now: the
    loader has no worker), then "close" — which fixes each participant's result and credits
    the hours of those who completed in the ledger."""
    from dangjian.completion import services as completion
    from dangjian.completion.closing import closing_pack_make

    completion.rules_set(program=program, by=organizer, min_attendance_share=Decimal("0.8"), leave_within_limit=True,
                         crediting=Crediting.PER_DAY)
    closing_pack_make(program=program, by=organizer)
    training.program_close(program=program, by=organizer)
    program.refresh_from_db()


def load_running_class(*, source: Program, organizer: User, approver: User, head_teacher: User) -> Program:
    """The rotation class running this week (see the module's docstring)."""
    today = timezone.localdate()
    title = f"{today.year}年{RUNNING_TITLE}"
    existing = Program.unscoped.filter(title=title).first()
    if existing is not None:
        return existing
    program, _warnings = training.program_copy(program=source, by=organizer, year=today.year,
                                               first_day=today - datetime.timedelta(days=1), title=title)
    training.program_update(program=program, by=organizer, requirement=Program.Requirement.ROTATION,
                            planned_participants=RUNNING_PEOPLE, phase_count=program.phases.count())
    training.program_submit(program=program, by=organizer)
    training.program_approve(program=program, by=approver, comments="同意。", document_reference="宛委〔演示〕2号")
    program.refresh_from_db()
    training.program_open_enrollment(program=program, by=organizer)
    program.refresh_from_db()
    phase = program.phases.order_by("number").first()
    groups = list(phase.groups.order_by("number"))
    participant = User.objects.filter(username="participant").select_related("person").first()
    unit_admin = User.objects.filter(username="unitadmin").first()
    their_organs = list(unit_admin.organs.values_list("pk", flat=True)) if unit_admin else []
    people = [participant.person] if participant and participant.person_id else []
    secretaries = (Person.unscoped.filter(posts__role="secretary", posts__ended_on__isnull=True)
                   .exclude(pk__in=[p.pk for p in people]).distinct().order_by("organ_id", "pk"))
    people += list(secretaries.filter(organ_id__in=their_organs)[:4])
    seen_organs = {p.organ_id for p in people}
    for person in secretaries.exclude(organ_id__in=their_organs):
        if len(people) >= RUNNING_PEOPLE:
            break
        if person.organ_id not in seen_organs:
            people.append(person)
            seen_organs.add(person.organ_id)
    for index, person in enumerate(people):
        nomination = Nomination.unscoped.create(program=program, person=person, organ_id=person.organ_id,
                                                nominated_by=organizer, status=NominationStatus.CONFIRMED,
                                                decided_by=organizer, preferred_phase=phase)
        Placement.unscoped.create(nomination=nomination, phase=phase, group=groups[index % len(groups)]
                                  if groups else None)
    training.program_start(program=program, by=organizer)
    program.refresh_from_db()
    # Yesterday's roll calls (taken then), today's still to take.
    rng = random.Random(today.toordinal())
    placements = list(roster_placements_of(phase))
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    marks = []
    for session in Session.unscoped.filter(phase=phase, ends_at__lt=start_of_today).order_by("starts_at"):
        marks += _marks_of(session, _session_roster(session, placements), rng, head_teacher)
    Attendance.unscoped.bulk_create(marks)
    return program


def roster_placements_of(phase):
    return Placement.unscoped.filter(phase=phase, nomination__status=NominationStatus.CONFIRMED).order_by("pk")


def load_delivery(*, history: Program) -> dict:
    """The class running this week (the 2022 class is held and closed by demo/enrollment.py's load_enrollment,
    before the coming program's quotas are suggested)."""
    organizer = User.objects.get(username="organizer")
    running = load_running_class(source=history, organizer=organizer, approver=User.objects.get(username="approver"),
                                 head_teacher=User.objects.get(username="college"))
    return {"running": running}
