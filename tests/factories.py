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
    order = (serial % 500) * 2 + (1 if gender == "male" else 2)  # 3-digit order code: odd = male
    region = region[:4] + f"{(int(region[4:]) + serial // 500) % 100:02d}"
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
