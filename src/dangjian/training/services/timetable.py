"""The timetable (课程表): sessions of each teaching form at the college and at red-education sites,
their conflicts (same class or group, instructor, classroom) and travel warnings, and copying a phase's
timetable. Changes until the class closes (training.edit_timetable)."""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dangjian.core.audit import audit_record, snapshot
from dangjian.core.rules import require
from dangjian.core.services import model_delete
from dangjian.training import selectors
from dangjian.training.models import Instructor, Phase, Session, SessionStop, Site, TeachingForm, TravelTime, Venue
from dangjian.training.services.classes import day_start

SESSION_FIELDS = ("starts_at", "ends_at", "form", "title", "title_en", "course", "venue", "classroom",
                  "place_note", "group", "hours")


def session_create(*, phase: Phase, by, instructors: Iterable[Instructor] = (), sites: Iterable[Site] = (),
                   **fields) -> tuple[Session, list[str]]:
    """Add a session to a phase's timetable. Title, form, hours, sites and instructors default to the
    course's when a catalog course is given. Returns the session and warnings (e.g. short travel time)."""
    require(by, "training.edit_timetable", phase)
    instructors, sites = list(instructors), list(sites)
    course = fields.get("course")
    if course is not None:
        instructors = instructors or list(course.instructors.all())
    session, sites = _new_session(phase=phase, fields=fields, sites=sites)
    _require_places_in_reach(session=session, by=by)
    return _session_save(session=session, by=by, instructors=instructors, sites=sites, action="create")


def _new_session(*, phase: Phase, fields: dict, sites: list) -> tuple[Session, list]:
    """An unsaved session with the defaults: the catalog course's form, title, hours and sites; the
    venue of its classroom, else the program's (unless at sites, or travel)."""
    fields = dict(fields)
    course = fields.get("course")
    if course is not None:
        if not fields.get("form"):  # missing or empty (a form's blank choice): the course's
            fields["form"] = course.form
        if not fields.get("title"):
            fields["title"] = course.title_zh
            fields.setdefault("title_en", course.title_en)
        if fields.get("hours") is None:
            fields["hours"] = course.default_hours
        sites = sites or list(course.sites.all())
    if fields.get("hours") is None:
        fields.pop("hours", None)
    if not fields.get("venue") and fields.get("classroom") is not None:
        fields["venue"] = fields["classroom"].venue  # a classroom says where (maybe a department)
    if not fields.get("venue") and not sites and fields.get("form") != TeachingForm.TRAVEL:
        fields["venue"] = phase.program.venue
    return Session(phase=phase, **fields), sites


def session_create_for_groups(*, phase: Phase, by, sites: Iterable[Site] = (), instructors: Iterable[Instructor] = (),
                              **fields) -> tuple[list[Session], list[str]]:
    """Add a session held by every group of the phase at the same time (分组研讨, each group in its own
    room): one session per group, with the course's title, form, hours and sites as session_create gives
    them. Each group meets in its room (selectors.group_rooms: the room of its latest group session in
    the phase) if known, else in the classroom given. A room booked by another program at that time is
    left empty and reported; any other conflict (a group busy at that time) refuses the whole addition,
    naming the group. No instructor: one person cannot lead every group at once (each group's
    facilitator is set on its own session). Returns the sessions and the warnings."""
    require(by, "training.edit_timetable", phase)
    groups = list(phase.groups.order_by("number"))
    if not groups:
        raise ValidationError({"group": _("Phase %(number)s has no groups yet: set them up on the phase page "
                                          "first.") % {"number": phase.number}})
    if list(instructors):
        raise ValidationError({"instructors": _(
            "An instructor cannot lead every group at the same time: add the group sessions without "
            "instructors, then give each group its facilitator.")})
    fields.pop("group", None)
    given_room = fields.pop("classroom", None)
    course = fields.get("course")
    rooms = selectors.group_rooms(phase=phase)
    warnings, errors, planned = [], [], []
    if course is not None and course.instructors.exists():
        warnings.append(_("The course's usual instructors were not assigned: give each group its facilitator."))
    for group in groups:
        session, group_sites = _new_session(
            phase=phase, fields={**fields, "group": group, "classroom": rooms.get(group.pk, given_room)},
            sites=list(sites))
        _require_places_in_reach(session=session, by=by)
        session.full_clean()
        clashes = session_conflicts(session=session, instructors=[])
        if "classroom" in clashes:
            warnings.append(_("%(group)s: %(error)s No room was assigned.") % {
                "group": group, "error": clashes.pop("classroom")})
            session.classroom = None
        errors.extend(f"{group}: {message}" for message in clashes.values())
        planned.append((session, group_sites))
    if errors:
        raise ValidationError(errors)
    created = []
    with transaction.atomic():
        for session, group_sites in planned:
            saved, more = _session_save(session=session, by=by, instructors=[], sites=group_sites, action="create")
            created.append(saved)
            warnings.extend(warning for warning in more if warning not in warnings)
    return created, warnings


