"""REST API v1 for the enrollment of a program (报名): settings and quotas, nominations with their unavailable
dates, decisions (confirm into free seats or the waitlist, reject), withdrawal, substitution, the waitlist, the
organs that have not nominated, activation links; and a participant's own enrollment (`/me/enrollments`).

Scoped like the pages: every staff operation first requires `enrollment.view_enrollment` (organizers and unit
administrators; 403 for others); programs and nominations are loaded through the scoped selectors (404 outside
the scope); then the action's permission (403, or 409 for a state that forbids it: the deadline passed, a
nomination already decided, the class started), then one service. Bad input, and every refusal of a nomination
(beyond the quota, a person of another organ or who left their post, unavailable dates overlapping the phase)
answer 422 naming the field; nothing is written.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dangjian.api.inputs import Filters, Input
from dangjian.api.jobs import JobOut, job_out
from dangjian.api.pagination import PageQuery, page_schema, paginate
from dangjian.api.registry import ERRORS, Id, Text
from dangjian.api.training_library import WRITE_ERRORS, call, gate
from dangjian.core.services import require_perm
from dangjian.enrollment import messaging, notices, selectors, services
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import CalendarFeed, Nomination
from dangjian.enrollment.services import NomineeInput
from dangjian.organizations.models import Organ, Person
from dangjian.training import documents
from dangjian.training.models import Program

# Schemas -------------------------------------------------------------------------------------------


class PeriodIO(Input):
    starts_on: datetime.date
    ends_on: datetime.date


class NominationOut(Schema):
    id: int
    program_id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    organ_id: int
    organ_name: str = Field(..., alias="organ.name_zh")
    status: str
    waitlist_position: int | None
    preferred_phase_id: int | None
    reason: str
    replaces_id: int | None
    overridden: bool
    already_credited: bool
    decided_at: datetime.datetime | None
    unavailable: list[dict]

    @staticmethod
    def resolve_unavailable(obj) -> list[dict]:
        return [{"starts_on": p.starts_on, "ends_on": p.ends_on} for p in obj.unavailable_periods.all()]


class QuotaOut(Schema):
    organ_id: int
    organ_name: str
    seats: int | None
    suggested: int
    due: int
    nominated: int
    confirmed: int
    preferred_phase_id: int | None


class EnrollmentOut(Schema):
    program_id: int
    status: str
    nomination_deadline: datetime.date | None
    note: str
    admission_notes: str
    capacity: int
    quota_total: int
    confirmed: int
    seats_left: int
    counts: dict[str, int]


class EnrollmentIn(Input):
    nomination_deadline: datetime.date | None = None
    note: Text = ""
    admission_notes: Text | None = None  # printed on the admission notices; None: unchanged


class QuotaIn(Input):
    organ_id: Id
    seats: int = Field(..., ge=0, le=10000)
    preferred_phase_id: Id | None = None


class QuotasIn(Input):
    quotas: list[QuotaIn] = Field(..., min_length=1, max_length=5000)


class NomineeIn(Input):
    person_id: Id
    preferred_phase_id: Id | None = None
    unavailable: list[PeriodIO] = Field(default_factory=list, max_length=10)


class NominateIn(Input):
    organ_id: Id
    people: list[NomineeIn] = Field(..., min_length=1, max_length=1000)
    override: bool = False
    override_reason: Text = ""


class DecideIn(Input):
    decision: str = Field(..., pattern="^(confirm|reject)$")
    nominations: list[Id] = Field(..., min_length=1, max_length=5000)
    reason: Text = ""


class DecideOut(Schema):
    confirmed: int = 0
    waitlisted: int = 0
    rejected: int = 0


class ComposedOut(Schema):
    kind: str
    count: int = Field(..., description="Drafts written into the outbox.")
    unreachable: list[str] = Field(..., description="Organs without a unit administrator with an address.")


class NoticesIn(Input):
    phase_id: Id | None = None


class ReasonIn(Input):
    reason: Text = Field(..., min_length=1, max_length=1000)


class SubstituteIn(Input):
    person_id: Id
    reason: Text = Field(..., min_length=1, max_length=1000)
    unavailable: list[PeriodIO] = Field(default_factory=list, max_length=10)


class UnavailableIn(Input):
    unavailable: list[PeriodIO] = Field(default_factory=list, max_length=10)


class OrganRef(Schema):
    id: int
    name_zh: str


class PersonRef(Schema):
    id: int
    name: str
    organ_id: int
    induction_status: str | None = None
    induction_deadline: datetime.date | None = None


class ActivationOut(Schema):
    username: str
    link: str
    expires_in_days: int


class NominationFilters(Filters):
    program: int | None = None
    organ: int | None = None
    status: NominationStatus | None = None


class MyEnrollmentOut(Schema):
    id: int
    program_id: int
    program_title: str = Field(..., alias="program.title")
    status: str
    waitlist_position: int | None
    phases: list[dict]


class MySessionOut(Schema):
    id: int
    phase_id: int
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    form: str
    group: str
    place: str
    instructors: str


class CalendarFeedOut(Schema):
    active: bool
    created_at: datetime.datetime | None = None
    url: str = Field("", description="The private iCal address: only in the answer that makes it")


# Helpers -------------------------------------------------------------------------------------------

def _program(request, program_id) -> Program:
    program = selectors.enrollment_program_get(user=request.user, pk=program_id)
    require_perm(request.user, "enrollment.view_enrollment", program)
    return program


def _nomination(request, nomination_id) -> Nomination:
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    require_perm(request.user, "enrollment.view_enrollment", nomination.program)
    return nomination


def _row(request, pk: int) -> Nomination:
    return selectors.nomination_get(user=request.user, pk=pk)


def _periods(items) -> list[tuple[datetime.date, datetime.date]]:
    return [(item.starts_on, item.ends_on) for item in items]


def _summary(program: Program, user) -> dict:
    organ_ids = None if user.has_perm("enrollment.manage_enrollment", None) else list(user.organ_ids)
    summary = selectors.enrollment_summary(program=program, organ_ids=organ_ids)
    setup = selectors.enrollment_settings(program)
    return {"program_id": program.pk, "status": program.status,
            "nomination_deadline": setup.nomination_deadline, "note": setup.note,
            "admission_notes": setup.admission_notes,
            "capacity": summary.capacity, "quota_total": summary.quota_total, "confirmed": summary.confirmed,
            "seats_left": summary.seats_left, "counts": summary.counts}


# Routers -------------------------------------------------------------------------------------------

router = Router(tags=["enrollment"])
staff = Router()
staff.add_decorator(gate("enrollment.view_enrollment"))
me = Router()
me.add_decorator(gate("enrollment.view_own_enrollment"))


@staff.get("/programs/{program_id}", response={200: EnrollmentOut, **ERRORS},
           summary="The enrollment of a program: deadline, seats, quotas in all, nominations per status")
def enrollment_detail(request, program_id: Id):
    return _summary(_program(request, program_id), request.user)


@staff.patch("/programs/{program_id}", response={200: EnrollmentOut, **WRITE_ERRORS},
             summary="Set the nomination deadline (organizers)")
def enrollment_update(request, program_id: Id, payload: EnrollmentIn):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.manage_enrollment", program)
    call(services.enrollment_settings_update, program=program, by=request.user, **payload.model_dump())
    program = _program(request, program_id)
    return _summary(program, request.user)


@staff.get("/programs/{program_id}/quotas", response={200: list[QuotaOut], **ERRORS},
           summary="Quotas per organ, with the suggestion, the people due and the nominations")
def quota_list(request, program_id: Id):
    """One row per organ (that the user sees) with a quota, people due or nominations, in the official order."""
    program = _program(request, program_id)
    return [{"organ_id": row.organ.pk, "organ_name": row.organ.name_zh, "seats": row.seats,
             "suggested": row.suggested, "due": row.due, "nominated": row.nominated, "confirmed": row.confirmed,
             "preferred_phase_id": row.preferred_phase_id}
            for row in selectors.quota_rows(user=request.user, program=program)]


@staff.put("/programs/{program_id}/quotas", response={200: list[QuotaOut], **WRITE_ERRORS},
           summary="Set quotas (organizers); all or nothing")
def quotas_set(request, program_id: Id, payload: QuotasIn):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.manage_enrollment", program)
    call(services.quotas_set, program=program, by=request.user,
         seats={q.organ_id: q.seats for q in payload.quotas},
         preferred_phases={q.organ_id: q.preferred_phase_id for q in payload.quotas})
    return quota_list(request, program_id)


@staff.get("/programs/{program_id}/organs-not-nominated", response={200: list[OrganRef], **ERRORS},
           summary="Organs with seats that have nominated nobody (organizers)")
def organs_not_nominated(request, program_id: Id):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.manage_enrollment", None)
    return list(selectors.organs_not_nominated(program=program))


@staff.get("/programs/{program_id}/due", response={200: list[PersonRef], **ERRORS},
           summary="An organ's people due for induction training not yet nominated (the nomination prefill)")
def due_people(request, program_id: Id, organ: Id):
    program = _program(request, program_id)
    organ_obj = get_object_or_404(Organ.objects.visible_to(request.user), pk=organ)
    return selectors.due_for_page(program=program, organ=organ_obj)


@staff.get("/programs/{program_id}/waitlist", response={200: list[NominationOut], **ERRORS},
           summary="The waitlist in its order")
def waitlist(request, program_id: Id):
    program = _program(request, program_id)
    return list(selectors.nomination_list(user=request.user, program=program, status=NominationStatus.WAITLISTED))


@staff.post("/programs/{program_id}/promote", response={200: list[NominationOut], **WRITE_ERRORS},
            summary="Give free seats to the waitlist in its order (organizers)")
def promote(request, program_id: Id):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.manage_enrollment", program)
    promoted = call(services.waitlist_promote, program=program, by=request.user)
    return [_row(request, n.pk) for n in promoted]


@staff.post("/programs/{program_id}/nominations", response={201: list[NominationOut], **WRITE_ERRORS},
            summary="Nominate people of an organ (all or nothing)")
def nominate(request, program_id: Id, payload: NominateIn):
    """Organizers may nominate beyond the quota or after the deadline with `override` and a reason (audited)."""
    program = _program(request, program_id)
    organ = get_object_or_404(Organ.objects.visible_to(request.user), pk=payload.organ_id)
    require_perm(request.user, "enrollment.nominate", selectors.quota_of(program=program, organ=organ))
    people = Person.objects.visible_to(request.user).in_bulk([p.person_id for p in payload.people])
    phases = {phase.pk: phase for phase in program.phases.all()}
    missing = [str(p.person_id) for p in payload.people if p.person_id not in people]
    if missing:
        raise ValidationError({"people": _("There is no person with id %(id)s among the people you may "
                                           "nominate.") % {"id": ", ".join(missing)}})
    nominees = [NomineeInput(person=people[p.person_id], unavailable=_periods(p.unavailable),
                             preferred_phase=phases.get(p.preferred_phase_id) if p.preferred_phase_id else None)
                for p in payload.people]
    created = call(services.nominate, program=program, organ=organ, nominees=nominees, by=request.user,
                   override=payload.override, override_reason=payload.override_reason)
    return Status(201, [_row(request, n.pk) for n in created])


@staff.post("/programs/{program_id}/decisions", response={200: DecideOut, **WRITE_ERRORS},
            summary="Confirm (free seats, then the waitlist) or reject nominations in bulk (organizers)")
def decide(request, program_id: Id, payload: DecideIn):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.decide_nomination")
    found = {n.pk: n for n in Nomination.objects.visible_to(request.user).filter(
        program=program, pk__in=payload.nominations).select_related("program", "person")}
    missing = [str(pk) for pk in payload.nominations if pk not in found]
    if missing:
        raise ValidationError({"nominations": _("There is no nomination with id %(id)s in this program.") % {
            "id": ", ".join(missing)}})
    chosen = [found[pk] for pk in dict.fromkeys(payload.nominations)]
    for nomination in chosen:
        require_perm(request.user, "enrollment.decide_nomination", nomination)
    if payload.decision == "confirm":
        return call(services.nominations_confirm, nominations=chosen, by=request.user)
    return {"rejected": call(services.nominations_reject, nominations=chosen, by=request.user,
                             reason=payload.reason)}


@staff.get("/nominations", response={200: page_schema(NominationOut), **ERRORS}, summary="List nominations")
def nomination_list(request, filters: Query[NominationFilters], page: Query[PageQuery]):
    program = None
    if filters.program:
        program = Program.objects.visible_to(request.user).filter(pk=filters.program).first()
        if program is None:
            return paginate(Nomination.unscoped.none(), page)
    found = selectors.nomination_list(user=request.user, program=program, organ_id=filters.organ,
                                      status=filters.status or "")
    return paginate(found, page)


@staff.get("/nominations/{nomination_id}", response={200: NominationOut, **ERRORS}, summary="Get a nomination")
def nomination_detail(request, nomination_id: Id):
    return _nomination(request, nomination_id)


@staff.post("/nominations/{nomination_id}/withdraw", response={200: NominationOut, **WRITE_ERRORS},
            summary="Withdraw a nomination with a reason (a seat it held goes to the waitlist)")
def withdraw(request, nomination_id: Id, payload: ReasonIn):
    nomination = _nomination(request, nomination_id)
    require_perm(request.user, "enrollment.change_nomination", nomination)
    call(services.nomination_withdraw, nomination=nomination, by=request.user, reason=payload.reason)
    return _row(request, nomination.pk)


@staff.post("/nominations/{nomination_id}/substitute", response={201: NominationOut, **WRITE_ERRORS},
            summary="Substitute another person of the organ, with a reason (until the class starts)")
def substitute(request, nomination_id: Id, payload: SubstituteIn):
    nomination = _nomination(request, nomination_id)
    require_perm(request.user, "enrollment.change_nomination", nomination)
    person = Person.objects.visible_to(request.user).filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no person with id %(id)s among the people you may "
                                              "nominate.") % {"id": payload.person_id}})
    new = call(services.nomination_substitute, nomination=nomination, person=person, by=request.user,
               reason=payload.reason, unavailable=_periods(payload.unavailable))
    return Status(201, _row(request, new.pk))


@staff.put("/nominations/{nomination_id}/unavailable", response={200: NominationOut, **WRITE_ERRORS},
           summary="Replace the dates the nominee cannot attend")
def unavailable(request, nomination_id: Id, payload: UnavailableIn):
    nomination = _nomination(request, nomination_id)
    require_perm(request.user, "enrollment.change_nomination", nomination)
    call(services.nomination_unavailable_set, nomination=nomination, periods=_periods(payload.unavailable),
         by=request.user)
    return _row(request, nomination.pk)


@staff.post("/nominations/{nomination_id}/activation", response={201: ActivationOut, **WRITE_ERRORS},
            summary="A new one-time activation link for a confirmed participant (shown once)")
def activation(request, nomination_id: Id):
    nomination = _nomination(request, nomination_id)
    require_perm(request.user, "enrollment.issue_activation", nomination)
    token = services.activation_issue(nomination=nomination, by=request.user)
    nomination.person.refresh_from_db()
    response_data = {"username": nomination.person.user.username,
                     "link": request.build_absolute_uri(reverse("participant_activate", args=[token])),
                     "expires_in_days": settings.ENROLLMENT_ACTIVATION_DAYS}
    return Status(201, response_data)


# Messages and admission notices ----------------------------------------------------------------------

PDF_RESPONSE = {"responses": {200: {"description": "The admission notice, A4 PDF", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


def _composed(composed: messaging.Composed) -> dict:
    return {"kind": composed.kind, "count": composed.count, "unreachable": composed.unreachable}


@staff.post("/programs/{program_id}/messages/nomination-opened", response={201: ComposedOut, **WRITE_ERRORS},
            summary="Drafts to the unit administrators of every organ with seats: nomination is open")
def nomination_opened(request, program_id: Id):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.announce_enrollment", program)
    return Status(201, _composed(messaging.nomination_opened_compose(program=program, by=request.user)))


@staff.post("/programs/{program_id}/messages/deadline-reminder", response={201: ComposedOut, **WRITE_ERRORS},
            summary="Drafts to the unit administrators of the organs that have not nominated")
def deadline_reminder(request, program_id: Id):
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.announce_enrollment", program)
    return Status(201, _composed(messaging.deadline_reminder_compose(program=program, by=request.user)))


@staff.post("/programs/{program_id}/admission-notices", response={202: JobOut, **WRITE_ERRORS},
            summary="Prepare the missing admission notices as drafts (a background job)")
def admission_notices(request, response: HttpResponse, program_id: Id, payload: NoticesIn):
    """One draft per confirmed participant (of the phase, when given) who has no admission notice yet, each with a
    fresh activation link; 202 with the job (its URL also in `Location`)."""
    program = _program(request, program_id)
    require_perm(request.user, "enrollment.prepare_admission_notices", program)
    phase = None
    if payload.phase_id is not None:
        phase = program.phases.filter(pk=payload.phase_id).first()
        if phase is None:
            raise ValidationError({"phase_id": _("This phase belongs to another program.")})
    body = job_out(messaging.admission_notices_prepare(program=program, by=request.user, phase=phase))
    response["Location"] = body["url"]
    return Status(202, body)


def _notice(request, nomination_id: int) -> HttpResponse:
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    require_perm(request.user, "enrollment.view_admission_notice", nomination)
    pdf = notices.admission_notice_pdf(nomination=nomination, link=notices.NoticeLink.own_page())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, notices.admission_notice_filename(nomination))
    return response


@staff.get("/nominations/{nomination_id}/admission-notice.pdf", openapi_extra=PDF_RESPONSE, response=ERRORS,
           summary="A confirmed participant's admission notice (PDF)")
def admission_notice(request, nomination_id: Id):
    return _notice(request, nomination_id)


@me.get("/enrollments/{nomination_id}/admission-notice.pdf", openapi_extra=PDF_RESPONSE, response=ERRORS,
        summary="The participant's own admission notice (PDF)")
def my_admission_notice(request, nomination_id: Id):
    return _notice(request, nomination_id)


@me.get("/enrollments", response={200: list[MyEnrollmentOut], **ERRORS},
        summary="A participant's own enrollments, with the phase dates")
def my_enrollments(request):
    rows = []
    for nomination in selectors.my_nominations(user=request.user):
        phases = selectors.my_phases(nomination=nomination) if nomination.status == NominationStatus.CONFIRMED else []
        nomination.phases = [{"id": p.pk, "number": p.number, "starts_on": p.starts_on, "ends_on": p.ends_on}
                             for p in phases]
        rows.append(nomination)
    return rows


@me.get("/sessions", response={200: list[MySessionOut], **ERRORS},
        summary="A participant's own sessions (their phase; of group sessions, their group's)")
def my_sessions(request):
    rows = []
    for session in selectors.my_sessions(user=request.user):
        row = documents.timetable_row(session)
        rows.append({"id": session.pk, "phase_id": session.phase_id, "title": row.title,
                     "starts_at": session.starts_at, "ends_at": session.ends_at, "form": row.form,
                     "group": row.group, "place": row.place, "instructors": row.instructors})
    return rows


@me.get("/calendar", response={200: CalendarFeedOut, **ERRORS}, summary="Whether the calendar subscription is on")
def my_calendar(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return {"active": feed is not None, "created_at": feed.created_at if feed else None}


@me.post("/calendar", response={201: CalendarFeedOut, **WRITE_ERRORS},
         summary="Make a new private calendar address (the earlier one stops working)")
def my_calendar_rotate(request):
    token = services.calendar_feed_rotate(by=request.user)
    feed = CalendarFeed.objects.get(user=request.user)
    url = request.build_absolute_uri(reverse("my_calendar_feed", args=[token]))
    return Status(201, {"active": True, "created_at": feed.created_at, "url": url})


@me.delete("/calendar", response={204: None, **WRITE_ERRORS}, summary="Stop the calendar subscription")
def my_calendar_revoke(request):
    services.calendar_feed_revoke(by=request.user)
    return Status(204, None)


router.add_router("/enrollment", staff)
router.add_router("/me", me)
