"""Generate a province-sized registry in PostgreSQL, for bench/pages.py.

    .venv/bin/python bench/province.py                          # database dangjian_province, full size
    .venv/bin/python bench/province.py --scale 0.1              # a tenth of the organs (people per organ kept)
    .venv/bin/python bench/province.py --database other --skip portal

Full size: 2,000 organs (the 68 Nanyang organs of the demo first, then generated bureaus of the other cities
of Henan), 20,000 party organizations (a committee, branches under it, some general branches), 200,000 people
(valid GB 11643 ID numbers, unique), about 64,000 posts (chains of secretaries over the years, deputies and
committee members), the demo logins, the demo training library and seed program, generated programs, 100,000
messages in the outbox, and the demo portal. About a minute on two cores: the registry is written with COPY, in
one pass per table.

The database is dropped and created again. Each step of STEPS adds one kind of data; later capabilities add
their own step here (enrollments, attendance, the training-hours ledger) instead of writing a generator of
their own. A step gets the Province (sizes, random generator, what earlier steps made) and returns counts.
"""

import argparse
import datetime
import functools
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import provincedb

# Henan's other cities (Nanyang's organs come from the demo's organs.csv) and the bureaus of a city.
CITIES = ["郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市", "焦作市", "濮阳市", "许昌市",
          "漯河市", "三门峡市", "商丘市", "信阳市", "周口市", "驻马店市", "济源市"]
DEPARTMENTS = [
    "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "民族宗教事务局", "公安局", "民政局", "司法局",
    "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "城市管理局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "机关事务管理局", "信访局", "林业局",
    "粮食和物资储备局", "地方金融监督管理局", "大数据管理局", "体育局", "人民防空办公室", "供销合作社",
    "总工会", "团市委", "妇女联合会", "科学技术协会", "文学艺术界联合会", "残疾人联合会", "工商业联合会",
    "红十字会", "侨务办公室", "档案馆", "地方史志办公室", "广播电视台", "日报社", "社会科学界联合会",
    "住房公积金管理中心", "公共资源交易中心", "行政审批服务局", "中级人民法院", "人民检察院", "仲裁委员会",
    "农业科学院", "气象局", "邮政管理局", "烟草专卖局",
]
SECTOR_OF = {"中级人民法院": "judicial", "人民检察院": "judicial", "总工会": "mass_organization",
             "团市委": "mass_organization", "妇女联合会": "mass_organization", "科学技术协会": "mass_organization",
             "文学艺术界联合会": "mass_organization", "残疾人联合会": "mass_organization",
             "工商业联合会": "mass_organization", "红十字会": "mass_organization"}
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
                "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华飞鹏辉玲燕萍斌红宇浩凯健波宁琳晨国建志秀英桂海晓东文博"
             "雅琴振丽玉春雷淑珍俊新民卫永瑞雪")
REGIONS = ["410102", "410105", "410202", "410302", "410402", "410502", "410602", "410702", "410802", "410902",
           "411002", "411102", "411202", "411302", "411303", "411402", "411502", "411602", "411702", "419001"]
POSITIONS = ["办公室主任", "科长", "副科长", "一级主任科员", "二级主任科员", "三级主任科员", "科员", "人事科科长",
             "综合科科长", "机关党委专职副书记", "副局长", "调研员"]
RANKS = ["division_deputy", "section_chief", "section_deputy", "principal_staff", "principal_staff", "staff",
         "staff", "clerk"]
EDUCATION = ["doctorate", "master", "master", "bachelor", "bachelor", "bachelor", "bachelor", "college"]
NUMERALS = "一二三四五六七八九十"


@dataclass
class Sizes:
    organs: int = 2000
    branches_per_organ: int = 9  # under the organ's committee; with the committee 10 party organizations
    people_per_organ: int = 100
    programs: int = 300  # generated training programs, besides the demo's seed program
    messages_per_organ: int = 50  # the outbox: a year of notices and reminders (100,000 at province scale)
    records_per_person: float = 1.5  # the training-hours ledger: 300,000 records at full size