def session_update(*, session: Session, by, instructors: Iterable[Instructor] | None = None,
                   sites: Iterable[Site] | None = None, **fields) -> tuple[Session, list[str]]:
    require(by, "training.edit_timetable", session)
    fields.pop("phase", None)
    before = snapshot(Session.unscoped.get(pk=session.pk))
    before_people = sorted(session.instructors.values_list("pk", flat=True))
    before_sites = list(session.stops.values_list("site_id", flat=True))
    for name, value in fields.items():
        setattr(session, name, value)
    instructors = list(session.instructors.all()) if instructors is None else list(instructors)
    sites = [stop.site for stop in session.stops.select_related("site")] if sites is None else list(sites)
    _require_places_in_reach(session=session, by=by)
    result = _session_save(session=session, by=by, instructors=instructors, sites=sites, action=None)
    changes = {k: [before.get(k), v] for k, v in snapshot(session).items() if before.get(k) != v}
    after_people = sorted(i.pk for i in instructors)
    if after_people != before_people:
        changes["instructors"] = [before_people, after_people]
    if [s.pk for s in sites] != before_sites:
        changes["sites"] = [before_sites, [s.pk for s in sites]]
    if changes:
        audit_record(actor=by, action="update", instance=session, changes=changes)
    return result


def session_move(*, session: Session, by, starts_at: datetime.datetime) -> tuple[Session, list[str]]:
    """Move a session to another start, keeping its length (the grid's drag and drop)."""
    length = session.ends_at - session.starts_at
    return session_update(session=session, by=by, starts_at=starts_at, ends_at=starts_at + length)


def session_delete(*, session: Session, by) -> None:
    require(by, "training.edit_timetable", session)
    model_delete(instance=session, by=by)


def _require_places_in_reach(*, session: Session, by) -> None:
    """Venue and classroom come from selectors.session_venue_choices / session_classroom_choices (college
    staff book the venues and classrooms of their own college; organizers any)."""
    program = session.phase.program
    if session.classroom_id and not selectors.session_classroom_choices(user=by, program=program).filter(
            pk=session.classroom_id).exists():
        raise ValidationError({"classroom": _("Choose a classroom of your college.")})
    if session.venue_id and not selectors.session_venue_choices(user=by, program=program).filter(
            pk=session.venue_id).exists():
        raise ValidationError({"venue": _("Choose a venue of your college.")})


def _session_save(*, session: Session, by, instructors: list, sites: list, action: str | None):
    with transaction.atomic():
        session.full_clean()
        errors = session_conflicts(session=session, instructors=instructors)
        if errors:
            raise ValidationError(errors)
        session.save()
        session.instructors.set(instructors)
        SessionStop.objects.filter(session=session).delete()
        SessionStop.objects.bulk_create(
            [SessionStop(session=session, site=site, order=i) for i, site in enumerate(sites)]
        )
        if action:
            changes = snapshot(session) | {"instructors": [i.pk for i in instructors],
                                           "sites": [s.pk for s in sites]}
            audit_record(actor=by, action=action, instance=session, changes=changes)
    return session, travel_warnings(session=session, sites=sites)


