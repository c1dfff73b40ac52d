"""Staff pages of the enrollment of a program (报名): the overview (seats, quotas, nominations, waitlist, organs
that have not nominated), the organizers' quotas and deadline, the unit administrator's one nomination page,
and a nomination's withdrawal, substitution, unavailable dates and activation link; the participant's own
enrollment page and the activation of their account.

A view checks the role-level permission (403 before any lookup), loads its records through the scoped
selectors (404 outside the scope), asks the action's permission of the record, then calls one service.
"""

import datetime

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.certificates.selectors import my_certificates
from dangjian.enrollment import messaging, notices, selectors, services
from dangjian.enrollment.enums import NominationStatus
from dangjian.enrollment.models import CalendarFeed, Nomination
from dangjian.enrollment.services import NomineeInput
from dangjian.ledger import selectors as ledger_selectors
from dangjian.organizations.models import Organ, Person
from dangjian.training import documents
from dangjian.web.forms_enrollment import (
    AddNomineeForm,
    DecideForm,
    EnrollmentSettingsForm,
    ReasonForm,
    SubstituteForm,
    UnavailableFields,
    nominee_label,
)
from dangjian.web.views.base import (
    add_service_errors,
    paginate,
    permission_required,
    private_no_store,
    refused,
    require,
)
from dangjian.web.views.documents import _download
from dangjian.web.views.pickers import picker_options

ACTIVE = "training_program"
SHOWN = 50  # organs not nominated and places of the waitlist shown on the overview (the whole count beside)
QUOTA_PAGE = 50  # organs per page of the quotas on the overview and the quotas form

enrollment_required = permission_required("enrollment.view_enrollment")


def _program(request, pk):
    program = selectors.enrollment_program_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_enrollment", program)
    return program


def _organ(request, pk) -> Organ:
    return get_object_or_404(Organ.objects.visible_to(request.user), pk=pk)


def _nomination(request, pk) -> Nomination:
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_enrollment", nomination.program)
    return nomination


def overview_url(program) -> str:
    return reverse("enrollment_overview", args=[program.pk])


# The overview ------------------------------------------------------------------------------------

@enrollment_required
def enrollment_overview(request, pk):
    program = _program(request, pk)
    user = request.user
    organizer = user.has_perm("enrollment.manage_enrollment", None)
    rows = selectors.quota_rows(user=user, program=program)
    organ_ids = None if organizer else [row.organ.pk for row in rows] or list(user.organ_ids)
    status = request.GET.get("status", "")
    if status not in NominationStatus.values:
        status = ""
    try:
        organ_filter = int(request.GET.get("organ", "") or 0) or None
    except ValueError:
        organ_filter = None
    nominations = selectors.nomination_list(user=user, program=program, organ_id=organ_filter, status=status)
    settings = selectors.enrollment_settings(program)
    context = {
        "active": ACTIVE, "program": program, "settings": settings,
        "summary": selectors.enrollment_summary(program=program, organ_ids=organ_ids),
        "quota_page": Paginator(rows, QUOTA_PAGE).get_page(request.GET.get("organs_page")), "organizer": organizer,
        "page": paginate(request, nominations), "status": status, "organ_filter": organ_filter,
        "statuses": NominationStatus.choices,
        "can_manage": user.has_perm("enrollment.manage_enrollment", program),
        "nominate_organs": [],
    }
    if not organizer:
        quotas = selectors.quotas_of(program=program, organs=Organ.objects.visible_to(user))
        context["nominate_organs"] = [quota.organ for quota in quotas if user.has_perm("enrollment.nominate", quota)]
    if organizer:
        missing = selectors.organs_not_nominated(program=program)
        context["not_nominated"] = list(missing[:SHOWN])
        context["not_nominated_count"] = len(context["not_nominated"]) if len(context["not_nominated"]) < SHOWN \
            else missing.count()
        context["deadline_passed"] = settings.deadline_passed()
        context["waitlist"] = list(selectors.waitlist(program=program)[:SHOWN])
        context["can_decide"] = user.has_perm("enrollment.decide_nomination", None) \
            and program.status == program.Status.ENROLLMENT_OPEN
        context["can_announce"] = user.has_perm("enrollment.announce_enrollment", program)
        context["can_prepare_notices"] = user.has_perm("enrollment.prepare_admission_notices", program)
        if context["can_prepare_notices"]:
            context["notices_missing"] = messaging.notices_missing(program=program).count()
    return render(request, "web/enrollment/overview.html", context)


