"""Pages of the allocation of participants to phases and groups (分期分组, docs/allocation.md): the program's
allocation page (settings, the current groups' composition, runs, a form to start one), a run's page with its live
progress (htmx polls a fragment while it solves) and its proposal as a diff, and the apply and discard buttons.

Organizers and college staff of the program's venue (`enrollment.view_allocation`, `enrollment.place_participants`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from dangjian.enrollment import allocation, selectors, services
from dangjian.enrollment.enums import AllocationState
from dangjian.enrollment.tasks import MAX_TIME_LIMIT, allocation_run_start
from dangjian.jobs.services import fail_abandoned_jobs
from dangjian.organizations.models import Organ
from dangjian.training.models import Group
from dangjian.web.views.base import (
    add_service_errors,
    form_page,
    paginate,
    permission_required,
    private_no_store,
    refused,
    require,
)

ACTIVE = "training_program"
allocation_required = permission_required("enrollment.view_allocation")
WEIGHT_LABELS = {
    "unplaced": gettext_lazy("a participant left unplaced"),
    "organ_over_limit": gettext_lazy("a person beyond the limit per organ and phase, where it cannot hold"),
    "phase_move": gettext_lazy("a participant moved to another phase"),
    "group_move": gettext_lazy("a participant moved to another group"),
    "preferred_phase": gettext_lazy("a participant not in the preferred phase"),
    "organ": gettext_lazy("a second person of one organ in a group, where avoidable"),
    "sector": gettext_lazy("a sector beyond an even spread over the groups"),
    "gender": gettext_lazy("a gender beyond an even spread over the groups"),
    "age": gettext_lazy("an age band beyond an even spread over the groups"),
    "size": gettext_lazy("a group size beyond an even spread"),
}


class RunForm(forms.Form):
    time_limit = forms.IntegerField(label=gettext_lazy("Time limit (seconds)"), min_value=1,
                                    max_value=MAX_TIME_LIMIT, initial=10)


def _phase_label(phase) -> str:
    return _("Phase %(number)s") % {"number": phase.number}


class PlacementForm(forms.Form):
    phase = forms.ModelChoiceField(label=gettext_lazy("Phase"), queryset=None)
    group = forms.ModelChoiceField(label=pgettext_lazy("training", "Group"), queryset=None, required=False)
    locked = forms.BooleanField(label=gettext_lazy("Locked: the allocation keeps this placement"), required=False)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = program.phases.order_by("number")
        self.fields["group"].queryset = Group.objects.filter(phase__program=program).select_related("phase")
        self.fields["phase"].label_from_instance = _phase_label
        self.fields["group"].label_from_instance = lambda group: f"{_phase_label(group.phase)} · {group.display_name}"


class AllocationSettingsForm(forms.Form):
    group_size_min = forms.IntegerField(label=gettext_lazy("Smallest group"), min_value=0, max_value=500)
    group_size_max = forms.IntegerField(label=gettext_lazy("Largest group"), min_value=1, max_value=500,
                                        required=False)
    max_per_organ_per_phase = forms.IntegerField(label=gettext_lazy("At most per organ in a phase"), min_value=1,
                                                 max_value=1000, required=False)


def _program(request, pk):
    program = selectors.enrollment_program_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_allocation", program)
    return program


def _run(request, pk):
    run = selectors.allocation_run_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_allocation", run.program)
    return run


def allocation_url(program) -> str:
    return reverse("allocation_page", args=[program.pk])


def _weights() -> list[tuple[str, int]]:
    weights = allocation.Weights()
    return [(WEIGHT_LABELS[name], getattr(weights, name)) for name in WEIGHT_LABELS]


def _sector_names(summaries) -> None:
    labels = dict(Organ.Sector.choices)
    for summary in summaries:
        summary.sector_list = sorted(((labels.get(code, code), n) for code, n in summary.sectors.items()),
                                     key=lambda item: -item[1])


@allocation_required
def allocation_page(request, pk):
    program = _program(request, pk)
    setup = selectors.enrollment_settings(program)
    can_place = request.user.has_perm("enrollment.place_participants", program)
    settings_form = AllocationSettingsForm(initial={
        "group_size_min": setup.group_size_min, "group_size_max": setup.group_size_max,
        "max_per_organ_per_phase": setup.max_per_organ_per_phase})
    if request.method == "POST" and request.POST.get("form") == "settings":
        if (response := refused(request, "enrollment.place_participants", program, allocation_url(program))):
            return response
        settings_form = AllocationSettingsForm(request.POST)
        if settings_form.is_valid():
            try:
                services.allocation_settings_update(program=program, by=request.user, **settings_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(settings_form, error)
            else:
                messages.success(request, _("The allocation settings were saved."))
                return redirect(allocation_url(program))
    summaries = selectors.group_summaries(program=program, placements=selectors.current_placements(program))
    _sector_names(summaries)
    return render(request, "web/enrollment/allocation.html", {
        "program": program, "active": ACTIVE, "can_place": can_place, "settings_form": settings_form,
        "run_form": RunForm(), "runs": selectors.allocation_runs(program=program), "summaries": summaries,
        "weights": _weights(), "page": paginate(request, selectors.participant_placements(program=program)),
        "phases": list(program.phases.order_by("number"))})


@allocation_required
@require_POST
def allocation_start(request, pk):
    program = _program(request, pk)
    if (response := refused(request, "enrollment.place_participants", program, allocation_url(program))):
        return response
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The time limit is between 1 and %(max)s seconds.") % {"max": MAX_TIME_LIMIT})
        return redirect(allocation_url(program))
    run = allocation_run_start(program=program, by=request.user, time_limit=form.cleaned_data["time_limit"])
    return redirect("allocation_run", run.pk)


def _run_context(request, run) -> dict:
    # A worker stopped without a word (killed, out of memory) leaves its job failed (jobs.services) and the run
    # "solving": the page stops polling and shows the job's error.
    if run.state == AllocationState.SOLVING and run.job_id:
        fail_abandoned_jobs(job_ids=[run.job_id])
        run.job.refresh_from_db()
    lost = run.state == AllocationState.SOLVING and run.job is not None and run.job.finished
    context = {"run": run, "program": run.program, "active": ACTIVE, "lost": lost,
               "solving": run.state == AllocationState.SOLVING and not lost,
               "can_decide": run.state == AllocationState.PROPOSED and bool(run.proposal)
               and request.user.has_perm("enrollment.place_participants", run.program)}
    if run.state != AllocationState.SOLVING:
        rows = selectors.proposal_rows(run=run)
        context["moved"] = [row for row in rows if row.moved and row.proposed is not None]
        context["unplaced"] = [row for row in rows if row.proposed is None]
        context["moved_count"] = sum(1 for row in rows if row.moved)
        summaries = selectors.group_summaries(program=run.program, placements={
            int(pk): tuple(place) for pk, place in run.proposal.items()})
        _sector_names(summaries)
        context["summaries"] = summaries
    return context


@allocation_required
def allocation_run(request, pk):
    run = _run(request, pk)
    return private_no_store(render(request, "web/enrollment/allocation_run.html", _run_context(request, run)))


@allocation_required
def allocation_run_status(request, pk):
    """The run's live figures alone, polled every second while it solves; once it has ended, the whole page is
    reloaded (the fragment says so with HX-Refresh)."""
    run = _run(request, pk)
    context = _run_context(request, run)
    response = render(request, "web/enrollment/_allocation_progress.html", context)
    if not context["solving"]:
        response["HX-Refresh"] = "true"
    return private_no_store(response)


@allocation_required
@require_POST
def allocation_apply(request, pk):
    run = _run(request, pk)
    back = reverse("allocation_run", args=[run.pk])
    if (response := refused(request, "enrollment.place_participants", run.program, back)):
        return response
    try:
        counts = services.allocation_apply(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("The proposal was applied: %(created)s placed, %(moved)s moved, %(removed)s "
                                "taken out.") % counts)
    return redirect(allocation_url(run.program))


@allocation_required
@require_POST
def allocation_discard(request, pk):
    run = _run(request, pk)
    back = reverse("allocation_run", args=[run.pk])
    if (response := refused(request, "enrollment.place_participants", run.program, back)):
        return response
    try:
        services.allocation_discard(run=run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, _("The proposal was discarded."))
    return redirect(allocation_url(run.program))


def _participant(request, pk):
    nomination = selectors.placement_nomination_get(user=request.user, pk=pk)
    require(request.user, "enrollment.view_allocation", nomination.program)
    return nomination


@allocation_required
def allocation_placement(request, pk):
    """Place one participant by hand: phase, group and lock."""
    nomination = _participant(request, pk)
    back = allocation_url(nomination.program)
    if (response := refused(request, "enrollment.place_participants", nomination.program, back)):
        return response
    placement = getattr(nomination, "placement", None)
    initial = {"phase": placement.phase, "group": placement.group, "locked": placement.locked} if placement else {}
    form = PlacementForm(request.POST or None, initial=initial, program=nomination.program)
    return form_page(
        request, form=form, success=_("%(person)s was placed.") % {"person": nomination.person.name},
        save=lambda: services.placement_set(nomination=nomination, phase=form.cleaned_data["phase"],
                                            group=form.cleaned_data["group"], locked=form.cleaned_data["locked"],
                                            by=request.user),
        next_url=lambda _placement: back,
        context={"title": _("Placement of %(person)s") % {"person": nomination.person.name}, "cancel_url": back,
                 "active": ACTIVE, "intro": nomination.organ.name_zh,
                 "delete_url": reverse("allocation_placement_remove", args=[nomination.pk]) if placement else ""})


@allocation_required
@require_POST
def allocation_placement_remove(request, pk):
    """Take a participant out of their phase and group."""
    nomination = _participant(request, pk)
    back = allocation_url(nomination.program)
    if (response := refused(request, "enrollment.place_participants", nomination.program, back)):
        return response
    placement = getattr(nomination, "placement", None)
    if placement is not None:
        services.placement_remove(placement=placement, by=request.user)
        messages.success(request, _("%(person)s was taken out of their phase and group.") % {
            "person": nomination.person.name})
    return redirect(back)


@allocation_required
def allocation_board(request, pk, phase_pk):
    """A phase's groups side by side: drag a participant onto another group to move them there (the move locks
    the placement, so the solver keeps it); each name is also a link to the placement form (keyboard, no script).
    A move is a POST of `nomination` and `group`; with htmx the board comes back in place."""
    program = _program(request, pk)
    phase = get_object_or_404(program.phases.all(), pk=phase_pk)
    can_place = request.user.has_perm("enrollment.place_participants", program)
    error = ""
    if request.method == "POST":
        if (response := refused(request, "enrollment.place_participants", program, allocation_url(program))):
            return response
        nomination = _participant(request, request.POST.get("nomination") or 0)
        group = Group.objects.filter(phase=phase, pk=request.POST.get("group") or 0).first() \
            if (request.POST.get("group") or "").isdigit() else None
        if nomination.program_id != program.pk or group is None:
            error = _("Drop a participant of this program onto a group of this phase.")
        else:
            try:
                services.placement_set(nomination=nomination, phase=phase, group=group, locked=True,
                                       by=request.user)
            except ValidationError as problem:
                error = " ".join(problem.messages)
        if not request.htmx and not error:
            return redirect(request.path)
    context = {"program": program, "phase": phase, "phases": list(program.phases.order_by("number")),
               "columns": selectors.placement_board(phase=phase), "can_place": can_place, "error": error,
               "active": ACTIVE}
    template = "web/enrollment/_board.html" if request.htmx else "web/enrollment/allocation_board.html"
    # htmx swaps only successful answers: the board with its error is a 200 there.
    return render(request, template, context, status=400 if error and not request.htmx else 200)
