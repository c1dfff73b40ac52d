"""The Nanyang demo registry: the 68 organs of organs.csv, a party-organization tree for each,
about 400 synthetic people and the posts that make about 120 of them secretaries appointed in 2022
(the "110+ newly appointed secretaries" of the seed article).

Deterministic for a given day (a fixed random seed; term and recent appointment dates are placed
relative to today so that the 换届 and induction warnings stay realistic) and idempotent (every row
is looked up by its natural key). Writes directly through the ORM, without audit entries: this is
set-up, not work; tests check that every demo row passes the models' validation.
"""

import csv
import datetime
import random
from pathlib import Path

from django.utils import timezone

from dangjian.core.validators import id_number_check_char
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post

DATA = Path(__file__).parent / "data"
SEED = 2022
TARGET_PEOPLE = 400
SECRETARIES_APPOINTED_2022 = 120

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_ONE = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华飞鹏辉玲燕萍斌红宇浩凯健波宁琳晨")
GIVEN_TWO = ["建国", "志强", "秀英", "桂英", "海燕", "晓东", "文博", "雅琴", "国华", "红梅", "振华", "丽娟",
             "建华", "玉兰", "春雷", "晓明", "志刚", "淑珍", "俊杰", "晓丽", "新民", "卫东", "永红", "瑞雪"]
# County-level region codes of Nanyang (first six digits of an ID number).
REGIONS = ["411302", "411303", "411321", "411322", "411323", "411324", "411325", "411326", "411327",
           "411328", "411329", "411330", "411381"]
POSITIONS = ["办公室主任", "科长", "副科长", "一级主任科员", "二级主任科员", "科员", "人事科科长", "综合科科长"]
EDUCATION = ["master", "bachelor", "bachelor", "bachelor", "college"]


def load_organs() -> dict[str, tuple[Organ, str]]:
    """Organs from organs.csv, in its order (the official order of the list: sort_order 1, 2, ...); returns
    code -> (organ, the party-organization type it sets up)."""
    result = {}
    with open(DATA / "organs.csv", encoding="utf-8") as handle:
        for place, row in enumerate(csv.DictReader(handle), start=1):
            organ, _created = Organ.unscoped.update_or_create(
                code=row["code"],
                defaults={"name_zh": row["name_zh"], "name_en": row["name_en"], "sector": row["sector"],
                          "sort_order": place},
            )
            result[row["code"]] = (organ, row["party_org_type"])
    return result