def _quota_post(request, rows, phase_ids) -> tuple[dict, dict, list]:
    """The seats and preferred phases posted for the rows whose field was sent (the rows of the page shown); with
    `fill_suggested`, the suggestion for each organ without a quota that was not on the page. Errors name the
    organ."""
    seats, phases, errors = {}, {}, []
    fill = request.POST.get("fill_suggested") == "on"
    for row in rows:
        name = f"seats-{row.organ.pk}"
        if name not in request.POST:
            if fill and row.seats is None and row.suggested:
                seats[row.organ.pk] = row.suggested
            continue
        raw = request.POST[name].strip()
        if raw == "" and row.seats is None:
            continue
        try:
            value = int(raw or 0)
            if value < 0:
                raise ValueError
        except ValueError:
            errors.append(_("%(organ)s: the seats must be a whole number, 0 or more.") % {
                "organ": row.organ.name_zh})
            continue
        seats[row.organ.pk] = value
        phase = request.POST.get(f"phase-{row.organ.pk}", "")
        phases[row.organ.pk] = int(phase) if phase.isdigit() and int(phase) in phase_ids else None
        row.seats, row.preferred_phase_id = value, phases[row.organ.pk]
    return seats, phases, errors


@enrollment_required
def enrollment_settings(request, pk):
    """The deadline and the quotas per organ (suggested from the people due and the capacity). The organs are
    paged (those with a quota, a suggestion or nominations first) and may be searched by name or sector; the sum
    against the capacity counts every organ."""
    program = _program(request, pk)
    if response := refused(request, "enrollment.manage_enrollment", program, overview_url(program)):
        return response
    settings = selectors.enrollment_settings(program)
    form = EnrollmentSettingsForm(request.POST or None, initial={
        "nomination_deadline": settings.nomination_deadline, "note": settings.note,
        "admission_notes": settings.admission_notes})
    rows = selectors.quota_rows(user=request.user, program=program)
    errors = []
    if request.method == "POST":
        seats, phases, errors = _quota_post(request, rows, {phase.pk for phase in program.phases.all()})
        if form.is_valid() and not errors:
            try:
                services.enrollment_settings_update(program=program, by=request.user, **form.cleaned_data)
                services.quotas_set(program=program, by=request.user, seats=seats, preferred_phases=phases)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The quotas and the deadline were saved."))
                return redirect(overview_url(program))
    q, sector = request.GET.get("q", "")[:100], request.GET.get("sector", "")
    sector = sector if sector in Organ.Sector.values else ""
    page = paginate(request, selectors.quota_rows_for_form(rows, q=q, sector=sector), QUOTA_PAGE)
    shown = {row.organ.pk for row in page}
    others = [row for row in rows if row.organ.pk not in shown]
    others_quotas = sum(row.seats or 0 for row in others)
    others_suggested = sum(row.suggested for row in others if row.seats is None)
    on_page = sum(row.seats if row.seats is not None else row.suggested for row in page)
    return render(request, "web/enrollment/settings.html", {
        "active": ACTIVE, "program": program, "form": form, "page": page, "errors": errors,
        "capacity": selectors.program_capacity(program), "q": q, "sector": sector, "sectors": Organ.Sector.choices,
        "others_quotas": others_quotas, "others_suggested": others_suggested,
        "quota_total": on_page + others_quotas + others_suggested,
        "suggested_total": sum(row.suggested for row in rows), "phases": _phase_options(program),
    }, status=400 if errors or form.errors else 200)


def _phase_options(program) -> list[tuple[int, str]]:
    """The preferred-phase choices of every row of the quotas form, labelled once (not once per organ)."""
    return [(phase.pk, _("Phase %(number)s") % {"number": phase.number} + f" ({phase.starts_on:%m-%d})")
            for phase in program.phases.all()]


