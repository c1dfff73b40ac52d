"""Staff forms for training programs and their library.

The forms only parse input: the services validate (model rules, the program's status) and their
ValidationError is shown on the fields by add_service_errors. So the model forms here do not copy
their data onto the instance while validating (ServiceModelForm): a service compares what was sent
with what is stored, e.g. to refuse changing an approved plan.
"""

import copy
from operator import attrgetter

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.accounts.roles import Role
from dangjian.accounts.selectors import with_affiliation
from dangjian.organizations.models import Organ, Person, Post, organ_order
from dangjian.training import selectors
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    Site,
    TeachingForm,
    Venue,
)
from dangjian.training.validators import validate_approval_document
from dangjian.web.forms import DateInput, organ_picker

User = get_user_model()

# A select lists at most this many people; beyond, the page offers a search that narrows the lists. (Nobody reads
# a longer list, and at province scale two selects of 300 names made the phase page take a quarter of a second;
# of 100 names, still 60 ms of rendering.)
PEOPLE_PICKER_LIMIT = 30


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose validation stops at the fields: the service runs the model's rules."""

    def _post_clean(self):
        # ModelForm would copy the data onto self.instance and validate it there. The services need the
        # instance as stored (to see what changed), so the model's field rules and clean() run on a copy:
        # every field error shows at once; uniqueness and the workflow are the service's to check.
        probe = copy.copy(self.instance)
        try:
            construct_instance(self, probe, self._meta.fields, self._meta.exclude)
            probe.full_clean(exclude=self._get_validation_exclusions(), validate_unique=False,
                             validate_constraints=False)
        except ValidationError as error:
            self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        # Browsers send CRLF line ends; stored text uses LF, so an untouched text area is no change.
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n")
        return cleaned

    def service_data(self) -> dict:
        """Field values for the service, without the many-to-many ones (see m2m_data)."""
        m2m = {f.name for f in self._meta.model._meta.many_to_many}
        return {name: value for name, value in self.cleaned_data.items() if name not in m2m}

    def m2m_data(self) -> dict:
        m2m = {f.name for f in self._meta.model._meta.many_to_many}
        return {name: value for name, value in self.cleaned_data.items() if name in m2m}


def person_label(person: Person) -> str:
    return f"{person.name} · {person.organ.name_zh}"


def limit_people(field: forms.ModelChoiceField, *, queryset, search: str = "", keep=()) -> bool:
    """Validate against every person in `queryset`, but list only PEOPLE_PICKER_LIMIT of them: those
    matching `search` (name or organ), plus the ones in `keep` (current values). Returns whether the
    list was cut short (the page then asks for a search)."""
    queryset = queryset.select_related("organ").order_by(*organ_order("organ__"), "name_sort", "id")
    field.queryset = queryset
    field.label_from_instance = person_label
    shown = queryset
    if search.strip():
        term = search.strip()
        shown = shown.filter(Q(name__icontains=term) | Q(organ__name_zh__icontains=term))
    people = list(shown[:PEOPLE_PICKER_LIMIT + 1])
    truncated = len(people) > PEOPLE_PICKER_LIMIT
    people = people[:PEOPLE_PICKER_LIMIT]
    listed = {p.pk for p in people}
    extra = [p for p in keep if p is not None and p.pk not in listed]
    choices = [("", field.empty_label or "---------")] if not isinstance(field, forms.ModelMultipleChoiceField) \
        else []
    choices += [(p.pk, person_label(p)) for p in [*extra, *people]]
    field.widget.choices = choices
    return truncated


NOBODY = Q(pk__in=[])


def users_with_role(role: str, *, plus: Q = NOBODY):
    """Active holders of a role, plus whoever `plus` selects (e.g. the current value)."""
    return with_affiliation(User.objects.filter(Q(groups__name=role, is_active=True) | plus).distinct())


# A user in a choice: name and college or organ ("陈静（河南大别山干部学院）"), never the login name.
user_label = attrgetter("affiliated_name")


