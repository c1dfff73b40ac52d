"""Reuse across years: a program copied as next year's draft, with its phases, groups and timetable."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from dangjian.core.rules import require
from dangjian.training import selectors
from dangjian.training.models import Program
from dangjian.training.services.classes import group_create, phase_create
from dangjian.training.services.timetable import copy_sessions
from dangjian.training.services.workflow import program_create

# What the copy takes over from the source: the plan (but its year and title), and the contact.
COPIED_FIELDS = (*(name for name in Program.PLAN_FIELDS if name not in ("year", "title")),
                 "contact_name", "contact_phone")


def program_copy_shift(*, program: Program, year: int, first_day: datetime.date | None = None) -> datetime.timedelta:
    """How far the phases move: so that the first phase starts on `first_day`; without it, by the whole
    weeks nearest to the years between the program's year and `year`, so that every day keeps its
    weekday (a Monday-to-Friday phase stays Monday to Friday)."""
    first = program.phases.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first is None:
        return datetime.timedelta(0)
    if first_day is not None:
        return first_day - first
    same_date = _in_year(first, first.year + year - program.year)
    return datetime.timedelta(weeks=round((same_date - first).days / 7))


def _in_year(day: datetime.date, year: int) -> datetime.date:
    """The same month and day in another year (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def copied_title(program: Program, year: int) -> str:
    """The title with the program's year replaced by the new one (2022年… → 2023年…), else the same."""
    return program.title.replace(str(program.year), str(year))


def program_copy(*, program: Program, by, year: int, first_day: datetime.date | None = None,
                 title: str = "") -> tuple[Program, list[str]]:
    """Copy a program for another year (training.copy_program: those who may see it and create programs):
    a new draft with the same plan and contact, the year given and the title with its year replaced (or
    `title`); its phases moved by program_copy_shift, with the same capacity, head teacher (while they
    still work at the college) and classroom; each phase's groups (number and names, not their people);
    and each phase's timetable with its instructors and rooms. An instructor or a room booked at the new
    time is left out of that session and reported. Class committee, temporary branch and approval are
    not copied: they belong to the class that took place. All or nothing. Returns the draft and the
    warnings."""
    require(by, "training.copy_program", program)
    if year == program.year and first_day is None:
        raise ValidationError({"first_day": _("A copy in the same year needs other dates: give the first day.")})
    shift = program_copy_shift(program=program, year=year, first_day=first_day)
    phases = list(program.phases.select_related("head_teacher", "classroom").prefetch_related("groups")
                  .order_by("number"))
    warnings = []
    if phases and first_day is not None and first_day.weekday() != phases[0].starts_on.weekday():
        warnings.append(_("The first phase now starts on a %(new)s instead of a %(old)s: check the weekends in "
                          "the timetable.") % {"new": formats.date_format(first_day, "l"),
                                               "old": formats.date_format(phases[0].starts_on, "l")})
    with transaction.atomic():
        fields = {name: getattr(program, name) for name in COPIED_FIELDS}
        copy = program_create(by=by, year=year, title=(title or "").strip() or copied_title(program, year), **fields)
        teachers = set(selectors.head_teacher_choices(program=copy).values_list("pk", flat=True))
        for phase in phases:
            head_teacher = phase.head_teacher if phase.head_teacher_id in teachers else None
            if phase.head_teacher_id and head_teacher is None:
                warnings.append(_("Phase %(number)s: %(name)s no longer works at the college and is not its head "
                                  "teacher.") % {"number": phase.number, "name": phase.head_teacher})
            new_phase = phase_create(program=copy, by=by, number=phase.number, starts_on=phase.starts_on + shift,
                                     ends_on=phase.ends_on + shift, capacity=phase.capacity,
                                     head_teacher=head_teacher, classroom=phase.classroom)
            for group in phase.groups.all():
                group_create(phase=new_phase, by=by, number=group.number, name=group.name, name_en=group.name_en)
            _count, copied_warnings = copy_sessions(source=phase, target=new_phase, shift=shift, by=by)
            warnings += copied_warnings
    return copy, warnings
