"""Staff pages of training programs (培训班): the list, the plan with its approval workflow, the program
page (phases, approval history, teaching-form mix), and the class of each phase: groups (小组), class
committee (班委) and temporary party branch (临时党支部).

A view checks that the user holds a training role (403 otherwise, before any lookup), loads the
records through the scoped selectors (404 outside the user's scope), checks the permission on the
record, then calls one service. Transitions of the workflow show the service's refusal as a message.
"""

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.completion.selectors import rules_in_words
from dangjian.organizations.models import Post
from dangjian.training import selectors, services
from dangjian.training.models import ClassCommitteeMember, Group, Phase, Program, ProgramReview
from dangjian.web.forms_training import (
    ApproveForm,
    BranchAppointForm,
    BranchCreateForm,
    CommitteeForm,
    GroupForm,
    GroupsCreateForm,
    PhaseForm,
    ProgramCopyForm,
    ProgramForm,
    ReopenClassForm,
    ReopenForm,
    ReturnForm,
)
from dangjian.web.views.base import (
    add_service_errors,
    delete_then_redirect,
    form_page,
    paginate,
    permission_required,
    refused,
    require,
)
from dangjian.web.views.closing import closing_section

ACTIVE = "training_program"


training_required = permission_required("training.view_program")


def program_get_for_view(request, pk) -> Program:
    program = selectors.program_get(user=request.user, pk=pk)
    require(request.user, "training.view_program", program)
    return program


def phase_get_for_view(request, pk) -> Phase:
    phase = selectors.phase_get(user=request.user, pk=pk)
    require(request.user, "training.view_program", phase.program)
    return phase


def _visible_programs(user):
    return Program.objects.visible_to(user)


# Programs ----------------------------------------------------------------------------------------

@training_required
def program_list(request):
    status = request.GET.get("status", "")
    if status not in Program.Status.values:
        status = ""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    q = request.GET.get("q", "").strip()
    programs = selectors.program_list(user=request.user, status=status, year=year, q=q)
    years = _visible_programs(request.user).order_by("-year").values_list("year", flat=True).distinct()
    return render(request, "web/training/program_list.html", {
        "active": ACTIVE, "page": paginate(request, programs), "status": status, "year": year, "q": q,
        "statuses": Program.Status.choices, "years": list(years),
    })


@training_required
def program_create(request):
    require(request.user, "training.add_program")
    form = ProgramForm(request.POST or None, user=request.user)
    return form_page(
        request, form=form,
        save=lambda: services.program_create(by=request.user, **form.service_data()),
        context={"title": _("New training program"), "cancel_url": reverse("program_list"), "active": ACTIVE},
        success=_("The program was saved."), next_url=lambda program: program.get_absolute_url(),
    )


@training_required
def program_edit(request, pk):
    program = program_get_for_view(request, pk)
    if response := refused(request, "training.change_program", program, program.get_absolute_url()):
        return response
    form = ProgramForm(request.POST or None, instance=program, user=request.user)
    help_text = "" if request.user.has_perm("training.change_plan", program) else _(
        "The plan is %(status)s: the plan can only change after it is reopened; the contacts can still be "
        "edited.") % {"status": program.get_status_display()}
    return form_page(
        request, form=form,
        save=lambda: services.program_update(program=program, by=request.user, **form.service_data()),
        context={"title": _("Edit %(name)s") % {"name": program}, "cancel_url": program.get_absolute_url(),
                 "intro": help_text, "active": ACTIVE},
        success=_("The program was saved."), next_url=lambda program: program.get_absolute_url(),
    )


@training_required
def program_copy(request, pk):
    """Copy this program for another year: a new draft with its phases shifted, groups and timetable."""
    program = program_get_for_view(request, pk)
    require(request.user, "training.copy_program", program)
    next_year = program.year + 1
    form = ProgramCopyForm(request.POST or None, initial={"year": next_year})
    form.fields["title"].widget.attrs["placeholder"] = services.copied_title(program, next_year)
    if request.method == "POST" and form.is_valid():
        try:
            copy, warnings = services.program_copy(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” was copied as a draft for %(year)s: check the dates, then "
                                        "submit the plan.") % {"title": program.title, "year": copy.year})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(copy)
    return render(request, "web/training/form.html", {
        "form": form, "active": ACTIVE, "title": _("Copy %(name)s") % {"name": program},
        "intro": _("The copy is a draft with the same plan, phases, groups and timetable (instructors and rooms "
                   "included). The class committee, the temporary party branch and the approval are not "
                   "copied."),
        "cancel_url": program.get_absolute_url(), "submit_label": _("Copy the program"),
    }, status=400 if form.errors else 200)