@dataclass
class Province:
    sizes: Sizes
    rng: random.Random
    today: datetime.date
    organ_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


# Writing ------------------------------------------------------------------------------------------------------

class Ids:
    """Primary keys handed out here, so that rows can refer to each other before they are written."""

    def __init__(self, model):
        from django.db.models import Max

        self.next = (model._base_manager.aggregate(top=Max("pk"))["top"] or 0) + 1

    def __call__(self) -> int:
        self.next += 1
        return self.next - 1


def insert(model, rows: list[dict]) -> int:
    """Write `rows` (dicts of field attnames to Python values, primary keys included) with one COPY on PostgreSQL
    (bulk_create on SQLite). A field a row leaves out gets its default, a timestamp now, else empty or NULL; a
    sort key (core.fields.SortKeyField) is computed from its source, as saving the record would.

    Model instances are not built: at 200,000 rows Model.__init__ alone would take most of a minute. Other values
    the models derive on save must therefore be given in the rows."""
    from django.core.management.color import no_style
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.models import NOT_PROVIDED
    from django.utils import timezone

    from dangjian.core.fields import SortKeyField

    if not rows:
        return 0
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    fields = model._meta.concrete_fields
    fallback = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fallback[f.attname] = now
        elif f.default is not NOT_PROVIDED:
            fallback[f.attname] = f.get_default()
        else:
            fallback[f.attname] = None if f.null else ""
    names = [f.attname for f in fields]
    for key_field in (f for f in fields if isinstance(f, SortKeyField)):
        key_for = functools.lru_cache(maxsize=None)(key_field.key_for)  # names repeat: 王伟, 机关党委
        for row in rows:
            if key_field.attname not in row:
                row[key_field.attname] = key_for(row[key_field.source])
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create([model(**{**fallback, **row}) for row in rows], batch_size=2000)
        return len(rows)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(name, fallback[name]) for name in names])
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
    return len(rows)


# Steps --------------------------------------------------------------------------------------------------------