class DemoRegistry:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.id_serial = 0

    # --- synthetic people ---------------------------------------------------------------------

    def name(self) -> str:
        given = self.rng.choice(GIVEN_ONE) if self.rng.random() < 0.45 else self.rng.choice(GIVEN_TWO)
        return self.rng.choice(SURNAMES) + given

    def id_number(self, birth: datetime.date, gender: str) -> str:
        self.id_serial += 1
        order = (self.id_serial % 499) + 1  # 3-digit order code; odd = male, even = female
        if (order % 2 == 1) != (gender == "male"):
            order += 1
        region = REGIONS[self.id_serial % len(REGIONS)]
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        return first17 + id_number_check_char(first17)

    def person(self, organ: Organ, *, position: str, rank_level: str, born_after: int = 1966) -> Person:
        rng = self.rng
        gender = "male" if rng.random() < 0.62 else "female"
        birth = datetime.date(rng.randint(born_after, 1992), rng.randint(1, 12), rng.randint(1, 28))
        id_number = self.id_number(birth, gender)
        joined = datetime.date(birth.year + rng.randint(20, 28), rng.randint(1, 12), rng.randint(1, 28))
        person, _created = Person.unscoped.update_or_create(
            id_number=id_number,
            defaults={
                "name": self.name(),
                "gender": gender,
                "birth_date": birth,
                "ethnicity": "回族" if rng.random() < 0.03 else "汉族",
                "party_joined_on": joined,
                "mobile": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "education": rng.choice(EDUCATION),
                "position": position,
                "rank_level": rank_level,
                "organ": organ,
            },
        )
        return person

    def post(self, person: Person, org: PartyOrganization, role: str, started_on: datetime.date, *,
             ended_on: datetime.date | None = None, portfolio: str = "") -> Post:
        year = started_on.year
        post, _created = Post.unscoped.update_or_create(
            person=person, party_organization=org, role=role, started_on=started_on,
            defaults={
                "ended_on": ended_on,
                "portfolio": portfolio,
                "method": Post.Method.ELECTED if role != Post.Role.COMMITTEE_MEMBER or year % 2 else "appointed",
                "approval_reference": f"宛直工〔{year}〕{(person.pk % 90) + 10}号",
            },
        )
        return post

    # --- party organizations ------------------------------------------------------------------

    def party_org(self, organ: Organ, name: str, org_type: str, parent=None) -> PartyOrganization:
        rng = self.rng
        org, _created = PartyOrganization.unscoped.update_or_create(
            organ=organ, name=name,
            defaults={
                "org_type": org_type,
                "parent": parent,
                "founded_on": datetime.date(rng.choice([1985, 1992, 1998, 2003, 2010]), 7, 1),
                # Spread the current terms so that some 换届 are due or overdue in the demo.
                "term_started_on": self.term_start(org_type),
                "member_count": {"committee": rng.randint(100, 260), "general_branch": rng.randint(50, 99)}.get(
                    org_type, rng.randint(6, 45)),
            },
        )
        return org

    def term_start(self, org_type: str) -> datetime.date:
        """Mostly current terms; a few elections due soon or overdue, as in real life."""
        rng = self.rng
        years = 5 if org_type == "committee" else 3
        roll = rng.random()
        if roll < 0.08:  # overdue: the term ended in the past months
            ends_months_ago = rng.randint(1, 10)
        elif roll < 0.2:  # due within the next six months
            ends_months_ago = -rng.randint(0, 5)
        else:
            ends_months_ago = -rng.randint(7, years * 12 - 6)
        today = timezone.localdate()
        months = today.year * 12 + today.month - 1 - years * 12 - ends_months_ago
        return datetime.date(months // 12, months % 12 + 1, 1)

    def tree_for(self, organ: Organ, top_type: str) -> list[PartyOrganization]:
        """The organ's tree: a committee or general branch over 2-3 branches, or a single branch."""
        base = organ.name_zh
        if top_type == "branch":
            return [self.party_org(organ, f"{base}机关党支部", "branch")]
        top_name = f"{base}机关党委" if top_type == "committee" else f"{base}机关党总支"
        top = self.party_org(organ, top_name, top_type)
        numbers = "一二三四"
        count = 3 if top_type == "committee" else 2
        return [top] + [
            self.party_org(organ, f"{base}机关第{numbers[i]}党支部", "branch", parent=top) for i in range(count)
        ]

    # --- the whole registry -------------------------------------------------------------------

    def load(self) -> dict:
        organs = load_organs()
        orgs: list[PartyOrganization] = []
        for organ, top_type in organs.values():
            orgs.extend(self.tree_for(organ, top_type))

        rng = self.rng
        order = list(range(len(orgs)))
        rng.shuffle(order)
        appointed_2022 = set(order[:SECRETARIES_APPOINTED_2022])
        appointed_recently = set(order[SECRETARIES_APPOINTED_2022:SECRETARIES_APPOINTED_2022 + 10])
        people = 0
        for index, org in enumerate(orgs):
            is_top = org.parent_id is None and org.org_type != "branch"
            rank = "division_deputy" if org.org_type == "committee" else "section_chief"
            position = "机关党委专职副书记" if org.org_type == "committee" else rng.choice(POSITIONS[:3])
            secretary = self.person(org.organ, position=position, rank_level=rank, born_after=1966)
            people += 1
            if index in appointed_2022:
                start = datetime.date(2022, rng.randint(1, 8), rng.randint(1, 28))
                if index % 2 == 0:  # the predecessor, whose post ended when the new secretary took over
                    before = self.person(org.organ, position=rng.choice(POSITIONS), rank_level="principal_staff",
                                         born_after=1964)
                    people += 1
                    self.post(before, org, Post.Role.SECRETARY, datetime.date(2018, rng.randint(1, 12), 1),
                              ended_on=start - datetime.timedelta(days=1))
            elif index in appointed_recently:
                # Appointed in the past months: due for induction training now.
                start = timezone.localdate() - datetime.timedelta(days=rng.randint(20, 300))
            else:
                start = datetime.date(rng.choice([2019, 2020, 2021, 2023, 2024, 2025]), rng.randint(1, 12),
                                      rng.randint(1, 28))
            self.post(secretary, org, Post.Role.SECRETARY, start)
            if is_top:
                deputy = self.person(org.organ, position=rng.choice(POSITIONS[:3]), rank_level="section_chief")
                self.post(deputy, org, Post.Role.DEPUTY_SECRETARY, start)
                for portfolio in ("organization", "discipline"):
                    member = self.person(org.organ, position=rng.choice(POSITIONS), rank_level="principal_staff")
                    self.post(member, org, Post.Role.COMMITTEE_MEMBER, start, portfolio=portfolio)
                people += 3
        organ_list = [organ for organ, _type in organs.values()]
        while people < TARGET_PEOPLE:
            organ = organ_list[people % len(organ_list)]
            self.person(organ, position=rng.choice(POSITIONS[3:]), rank_level=rng.choice(["staff", "principal_staff"]),
                        born_after=1975)
            people += 1
        return {"organs": len(organs), "party_organizations": len(orgs), "people": people}


def load_registry() -> dict:
    return DemoRegistry().load()