@training_required
@require_POST
def program_delete(request, pk):
    program = program_get_for_view(request, pk)
    if response := refused(request, "training.delete_program", program, program.get_absolute_url()):
        return response
    return delete_then_redirect(request, obj=program,
                                delete=lambda: services.program_delete(program=program, by=request.user),
                                next_url=reverse("program_list"), back_url=program.get_absolute_url())


def _chart_data(mix: dict) -> dict:
    """What form-mix-chart.js draws (the same numbers as the table on the page)."""
    return {
        "forms": [{"name": row["label"], "value": float(row["hours"]), "category": str(row["category"])}
                  for row in mix["forms"]],
        "categories": [{"name": row["label"], "code": row["code"], "value": float(row["hours"]), "share": row["share"]}
                       for row in mix["categories"] if row["code"] != "other"],
        "labels": {"hours": _("hours"), "share": _("share of teaching (%)"),
                   "forms": _("Hours per teaching form"), "categories": _("Theory, practice and exchange")},
    }


# Transitions that are one button (approve, return and reopen ask for comments, a document or a reason).
TRANSITION_BUTTONS = {
    "submit": lambda: _("Submit for approval"),
    "open_enrollment": lambda: _("Open enrollment"),
    "start": lambda: _("Start the program"),
    "close": lambda: _("Close the program"),
    "archive": lambda: _("Archive"),
}


def _program_page(request, program: Program, *, status: int = 200, **forms):
    user = request.user
    phases = list(selectors.program_phases(program=program))
    mix = selectors.teaching_form_mix(program=program)
    # The permission of each transition decides its button (training.rules); plain buttons first, then
    # the transitions that ask for comments, a document or a reason.
    transitions = services.allowed_transitions(program=program, user=user)
    buttons = [{"name": name, "url": reverse(f"program_{name}", args=[program.pk]), "label": TRANSITION_BUTTONS[name](),
                "consequence": CONFIRMED_TRANSITIONS[name]() if name in CONFIRMED_TRANSITIONS else "",
                "irreversible": name not in UNDOABLE_TRANSITIONS}
               for name in transitions if name in TRANSITION_BUTTONS]
    context = {
        "active": ACTIVE,
        "program": program,
        "phases": phases,
        "reviews": list(selectors.program_reviews(program=program)),
        "mix": mix,
        "chart_data": _chart_data(mix),
        "budget": selectors.program_budget(program=program, phases=phases),
        "transitions": transitions,
        "transition_buttons": buttons,
        # The enrollment (enrollment.view_enrollment), once the plan is approved.
        "show_enrollment": program.status not in (*Program.EDITABLE_STATUSES, Program.Status.SUBMITTED)
        and user.has_perm("enrollment.view_enrollment", program),
        # Placing participants into phases and groups (enrollment.view_allocation), once the plan is approved.
        "show_allocation": program.status not in (*Program.EDITABLE_STATUSES, Program.Status.SUBMITTED)
        and user.has_perm("enrollment.view_allocation", program),
        # The class attendance overview, leave and withdrawals (attendance.view_leave), once the class runs.
        "show_attendance": program.status in (Program.Status.IN_PROGRESS, Program.Status.CLOSED,
                                              Program.Status.ARCHIVED)
        and user.has_perm("attendance.view_leave", program),
        "asks_confirmation": any(button["consequence"] for button in buttons),
        "can_change": user.has_perm("training.change_program", program),
        "can_add_phase": user.has_perm("training.change_plan", program),
        "can_delete": user.has_perm("training.delete_program", program),
        "can_copy": user.has_perm("training.copy_program", program),
        "can_manage": user.has_perm("training.manage_class", program),
        "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
        "return_form": forms.get("return_form") or ReturnForm(prefix="return"),
        "reopen_form": forms.get("reopen_form") or ReopenForm(prefix="reopen"),
        "reopen_class_form": forms.get("reopen_class_form") or ReopenClassForm(prefix="reopen_class"),
        # The closing pack (结业材料): those who run the class (web/views/closing.py).
        "closing": closing_section(user, program),
        "plan_problems": services.program_plan_problems(program=program) if "submit" in transitions else [],
        "approval_warnings": selectors.approval_warnings(program=program, mix=mix) if "approve" in transitions else [],
        # The completion rules in words, with the crediting method (completion.selectors).
        "completion_rules_words": rules_in_words(program),
    }
    return render(request, "web/training/program_detail.html", context, status=status)


