"""Test data factories. Valid ID numbers are generated with the real GB 11643 check digit."""

import datetime
import itertools

import factory

from dangjian.accounts.models import User
from dangjian.core.validators import id_number_birth_date, id_number_check_char, id_number_gender
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

_serial = itertools.count(1)


def make_id_number(birth: datetime.date = datetime.date(1980, 5, 17), gender: str = "male",
                   region: str = "411302") -> str:
    """A valid 18-character ID number with this birth date and gender; each call gives a new one
    (the order code advances, then the county digits of the region)."""
    serial = next(_serial)
    # 3-digit order code (001-998): odd = male, even = female.
    order = (serial % 499) * 2 + (1 if gender == "male" else 2)
    region = region[:4] + f"{(int(region[4:]) + serial // 499) % 100:02d}"
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_number_check_char(first17)


class OrganFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organ

    code = factory.Sequence(lambda n: f"organ-{n}")
    name_zh = factory.Sequence(lambda n: f"南阳市测试局{n}")
    name_en = factory.Sequence(lambda n: f"Test Bureau {n}")
    sector = Organ.Sector.GOVERNMENT


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    organ = factory.SubFactory(OrganFactory)
    name = factory.Sequence(lambda n: f"第{n}党支部")
    org_type = PartyOrganization.Type.BRANCH
    founded_on = datetime.date(2010, 7, 1)
    term_started_on = datetime.date(2024, 3, 1)
    member_count = 12


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n}")
    id_number = factory.LazyFunction(make_id_number)
    gender = factory.LazyAttribute(lambda person: id_number_gender(person.id_number))
    birth_date = factory.LazyAttribute(lambda person: id_number_birth_date(person.id_number))
    organ = factory.SubFactory(OrganFactory)
    position = "科长"
    rank_level = Person.RankLevel.SECTION_CHIEF


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    person = factory.SubFactory(PersonFactory)
    party_organization = factory.SubFactory(PartyOrganizationFactory, organ=factory.SelfAttribute("..person.organ"))
    role = Post.Role.SECRETARY
    started_on = datetime.date(2022, 6, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.grant_role(role)

    @factory.post_generation
    def organs(self, create, extracted, **kwargs):
        if extracted:
            self.organs.set(extracted)


# --- Training ------------------------------------------------------------------------------------

class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Venue"

    code = factory.Sequence(lambda n: f"venue-{n}")
    name_zh = factory.Sequence(lambda n: f"测试干部学院{n}")
    name_en = factory.Sequence(lambda n: f"Test Cadre College {n}")
    kind = "college"
    province = "河南省"


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Classroom"

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"第{n}教室")
    capacity = 120


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Site"

    code = factory.Sequence(lambda n: f"site-{n}")
    name_zh = factory.Sequence(lambda n: f"红色教育基地{n}")
    name_en = factory.Sequence(lambda n: f"Red site {n}")
    county = "新县"
    region = "Dabie"


class InstructorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Instructor"

    name = factory.Sequence(lambda n: f"教师{n}")
    title = "教授"
    organization = "河南大别山干部学院"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Course"

    code = factory.Sequence(lambda n: f"course-{n}")
    form = "lecture"
    title_zh = factory.Sequence(lambda n: f"专题课程{n}")
    title_en = factory.Sequence(lambda n: f"Lecture {n}")
    default_hours = 2.5


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Program"

    title = factory.Sequence(lambda n: f"2022年新任党组织书记培训班{n}")
    year = 2022
    organizer = factory.SubFactory(OrganFactory)
    legal_basis = "《中国共产党党和国家机关基层组织工作条例》第三十一条"
    purpose = "提高新任党组织书记履职能力"
    target_population = "2021年以来新任市直机关基层党组织书记"
    requirement = "induction"
    venue = factory.SubFactory(VenueFactory)
    planned_participants = 110
    phase_count = 1
    cost_per_person_day = 550
    contact_name = "张三"
    contact_phone = "0377-63000000"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Phase"

    program = factory.SubFactory(ProgramFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = datetime.date(2022, 10, 10)
    ends_on = datetime.date(2022, 10, 14)
    capacity = 60


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Group"

    phase = factory.SubFactory(PhaseFactory)
    number = factory.Sequence(lambda n: n + 1)


def at(day: datetime.date, hhmm: str) -> datetime.datetime:
    """An aware datetime in the project's time zone (Asia/Shanghai) for a day and "HH:MM"."""
    from django.utils import timezone

    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Session"

    phase = factory.SubFactory(PhaseFactory)
    starts_at = factory.LazyAttribute(lambda s: at(s.phase.starts_on, "08:30"))
    ends_at = factory.LazyAttribute(lambda s: at(s.phase.starts_on, "11:30"))
    form = "lecture"
    title = factory.Sequence(lambda n: f"专题讲座{n}")
    hours = 3


class MessageFactory(factory.django.DjangoModelFactory):
    """A draft SMS of the outbox to a person of the registry (written directly: services compose from templates)."""

    class Meta:
        model = "outbox.Message"

    kind = "nomination_opened"
    channel = "sms"
    person = factory.SubFactory(PersonFactory, mobile="13800138000")
    recipient_name = factory.LazyAttribute(lambda message: message.person.name if message.person else "收件人")
    address = "13800138000"
    organ = factory.LazyAttribute(lambda message: message.person.organ if message.person else None)
    subject = ""
    body = factory.Sequence(lambda n: f"【南阳市直机关工委】测试消息{n}")
# --- Ledger (学时档案) ------------------------------------------------------------------------------

class TrainingRecordFactory(factory.django.DjangoModelFactory):
    """A record as the services leave it: year and days derived from the dates (TrainingRecord.clean)."""

    class Meta:
        model = "ledger.TrainingRecord"

    person = factory.SubFactory(PersonFactory)
    title = factory.Sequence(lambda n: f"党员教育培训{n}")
    institution = "中共南阳市委党校"
    kind = "concentrated"
    starts_on = datetime.date(2026, 3, 2)
    ends_on = datetime.date(2026, 3, 6)
    hours = 40
    source = "entered"
    year = factory.LazyAttribute(lambda record: record.ends_on.year)
    days = factory.LazyAttribute(
        lambda record: (record.ends_on - record.starts_on).days + 1 if record.kind == "concentrated" else 0)


class ExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ledger.Exemption"

    person = factory.SubFactory(PersonFactory)
    requirement_code = "induction"
    reason = "长期病假"
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)


def place(program, organ, phase, group=None, status="confirmed", name=None):
    """A participant of `program` from `organ` (a new person, named `name` if given), nominated with `status` and
    placed in `phase` (and `group`): the roster of the attendance, completion and evaluation tests."""
    from dangjian.enrollment.models import Nomination, Placement

    person = PersonFactory(organ=organ, **({"name": name} if name else {}))
    nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status=status)
    Placement.unscoped.create(nomination=nomination, phase=phase, group=group)
    return nomination

