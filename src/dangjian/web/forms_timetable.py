"""Forms of the timetable builder: a session (day, start and end instead of two datetimes), a move
(day and start), copying a phase's timetable, and the catalog picker's filter."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from dangjian.training import selectors
from dangjian.training.models import (
    GROUP_FORMS,
    Classroom,
    Course,
    Instructor,
    Phase,
    Session,
    Site,
    TeachingForm,
    Venue,
)
from dangjian.training.services import session_hours_default
from dangjian.web.forms import DateInput

# Service errors name the model's fields; the form shows them next to its own.
SERVICE_FIELD_TO_FORM_FIELD = {"starts_at": "start", "ends_at": "end", "sites": "sites"}
DEFAULT_LENGTH = datetime.timedelta(hours=3)
DAY_END = datetime.time(22, 0)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        attrs = {"step": 300, **kwargs.pop("attrs", {})}
        super().__init__(format="%H:%M", attrs=attrs, **kwargs)


def aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def day_label(day: datetime.date) -> str:
    from django.utils.formats import date_format

    return f"{date_format(day, 'D')} {day:%Y-%m-%d}"


class OrderedSites(forms.Widget):
    """A few <select name="sites"> in a row: the red-education sites in visiting order (a multi-select
    would lose the order). Empty selects are ignored."""

    template_name = "web/timetable/_ordered_sites_widget.html"

    def __init__(self, *args, minimum: int = 4, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum = minimum
        self.choices = []

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else data.get(name, [])
        return [value for value in values if value not in ("", None)]

    def value_omitted_from_data(self, data, files, name):
        return False

    def format_value(self, value):
        if value is None:
            return []
        return [str(getattr(item, "pk", item)) for item in value]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = self.format_value(value)
        count = max(self.minimum, len(values) + 1)
        base_id = context["widget"]["attrs"].get("id", f"id_{name}")
        context["widget"]["selects"] = [
            {"id": base_id if i == 0 else f"{base_id}_{i}", "value": values[i] if i < len(values) else "",
             "number": i + 1}
            for i in range(count)
        ]
        context["widget"]["options"] = [(str(value), label) for value, label in self.choices]
        return context


class OrderedSitesField(forms.ModelMultipleChoiceField):
    """The chosen sites as a list in the order given (a queryset would sort them)."""

    widget = OrderedSites

    def clean(self, value):
        value = [v for v in (value or []) if v not in ("", None)]
        if len(set(value)) != len(value):
            raise ValidationError(_("Each site can be visited only once in a session."), code="duplicate")
        chosen = super().clean(value)
        by_pk = {str(site.pk): site for site in chosen}
        return [by_pk[str(v)] for v in value]


class CourseSelect(forms.Select):
    """Options carry the course's form, title, hours, instructors and sites (data-* attributes) so that
    choosing a course fills the form in the browser (timetable.js)."""

    def __init__(self, *args, courses: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.courses = courses or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        course = self.courses.get(str(getattr(value, "value", value)))
        if course is not None:
            option["attrs"].update({
                "data-form": course.form,
                "data-title": course.title_zh,
                "data-title-en": course.title_en,
                "data-hours": str(course.default_hours),
                "data-instructors": ",".join(str(i.pk) for i in course.instructors.all()),
                "data-sites": ",".join(str(s.pk) for s in course.sites.all()),
                "data-group-form": "1" if course.form in GROUP_FORMS else "",
            })
        return option


class SessionForm(forms.Form):
    """A session of one phase. The day is chosen among the phase's days; start and end lie on that day."""

    course = forms.ModelChoiceField(
        label=_("Catalog course"), queryset=Course.objects.none(), required=False,
        help_text=_("Choosing a course fills in its title, teaching form, hours, instructors and sites."),
    )
    form = forms.ChoiceField(label=_("Teaching form"), choices=[("", "---------"), *TeachingForm.choices],
                             required=False)
    title = forms.CharField(label=pgettext_lazy("training", "Title"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=400, required=False)
    day = forms.DateField(label=_("Day"), widget=forms.Select)
    start = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    instructors = forms.ModelMultipleChoiceField(
        label=_("Instructors"), queryset=Instructor.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False,
                                   help_text=_("Empty: the program's venue (unless red-education sites are given)."))
    classroom = forms.ModelChoiceField(label=_("Classroom"), queryset=Classroom.objects.none(), required=False)
    sites = OrderedSitesField(label=_("Red-education sites, in visiting order"), queryset=Site.objects.none(),
                              required=False)
    place_note = forms.CharField(label=_("Place (free text)"), max_length=200, required=False,
                                 help_text=_("For travel, e.g. 南阳市→新县."))
    group = forms.ModelChoiceField(label=pgettext_lazy("training", "Group"), queryset=None, required=False,
                                   empty_label=_("Whole class"),
                                   help_text=_("Only for sessions held per group (e.g. group discussion)."))
    each_group = forms.BooleanField(
        label=_("Every group at the same time"), required=False,
        help_text=_("One session per group, each in its group's room (e.g. group discussion); no instructor."),
    )
    hours = forms.DecimalField(
        label=_("Hours credited"), max_digits=4, decimal_places=1, min_value=Decimal("0"),
        max_value=Decimal("24"), required=False,
        help_text=_("Empty: the course's hours, or the session's length rounded to half hours (travel: none)."),
    )

    def __init__(self, *args, phase: Phase, user, current_course: Course | None = None, new: bool = True, **kwargs):
        """`current_course`: the session's course, offered even when it is no longer in use; venues and
        classrooms are those `user` may book for the program (selectors). A new session in a phase with
        groups may be added for every group at once (`each_group`)."""
        super().__init__(*args, **kwargs)
        self.phase = phase
        self.group_count = phase.groups.count() if new else 0
        if not self.group_count:
            del self.fields["each_group"]
        self.fields["day"].widget.choices = [(day.isoformat(), day_label(day)) for day in phase.days]
        courses = list(Course.objects.filter(active=True).prefetch_related("instructors", "sites")
                       .order_by("form", "code"))
        if current_course is not None and not current_course.active:
            courses.append(current_course)
        self.fields["course"].queryset = Course.objects.filter(pk__in=[c.pk for c in courses]).order_by(
            "form", "code")
        self.fields["course"].widget = CourseSelect(courses={str(c.pk): c for c in courses})
        self.fields["course"].widget.choices = [("", "---------")] + [
            (c.pk, f"{TeachingForm(c.form).label} · {c.title}") for c in courses]
        self.fields["instructors"].queryset = Instructor.objects.order_by("name", "id")
        self.fields["venue"].queryset = selectors.session_venue_choices(user=user, program=phase.program)
        self.fields["classroom"].queryset = selectors.session_classroom_choices(user=user, program=phase.program)
        self.fields["sites"].queryset = Site.objects.order_by("region", "code")
        self.fields["sites"].widget.choices = [(site.pk, site.name) for site in self.fields["sites"].queryset]
        self.fields["group"].queryset = phase.groups.order_by("number")
        self.fields["hours"].widget.attrs.update({"step": "0.5", "placeholder": _("automatic")})
        self.fields["title"].widget.attrs["autofocus"] = True

    @classmethod
    def initial_for_slot(cls, *, phase: Phase, day: datetime.date | None, start: datetime.time | None,
                         course: Course | None = None) -> dict:
        """A new session at a clicked slot: the slot's day and time, a default length (the course's
        hours when a catalog course is chosen), the course's title, form, instructors and sites."""
        day = day if day in phase.days else phase.starts_on
        start = start or datetime.time(8, 30)
        length = course_length(course) if course is not None else DEFAULT_LENGTH
        initial = {"day": day, "start": start, "end": slot_end(day, start, length)}
        if course is not None:
            initial.update(course=course, form=course.form, title=course.title_zh, title_en=course.title_en,
                           hours=course.default_hours, instructors=list(course.instructors.all()),
                           sites=list(course.sites.all()))
            if course.form in GROUP_FORMS and phase.groups.exists():
                initial.update(each_group=True, instructors=[])
        return initial

    @classmethod
    def initial_for_session(cls, session: Session) -> dict:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "course": session.course, "form": session.form, "title": session.title, "title_en": session.title_en,
            "day": start.date(), "start": start.time(), "end": end.time(),
            "instructors": list(session.instructors.all()), "venue": session.venue,
            "classroom": session.classroom, "sites": [stop.site for stop in session.stops.all()],
            "place_note": session.place_note, "group": session.group, "hours": session.hours,
        }

    def clean(self):
        data = super().clean()
        course = data.get("course")
        if course is not None:
            if not data.get("form"):
                data["form"] = course.form
            if not data.get("title"):
                data["title"] = course.title_zh
                data["title_en"] = data.get("title_en") or course.title_en
        if not data.get("form") and "form" not in self.errors:
            self.add_error("form", _("Choose the teaching form (or a catalog course)."))
        if not data.get("title") and "title" not in self.errors:
            self.add_error("title", _("Give the title (or choose a catalog course)."))
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", _("The session must end after it starts (on the same day)."))
            else:
                data["starts_at"], data["ends_at"] = aware(day, start), aware(day, end)
        if data.get("each_group"):
            if data.get("group"):
                self.add_error("group", _("Choose a group, or every group, not both."))
            if data.get("instructors"):
                self.add_error("instructors", _("Sessions of every group at once take no instructor: give "
                                                "each group its facilitator afterwards."))
        if data.get("hours") is None and "starts_at" in data:
            if course is not None:
                data["hours"] = course.default_hours
            elif data.get("form") == TeachingForm.TRAVEL:
                data["hours"] = Decimal("0")
            else:
                data["hours"] = session_hours_default(starts_at=data["starts_at"], ends_at=data["ends_at"])
        return data

    @property
    def for_each_group(self) -> bool:
        return bool(self.cleaned_data.get("each_group"))

    def service_arguments(self) -> dict:
        """Keyword arguments of services.session_create / session_update (and session_create_for_groups,
        which takes no group and no instructor)."""
        data = self.cleaned_data
        if self.for_each_group:
            return {key: value for key, value in self._arguments(data).items() if key not in ("group", "instructors")}
        return self._arguments(data)

    @staticmethod
    def _arguments(data: dict) -> dict:
        return {
            "starts_at": data["starts_at"], "ends_at": data["ends_at"], "form": data["form"],
            "title": data["title"], "title_en": data.get("title_en", ""), "course": data.get("course"),
            "venue": data.get("venue"), "classroom": data.get("classroom"), "place_note": data.get("place_note", ""),
            "group": data.get("group"), "hours": data["hours"],
            "instructors": list(data.get("instructors") or []), "sites": list(data.get("sites") or []),
        }