# --- Library -------------------------------------------------------------------------------------

class VenueForm(ServiceModelForm):
    class Meta:
        model = Venue
        fields = ["code", "name_zh", "name_en", "kind", "parent", "province", "city", "county", "address", "note",
                  "staff"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3}), "staff": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Venue.objects.filter(parent__isnull=True).order_by("code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        current = Q(venues=self.instance) if self.instance.pk else NOBODY
        self.fields["staff"].queryset = users_with_role(Role.COLLEGE_STAFF, plus=current)
        self.fields["staff"].label_from_instance = user_label


class ClassroomForm(ServiceModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "name_en", "capacity"]


class SiteForm(ServiceModelForm):
    class Meta:
        model = Site
        fields = ["code", "name_zh", "name_en", "county", "region", "theme", "typical_use"]


class PlaceField(forms.ChoiceField):
    """A venue or a red-education site, as "venue:<pk>" or "site:<pk>" (travel times join either)."""

    def set_places(self, venues, sites) -> None:
        self.choices = [
            ("", "---------"),
            (_("Venues"), [(f"venue:{v.pk}", v.name) for v in venues]),
            (_("Red-education sites"), [(f"site:{s.pk}", s.name) for s in sites]),
        ]

    def clean(self, value):
        value = super().clean(value)
        kind, _sep, pk = value.partition(":")
        model = {"venue": Venue, "site": Site}[kind]
        try:
            return model.objects.get(pk=pk)
        except model.DoesNotExist as error:
            raise ValidationError(_("Choose a venue or a site.")) from error


class TravelTimeForm(forms.Form):
    origin = PlaceField(label=_("From"))
    destination = PlaceField(label=_("To"))
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=1440)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venues, sites = list(Venue.objects.order_by("code")), list(Site.objects.order_by("region", "code"))
        for name in ("origin", "destination"):
            self.fields[name].set_places(venues, sites)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("origin") is not None and cleaned.get("origin") == cleaned.get("destination"):
            self.add_error("destination", _("Choose another place than the starting point."))
        return cleaned

    def service_data(self) -> dict:
        origin, destination = self.cleaned_data["origin"], self.cleaned_data["destination"]
        return {
            "from_venue": origin if isinstance(origin, Venue) else None,
            "from_site": origin if isinstance(origin, Site) else None,
            "to_venue": destination if isinstance(destination, Venue) else None,
            "to_site": destination if isinstance(destination, Site) else None,
            "minutes": self.cleaned_data["minutes"],
        }


