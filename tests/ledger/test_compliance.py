"""Compliance rules at their boundaries: the day before and after a deadline, exemptions, versions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from dangjian.ledger import compliance, selectors
from dangjian.ledger.models import Requirement
from dangjian.organizations.models import PartyOrganization, Person
from tests.factories import (
    ExemptionFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PostFactory,
    TrainingRecordFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def _status(person, code, on, year=None):
    requirement = Requirement.objects.filter(code=code).first()
    row = compliance.with_compliance(Person.unscoped.filter(pk=person.pk), requirement=requirement, on=on,
                                     year=year, with_post=True).first()
    return row


@pytest.fixture
def secretary():
    post = PostFactory(started_on=D(2026, 7, 3), party_organization__name="第一党支部")
    return post.person


def test_induction_due_until_the_deadline_and_overdue_the_day_after(secretary):
    assert _status(secretary, "induction", D(2027, 1, 3)).compliance_status == "due"
    assert _status(secretary, "induction", D(2027, 1, 3)).compliance_deadline == D(2027, 1, 3)
    assert _status(secretary, "induction", D(2027, 1, 4)).compliance_status == "overdue"
    # not yet appointed: no duty
    assert _status(secretary, "induction", D(2026, 7, 2)) is None


def test_the_why_names_the_post_the_dates_and_the_record(secretary):
    row = _status(secretary, "induction", D(2026, 9, 1))
    why = compliance.explain(row, Requirement.objects.get(code="induction"), on=D(2026, 9, 1))
    assert why == "第一党支部书记，任职于 2026-07-03；任职培训应于 2027-01-03 前完成；尚无记录"
    with translation.override("en"):
        assert compliance.explain(row, Requirement.objects.get(code="induction"), on=D(2026, 9, 1)) == (
            "第一党支部 Secretary, appointed on 2026-07-03; induction training due by 2027-01-03; no record yet")


@pytest.mark.parametrize(("appointed", "deadline"), [
    (D(2026, 8, 31), D(2027, 2, 28)),  # the month has no 31st: its last day
    (D(2027, 8, 31), D(2028, 2, 29)),  # leap year
    (D(2026, 1, 31), D(2026, 7, 31)),
    (D(2026, 12, 15), D(2027, 6, 15)),
])
def test_deadline_at_month_ends(appointed, deadline):
    person = PostFactory(started_on=appointed).person
    assert _status(person, "induction", appointed).compliance_deadline == deadline
    assert compliance.add_months(appointed, 6) == deadline


def test_an_induction_record_satisfies_the_duty(secretary):
    TrainingRecordFactory(person=secretary, counts_as_induction=True, starts_on=D(2026, 10, 1),
                          ends_on=D(2026, 10, 5))
    assert _status(secretary, "induction", D(2027, 3, 1)).compliance_status == "satisfied"
    assert selectors.has_induction_credit([secretary.pk, 0]) == {secretary.pk}


def test_other_records_do_not(secretary):
    TrainingRecordFactory(person=secretary, counts_as_induction=False)
    assert _status(secretary, "induction", D(2027, 3, 1)).compliance_status == "overdue"


def test_exempt_while_the_exemption_lasts(secretary):
    ExemptionFactory(person=secretary, starts_on=D(2026, 8, 1), ends_on=D(2027, 2, 1))
    assert _status(secretary, "induction", D(2027, 2, 1)).compliance_status == "exempt"
    assert _status(secretary, "induction", D(2027, 2, 2)).compliance_status == "overdue"


def test_left_the_post_no_longer_due():
    post = PostFactory(started_on=D(2026, 1, 10), ended_on=D(2026, 5, 31))
    assert _status(post.person, "induction", D(2026, 5, 31)).compliance_status == "due"
    assert _status(post.person, "induction", D(2026, 6, 1)) is None


def test_a_temporary_branch_secretary_has_no_duty():
    branch = PartyOrganizationFactory(org_type=PartyOrganization.Type.TEMPORARY_BRANCH)
    post = PostFactory(started_on=D(2026, 3, 1), party_organization=branch, person__organ=branch.organ)
    assert _status(post.person, "induction", D(2026, 4, 1)) is None


def test_appointments_before_the_rule_took_effect_have_no_duty():
    person = PostFactory(started_on=D(2018, 12, 31)).person
    assert _status(person, "induction", D(2026, 4, 1)) is None
    person = PostFactory(started_on=D(2019, 1, 1)).person
    assert _status(person, "induction", D(2026, 4, 1)).compliance_status == "overdue"


def test_a_new_version_does_not_rewrite_history():
    old = Requirement.objects.get(code="induction")
    old.effective_until = D(2025, 12, 31)
    old.save()
    Requirement.objects.create(code="induction", kind="induction", title_zh="任职培训", deadline_months=12,
                               source="新规定", effective_from=D(2026, 1, 1))
    before = PostFactory(started_on=D(2025, 12, 31)).person
    after = PostFactory(started_on=D(2026, 1, 1)).person
    assert _status(before, "induction", D(2026, 7, 1)).compliance_deadline == D(2026, 6, 30)
    assert _status(after, "induction", D(2026, 7, 1)).compliance_deadline == D(2027, 1, 1)


def test_deputies_only_when_the_rule_says_so():
    deputy = PostFactory(started_on=D(2026, 3, 1), role="deputy_secretary").person
    assert _status(deputy, "induction", D(2026, 4, 1)) is None
    Requirement.objects.filter(code="induction").update(include_deputies=True)
    row = _status(deputy, "induction", D(2026, 4, 1))
    assert (row.compliance_status, row.appointed_on) == ("due", D(2026, 3, 1))


def test_due_for_induction_for_enrollment(secretary):
    other = PostFactory(started_on=D(2025, 1, 10)).person
    credited = PostFactory(started_on=D(2026, 5, 1)).person
    TrainingRecordFactory(person=credited, counts_as_induction=True)
    people = list(selectors.due_for_induction(on=D(2026, 9, 1)))
    assert [(p.pk, p.induction_status, p.induction_deadline) for p in people] == [
        (other.pk, "overdue", D(2025, 7, 10)), (secretary.pk, "due", D(2027, 1, 3))]
    assert list(selectors.due_for_induction(organ_ids=[secretary.organ_id], on=D(2026, 9, 1))) == [secretary]
    assert list(selectors.due_for_induction(organ_ids=[], on=D(2026, 9, 1))) == []


# --- Hours ------------------------------------------------------------------------------------------------


def test_secretary_hours_need_56_and_one_concentrated_training(secretary):
    TrainingRecordFactory(person=secretary, kind="online", hours=50, starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 1))
    row = _status(secretary, "secretary-annual", D(2026, 12, 31))
    assert (row.compliance_status, row.credited_hours) == ("due", Decimal("50"))
    TrainingRecordFactory(person=secretary, kind="concentrated", hours=6, starts_on=D(2026, 9, 1),
                          ends_on=D(2026, 9, 1))
    assert _status(secretary, "secretary-annual", D(2026, 12, 31)).compliance_status == "satisfied"


def test_hours_overdue_the_day_after_the_year():
    person = PostFactory(started_on=D(2020, 1, 1)).person
    TrainingRecordFactory(person=person, hours=55.5, starts_on=D(2026, 5, 1), ends_on=D(2026, 5, 3))
    assert _status(person, "secretary-annual", D(2026, 12, 31)).compliance_status == "due"
    assert _status(person, "secretary-annual", D(2027, 1, 1), year=2026).compliance_status == "overdue"
    # the next year starts from nothing
    assert _status(person, "secretary-annual", D(2027, 1, 1)).credited_hours == 0


def test_members_count_concentrated_hours_only():
    member = PersonFactory(party_joined_on=D(2000, 7, 1))
    TrainingRecordFactory(person=member, kind="online", hours=40, starts_on=D(2026, 1, 5), ends_on=D(2026, 1, 5))
    assert _status(member, "member-annual", D(2026, 6, 1)).credited_hours == 0
    TrainingRecordFactory(person=member, hours=32)
    assert _status(member, "member-annual", D(2026, 6, 1)).compliance_status == "satisfied"
    # a secretary is judged by the secretaries' rule, not the members'
    PostFactory(person=member, started_on=D(2020, 1, 1))
    assert _status(member, "member-annual", D(2026, 6, 1)) is None


def test_cadre_tier_twelve_days_or_ninety_hours():
    cadre = PersonFactory(rank_level=Person.RankLevel.SECTION_CHIEF)
    TrainingRecordFactory(person=cadre, hours=60, starts_on=D(2026, 4, 1), ends_on=D(2026, 4, 11))  # 11 days
    assert _status(cadre, "cadre-annual", D(2026, 6, 1)).compliance_status == "due"
    TrainingRecordFactory(person=cadre, hours=6, starts_on=D(2026, 5, 1), ends_on=D(2026, 5, 1))  # day 12
    assert _status(cadre, "cadre-annual", D(2026, 6, 1)).compliance_status == "satisfied"
    # no rank level recorded: no tier
    assert _status(PersonFactory(rank_level=""), "cadre-annual", D(2026, 6, 1)) is None


def test_five_year_period():
    cadre = PersonFactory(rank_level=Person.RankLevel.DIVISION_CHIEF)
    TrainingRecordFactory(person=cadre, hours=500, starts_on=D(2023, 3, 1), ends_on=D(2023, 5, 1))
    TrainingRecordFactory(person=cadre, hours=50, starts_on=D(2027, 3, 1), ends_on=D(2027, 3, 10))
    row = _status(cadre, "cadre-five-year", D(2026, 6, 1))
    assert (row.compliance_status, row.compliance_deadline) == ("due", D(2027, 12, 31))
    assert _status(cadre, "cadre-five-year", D(2027, 12, 31)).compliance_status == "satisfied"


def test_an_exemption_meeting_the_year_exempts_it():
    person = PostFactory(started_on=D(2020, 1, 1)).person
    ExemptionFactory(person=person, requirement_code="secretary-annual", starts_on=D(2025, 10, 1),
                     ends_on=D(2026, 1, 1))
    assert _status(person, "secretary-annual", D(2026, 6, 1)).compliance_status == "exempt"
    assert _status(person, "secretary-annual", D(2027, 6, 1)).compliance_status == "due"