# Nominating --------------------------------------------------------------------------------------

def _date(value: str):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return "invalid"


@enrollment_required
def nominate_page(request, pk, organ_pk):
    """The unit administrator's one page: the organ's people due for induction training, ticked; others of the
    organ added with a choice; for each the dates they cannot attend; one button nominates them all."""
    program = _program(request, pk)
    organ = _organ(request, organ_pk)
    quota = selectors.quota_of(program=program, organ=organ)
    if response := refused(request, "enrollment.nominate", quota, overview_url(program)):
        return response
    user = request.user
    phases = list(program.phases.all())
    due = selectors.due_for_page(program=program, organ=organ)
    due_ids = {person.pk for person in due}
    choices = selectors.nominee_choices(user=user, program=program, organ=organ)
    added_ids = [int(pk) for pk in request.GET.getlist("add") + request.POST.getlist("person")
                 if pk.isdigit() and int(pk) not in due_ids]
    added = list(choices.filter(pk__in=added_ids)) if added_ids else []
    posted = request.method == "POST"
    ticked = set(map(int, filter(str.isdigit, request.POST.getlist("person")))) if posted else None
    rows = []
    for person in [*due, *added]:
        key = str(person.pk)
        rows.append({
            "person": person, "due": person.pk in due_ids,
            "checked": person.pk in ticked if posted else True,
            "from": request.POST.get(f"from-{key}", ""), "to": request.POST.get(f"to-{key}", ""),
            "phase": request.POST.get(f"phase-{key}", ""),
        })
    errors, override_reason = [], request.POST.get("override_reason", "")
    if posted:
        people_by_id = Person.objects.visible_to(user).in_bulk([row["person"].pk for row in rows if row["checked"]])
        missing = [pk for pk in (ticked or set()) if pk not in people_by_id]
        if missing:
            errors.append(_("There is no person with id %(id)s among the people you may nominate.") % {
                "id": ", ".join(map(str, sorted(missing)))})
        nominees = []
        for row in rows:
            if not row["checked"]:
                continue
            first, last = _date(row["from"]), _date(row["to"])
            if "invalid" in (first, last):
                errors.append(_("%(person)s: give the unavailable dates as YYYY-MM-DD.") % {
                    "person": row["person"].name})
                continue
            periods = [(first or last, last or first)] if first or last else []
            phase = next((p for p in phases if str(p.pk) == row["phase"]), None)
            nominees.append(NomineeInput(person=people_by_id.get(row["person"].pk, row["person"]),
                                         unavailable=periods, preferred_phase=phase))
        if not errors:
            try:
                created = services.nominate(program=program, organ=organ, nominees=nominees, by=user,
                                            override=request.POST.get("override") == "on",
                                            override_reason=override_reason)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                flagged = [n.person.name for n in created if n.already_credited]
                messages.success(request, _("%(count)d people were nominated.") % {"count": len(created)})
                if flagged:
                    messages.warning(request, _("Already credited with induction training: %(names)s.") % {
                        "names": "、".join(flagged)})
                return redirect(reverse("nominate_page", args=[program.pk, organ.pk]))
    held = list(selectors.nomination_list(user=user, program=program, organ_id=organ.pk))
    return render(request, "web/enrollment/nominate.html", {
        "active": ACTIVE, "program": program, "organ": organ, "quota": quota, "rows": rows, "phases": phases,
        "errors": errors, "override_reason": override_reason, "organizer": user.has_perm(
            "enrollment.manage_enrollment", None),
        "add_form": AddNomineeForm(choices=choices.exclude(pk__in=[row["person"].pk for row in rows]),
                                   url=reverse("nominee_picker", args=[program.pk, organ.pk])),
        "held": held, "held_count": sum(1 for n in held if n.is_active),
        "settings": selectors.enrollment_settings(program),
    }, status=400 if errors else 200)


@enrollment_required
def nominee_options(request, pk, organ_pk):
    """The nomination page's picker: the people of the organ it may nominate whose name matches the search."""
    program = _program(request, pk)
    organ = _organ(request, organ_pk)
    require(request.user, "enrollment.nominate", selectors.quota_of(program=program, organ=organ))
    rows, more = selectors.nominee_picker(user=request.user, program=program, organ=organ,
                                          q=request.GET.get("q", ""))
    return picker_options(request, rows, more, label=nominee_label)