def registry(province: Province) -> dict:
    """Organs, party organizations, people and posts."""
    from dangjian.core.validators import id_number_check_char
    from dangjian.demo.registry import load_organs
    from dangjian.organizations.models import Organ, PartyOrganization, Person, Post, term_end

    rng, today, sizes = province.rng, province.today, province.sizes
    demo = [organ.pk for organ, _type in load_organs().values()][: sizes.organs]
    organ_id = Ids(Organ)
    generated = []
    names = [(city, dept) for city in CITIES for dept in DEPARTMENTS]
    names += [(city, dept + "机关服务中心") for city in CITIES for dept in DEPARTMENTS]
    for number, (city, dept) in enumerate(names[: max(0, sizes.organs - len(demo))], start=1):
        generated.append({
            "id": organ_id(), "code": f"henan-{number:04d}", "name_zh": city + dept, "sort_order": len(demo) + number,
            "sector": SECTOR_OF.get(dept, "public_institution" if "中心" in dept else "government"),
        })
    insert(Organ, generated)
    province.organ_ids = organs = demo + [row["id"] for row in generated]

    org_id, person_id, post_id = Ids(PartyOrganization), Ids(Person), Ids(Post)
    orgs, people, posts = [], [], []
    id_numbers: set[str] = set()

    def id_number(birth: datetime.date, gender: str) -> str:
        while True:
            order = rng.randrange(0, 499) * 2 + (1 if gender == "male" else 2)
            first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{order:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in id_numbers:
                id_numbers.add(number)
                return number

    def person(organ: int) -> int:
        gender = "male" if rng.random() < 0.6 else "female"
        birth = datetime.date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.4 else 2))
        people.append({
            "id": person_id(), "organ_id": organ, "name": name, "gender": gender, "birth_date": birth,
            "id_number": id_number(birth, gender), "ethnicity": "回族" if rng.random() < 0.03 else "汉族",
            "party_joined_on": datetime.date(birth.year + rng.randint(20, 26), rng.randint(1, 12), rng.randint(1, 28)),
            "mobile": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}", "education": rng.choice(EDUCATION),
            "position": rng.choice(POSITIONS), "rank_level": rng.choice(RANKS),
        })
        return people[-1]["id"]

    def days_before(day: datetime.date, low: int, high: int) -> datetime.date:
        return day - datetime.timedelta(days=rng.randint(low, high))

    def secretaries(org: int, pool) -> None:
        """A chain of secretaries: the current one, often a predecessor, sometimes an earlier one."""
        roll = rng.random()
        if roll < 0.08:
            start = datetime.date(2022, rng.randint(1, 8), rng.randint(1, 28))  # the seed's cohort
        elif roll < 0.18:
            start = days_before(today, 20, 360)  # newly appointed
        else:
            start = days_before(today, 365, 6 * 365)
        ended = None
        for depth in range(3):
            posts.append({"id": post_id(), "person_id": next(pool), "party_organization_id": org,
                          "role": "secretary", "started_on": start, "ended_on": ended, "method": "elected",
                          "approval_reference": f"豫直工〔{start.year}〕{rng.randint(1, 99)}号"})
            if rng.random() > (0.6 if depth == 0 else 0.35):
                break
            ended = start - datetime.timedelta(days=1)
            start = days_before(ended, 3 * 365, 6 * 365)

    def member(org: int, pool, role: str, portfolio: str = "") -> None:
        posts.append({"id": post_id(), "person_id": next(pool), "party_organization_id": org, "role": role,
                      "portfolio": portfolio, "started_on": days_before(today, 30, 5 * 365), "method": "appointed"})

    def party_org(organ: int, name: str, org_type: str, parent: int | None = None) -> int:
        years = 5 if org_type == "committee" else 3
        explicit = rng.random() < 0.1
        orgs.append({
            "id": org_id(), "organ_id": organ, "name": name, "org_type": org_type, "parent_id": parent,
            "founded_on": datetime.date(rng.choice([1985, 1992, 1998, 2003, 2010]), 7, 1),
            # Spread over a little more than a term: some 换届 overdue, some due, most not yet.
            "term_started_on": days_before(today, 0, int((years + 0.7) * 365)),
            "term_years": (years if rng.random() < 0.5 else years + 2) if explicit else None,
            "member_count": rng.randint(6, 260 if org_type == "committee" else 45),
        })
        row = orgs[-1]
        row["term_ends_on"] = term_end(row["term_started_on"], row["term_years"], org_type)  # as saving would
        return orgs[-1]["id"]

    for organ in organs:
        pool = iter([person(organ) for _ in range(sizes.people_per_organ)] * 10)  # several posts in small organs
        committee = party_org(organ, "机关党委", "committee")
        secretaries(committee, pool)
        member(committee, pool, "deputy_secretary")
        for portfolio in ("organization", "publicity", "discipline"):
            member(committee, pool, "committee_member", portfolio)
        general = None
        if organ % 5 == 0:
            general = party_org(organ, "机关党总支", "general_branch", committee)
            secretaries(general, pool)
        branch_count = sizes.branches_per_organ - (0 if general is None else 1)
        for number in range(1, branch_count + 1):
            label = NUMERALS[number - 1] if number <= len(NUMERALS) else str(number)
            branch = party_org(organ, f"机关第{label}党支部", "branch",
                               general if general is not None and number > 6 else committee)
            secretaries(branch, pool)
            member(branch, pool, "committee_member", "organization")
            if rng.random() < 0.12:
                member(branch, pool, "committee_member", "publicity")
    insert(PartyOrganization, orgs)
    insert(Person, people)
    insert(Post, posts)
    Person.refresh_first_secretary_on(None)  # as Post.save() would, one UPDATE for everybody
    return {"organs": len(organs), "party organizations": len(orgs), "people": len(people), "posts": len(posts)}


