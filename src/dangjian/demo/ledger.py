"""The demo's training-hours ledger (学时档案): external records, as a unit would import them, that make the
compliance views realistic. Deterministic and idempotent; dates relative to today, like the registry's.

- Induction (任职培训) at the city party school for most secretaries appointed in 2019–2021 and 2023–2025; a few
  have none (overdue). Secretaries appointed in recent months have none: they are due (南阳市教育局's among them).
- The 2022 class's participants get no record here: their induction is credited when their class is completed
  on this platform (ledger.services.record_credit_phase, called by the delivery issue's class closing; the
  enrollment issue confirms who took part). Until then they show as overdue.
- Online study (学习强国, 中国干部网络学院) for most people, last year and this year; the secretaries' annual
  rotation training and the members' concentrated study for many of them.

The requirements themselves are data from the start (ledger migration 0002: the rules of rules.md §3–5).
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from dangjian.ledger.enums import RecordSource, TrainingKind
from dangjian.ledger.models import TrainingRecord
from dangjian.organizations.models import Person, Post

DEMO_NOTE = "示例数据"
SECTION_TIER = {"section_chief", "section_deputy", "principal_staff", "staff", "clerk"}
PARTY_SCHOOL = "中共南阳市委党校"
ONLINE = ["学习强国", "中国干部网络学院", "河南干部网络学院"]
ONLINE_TITLES = ["学习贯彻习近平新时代中国特色社会主义思想网络专题班", "党的二十届四中全会精神网络专题学习",
                 "《中国共产党纪律处分条例》网络专题学习", "机关党建工作实务网络课程"]


def _record(person, *, title, institution, kind, starts_on, ends_on, hours, induction=False, certificate=""):
    record = TrainingRecord(person=person, title=title, institution=institution, kind=kind, starts_on=starts_on,
                            ends_on=ends_on, hours=Decimal(str(hours)), counts_as_induction=induction,
                            certificate_number=certificate, source=RecordSource.IMPORTED, note=DEMO_NOTE)
    record.year, record.days = TrainingRecord.derived(starts_on=starts_on, ends_on=ends_on, kind=kind)
    return record


def load_ledger() -> dict:
    """Create the demo's records once (a second run finds them and does nothing)."""
    existing = TrainingRecord.unscoped.filter(note=DEMO_NOTE).count()
    if existing:
        return {"records": existing, "created": False}
    rng = random.Random(20261)
    today = timezone.localdate()
    records = []
    secretaries = dict(
        Post.unscoped.filter(role=Post.Role.SECRETARY)
        .exclude(party_organization__org_type="temporary_branch")
        .order_by("person_id", "started_on").values_list("person_id", "started_on"))
    post_holders = set(Post.unscoped.current().values_list("person_id", flat=True))
    for person in Person.unscoped.order_by("id"):
        appointed = person.first_secretary_on
        if appointed and appointed.year >= 2019 and appointed.year != 2022 and (today - appointed).days > 240 \
                and rng.random() < 0.85:
            start = appointed + datetime.timedelta(days=rng.randint(40, 150))
            records.append(_record(person, title=f"{start.year}年新任基层党组织书记任职培训班",
                                   institution=PARTY_SCHOOL, kind=TrainingKind.CONCENTRATED, starts_on=start,
                                   ends_on=start + datetime.timedelta(days=4), hours=37.5, induction=True,
                                   certificate=f"NYDX-{start.year}-{person.pk % 1000:03d}"))
        for year in (today.year - 1, today.year):
            last_day = datetime.date(year, 12, 31) if year < today.year else today
            span = min(300, (last_day - datetime.date(year, 1, 1)).days)
            if rng.random() < 0.8:  # online study through the year
                for _ in range(rng.randint(1, 3)):
                    day = last_day - datetime.timedelta(days=rng.randint(0, span))
                    records.append(_record(person, title=rng.choice(ONLINE_TITLES), institution=rng.choice(ONLINE),
                                           kind=TrainingKind.ONLINE, starts_on=day, ends_on=day,
                                           hours=rng.choice([8, 12, 16, 20, 24])))
            holds_post = person.pk in post_holders or person.pk in secretaries
            if holds_post and rng.random() < 0.7:  # the annual rotation training of secretaries and members
                start = datetime.date(year, rng.choice([4, 5, 6, 9, 10]), rng.randint(1, 20))
                if start <= today - datetime.timedelta(days=5):
                    records.append(_record(person, title=f"{year}年基层党组织书记和党务干部轮训班",
                                           institution=PARTY_SCHOOL, kind=TrainingKind.CONCENTRATED,
                                           starts_on=start, ends_on=start + datetime.timedelta(days=4),
                                           hours=rng.choice([30, 37.5])))
            if person.rank_level in SECTION_TIER and rng.random() < 0.25:  # a cadre's 12-day course (90 学时)
                start = datetime.date(year, rng.choice([3, 5, 9]), rng.randint(1, 10))
                if start + datetime.timedelta(days=11) <= today:
                    records.append(_record(person, title=f"{year}年市直机关科级干部进修班", institution=PARTY_SCHOOL,
                                           kind=TrainingKind.CONCENTRATED, starts_on=start,
                                           ends_on=start + datetime.timedelta(days=11), hours=90))
            if not holds_post and person.party_joined_on and rng.random() < 0.75:  # members' concentrated study
                start = datetime.date(year, rng.choice([3, 6, 7, 11]), rng.randint(1, 20))
                if start <= today - datetime.timedelta(days=2):
                    records.append(_record(person, title=f"{year}年机关党员集中学习培训", institution=PARTY_SCHOOL,
                                           kind=TrainingKind.CONCENTRATED, starts_on=start,
                                           ends_on=start + datetime.timedelta(days=rng.choice([1, 3])),
                                           hours=rng.choice([16, 24, 32])))
    TrainingRecord.unscoped.bulk_create(records, batch_size=500)
    return {"records": len(records), "created": True}