def session_conflicts(*, session: Session, instructors: list) -> dict[str, str]:
    """Clashes with other sessions, by field: the same phase (a whole-class session clashes with
    everything; group sessions clash within their group), an instructor or a classroom booked twice."""
    errors = {}
    others = Session.unscoped.exclude(pk=session.pk).overlapping(session.starts_at, session.ends_at)
    same_phase = others.filter(phase_id=session.phase_id)
    if session.group_id:
        same_phase = same_phase.filter(Q(group__isnull=True) | Q(group_id=session.group_id))
    clash = same_phase.order_by("starts_at").first()
    if clash is not None:
        errors["starts_at"] = _("This time overlaps “%(title)s” (%(start)s–%(end)s) in the same %(scope)s.") % {
            "title": clash.title, "start": _hm(clash.starts_at), "end": _hm(clash.ends_at),
            "scope": pgettext("training", "group") if session.group_id and clash.group_id else _("class"),
        }
    if instructors:
        busy = (
            others.filter(instructors__in=instructors)
            .select_related("phase__program")
            .prefetch_related("instructors")
            .order_by("starts_at")
            .first()
        )
        if busy is not None:
            names = "、".join(i.name for i in busy.instructors.all() if i in instructors)
            errors["instructors"] = _(
                "%(names)s already teaches “%(title)s” at this time (%(program)s, phase %(phase)s)."
            ) % {"names": names, "title": busy.title, "program": busy.phase.program.title,
                 "phase": busy.phase.number}
    if session.classroom_id:
        taken = others.filter(classroom_id=session.classroom_id).exclude(phase_id=session.phase_id).first()
        if taken is not None:
            errors["classroom"] = _("The classroom is booked for “%(title)s” at this time.") % {"title": taken.title}
    return errors