@training_required
def program_detail(request, pk):
    return _program_page(request, program_get_for_view(request, pk))


# Transitions that cannot be undone ask for confirmation first, saying what will happen (a <dialog> on
# the program page, or without script the GET page of the transition).
CONFIRMED_TRANSITIONS = {
    "start": lambda: _("The program becomes “In progress”. The approved plan can no longer be reopened; the "
                       "timetable, groups and class committee can still change until the class closes."),
    "close": lambda: _("The program becomes “Closed” and every phase is marked finished. Each participant's result "
                       "is fixed and those who completed are credited with their hours in the ledger. The timetable, "
                       "groups, class committee, temporary party branches and attendance can no longer be changed; "
                       "an organizer can reopen the class, with a reason, which takes the hours back."),
    "archive": lambda: _("The program moves to the archive: it stays readable, and nothing about it changes "
                         "any more."),
}


# Closing can be undone by reopening the class (the hours credited are taken back).
UNDOABLE_TRANSITIONS = {"close"}


# Workflow transitions: one POST view per transition, each calling its service.

def _call_transition(request, program: Program, name: str):
    if name == "approve":
        form = ApproveForm(request.POST, request.FILES, prefix="approve")
        if not form.is_valid():
            raise ValidationError([f"{form.fields[field].label}: {' '.join(errors)}" if field in form.fields
                                   else " ".join(errors) for field, errors in form.errors.items()])
        return services.program_approve(program=program, by=request.user, **form.cleaned_data)
    if name == "return":
        form = ReturnForm(request.POST, prefix="return")
        form.is_valid()
        return services.program_return(program=program, by=request.user, comments=form.cleaned_data["comments"])
    if name == "reopen":
        form = ReopenForm(request.POST, prefix="reopen")
        form.is_valid()
        return services.program_reopen(program=program, by=request.user, reason=form.cleaned_data["reason"])
    if name == "reopen_class":
        form = ReopenClassForm(request.POST, prefix="reopen_class")
        form.is_valid()
        return services.program_reopen_class(program=program, by=request.user, reason=form.cleaned_data["reason"])
    service = {
        "submit": services.program_submit,
        "open_enrollment": services.program_open_enrollment,
        "start": services.program_start,
        "close": services.program_close,
        "archive": services.program_archive,
    }[name]
    return service(program=program, by=request.user)


TRANSITION_DONE = {
    "submit": lambda: _("The plan was submitted for approval."),
    "approve": lambda: _("The plan was approved."),
    "return": lambda: _("The plan was returned for revision."),
    "reopen": lambda: _("The plan was reopened; submit it again after the changes."),
    "open_enrollment": lambda: _("Enrollment is open."),
    "start": lambda: _("The program has started."),
    "close": lambda: _("The program was closed; those who completed were credited with their hours."),
    "reopen_class": lambda: _("The class was reopened; the hours credited at closing were taken back."),
    "archive": lambda: _("The program was archived."),
}


def transition_view(name: str):
    methods = ["GET", "POST"] if name in CONFIRMED_TRANSITIONS else ["POST"]

    @training_required
    @require_http_methods(methods)
    def view(request, pk):
        program = program_get_for_view(request, pk)
        if response := refused(request, services.TRANSITIONS[name][2], program, program.get_absolute_url()):
            return response
        if request.method == "GET":  # a step that cannot be undone: say what will happen, then confirm
            return render(request, "web/training/confirm_transition.html", {
                "active": ACTIVE, "program": program, "label": TRANSITION_BUTTONS[name](),
                "consequence": CONFIRMED_TRANSITIONS[name](), "url": reverse(f"program_{name}", args=[program.pk]),
                "irreversible": name not in UNDOABLE_TRANSITIONS,
            })
        try:
            _call_transition(request, program, name)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, TRANSITION_DONE[name]())
        # A plan returned to the organizer is no longer the approver's to read: back to their list.
        if not request.user.has_perm("training.view_program", program):
            return redirect("program_list")
        return redirect(program)

    view.__name__ = view.__qualname__ = f"program_{name}"
    return view


program_submit = transition_view("submit")
program_approve = transition_view("approve")
program_return = transition_view("return")
program_reopen = transition_view("reopen")
program_open_enrollment = transition_view("open_enrollment")
program_start = transition_view("start")
program_close = transition_view("close")
program_archive = transition_view("archive")
program_reopen_class = transition_view("reopen_class")