def _nomination_form_page(request, nomination, form, *, title, intro, save, success, submit_label):
    program = nomination.program
    back = reverse("nominate_page", args=[program.pk, nomination.organ_id]) \
        if not request.user.has_perm("enrollment.manage_enrollment", None) else overview_url(program)
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(back)
    return render(request, "web/training/form.html", {
        "active": ACTIVE, "form": form, "title": title, "intro": intro, "cancel_url": back,
        "submit_label": submit_label,
    }, status=400 if form.errors else 200)


@enrollment_required
def nomination_withdraw(request, pk):
    nomination = _nomination(request, pk)
    if response := refused(request, "enrollment.change_nomination", nomination, overview_url(nomination.program)):
        return response
    form = ReasonForm(request.POST or None)
    return _nomination_form_page(
        request, nomination, form, title=_("Withdraw %(person)s") % {"person": nomination.person.name},
        intro=_("A seat the nominee holds goes to the first of the waitlist."),
        save=lambda: services.nomination_withdraw(nomination=nomination, by=request.user,
                                                  reason=form.cleaned_data["reason"]),
        success=_("The nomination was withdrawn."), submit_label=_("Withdraw"))


@enrollment_required
def nomination_substitute(request, pk):
    nomination = _nomination(request, pk)
    if response := refused(request, "enrollment.change_nomination", nomination, overview_url(nomination.program)):
        return response
    form = SubstituteForm(request.POST or None, user=request.user, nomination=nomination)
    return _nomination_form_page(
        request, nomination, form, title=_("Substitute %(person)s") % {"person": nomination.person.name},
        intro=_("The substitute takes the nomination's place as it is: its seat, its place on the waitlist or its "
                "wait for the decision."),
        save=lambda: services.nomination_substitute(
            nomination=nomination, person=form.cleaned_data["person"], by=request.user,
            reason=form.cleaned_data["reason"], unavailable=form.periods()),
        success=_("The substitute was nominated."), submit_label=_("Substitute"))


@enrollment_required
def nomination_unavailable(request, pk):
    nomination = _nomination(request, pk)
    if response := refused(request, "enrollment.change_nomination", nomination, overview_url(nomination.program)):
        return response
    periods = list(nomination.unavailable_periods.all())
    initial = {}
    for i, period in enumerate(periods[:2], start=1):
        initial.update({f"unavailable_from_{i}": period.starts_on, f"unavailable_to_{i}": period.ends_on})
    form = UnavailableFields(request.POST or None, initial=initial)
    return _nomination_form_page(
        request, nomination, form, title=_("Dates %(person)s cannot attend") % {"person": nomination.person.name},
        intro="", save=lambda: services.nomination_unavailable_set(nomination=nomination, periods=form.periods(),
                                                                    by=request.user),
        success=_("The dates were saved."), submit_label=_("Save"))


@enrollment_required
@require_POST
def nominations_decide(request, pk):
    """Organizers confirm or reject the ticked nominations (confirmed into free seats, then the waitlist)."""
    program = _program(request, pk)
    require(request.user, "enrollment.decide_nomination")
    form = DecideForm(request.POST)
    ids = [int(value) for value in request.POST.getlist("nomination") if value.isdigit()]
    chosen = list(Nomination.objects.visible_to(request.user).filter(program=program, pk__in=ids)
                  .select_related("program", "person").order_by("id"))
    back = overview_url(program) + ("?" + request.POST["back"] if request.POST.get("back") else "")
    if not form.is_valid() or not chosen or len(chosen) != len(set(ids)):
        messages.error(request, _("Choose at least one nomination, and confirm or reject."))
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "confirm":
            outcome = services.nominations_confirm(nominations=chosen, by=request.user)
            messages.success(request, _("%(confirmed)d confirmed, %(waitlisted)d put on the waitlist.") % outcome)
        else:
            count = services.nominations_reject(nominations=chosen, by=request.user,
                                                reason=form.cleaned_data["reason"])
            messages.success(request, _("%(count)d rejected.") % {"count": count})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@enrollment_required
