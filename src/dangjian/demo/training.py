"""The seed's training program in the Nanyang demo: "2022年南阳市直机关新任党组织书记培训班", organized by
the working committee, approved by the municipal party committee and held at the Dabie Mountain Cadre
College in two five-day phases in October 2022 (shared/seed/nanyang-training-article.txt), with the
library it draws on.

Sources (data/):
- venue.csv, red_sites.csv, course_catalog.csv, timetable_phase.csv: copies of shared/domain/.
- travel_times.csv, instructors.csv: invented demo data (their `note` column says so).
Also invented for the demo: the classrooms, the cost standard (550 yuan per person and day), the
contact, the approval document number (宛委〔2022〕56号) and the group and class-committee names.
The people in groups, the temporary branches and the class committees are synthetic registry people
(secretaries appointed in 2022).

Unlike the registry (demo/registry.py), everything here is created THROUGH THE SERVICES
(dangjian.training.services), acting as the demo organizer and the demo approver: the services'
validation holds (a successful load proves the seed timetable has no overlaps and no double-booked
instructor) and the audit trail tells who did what. Idempotent by a cheap check: when the program
exists, nothing is loaded again; library rows are looked up by their natural key before creating.

Deliberately no travel time between 田铺大塆 and 志仁小道: the seed timetable has them back to back
(16:00/16:00) and the distance was not researched.
"""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.training import services
from dangjian.training.models import (
    ClassCommitteeMember,
    Classroom,
    Course,
    Group,
    Instructor,
    Phase,
    Program,
    Session,
    Site,
    TeachingForm,
    TravelTime,
    Venue,
)

DATA = Path(__file__).parent / "data"

PROGRAM_TITLE = "2022年南阳市直机关新任党组织书记培训班"
PROGRAM_YEAR = 2022
ORGANIZER_CODE = "organs-working-committee"
COLLEGE_CODE = "dabie-cadre-college"
PHASES = [  # (first day, last day): two five-day phases, as in the seed article
    (datetime.date(2022, 10, 8), datetime.date(2022, 10, 12)),
    (datetime.date(2022, 10, 17), datetime.date(2022, 10, 21)),
]
PHASE_CAPACITY = 56
GROUPS_PER_PHASE = 6  # 56 trainees in groups of 8-10
GROUP_NAMES = [(name, f"Group {number}") for number, name in enumerate(
    ["第一组", "第二组", "第三组", "第四组", "第五组", "第六组"], start=1)]

# Classrooms of the Dabie college (invented): the plenary room, the main classroom, six seminar rooms.
CLASSROOMS = [("第一教室", "Classroom 1", 120), ("报告厅", "Lecture Hall", 300)] + [
    (f"研讨室{letter}", f"Seminar Room {letter}", 15) for letter in "ABCDEF"]
MAIN_CLASSROOM, HALL = "第一教室", "报告厅"

# Timetable titles that name their catalog course differently (matching by title does not find them).
COURSE_ALIASES = {
    "访谈教学：红军后代/老党员访谈（刘名榜的故事）": "int-red-army-descendants",
    # The museum is now a visit of its own (参观学习); the rest of the route is the same lesson.
    "现场教学：中共中央鄂豫皖分局旧址→红四方面军总部旧址（从分局旧址看党的组织建设）": "ons-capital-museum-route",
}