def users(province: Province) -> dict:
    """The demo logins (demo/users.py): organizer, unitadmin (教育局 and 科技局 of Nanyang), approver, ..."""
    from dangjian.accounts.models import User
    from dangjian.demo.users import load_users
    from dangjian.jobs.models import BackgroundJob

    users = list(User.objects.filter(username__in=[username for username, _ in load_users()]))
    # Each login's last import, refused with a row report (its page lists the rows' problems).
    errors = [{"sheet": "人员", "row": row, "column": "id_number", "message": "身份证号码校验位不正确。"}
              for row in range(2, 102)]
    BackgroundJob.unscoped.bulk_create([
        BackgroundJob(kind=BackgroundJob.Kind.REGISTRY_IMPORT, requested_by=user, params={"kind": "people"},
                      status=BackgroundJob.Status.FAILED, filename="人员导入.xlsx", progress_done=5000,
                      progress_total=5000, result={"kind": "people", "counts": {}, "errors": errors,
                                                   "error_count": 340, "omitted": 240})
        for user in users
    ])
    return {"users": len(users), "jobs": len(users)}


def training(province: Province) -> dict:
    """The demo library and seed program (through the services), then generated programs with phases."""
    from dangjian.demo.training import COLLEGE_CODE, load_training
    from dangjian.training.enums import ProgramStatus
    from dangjian.training.models import Phase, Program, Venue

    rng = province.rng
    load_training()
    venue = Venue.objects.get(code=COLLEGE_CODE)
    statuses = list(ProgramStatus.values)
    programs, phases = [], []
    program_id, phase_id = Ids(Program), Ids(Phase)
    for number in range(province.sizes.programs):
        year = rng.randint(2019, province.today.year + 1)
        program = {
            "id": program_id(), "title": f"{year}年党务干部培训班（第{number + 1}期）", "year": year,
            "organizer_id": rng.choice(province.organ_ids), "venue_id": venue.pk, "status": rng.choice(statuses),
            "requirement": rng.choice(["induction", "rotation", "member_annual", "other"]),
            "planned_participants": rng.randint(30, 200), "phase_count": rng.randint(1, 3),
            "cost_per_person_day": 550, "contact_name": "张三", "contact_phone": "0377-63000000",
        }
        programs.append(program)
        first = datetime.date(year, rng.randint(3, 11), rng.randint(1, 20))
        for phase_number in range(1, program["phase_count"] + 1):
            starts = first + datetime.timedelta(days=14 * (phase_number - 1))
            phases.append({"id": phase_id(), "program_id": program["id"], "number": phase_number,
                           "starts_on": starts, "ends_on": starts + datetime.timedelta(days=4),
                           "capacity": program["planned_participants"], "status": "planned"})
    insert(Program, programs)
    insert(Phase, phases)
    return {"programs": len(programs) + 1, "phases": len(phases)}