@training_required
def review_document(request, pk):
    """The approval document, for those who may see the program (never served from /media/)."""
    review = get_object_or_404(
        ProgramReview.objects.filter(program__in=_visible_programs(request.user)).select_related("program"), pk=pk)
    require(request.user, "training.view_program", review.program)
    if not review.document:
        raise Http404
    try:
        handle = review.document.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(review.document.name))


# Phases ------------------------------------------------------------------------------------------

@training_required
def phase_create(request, pk):
    program = program_get_for_view(request, pk)
    if response := refused(request, "training.change_plan", program, program.get_absolute_url()):
        return response
    form = PhaseForm(request.POST or None, program=program)
    return form_page(
        request, form=form,
        save=lambda: services.phase_create(program=program, by=request.user, **form.service_data()),
        context={"title": _("New phase of %(name)s") % {"name": program}, "cancel_url": program.get_absolute_url(),
                 "active": ACTIVE},
        success=_("The phase was saved."), next_url=lambda phase: reverse("phase_detail", args=[phase.pk]),
    )


@training_required
def phase_edit(request, pk):
    phase = phase_get_for_view(request, pk)
    if response := refused(request, "training.manage_class", phase, reverse("phase_detail", args=[pk])):
        return response
    can_change_plan = request.user.has_perm("training.change_plan", phase.program)
    form = PhaseForm(request.POST or None, instance=phase, program=phase.program, can_change_plan=can_change_plan)
    intro = "" if can_change_plan else _("Dates, number and capacity belong to the approved plan; the organizer "
                                         "changes them.")
    return form_page(
        request, form=form,
        save=lambda: services.phase_update(phase=phase, by=request.user, **form.service_data()),
        context={"title": _("Edit %(name)s") % {"name": phase}, "cancel_url": reverse("phase_detail", args=[pk]),
                 "intro": intro, "active": ACTIVE},
        success=_("The phase was saved."), next_url=lambda phase: reverse("phase_detail", args=[phase.pk]),
    )


@training_required
@require_POST
def phase_delete(request, pk):
    phase = phase_get_for_view(request, pk)
    if response := refused(request, "training.change_plan", phase.program, reverse("phase_detail", args=[pk])):
        return response
    return delete_then_redirect(request, obj=phase,
                                delete=lambda: services.phase_delete(phase=phase, by=request.user),
                                next_url=phase.program.get_absolute_url(),
                                back_url=reverse("phase_detail", args=[phase.pk]))


def _people_search(request) -> str:
    return request.GET.get("people", "").strip()


def _phase_page(request, phase: Phase, *, status: int = 200, **forms):
    user = request.user
    can_manage = user.has_perm("training.manage_class", phase)
    context = {
        "active": ACTIVE,
        "phase": phase,
        "program": phase.program,
        "groups": list(selectors.phase_groups(phase=phase)),
        "committee": list(selectors.phase_committee(phase=phase)),
        "branch_posts": list(selectors.phase_branch_posts(phase=phase)),
        "session_count": phase.sessions.count(),
        "can_manage": can_manage,
        "can_change_plan": user.has_perm("training.change_plan", phase.program),
        "people_search": _people_search(request),
    }
    if can_manage:
        people = selectors.class_nominee_choices(user=user, phase=phase)
        search = _people_search(request)
        context.update({
            "groups_form": forms.get("groups_form") or GroupsCreateForm(prefix="groups"),
            "committee_form": forms.get("committee_form")
            or CommitteeForm(prefix="committee", people=people, people_search=search),
            "branch_form": forms.get("branch_form") or BranchCreateForm(prefix="branch"),
            "appoint_form": forms.get("appoint_form")
            or BranchAppointForm(prefix="appoint", people=people, people_search=search),
        })
        context["people_truncated"] = context["committee_form"].people_truncated
    return render(request, "web/training/phase_detail.html", context, status=status)


@training_required
def phase_detail(request, pk):
    return _phase_page(request, phase_get_for_view(request, pk))