def _hm(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def _places(session: Session, sites: list) -> tuple[object, object]:
    """First and last place of a session: its red-education stops, or else its venue."""
    if sites:
        return sites[0], sites[-1]
    venue = session.venue or session.phase.program.venue
    return venue, venue


def travel_warnings(*, session: Session, sites: list) -> list[str]:
    """Warn when the gap to the neighbouring session at another place is shorter than the travel time
    recorded between the two places (TravelTime; no record, no warning)."""
    if session.form == TeachingForm.TRAVEL:
        return []
    first, last = _places(session, sites)
    neighbours = Session.unscoped.filter(phase_id=session.phase_id).exclude(pk=session.pk).exclude(
        form=TeachingForm.TRAVEL)
    if session.group_id:
        neighbours = neighbours.filter(Q(group__isnull=True) | Q(group_id=session.group_id))
    neighbours = neighbours.select_related("venue", "phase__program__venue").prefetch_related("stops__site")
    day = timezone.localtime(session.starts_at).date()
    before = neighbours.filter(ends_at__lte=session.starts_at, ends_at__gte=day_start(day)).order_by(
        "-ends_at").first()
    after = neighbours.filter(starts_at__gte=session.ends_at, starts_at__lt=day_start(day, 1)).order_by(
        "starts_at").first()
    warnings = []
    for other, gap, origin, destination in (
        (before, before and session.starts_at - before.ends_at, before and _places(before, _stops(before))[1], first),
        (after, after and after.starts_at - session.ends_at, last, after and _places(after, _stops(after))[0]),
    ):
        if other is None or origin is None or destination is None or origin == destination:
            continue
        minutes = travel_minutes(origin, destination)
        if minutes and gap < datetime.timedelta(minutes=minutes):
            warnings.append(_(
                "Only %(gap)d minutes between “%(a)s” and “%(b)s”, but the trip from %(from)s to %(to)s "
                "takes %(minutes)d minutes."
            ) % {"gap": gap.total_seconds() // 60, "a": other.title if other is before else session.title,
                 "b": session.title if other is before else other.title, "from": origin, "to": destination,
                 "minutes": minutes})
    return warnings


def _stops(session: Session) -> list[Site]:
    return [stop.site for stop in session.stops.all()]


def travel_minutes(origin, destination) -> int | None:
    """Recorded travel time between two places (venues or sites), in either direction."""
    def end(prefix, place):
        kind = "venue" if isinstance(place, Venue) else "site"
        return Q(**{f"{prefix}_{kind}": place})

    row = TravelTime.objects.filter(
        (end("from", origin) & end("to", destination)) | (end("from", destination) & end("to", origin))
    ).order_by("minutes").first()
    return row.minutes if row else None


def phase_timetable_copy(*, source: Phase, target: Phase, by, replace: bool = False) -> tuple[int, list[str]]:
    """Copy a phase's timetable to another phase (of the same program, or of any program whose class the
    user runs), shifted to its dates. Groups are matched by number; instructors, places and hours are
    copied as they are (not refilled from the catalog course); an instructor or a room booked elsewhere
    at the new time is left out and reported. Anything else that does not fit (a day beyond the target
    phase, a missing group) copies nothing. Returns the number of sessions copied and the warnings."""
    require(by, "training.edit_timetable", target)
    # Managing the source's class too: a copy must not reveal sessions the user may not see there.
    require(by, "training.run_class", source)
    if source.pk == target.pk:
        raise ValidationError(_("Choose another phase to copy to."))
    if target.sessions.exists() and not replace:
        raise ValidationError(_("Phase %(number)s already has sessions; tick “replace” to overwrite them.")
                              % {"number": target.number})
    with transaction.atomic():
        for old in target.sessions.all():
            model_delete(instance=old, by=by)
        return copy_sessions(source=source, target=target, shift=target.starts_on - source.starts_on, by=by)


def copy_sessions(*, source: Phase, target: Phase, shift: datetime.timedelta, by) -> tuple[int, list[str]]:
    """Copy the source phase's sessions into the target phase, `shift` (whole days) later, keeping their
    wall-clock hours; groups are matched by number. Instructors and rooms are kept unless booked at the
    new time (then left out, with a warning). The caller holds the transaction and the permissions."""
    groups = {g.number: g for g in target.groups.all()}
    sessions = list(source.sessions.select_related("group", "classroom").prefetch_related(
        "instructors", "stops__site").order_by("starts_at", "group__number", "id"))
    warnings = []
    for old in sessions:
        group = None
        if old.group_id:
            group = groups.get(old.group.number)
            if group is None:
                raise ValidationError(_("Phase %(number)s has no group %(group)s for “%(title)s”.") % {
                    "number": target.number, "group": old.group.number, "title": old.title})
        fields = {name: getattr(old, name) for name in SESSION_FIELDS}
        # Shift the local wall-clock time by whole days (the same hours on the target's days).
        fields.update(starts_at=timezone.localtime(old.starts_at) + shift,
                      ends_at=timezone.localtime(old.ends_at) + shift, group=group)
        session, instructors = Session(phase=target, **fields), list(old.instructors.all())
        day = timezone.localtime(session.starts_at).date()
        try:
            session.full_clean()
            warnings += _leave_out_booked(session=session, instructors=instructors, day=day)
            _session_save(session=session, by=by, instructors=instructors,
                          sites=[stop.site for stop in old.stops.all()], action="create")
        except ValidationError as error:
            raise ValidationError(_("“%(title)s” on %(day)s cannot be copied: %(error)s") % {
                "title": old.title, "day": day, "error": " ".join(error.messages)}) from error
    return len(sessions), warnings


def _leave_out_booked(*, session: Session, instructors: list, day: datetime.date) -> list[str]:
    """Take out of a copied session the instructors and the room booked elsewhere at its time (the list
    `instructors` is changed in place); say what was left out."""
    clashes = session_conflicts(session=session, instructors=instructors)
    warnings = []
    if "instructors" in clashes:
        busy = set(Session.unscoped.exclude(pk=session.pk).overlapping(session.starts_at, session.ends_at)
                   .filter(instructors__in=instructors).values_list("instructors", flat=True))
        names = "、".join(i.name for i in instructors if i.pk in busy)
        instructors[:] = [i for i in instructors if i.pk not in busy]
        warnings.append(_("“%(title)s” on %(day)s was copied without %(names)s: %(error)s") % {
            "title": session.title, "day": day, "names": names, "error": clashes["instructors"]})
    if "classroom" in clashes:
        warnings.append(_("“%(title)s” on %(day)s was copied without its room: %(error)s") % {
            "title": session.title, "day": day, "error": clashes["classroom"]})
        session.classroom = None
    return warnings


def session_hours_default(*, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Decimal:
    """Hours suggested for a session of this length: its clock hours rounded to a half (as the
    college's timetables count them), a quarter rounding up."""
    half_hours = Decimal(int((ends_at - starts_at).total_seconds())) / Decimal(1800)
    return (half_hours.quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2).quantize(Decimal("0.1"))