@require_POST
def waitlist_promote(request, pk):
    program = _program(request, pk)
    if response := refused(request, "enrollment.manage_enrollment", program, overview_url(program)):
        return response
    promoted = services.waitlist_promote(program=program, by=request.user)
    messages.success(request, _("%(count)d promoted from the waitlist.") % {"count": len(promoted)})
    return redirect(overview_url(program))


@enrollment_required
@require_POST
def activation_issue(request, pk):
    """A new activation link for a confirmed participant, shown once."""
    nomination = _nomination(request, pk)
    if response := refused(request, "enrollment.issue_activation", nomination, overview_url(nomination.program)):
        return response
    token = services.activation_issue(nomination=nomination, by=request.user)
    link = request.build_absolute_uri(reverse("participant_activate", args=[token]))
    return private_no_store(render(request, "web/enrollment/activation_link.html", {
        "active": ACTIVE, "nomination": nomination, "link": link,
        "username": nomination.person.user.username, "back": overview_url(nomination.program),
    }))


# Messages and admission notices ------------------------------------------------------------------

def _composed_message(request, composed: messaging.Composed, what: str) -> None:
    """Say how many drafts were written, link to them in the outbox, and name whom nobody could reach."""
    url = reverse("outbox_list") + "?" + composed.outbox_query
    messages.success(request, format_html('{} <a href="{}">{}</a>', what % {"count": composed.count}, url,
                                          _("Preview and send them in the outbox")))
    if composed.unreachable:
        messages.warning(request, _("No unit administrator with an e-mail address or mobile number: %(organs)s.")
                         % {"organs": "、".join(composed.unreachable)})


@enrollment_required
@require_POST
def nomination_opened_compose(request, pk):
    """Drafts to the unit administrators of every organ with seats: nomination is open."""
    program = _program(request, pk)
    if response := refused(request, "enrollment.announce_enrollment", program, overview_url(program)):
        return response
    composed = messaging.nomination_opened_compose(program=program, by=request.user)
    _composed_message(request, composed, _("%(count)d messages “nomination opened” were written as drafts."))
    return redirect(overview_url(program))


@enrollment_required
@require_POST
def deadline_reminder_compose(request, pk):
    """Drafts to the unit administrators of the organs that have nominated nobody yet."""
    program = _program(request, pk)
    if response := refused(request, "enrollment.announce_enrollment", program, overview_url(program)):
        return response
    composed = messaging.deadline_reminder_compose(program=program, by=request.user)
    _composed_message(request, composed, _("%(count)d deadline reminders were written as drafts."))
    return redirect(overview_url(program))


@enrollment_required
@require_POST
def admission_notices_prepare(request, pk):
    """Start the job that writes the missing admission notices into the outbox; its page shows the progress."""
    program = _program(request, pk)
    if response := refused(request, "enrollment.prepare_admission_notices", program, overview_url(program)):
        return response
    phase = program.phases.filter(pk=request.POST.get("phase") or 0).first() \
        if (request.POST.get("phase") or "").isdigit() else None
    job = messaging.admission_notices_prepare(program=program, by=request.user, phase=phase)
    return redirect("job_detail", job.pk)


@permission_required("enrollment.view_admission_notice")
@require_GET
def admission_notice_pdf(request, pk):
    """One participant's admission notice (organizers, the organ's unit administrators, the participant). A GET
    issues no activation link: the code leads to the participant's own page."""
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_admission_notice", nomination)
    pdf = notices.admission_notice_pdf(nomination=nomination, link=notices.NoticeLink.own_page())
    return _download(pdf, content_type="application/pdf", filename=notices.admission_notice_filename(nomination),
                     inline=True)


# The participant -----------------------------------------------------------------------------------

