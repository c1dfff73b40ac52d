"""The follow-up tests' world: two closed programs whose participants completed (results stored as at closing).

- `recent`: its phase ended ten days ago — the implementation plan is open (until 30 days after), the survey not
  yet due;
- `earlier`: its phase ended four months ago — the plan's deadline has passed, the survey is due.

`me` (with a participant account) completed both; a colleague of the same organ answered the earlier survey (a
report awaiting the unit's confirmation); a participant of another organ completed the earlier class without
answering; one participant of the recent class did not complete it.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from dangjian.completion.models import CompletionResult
from dangjian.followup import selectors
from dangjian.followup.models import FollowUpReport
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, UserFactory, place


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


MOBILES = iter(f"139{n:08d}" for n in range(10_000_000, 99_999_999, 7919))


def graduate(program, organ, phase, *, completed=True, person=None):
    nomination = place(program, organ, phase)
    if person is not None:
        nomination.person = person
        nomination.save(update_fields=["person"])
    else:
        nomination.person.mobile = next(MOBILES)
        nomination.person.save(update_fields=["mobile"])
    CompletionResult.unscoped.create(nomination=nomination, program=program, completed=completed)
    return nomination


def report_for(nomination, *, texts=None):
    form = selectors.follow_up_form(nomination.program)
    return FollowUpReport.unscoped.create(
        nomination=nomination, program=nomination.program, form=form, due_on=selectors.survey_due(nomination),
        choices={"methods_applied": ["themed_party_day"]},
        texts=texts or {"branch_changes": "主题党日更有针对性", "further_needs": ""})


def make_world(organ=None):
    today = timezone.localdate()
    organ = organ or OrganFactory()
    other = OrganFactory()
    recent = ProgramFactory(status="closed", title="近期结业班")
    recent_phase = PhaseFactory(program=recent, number=1, starts_on=today - datetime.timedelta(days=14),
                                ends_on=today - datetime.timedelta(days=10))
    earlier = ProgramFactory(status="closed", title="早期结业班")
    earlier_phase = PhaseFactory(program=earlier, number=1, starts_on=today - datetime.timedelta(days=130),
                                 ends_on=selectors.add_months(today, -4))
    me_recent = graduate(recent, organ, recent_phase)
    me_earlier = graduate(earlier, organ, earlier_phase, person=me_recent.person)
    colleague = graduate(earlier, organ, earlier_phase)
    stranger = graduate(earlier, other, earlier_phase)
    failed = graduate(recent, organ, recent_phase, completed=False)
    return SimpleNamespace(
        today=today, organ=organ, other=other, recent=recent, earlier=earlier, recent_phase=recent_phase,
        earlier_phase=earlier_phase, me_recent=me_recent, me_earlier=me_earlier, colleague=colleague,
        stranger=stranger, failed=failed, colleague_report=report_for(colleague),
        participant=UserFactory(roles=["participant"], person=me_recent.person),
        failed_user=UserFactory(roles=["participant"], person=failed.person),
        organizer=UserFactory(roles=["organizer"], email="organizer@example.com"),
        admin=UserFactory(roles=["unit_admin"], organs=[organ], email="admin@example.com"),
        other_admin=UserFactory(roles=["unit_admin"], organs=[other], email="other@example.com"),
    )


@pytest.fixture
def world(db):
    return make_world()


PLAN = [{"action": "建立“三会一课”台账", "due": None}, {"action": "每季度开展主题党日", "due": None}]


def plan_rows(world, days=(30, 60)):
    return [{"action": row["action"], "due": (world.today + datetime.timedelta(days=d)).isoformat()}
            for row, d in zip(PLAN, days, strict=True)]


SURVEY = {"choices": {"methods_applied": ["three_meetings_one_lesson", "integration"]},
          "texts": {"branch_changes": "“三会一课”按时召开", "further_needs": "发展党员实务"}}