PROGRAM_FIELDS = {
    "legal_basis": "《中国共产党党和国家机关基层组织工作条例》第三十一条（对新任职的机关基层党组织负责人进行任职培训）",
    "purpose": (
        "全面提升市直机关党员干部党性观念，提高机关新任党组织书记聚焦基层党建的综合能力素质，"
        "以机关党建助力南阳建设省域副中心城市。"
    ),
    "target_population": (
        "2022年新任职的市直机关基层党组织书记（机关党委、党总支、党支部书记），共112人，分两期参训，每期56人。"
    ),
    "requirement": Program.Requirement.INDUCTION,
    "content": (
        "在学习机关党建基本理论和业务知识的基础上，依托河南大别山干部学院红色教育资源开展党性教育，"
        "引导党务干部增强“四个意识”、坚定“四个自信”、做到“两个维护”。采取理论教学、参观学习、现场教学、"
        "研讨交流等形式。"
    ),
    "planned_participants": 112,
    "phase_count": len(PHASES),
    "cost_per_person_day": Decimal("550"),  # demo
    "contact_name": "李明",  # demo: the demo organizer
    "contact_phone": "0377-63186200",  # demo
}
APPROVAL_COMMENTS = "同意。请按方案组织实施。"
APPROVAL_REFERENCE = "宛委〔2022〕56号"  # demo
# When the working committee submitted the plan and the municipal committee approved it (demo dates).
SUBMITTED_AT = timezone.make_aware(datetime.datetime(2022, 9, 19, 10, 0))
APPROVED_AT = timezone.make_aware(datetime.datetime(2022, 9, 26, 16, 30))


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _existing_or_create(model, *, by, lookup: dict, fields: dict | None = None, m2m: dict | None = None):
    """The library row with this natural key, or a new one created through the service."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = services.library_create(model=model, by=by, m2m=m2m, **lookup, **(fields or {}))
    return instance


# --- Library --------------------------------------------------------------------------------------

class DemoLibrary:
    def __init__(self, *, by):
        self.by = by
        self.venues: dict[str, Venue] = {}
        self.classrooms: dict[str, Classroom] = {}
        self.sites: dict[str, Site] = {}
        self.instructors: dict[str, Instructor] = {}
        self.courses: dict[str, Course] = {}
        self.travel_times = 0

    def load(self) -> "DemoLibrary":
        self.load_venues()
        self.load_sites()
        self.load_travel_times()
        self.load_instructors_and_courses()
        return self

    def load_venues(self) -> None:
        for row in read_csv("venue.csv"):
            self.venues[row["code"]] = _existing_or_create(
                Venue, by=self.by, lookup={"code": row["code"]},
                fields={"name_zh": row["name_zh"], "name_en": row["name_en"], "kind": row["kind"],
                        "parent": self.venues.get(row["parent_code"]), "province": row["province"],
                        "city": row["city"], "county": row["county"], "note": row["note"]},
            )
        college = self.venues[COLLEGE_CODE]
        for name, name_en, capacity in CLASSROOMS:
            self.classrooms[name] = _existing_or_create(
                Classroom, by=self.by, lookup={"venue": college, "name": name},
                fields={"name_en": name_en, "capacity": capacity})

    def load_sites(self) -> None:
        for row in read_csv("red_sites.csv"):
            self.sites[row["code"]] = _existing_or_create(
                Site, by=self.by, lookup={"code": row["code"]},
                fields={"name_zh": row["name_zh"], "name_en": row["name_en"], "county": row["county"],
                        "region": row["region"], "theme": row["theme"], "typical_use": row["typical_use"]},
            )

    def place(self, code: str) -> tuple[str, Venue | Site]:
        if code in self.venues:
            return "venue", self.venues[code]
        return "site", self.sites[code]

    def load_travel_times(self) -> None:
        for row in read_csv("travel_times.csv"):
            (from_kind, origin), (to_kind, destination) = self.place(row["from_code"]), self.place(row["to_code"])
            ends = {f"from_{from_kind}": origin, f"to_{to_kind}": destination}
            if services.travel_minutes(origin, destination) is None:
                services.library_create(model=TravelTime, by=self.by, minutes=int(row["minutes"]), **ends)
            self.travel_times += 1

    def load_instructors_and_courses(self) -> None:
        usual = {}  # course code -> its usual instructors
        for row in read_csv("instructors.csv"):
            instructor = _existing_or_create(
                Instructor, by=self.by, lookup={"name": row["name"], "organization": row["organization"]},
                fields={"kind": row["kind"], "title": row["title"], "venue": self.venues.get(row["venue_code"]),
                        "bio": row["bio"]},
            )
            self.instructors[row["name"]] = instructor
            for code in filter(None, row["courses"].split("|")):
                usual.setdefault(code, []).append(instructor)
        for row in read_csv("course_catalog.csv"):
            m2m = {"instructors": usual.get(row["code"], [])}
            if row["form"] in (TeachingForm.ONSITE_TEACHING, TeachingForm.SITE_VISIT, TeachingForm.EXPERIENTIAL):
                m2m["sites"] = self.sites_named_in(row["title_zh"])
            self.courses[row["code"]] = _existing_or_create(
                Course, by=self.by, lookup={"code": row["code"]},
                fields={"form": row["form"], "title_zh": row["title_zh"], "title_en": row["title_en"],
                        "default_hours": Decimal(row["default_hours"])},
                m2m=m2m,
            )

    def sites_named_in(self, title: str) -> list[Site]:
        """Sites whose name (without its bracketed detail, e.g. 红二十八军军部旧址（青莲）) the title names,
        in the order the title names them."""
        found = []
        for site in self.sites.values():
            for name in (site.name_zh, re.sub(r"（.*?）", "", site.name_zh)):
                position = title.find(name)
                if position >= 0:
                    found.append((position, site))
                    break
        return [site for _position, site in sorted(found, key=lambda item: item[0])]

    def course_for(self, title: str, form: str) -> Course | None:
        """The catalog course of a timetable title: the same title, else the same title up to the form
        prefix (现场教学：), punctuation, numbering (①) and details appended in brackets."""
        if title in COURSE_ALIASES:
            return self.courses[COURSE_ALIASES[title]]
        same_form = [course for course in self.courses.values() if course.form == form]
        for course in same_form:
            if course.title_zh == title:
                return course
        key = _title_key(title)
        matches = [course for course in same_form
                   if key.startswith(_title_key(course.title_zh)) or _title_key(course.title_zh).startswith(key)]
        return max(matches, key=lambda c: len(c.title_zh), default=None)


def _title_key(title: str) -> str:
    title = re.sub(r"^(现场教学|参观学习|体验教学|访谈教学)：", "", title)
    return re.sub(r"[^\w]|[①②③④⑤]", "", title)


# --- The program ----------------------------------------------------------------------------------

def trainee_secretaries() -> list[Person]:
    """Secretaries appointed in 2022, in a fixed order: the new secretaries the program trains."""
    regular = [t for t in PartyOrganization.Type.values if t != PartyOrganization.Type.TEMPORARY_BRANCH]
    return list(
        Person.unscoped.filter(posts__role=Post.Role.SECRETARY, posts__started_on__year=PROGRAM_YEAR,
                              posts__party_organization__org_type__in=regular)
        .distinct().order_by("id_number")
    )


def timetable_rows() -> list[dict]:
    return read_csv("timetable_phase.csv")


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class DemoProgram:
    def __init__(self, *, library: DemoLibrary, organizer: User, approver: User, head_teacher: User):
        self.library = library
        self.organizer = organizer
        self.approver = approver
        self.head_teacher = head_teacher
        self.warnings: list[str] = []

    def load(self) -> Program:
        by = self.organizer
        college = self.library.venues[COLLEGE_CODE]
        program = services.program_create(
            by=by, title=PROGRAM_TITLE, year=PROGRAM_YEAR, organizer=Organ.unscoped.get(code=ORGANIZER_CODE),
            venue=college, **PROGRAM_FIELDS,
        )
        people = trainee_secretaries()
        phases = []
        for number, (first, last) in enumerate(PHASES, start=1):
            phase = services.phase_create(
                program=program, by=by, number=number, starts_on=first, ends_on=last, capacity=PHASE_CAPACITY,
                head_teacher=self.head_teacher, classroom=self.library.classrooms[MAIN_CLASSROOM],
            )
            # Phase 1 takes every other secretary, phase 2 the others: nobody holds a post in both.
            self.set_up_class(phase=phase, people=people[number - 1::2])
            phases.append(phase)
        self.build_timetable(phases[0])
        _copied, warnings = services.phase_timetable_copy(source=phases[0], target=phases[1], by=by)
        self.warnings.extend(warnings)
        services.program_submit(program=program, by=by)
        review = services.program_approve(program=program, by=self.approver, comments=APPROVAL_COMMENTS,
                                          document_reference=APPROVAL_REFERENCE)
        # The story happened in 2022: date the submission and the decision as they were (the audit
        # trail keeps the true time of the demo load).
        Program.unscoped.filter(pk=program.pk).update(submitted_at=SUBMITTED_AT)
        type(review).objects.filter(pk=review.pk).update(decided_at=APPROVED_AT)
        program.submitted_at = SUBMITTED_AT
        return program

    def set_up_class(self, *, phase: Phase, people: list[Person]) -> None:
        """Groups with their leaders, the temporary party branch and the class committee, announced at
        the opening ceremony (timetable_phase.csv, day 1)."""
        by = self.organizer
        people = iter(people)
        for number, (name, name_en) in enumerate(GROUP_NAMES[:GROUPS_PER_PHASE], start=1):
            services.group_create(phase=phase, by=by, number=number, name=name, name_en=name_en,
                                  leader=next(people))
        ordinal = "一二三四五六七八九十"[phase.number - 1]
        services.temporary_branch_create(phase=phase, by=by, name=f"{PROGRAM_TITLE}第{ordinal}期临时党支部")
        for role, portfolio in ((Post.Role.SECRETARY, ""), (Post.Role.DEPUTY_SECRETARY, ""),
                                (Post.Role.COMMITTEE_MEMBER, Post.Portfolio.ORGANIZATION)):
            services.temporary_branch_appoint(phase=phase, person=next(people), role=role, portfolio=portfolio, by=by)
        for role in (ClassCommitteeMember.Role.MONITOR, ClassCommitteeMember.Role.DEPUTY_MONITOR,
                     ClassCommitteeMember.Role.STUDY, ClassCommitteeMember.Role.LIFE):
            services.class_committee_appoint(phase=phase, person=next(people), role=role, by=by)

    def build_timetable(self, phase: Phase) -> None:
        """timetable_phase.csv on the phase's days. Group discussions run per group, in parallel, each
        group in its seminar room. Instructors: the course's usual instructors (session_create's default)."""
        library = self.library
        groups = list(phase.groups.order_by("number"))
        seminar_rooms = [library.classrooms[f"研讨室{letter}"] for letter in "ABCDEF"]
        for line, row in enumerate(timetable_rows(), start=2):
            day = phase.days[int(row["day"]) - 1]
            fields = {
                "starts_at": _at(day, row["start"]), "ends_at": _at(day, row["end"]), "form": row["form"],
                "title": row["title_zh"], "title_en": row["title_en"], "hours": Decimal(row["hours"]),
                "course": library.course_for(row["title_zh"], row["form"]),
            }
            sites, venue = self.places(row["place"], line)
            if venue is not None:
                fields["venue"] = venue
                fields["classroom"] = library.classrooms[HALL if row["form"] == TeachingForm.OPENING
                                                         else MAIN_CLASSROOM]
            elif not sites:
                fields["place_note"] = row["place"]
            if row["form"] == TeachingForm.DISCUSSION:
                for group, room in zip(groups, seminar_rooms, strict=False):
                    self.session(phase, line, sites=sites, **(fields | {"group": group, "classroom": room}))
            else:
                self.session(phase, line, sites=sites, **fields)

    def places(self, place: str, line: int) -> tuple[list[Site], Venue | None]:
        """`|`-separated stops matched to sites by name; the college by its venue name; else free text
        (the travel rows)."""
        sites_by_name = {site.name_zh: site for site in self.library.sites.values()}
        venues_by_name = {venue.name_zh: venue for venue in self.library.venues.values()}
        names = place.split("|")
        if all(name in sites_by_name for name in names):
            return [sites_by_name[name] for name in names], None
        if place in venues_by_name:
            return [], venues_by_name[place]
        if "→" in place:
            return [], None
        raise ValueError(f"timetable_phase.csv line {line}: unknown place {place!r}")

    def session(self, phase: Phase, line: int, *, sites, **fields) -> None:
        try:
            _session, warnings = services.session_create(phase=phase, by=self.organizer, sites=sites, **fields)
        except ValidationError as error:
            raise ValidationError(f"timetable_phase.csv line {line}: {' '.join(error.messages)}") from error
        self.warnings.extend(warnings)


# --- Entry point ----------------------------------------------------------------------------------

def demo_program() -> Program | None:
    return Program.unscoped.filter(title=PROGRAM_TITLE, year=PROGRAM_YEAR).first()


def add_english_names(*, program: Program, by) -> None:
    """The English names of the demo's classrooms and groups, also in a demo loaded before they had them
    (classrooms through the services, audited; nothing changes when the names are there)."""
    english = dict((name, name_en) for name, name_en, _capacity in CLASSROOMS)
    for classroom in Classroom.objects.filter(venue__code=COLLEGE_CODE, name__in=english, name_en=""):
        services.library_update(instance=classroom, by=by, name_en=english[classroom.name])
    # The groups of the seed class, which the demo closes: a closed class refuses every change through the
    # services, and naming its groups in English is a repair of the demo's data, not a change of the class.
    for name, name_en in GROUP_NAMES:
        Group.objects.filter(phase__program=program, name=name, name_en="").update(name_en=name_en)


def load_training() -> dict:
    """Load the library and the seed's program (skipped when the program exists). Needs the registry
    and the demo users (load_registry, load_users) first."""
    from dangjian.demo.users import link_training_users

    organizer = User.objects.get(username="organizer")
    program = demo_program()
    created = program is None
    warnings = []
    if created:
        library = DemoLibrary(by=organizer).load()
        link_training_users(by=organizer)
        loader = DemoProgram(library=library, organizer=organizer, approver=User.objects.get(username="approver"),
                             head_teacher=User.objects.get(username="college"))
        program = loader.load()
        warnings = loader.warnings
    else:
        link_training_users(by=organizer)
        add_english_names(program=program, by=organizer)
    return {
        "created": created,
        "program": program,
        "phases": program.phases.count(),
        "sessions": Session.unscoped.filter(phase__program=program).count(),
        "venues": Venue.objects.count(),
        "sites": Site.objects.count(),
        "courses": Course.objects.count(),
        "instructors": Instructor.objects.count(),
        "warnings": warnings,
    }