@permission_required("enrollment.view_own_enrollment")
def my_home(request):
    """The participant's start page (phone first): today's and the next sessions of their phase with place and
    instructors, the state of their enrollments, links to their timetable, records and calendar."""
    from dangjian.evaluation.enums import FormKind
    from dangjian.evaluation.selectors import my_pending
    from dangjian.web.views.timetable import session_time

    todays, later = selectors.my_agenda(user=request.user)
    # Sessions that have ended and still await the participant's (anonymous) card: "评价这节课" — on today's
    # session itself once it has ended, in a list of their own for the earlier days.
    awaiting = [item.session for item in my_pending(user=request.user) if item.kind == FormKind.SESSION_CARD]
    today_ids = {session.pk for session in todays}
    to_evaluate = [{"session": session, "title": session.display_title, "time": session_time(session)}
                   for session in awaiting if session.pk not in today_ids]
    return private_no_store(render(request, "web/enrollment/my_home.html", {
        "active": "my_home", "nominations": list(selectors.my_nominations(user=request.user)),
        "to_evaluate": to_evaluate, "awaiting_card": {session.pk for session in awaiting},
        "today": [documents.timetable_row(session) for session in todays],
        "later": [documents.timetable_row(session) for session in later],
        "certificates": list(my_certificates(user=request.user))}))


@permission_required("enrollment.view_own_enrollment")
def my_enrollment(request):
    """A participant's own nominations, the dates and timetable of their phase(s)."""
    return _my_enrollment_page(request)


def _my_enrollment_page(request, *, calendar_url: str = ""):
    nominations = list(selectors.my_nominations(user=request.user))
    for nomination in nominations:
        nomination.my_phases = selectors.my_phases(nomination=nomination) \
            if nomination.status == NominationStatus.CONFIRMED else []
    sessions = selectors.sessions_of_phases([phase for n in nominations for phase in n.my_phases])
    for nomination in nominations:
        for phase in nomination.my_phases:
            phase.my_sessions = [session for session in sessions.get(phase.pk, [])
                                 if selectors.is_my_session(session, nomination)]
    return private_no_store(render(request, "web/enrollment/my_enrollment.html", {
        "active": "my_enrollment", "nominations": nominations,
        "records": list(selectors.my_records(user=request.user)[:50]), **_my_archive(request.user),
        "calendar_feed": CalendarFeed.objects.filter(user=request.user).first(), "calendar_url": calendar_url}))


def _my_archive(user) -> dict:
    """The participant's hours per year and the requirements that apply to them, with their status (the ledger's
    archive of their Person)."""
    if not user.person_id:
        return {"years": [], "statuses": []}
    return {"years": ledger_selectors.archive_years(person=user.person),
            "statuses": ledger_selectors.person_compliance(person=user.person)}


@permission_required("enrollment.manage_own_calendar")
@require_POST
def my_calendar_rotate(request):
    """Make (or replace) the participant's private calendar address; the page shows it this once."""
    token = services.calendar_feed_rotate(by=request.user)
    url = request.build_absolute_uri(reverse("my_calendar_feed", args=[token]))
    messages.success(request, _("Your calendar address is ready. Copy it now: it is shown only once."))
    return _my_enrollment_page(request, calendar_url=url)


@permission_required("enrollment.manage_own_calendar")
@require_POST
def my_calendar_revoke(request):
    if services.calendar_feed_revoke(by=request.user):
        messages.success(request, _("Your calendar address no longer works."))
    return redirect("my_enrollment")


@require_GET
def my_calendar_feed(request, token):
    """The participant's own sessions as iCal, for calendar apps (no sign-in: the private token is the key; an
    unknown or revoked token is not found)."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    response = _download(documents.sessions_ical(sessions=selectors.my_sessions(user=user), name=_("My training")),
                         content_type=documents.ICS_CONTENT_TYPE, filename="dangjian.ics", inline=True)
    return private_no_store(response)


def participant_activate(request, token):
    """First sign-in: a usable link lets the participant choose a password, then signs them in."""
    link = services.activation_find(token)
    if link is None:
        return render(request, "web/enrollment/activation_invalid.html", status=404)
    form = SetPasswordForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.activation_use(token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is active. Welcome!"))
            return redirect("my_enrollment")
    return private_no_store(render(request, "web/enrollment/activate.html", {
        "form": form, "username": link.user.username, "name": link.user.display_name,
    }, status=400 if form.errors else 200))