class InstructorForm(ServiceModelForm):
    class Meta:
        model = Instructor
        fields = ["name", "kind", "title", "organization", "venue", "phone", "person", "user", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, people_search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.order_by("code")
        self.people_truncated = limit_people(
            self.fields["person"], queryset=Person.objects.visible_to(user), search=people_search,
            keep=[self.instance.person] if self.instance.person_id else [],
        )
        self.fields["user"].queryset = users_with_role(Role.INSTRUCTOR, plus=Q(pk=self.instance.user_id)
                                                       if self.instance.user_id else NOBODY)
        self.fields["user"].label_from_instance = user_label
        self.fields["user"].help_text = _("Users holding the instructor role.")


class CourseForm(ServiceModelForm):
    class Meta:
        model = Course
        fields = ["code", "form", "title_zh", "title_en", "default_hours", "sites", "instructors", "active"]
        widgets = {"sites": forms.SelectMultiple(attrs={"size": 8}),
                   "instructors": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Site.objects.order_by("region", "code")
        self.fields["instructors"].queryset = Instructor.objects.order_by("name", "id")


# --- Programs ------------------------------------------------------------------------------------

class ProgramForm(ServiceModelForm):
    class Meta:
        model = Program
        fields = ["title", "year", "organizer", "legal_basis", "purpose", "target_population", "requirement",
                  "content", "venue", "planned_participants", "phase_count", "hours_per_day", "cost_per_person_day",
                  "budget_estimate", "contact_name", "contact_phone"]
        widgets = {"organizer": organ_picker(), **{name: forms.Textarea(attrs={"rows": 3})
                   for name in ("legal_basis", "purpose", "target_population", "content")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = Organ.objects.visible_to(user)
        self.fields["venue"].queryset = selectors.program_venue_choices()


class ApproveForm(forms.Form):
    comments = forms.CharField(label=pgettext_lazy("approval", "Comments"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(
        label=_("Approval document"), required=False, validators=[validate_approval_document],
        help_text=_("PDF, OFD or a scan (JPEG, PNG), at most 20 MB."),
    )
    document_reference = forms.CharField(label=_("Document number"), required=False, max_length=100)


class ReturnForm(forms.Form):
    # Not required here: the service refuses an empty one with its own message.
    comments = forms.CharField(label=_("What must be revised"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why the approved plan must change"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReopenClassForm(forms.Form):
    """Reopen a closed class (services.program_reopen_class): the hours credited are taken back."""

    reason = forms.CharField(label=_("Why the closed class must be reopened"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ProgramCopyForm(forms.Form):
    """Copy a program for another year (services.program_copy)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    first_day = forms.DateField(
        label=_("First day of the first phase"), required=False, widget=DateInput(),
        help_text=_("Empty: the phases move by whole weeks to the same season of the new year, on the same "
                    "weekdays. Given: every phase moves by the same number of days."))
    title = forms.CharField(label=pgettext_lazy("training", "Title"), max_length=200, required=False,
                            help_text=_("Empty: the title with its year replaced."))


# --- Phases and the class -------------------------------------------------------------------------

class PhaseForm(ServiceModelForm):
    # Fields of the approved plan; the rest is the class's business (head teacher, classroom, status).
    PLAN_FIELDS = ("number", "starts_on", "ends_on", "capacity")

    class Meta:
        model = Phase
        fields = ["number", "starts_on", "ends_on", "capacity", "head_teacher", "classroom", "status"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, program: Program, can_change_plan: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = selectors.phase_classroom_choices(program=program)
        self.fields["head_teacher"].queryset = selectors.head_teacher_choices(
            program=program, current=self.instance.head_teacher)
        self.fields["head_teacher"].label_from_instance = user_label
        self.fields["number"].required = not self.instance._state.adding
        if self.instance._state.adding:
            self.fields["number"].help_text = _("Leave empty for the next number.")
            del self.fields["status"]
        if not can_change_plan:
            for name in self.PLAN_FIELDS:
                self.fields[name].disabled = True


class GroupsCreateForm(forms.Form):
    count = forms.IntegerField(label=_("Number of groups to add"), min_value=1, max_value=50, initial=1)


class GroupForm(ServiceModelForm):
    class Meta:
        model = Group
        fields = ["number", "name", "name_en", "leader", "deputy_leader"]

    def __init__(self, *args, people, people_search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        keep = [self.instance.leader, self.instance.deputy_leader] if self.instance.pk else []
        self.people_truncated = limit_people(self.fields["leader"], queryset=people, search=people_search, keep=keep)
        limit_people(self.fields["deputy_leader"], queryset=people, search=people_search, keep=keep)


class CommitteeForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.unscoped.none())
    role = forms.ChoiceField(label=_("Role"), choices=ClassCommitteeMember.Role.choices)

    def __init__(self, *args, people, people_search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.people_truncated = limit_people(self.fields["person"], queryset=people, search=people_search)


class BranchCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=120,
                           help_text=_("Leave empty for the program's title and the phase number."))


class BranchAppointForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.unscoped.none())
    role = forms.ChoiceField(label=_("Role"), choices=Post.Role.choices)
    portfolio = forms.ChoiceField(label=_("Portfolio"), required=False,
                                  choices=[("", "---------"), *Post.Portfolio.choices])

    def __init__(self, *args, people, people_search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.people_truncated = limit_people(self.fields["person"], queryset=people, search=people_search)


TEACHING_FORM_CHOICES = [("", _("All teaching forms")), *TeachingForm.choices]