def _phase_action(request, pk, *, form_name: str, make_form, act, success: str):
    """A form posted from the phase page: on success back to the page, else the page with the errors."""
    phase = phase_get_for_view(request, pk)
    if response := refused(request, "training.manage_class", phase, reverse("phase_detail", args=[phase.pk])):
        return response
    form = make_form(phase)
    if form.is_valid():
        try:
            act(phase, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("phase_detail", pk=phase.pk)
    return _phase_page(request, phase, status=400, **{form_name: form})


@training_required
@require_POST
def group_create(request, pk):
    """Add N groups at once, numbered after the existing ones (all or none)."""
    def act(phase, data):
        with transaction.atomic():
            for _i in range(data["count"]):
                services.group_create(phase=phase, by=request.user)

    return _phase_action(request, pk, form_name="groups_form",
                         make_form=lambda phase: GroupsCreateForm(request.POST, prefix="groups"),
                         act=act, success=_("The groups were added."))


def _group_get(request, pk) -> Group:
    group = get_object_or_404(
        Group.objects.filter(phase__program__in=_visible_programs(request.user)).select_related(
            "phase__program", "leader__organ", "deputy_leader__organ"),
        pk=pk)
    require(request.user, "training.view_program", group.phase.program)
    return group


@training_required
def group_edit(request, pk):
    group = _group_get(request, pk)
    if response := refused(request, "training.manage_class", group, reverse("phase_detail", args=[group.phase_id])):
        return response
    people = selectors.class_nominee_choices(user=request.user, phase=group.phase)
    form = GroupForm(request.POST or None, instance=group, people=people, people_search=_people_search(request))
    url = reverse("phase_detail", args=[group.phase_id])
    return form_page(
        request, form=form,
        save=lambda: services.group_update(group=group, by=request.user, **form.service_data()),
        context={"title": _("Edit %(name)s") % {"name": group}, "cancel_url": url, "people_search": True,
                 "active": ACTIVE},
        success=_("The group was saved."), next_url=lambda obj: url,
    )


@training_required
@require_POST
def group_delete(request, pk):
    group = _group_get(request, pk)
    if response := refused(request, "training.manage_class", group, reverse("phase_detail", args=[group.phase_id])):
        return response
    url = reverse("phase_detail", args=[group.phase_id])
    return delete_then_redirect(request, obj=group,
                                delete=lambda: services.group_delete(group=group, by=request.user),
                                next_url=url, back_url=url)


@training_required
@require_POST
def committee_appoint(request, pk):
    return _phase_action(
        request, pk, form_name="committee_form",
        make_form=lambda phase: CommitteeForm(request.POST, prefix="committee",
                                              people=selectors.class_nominee_choices(user=request.user, phase=phase)),
        act=lambda phase, data: services.class_committee_appoint(phase=phase, by=request.user, **data),
        success=_("The class committee member was appointed."),
    )


@training_required
@require_POST
def committee_remove(request, pk):
    member = get_object_or_404(
        ClassCommitteeMember.objects.filter(phase__program__in=_visible_programs(request.user)).select_related(
            "phase__program", "person"),
        pk=pk)
    if response := refused(request, "training.manage_class", member, reverse("phase_detail", args=[member.phase_id])):
        return response
    url = reverse("phase_detail", args=[member.phase_id])
    return delete_then_redirect(request, obj=member,
                                delete=lambda: services.class_committee_remove(member=member, by=request.user),
                                next_url=url, back_url=url)


@training_required
@require_POST
def branch_create(request, pk):
    return _phase_action(
        request, pk, form_name="branch_form",
        make_form=lambda phase: BranchCreateForm(request.POST, prefix="branch"),
        act=lambda phase, data: services.temporary_branch_create(phase=phase, by=request.user, name=data["name"]),
        success=_("The temporary party branch was set up."),
    )


@training_required
@require_POST
def branch_appoint(request, pk):
    return _phase_action(
        request, pk, form_name="appoint_form",
        make_form=lambda phase: BranchAppointForm(
            request.POST, prefix="appoint", people=selectors.class_nominee_choices(user=request.user, phase=phase)),
        act=lambda phase, data: services.temporary_branch_appoint(phase=phase, by=request.user, **data),
        success=_("The post in the temporary party branch was recorded."),
    )


@training_required
@require_POST
def branch_post_remove(request, pk):
    post = get_object_or_404(
        Post.unscoped.filter(party_organization__training_phase__program__in=_visible_programs(request.user))
        .select_related("person", "party_organization__training_phase__program"),
        pk=pk)
    phase = post.party_organization.training_phase
    if response := refused(request, "training.manage_class", phase, reverse("phase_detail", args=[phase.pk])):
        return response
    url = reverse("phase_detail", args=[phase.pk])
    return delete_then_redirect(request, obj=post,
                                delete=lambda: services.temporary_branch_remove_post(post=post, by=request.user),
                                next_url=url, back_url=url)