def slot_end(day: datetime.date, start: datetime.time, length: datetime.timedelta) -> datetime.time:
    """The end of a session of `length` from `start`, at the latest at the end of the grid's day."""
    end = datetime.datetime.combine(day, start) + length
    return end.time() if end.date() == day and end.time() <= DAY_END else DAY_END


def course_length(course: Course) -> datetime.timedelta:
    """Clock time of a catalog course at a slot: its hours, to the quarter hour (an hour when it has none)."""
    minutes = round(float(course.default_hours) * 60 / 15) * 15
    return datetime.timedelta(minutes=minutes or 60)


def add_session_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Like web.views.base.add_service_errors, mapping the model's field names to the form's."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = SERVICE_FIELD_TO_FORM_FIELD.get(field, field)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class MoveForm(forms.Form):
    """Where a dragged session goes: a day and a start time (the session keeps its length)."""

    day = forms.DateField(label=_("Day"), widget=DateInput())
    time = forms.TimeField(label=_("Starts at"), widget=TimeInput())

    def starts_at(self) -> datetime.datetime:
        return aware(self.cleaned_data["day"], self.cleaned_data["time"])


class TimetableCopyForm(forms.Form):
    """Copy a timetable into a phase from another phase with sessions: of this program, or of any program
    whose class the user runs (selectors.timetable_source_choices), grouped by program."""

    source = forms.ModelChoiceField(label=_("Copy from"), queryset=Phase.objects.none(), empty_label=None)
    replace = forms.BooleanField(label=_("Replace the sessions this phase already has"), required=False)

    def __init__(self, *args, phase: Phase, user, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = selectors.timetable_source_choices(user=user, target=phase)
        self.sources = list(queryset)  # read once: the page asks whether there are any, then lists them
        self.fields["source"].queryset = queryset
        groups: dict[int, tuple[str, list]] = {}
        for source in self.sources:
            label = ngettext("Phase %(number)s (%(start)s to %(end)s, %(count)d session)",
                             "Phase %(number)s (%(start)s to %(end)s, %(count)d sessions)", source.session_total) % {
                "number": source.number, "start": source.starts_on, "end": source.ends_on,
                "count": source.session_total}
            groups.setdefault(source.program_id, (source.program.title, []))[1].append((source.pk, label))
        self.fields["source"].widget.choices = list(groups.values())


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.SearchInput(attrs={"placeholder": _("Course title")}))
    form = forms.ChoiceField(label=_("Teaching form"), required=False,
                             choices=[("", _("All teaching forms")), *TeachingForm.choices])
    day = forms.DateField(label=_("Day"), required=False, widget=forms.Select)
    time = forms.TimeField(label=_("Starts at"), required=False, widget=TimeInput())

    def __init__(self, *args, phase: Phase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.choices = [(day.isoformat(), day_label(day)) for day in phase.days]