def enrollment(province: Province) -> dict:
    """A year of enrollments: each generated program of this year (and the coming one) that reached enrollment
    gets a deadline, quotas for organs in proportion to its places, and nominations of those organs' secretaries
    — as many as its phases hold confirmed, some waiting for a decision, some waitlisted, rejected, withdrawn or
    substituted; each with a preferred phase, some with unavailable dates."""
    from dangjian.enrollment.models import Nomination, ProgramEnrollment, Quota, UnavailablePeriod
    from dangjian.organizations.models import Post
    from dangjian.training.enums import PUBLISHED_STATUSES
    from dangjian.training.models import Phase, Program

    rng = province.rng
    secretaries: dict[int, list[int]] = {}
    for person, organ in (Post.unscoped.filter(role="secretary").values_list("person_id", "person__organ_id")
                          .distinct().order_by("person_id")):
        secretaries.setdefault(organ, []).append(person)
    organs = sorted(secretaries)
    # One program at least is open for enrollment now, its phases in the coming months (the nomination pages).
    upcoming = Program.unscoped.order_by("-pk").first()
    Program.unscoped.filter(pk=upcoming.pk).update(status="enrollment_open", year=province.today.year)
    for offset, phase in enumerate(Phase.objects.filter(program=upcoming).order_by("number")):
        starts = province.today + datetime.timedelta(days=60 + 14 * offset)
        Phase.objects.filter(pk=phase.pk).update(starts_on=starts, ends_on=starts + datetime.timedelta(days=4))
    programs = list(Program.unscoped.filter(year__gte=province.today.year, status__in=PUBLISHED_STATUSES)
                    .order_by("pk").values_list("pk", "status"))
    phases: dict[int, list[tuple[int, int]]] = {}
    for pk, program, capacity in Phase.objects.filter(program__in=[p for p, _s in programs]).values_list(
            "pk", "program_id", "capacity"):
        phases.setdefault(program, []).append((pk, capacity))
    settings_rows, quotas, nominations, periods = [], [], [], []
    nomination_id, settings_id, quota_id, period_id = Ids(Nomination), Ids(ProgramEnrollment), Ids(Quota), \
        Ids(UnavailablePeriod)
    for program, status in programs:
        seats = sum(capacity for _pk, capacity in phases.get(program, []))
        if not seats:
            continue
        settings_rows.append({"id": settings_id(), "program_id": program, "nomination_deadline": province.today
                              + datetime.timedelta(days=rng.randint(-60, 30))})
        chosen = rng.sample(organs, min(len(organs), max(1, seats // 2)))
        waitlisted = 0
        confirmed = 0
        for organ in chosen:
            quota = rng.randint(1, 3)
            quotas.append({"id": quota_id(), "program_id": program, "organ_id": organ, "seats": quota})
            for person in secretaries[organ][:quota]:
                roll = rng.random()
                if status != "enrollment_open" or roll < 0.7:
                    state = "confirmed" if confirmed < seats else "waitlisted"
                elif roll < 0.85:
                    state = "nominated"
                else:
                    state = rng.choice(["rejected", "withdrawn", "substituted"])
                confirmed += state == "confirmed"
                waitlisted += state == "waitlisted"
                row = {"id": nomination_id(), "program_id": program, "person_id": person, "organ_id": organ,
                       "status": state, "preferred_phase_id": rng.choice(phases[program])[0],
                       "waitlist_position": waitlisted if state == "waitlisted" else None}
                nominations.append(row)
                if rng.random() < 0.1:
                    first = province.today + datetime.timedelta(days=rng.randint(0, 200))
                    periods.append({"id": period_id(), "nomination_id": row["id"], "starts_on": first,
                                    "ends_on": first + datetime.timedelta(days=rng.randint(0, 5))})
    insert(ProgramEnrollment, settings_rows)
    insert(Quota, quotas)
    insert(Nomination, nominations)
    insert(UnavailablePeriod, periods)
    return {"enrollments": len(settings_rows), "quotas": len(quotas), "nominations": len(nominations)}


def portal(province: Province) -> dict:
    """The demo portal (portal/demo.py): channels, the seed article, notices."""
    from dangjian.portal.demo import load_portal

    return {"portal pages": load_portal()["items"]}


def delivery(province: Province) -> dict:
    """A class running this week (the roll-call, leave, completion and participant pages): the seed program copied
    through the services with its first day yesterday, in progress, each phase's capacity of confirmed participants
    (the unit administrator's organs first, then others) placed round the groups, the marks of every session that
    has ended (a few late, absent or on leave), a few leave requests, and the demo `participant` one of them."""
    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.attendance.models import Attendance, LeaveRequest
    from dangjian.demo.training import demo_program
    from dangjian.enrollment.models import Nomination, Placement
    from dangjian.organizations.models import Post
    from dangjian.training import services as training
    from dangjian.training.models import Program, Session

    rng = province.rng
    organizer = User.objects.get(username="organizer")
    head_teacher = User.objects.get(username="college")
    program, _warnings = training.program_copy(
        program=demo_program(), by=organizer, year=province.today.year,
        first_day=province.today - datetime.timedelta(days=1),
        title=f"{province.today.year}年机关党组织书记轮训班（本周）")
    Program.unscoped.filter(pk=program.pk).update(status="in_progress", requirement="rotation")
    admin_organs = list(User.objects.get(username="unitadmin").organs.values_list("pk", flat=True))
    secretaries = list(Post.unscoped.filter(role="secretary", person__organ__in=admin_organs)
                       .values_list("person_id", "person__organ_id").distinct().order_by("person_id"))
    others = list(Post.unscoped.filter(role="secretary").exclude(person__organ__in=admin_organs)
                  .values_list("person_id", "person__organ_id").distinct().order_by("person_id")[:2000])
    people = iter(secretaries + rng.sample(others, len(others)))
    seen, nominations, placements = set(), [], []
    nomination_id, placement_id = Ids(Nomination), Ids(Placement)
    for phase in program.phases.order_by("number"):
        groups = list(phase.groups.order_by("number").values_list("pk", flat=True)) or [None]
        for index in range(phase.capacity or 60):
            person, organ = next(people, (None, None))
            while person in seen:
                person, organ = next(people, (None, None))
            if person is None:  # a tiny province has fewer secretaries than seats
                break
            seen.add(person)
            nominations.append({"id": nomination_id(), "program_id": program.pk, "person_id": person,
                                "organ_id": organ, "status": "confirmed", "preferred_phase_id": phase.pk})
            placements.append({"id": placement_id(), "nomination_id": nominations[-1]["id"], "phase_id": phase.pk,
                               "group_id": groups[index % len(groups)]})
    insert(Nomination, nominations)
    insert(Placement, placements)
    now = timezone.now()
    marks, roster = [], {(p["phase_id"], p["group_id"]): [] for p in placements}
    for placement in placements:
        roster[(placement["phase_id"], placement["group_id"])].append(placement["nomination_id"])
    for session_pk, phase_pk, group_pk, starts_at in Session.unscoped.filter(
            phase__program=program, ends_at__lt=now).values_list("pk", "phase_id", "group_id", "starts_at"):
        for (phase, group), members in roster.items():
            if phase != phase_pk or (group_pk and group != group_pk):
                continue
            for nomination in members:
                roll = rng.random()
                mark = "present" if roll < 0.9 else "late" if roll < 0.95 else "absent" if roll < 0.98 else "on_leave"
                marks.append(Attendance(session_id=session_pk, nomination_id=nomination, mark=mark,
                                        marked_by=head_teacher, marked_at=starts_at, made_at=starts_at))
    Attendance.unscoped.bulk_create(marks, batch_size=2000)
    upcoming = list(Session.unscoped.filter(phase__program=program, starts_at__gt=now).values_list("pk", flat=True))
    leaves = 0
    for row in nominations[:: max(1, len(nominations) // 12)]:
        leave = LeaveRequest.unscoped.create(nomination_id=row["id"], reason="单位紧急工作，需返回处理",
                                             filed_at=now, status=rng.choice(["pending", "approved", "refused"]))
        leave.sessions.set(upcoming[:2])
        leaves += 1
    participant = User.objects.get(username="participant")
    User.objects.filter(pk=participant.pk).update(person_id=nominations[0]["person_id"])
    return {"class participants": len(nominations), "attendance marks": len(marks), "leave requests": leaves}


def outbox(province: Province) -> dict:
    """The outbox: a year of messages to the people of every organ (notices by e-mail, reminders by SMS), most
    sent, some drafts, queued and failed, about the generated programs."""
    from django.utils import timezone

    from dangjian.organizations.models import Person
    from dangjian.outbox.enums import Channel, MessageKind, MessageStatus
    from dangjian.outbox.models import Message
    from dangjian.training.models import Program

    rng = province.rng
    people: dict[int, list[tuple]] = {}
    for pk, organ, name, mobile in Person.unscoped.exclude(mobile="").values_list("pk", "organ_id", "name", "mobile"):
        people.setdefault(organ, []).append((pk, name, mobile))
    programs = list(Program.unscoped.values_list("pk", "title"))
    kinds = list(MessageKind.values)
    statuses = [MessageStatus.SENT] * 8 + [MessageStatus.DRAFT, MessageStatus.FAILED]
    rows, message_id = [], Ids(Message)
    start = timezone.make_aware(datetime.datetime.combine(province.today, datetime.time(9)))
    for organ, members in people.items():
        for _ in range(province.sizes.messages_per_organ):
            pk, name, mobile = rng.choice(members)
            program, title = rng.choice(programs)
            channel = Channel.SMS if rng.random() < 0.7 else Channel.EMAIL
            status = rng.choice(statuses)
            created = start - datetime.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            rows.append({
                "id": message_id(), "kind": rng.choice(kinds), "channel": channel, "status": status,
                "person_id": pk, "recipient_name": name, "organ_id": organ, "program_id": program,
                "address": mobile if channel == Channel.SMS else f"p{pk}@example.org", "language": "zh-hans",
                "subject": "" if channel == Channel.SMS else f"【通知】{title}",
                "body": f"【南阳市直机关工委】{name}同志：{title}的通知，请登录平台查看。",
                "attempts": 0 if status == MessageStatus.DRAFT else 1,
                "error": "ConnectionError: provider unreachable (HTTP 503)" if status == MessageStatus.FAILED else "",
                "sent_at": created if status == MessageStatus.SENT else None,
                "created_at": created, "updated_at": created,
            })
    return {"messages": insert(Message, rows)}


def ledger(province: Province) -> dict:
    """The training-hours ledger (学时档案): about records_per_person external records per person, this year and last
    (online study mostly, concentrated trainings, the induction of most secretaries appointed more than eight
    months ago); the requirements are the migration's (ledger 0002)."""
    from dangjian.ledger.models import TrainingRecord

    rng, today = province.rng, province.today
    record_id = Ids(TrainingRecord)
    rows = []
    people = _people_with_appointments()
    target = round(len(people) * province.sizes.records_per_person)
    inducted = 0
    for pk, appointed in people:
        if appointed and (today - appointed).days > 240 and rng.random() < 0.7:
            start = appointed + datetime.timedelta(days=rng.randint(30, 170))
            rows.append(_ledger_row(record_id(), pk, start, 5, "任职培训班", "concentrated", 37.5, True))
            inducted += 1
    while len(rows) < target:
        pk, _appointed = people[rng.randrange(len(people))]
        year = today.year - rng.randint(0, 1)
        start = datetime.date(year, rng.randint(1, 12 if year < today.year else today.month), rng.randint(1, 28))
        start = min(start, today)
        if rng.random() < 0.7:
            rows.append(_ledger_row(record_id(), pk, start, 1, "网络专题学习", "online", rng.choice([8, 12, 16, 24])))
        else:
            rows.append(_ledger_row(record_id(), pk, start, rng.choice([1, 3, 5]), "集中学习培训", "concentrated",
                                    rng.choice([8, 24, 32, 37.5])))
    insert(TrainingRecord, rows)
    return {"ledger records": len(rows), "of which induction": inducted}


def _people_with_appointments() -> list[tuple[int, datetime.date | None]]:
    from dangjian.organizations.models import Person

    return list(Person.unscoped.order_by("pk").values_list("pk", "first_secretary_on"))


def _ledger_row(pk, person, start, days, title, kind, hours, induction=False) -> dict:
    from decimal import Decimal

    end = start + datetime.timedelta(days=days - 1)
    return {"id": pk, "person_id": person, "title": f"{end.year}年{title}", "institution": "中共河南省委党校",
            "kind": kind, "starts_on": start, "ends_on": end, "hours": Decimal(str(hours)), "year": end.year,
            "days": days if kind == "concentrated" else 0, "counts_as_induction": induction, "source": "imported"}


def after_the_class(province: Province) -> dict:
    """The pages after a class: a closed program (the follow-up pages need one: one is made when the generated
    statuses gave none) and one stored certificate for the public verification page (looked up by its unique
    serial: its time does not depend on how many there are; bench/certificates.py times making them)."""
    from dangjian.certificates.models import Certificate
    from dangjian.certificates.services import make_serial
    from dangjian.enrollment.models import Nomination
    from dangjian.training.models import Program

    closed = 0
    if not Program.unscoped.filter(status__in=("closed", "archived")).exists():
        model = Program.unscoped.order_by("pk").first()
        Program.unscoped.create(
            title=f"{province.today.year - 1}年党务干部培训班（已结业）", year=province.today.year - 1,
            organizer_id=model.organizer_id, venue_id=model.venue_id, status="closed", requirement="induction",
            planned_participants=100, phase_count=1, cost_per_person_day=550, contact_name="张三",
            contact_phone="0377-63000000")
        closed = 1
    reflections = _reflections(province)
    nomination = Nomination.unscoped.select_related("program__organizer", "person").order_by("pk").first()
    if nomination is None:
        return {"closed programs made": closed, "reflections": reflections, "certificates": 0}
    program = nomination.program
    Certificate.unscoped.create(
        nomination=nomination, program=program, serial=make_serial(program.year, 1), year=program.year, number=1,
        person_name=nomination.person.name, program_title=program.title, organizer_name=program.organizer.name_zh,
        starts_on=province.today, ends_on=province.today, hours=Decimal("37.5"))
    return {"closed programs made": closed, "reflections": reflections, "certificates": 1}


REFLECTION_PARAGRAPH = ("这次培训让我对机关党建工作有了更系统的认识。通过专题教学和现场教学，"
                        "我深刻体会到党支部标准化规范化建设的重要意义，也找到了自己工作中的差距。"
                        "回到单位后，我将把所学运用到“三会一课”和主题党日中，推动党建与业务融合。")


def _reflections(province: Province) -> int:
    """Reflections of the running class (the delivery step's): four of five participants wrote one of about 1,500
    characters, half of them graded — for the reading and list pages."""
    from django.db.models import Count
    from django.utils import timezone

    from dangjian.completion.models import Reflection
    from dangjian.enrollment.models import Nomination

    running = (Nomination.unscoped.filter(program__status="in_progress", status="confirmed",
                                          placement__isnull=False)
               .values("program").annotate(n=Count("pk")).order_by("-n").values_list("program", flat=True).first())
    if running is None:
        return 0
    now = timezone.now()
    rows = []
    for n, nomination_id in enumerate(Nomination.unscoped.filter(program=running, status="confirmed")
                                      .order_by("pk").values_list("pk", flat=True)):
        if n % 5 == 4:
            continue
        rows.append(Reflection(nomination_id=nomination_id, title="学习体会", submitted_at=now,
                               text="\n\n".join([REFLECTION_PARAGRAPH] * 12),
                               grade=("pass", "excellent", "", "")[n % 4]))
    Reflection.unscoped.bulk_create(rows, batch_size=1000)
    return len(rows)


STEPS = [registry, users, training, enrollment, delivery, outbox, portal, ledger, after_the_class]


# Command ------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=provincedb.DEFAULT_DATABASE)
    parser.add_argument("--scale", type=float, default=1.0, help="Multiplies the number of organs (and programs).")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--skip", action="append", default=[], choices=[step.__name__ for step in STEPS])
    options = parser.parse_args()

    started = time.perf_counter()
    provincedb.setup_django(options.database)
    template = provincedb.migrated_template()
    provincedb.recreate_database(options.database, template=template)
    print(f"created {options.database} from the migrated {template} ({time.perf_counter() - started:.0f} s)",
          flush=True)
    sizes = Sizes(organs=max(1, round(Sizes.organs * options.scale)),
                  programs=round(Sizes.programs * options.scale))
    generate(sizes, seed=options.seed, skip=options.skip)
    print(f"done in {time.perf_counter() - started:.0f} s: {provincedb.database_url(options.database)}")


def generate(sizes: Sizes, *, seed: int = 2022, skip=()) -> dict:
    """Run the steps on the configured database (also usable from a test, on the test database)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.core.audit import current_origin

    province = Province(sizes=sizes, rng=random.Random(seed), today=timezone.localdate())
    token = current_origin.set("cli")  # the demo loaders write through audited services
    try:
        for step in STEPS:
            if step.__name__ in skip:
                continue
            began = time.perf_counter()
            with transaction.atomic():
                counts = step(province)
            province.counts.update(counts)
            summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
            print(f"{step.__name__}: {summary} ({time.perf_counter() - began:.0f} s)", flush=True)
    finally:
        current_origin.reset(token)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # a test's transaction cannot VACUUM
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return province.counts


if __name__ == "__main__":
    main()
