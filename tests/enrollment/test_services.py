"""The enrollment services: quotas, nominating (and every refusal, with nothing written), confirming into a
limited number of seats, the waitlist and its promotion, withdrawal, substitution, participant accounts and their
activation links. Rules at their boundaries: the deadline day and the day after, the day before the class starts
and its first day."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from dangjian.enrollment import selectors, services
from dangjian.enrollment.models import ActivationLink, Nomination, UnavailablePeriod
from dangjian.enrollment.services import NomineeInput
from dangjian.organizations.models import Post
from tests.factories import PersonFactory, PostFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2027, 1, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def people(*persons, **kwargs):
    return [NomineeInput(person=person, **kwargs) for person in persons]


def set_quota(w, seats, organ=None):
    services.quotas_set(program=w.program, by=w.organizer, seats={(organ or w.organ).pk: seats})


def nominate(w, persons, by=None, **kwargs):
    return services.nominate(program=w.program, organ=kwargs.pop("organ", w.organ), nominees=people(*persons),
                             by=by or w.admin, **kwargs)


def refused_without_writing(call, match):
    before = db_state()
    with pytest.raises(ValidationError, match=match):
        call()
    assert state_diff(before, db_state()) == {}


def test_quota_suggestion_shares_the_capacity_in_proportion_to_people_due():
    assert selectors.suggest_quotas(due_counts={1: 3, 2: 2}, capacity=10) == {1: 3, 2: 2}  # all fit
    # 33, 16.5 and 5.5: the tie of remainders goes to the organ with more people due
    assert selectors.suggest_quotas(due_counts={1: 60, 2: 30, 3: 10}, capacity=55) == {1: 33, 2: 17, 3: 5}
    assert sum(selectors.suggest_quotas(due_counts={i: 7 for i in range(1, 12)}, capacity=55).values()) == 55


def test_quota_rows_show_due_suggested_and_nominated(enrollment_world):
    w = enrollment_world
    set_quota(w, 2)
    nominate(w, w.secretaries[:1])
    rows = {row.organ.pk: row for row in selectors.quota_rows(user=w.organizer, program=w.program)}
    assert rows[w.organ.pk].seats == 2 and rows[w.organ.pk].due == 4 and rows[w.organ.pk].nominated == 1
    assert rows[w.other.pk].seats is None and rows[w.other.pk].due == 3
    # 7 due for 5 seats: shared 3 (4 × 5/7 = 2.86) and 2 (3 × 5/7 = 2.14)
    assert (rows[w.organ.pk].suggested, rows[w.other.pk].suggested) == (3, 2)
    assert [row.organ.pk for row in selectors.quota_rows(user=w.admin, program=w.program)] == [w.organ.pk]


def test_unit_admin_nominates_due_people_within_the_quota(enrollment_world, monkeypatch):
    w = enrollment_world
    set_quota(w, 3)
    monkeypatch.setattr(selectors, "induction_credited", lambda ids: {w.secretaries[1].pk})
    created = nominate(w, w.secretaries[:3])
    assert [n.status for n in created] == ["nominated"] * 3
    assert [n.already_credited for n in created] == [False, True, False]  # flagged, not refused
    assert AuditEntry.objects.filter(model="enrollment.nomination", action="create").count() == 3
    assert [p.pk for p in selectors.due_for_page(program=w.program, organ=w.organ)] == [w.secretaries[3].pk]


def test_beyond_the_quota_is_refused_and_an_organizer_may_override_with_a_reason(enrollment_world):
    w = enrollment_world
    set_quota(w, 2)
    refused_without_writing(lambda: nominate(w, w.secretaries[:3]), "beyond the quota")
    refused_without_writing(lambda: nominate(w, w.secretaries[:3], by=w.organizer), "override")
    refused_without_writing(lambda: nominate(w, w.secretaries[:3], by=w.organizer, override=True),
                            "reason for the override")
    with pytest.raises(ValidationError, match="Only the working committee"):
        nominate(w, w.secretaries[:3], override=True, override_reason="急需")
    created = nominate(w, w.secretaries[:3], by=w.organizer, override=True, override_reason="局里三位新书记")
    assert all(n.overridden for n in created)
    entry = AuditEntry.objects.filter(model="training.program", object_pk=str(w.program.pk)).latest("id")
    assert entry.changes["override"][1] == "局里三位新书记"


@pytest.mark.parametrize("deadline, allowed", [(datetime.date(2027, 1, 15), True),
                                               (datetime.date(2027, 1, 14), False)])
def test_the_deadline_day_is_the_last_day_to_nominate(enrollment_world, deadline, allowed):
    w = enrollment_world
    set_quota(w, 3)
    services.enrollment_settings_update(program=w.program, by=w.organizer, nomination_deadline=deadline)
    w.program.refresh_from_db()
    if allowed:
        assert len(nominate(w, w.secretaries[:1])) == 1
    else:
        before = db_state()
        with pytest.raises(ActionRefused, match="deadline"):
            nominate(w, w.secretaries[:1])
        assert state_diff(before, db_state()) == {}
        # The working committee may still nominate, explicitly (audited).
        refused_without_writing(lambda: nominate(w, w.secretaries[:1], by=w.organizer), "after the nomination")
        assert nominate(w, w.secretaries[:1], by=w.organizer, override=True, override_reason="补报")[0].overridden


def test_a_person_of_another_organ_or_who_left_their_post_is_refused(enrollment_world):
    w = enrollment_world
    set_quota(w, 4)
    refused_without_writing(lambda: nominate(w, [w.others[0]]), "belongs to another organ")
    left = PersonFactory(organ=w.organ)
    PostFactory(person=left, started_on=datetime.date(2026, 6, 1), ended_on=datetime.date(2027, 1, 14))
    refused_without_writing(lambda: nominate(w, [left]), "left their post on 2027-01-14")
    never = PersonFactory(organ=w.organ)
    refused_without_writing(lambda: nominate(w, [never]), "holds no post")
    # The other organ's administrator does not even reach this organ's quota.
    with pytest.raises(PermissionDenied):
        nominate(w, w.secretaries[:1], by=w.other_admin)


def test_no_person_holds_two_nominations_in_one_program(enrollment_world):
    w = enrollment_world
    set_quota(w, 4)
    nominate(w, w.secretaries[:1])
    refused_without_writing(lambda: nominate(w, w.secretaries[:2]), "already nominated")
    with pytest.raises(ValidationError, match="listed twice"):
        nominate(w, [w.secretaries[1], w.secretaries[1]])


def test_unavailable_dates_overlapping_the_preferred_phase_or_every_phase_are_refused(enrollment_world):
    w = enrollment_world
    set_quota(w, 4)
    march = [(datetime.date(2027, 3, 5), datetime.date(2027, 3, 15))]  # the last day of 1, the first day of 2
    refused_without_writing(lambda: services.nominate(
        program=w.program, organ=w.organ, by=w.admin,
        nominees=[NomineeInput(person=w.secretaries[0], unavailable=march)]), "any phase")
    refused_without_writing(lambda: services.nominate(
        program=w.program, organ=w.organ, by=w.admin,
        nominees=[NomineeInput(person=w.secretaries[0], unavailable=[(datetime.date(2027, 3, 19),) * 2],
                               preferred_phase=w.phase2)]), "phase 2")
    # The day after phase 1 ends is free: phase 1 is theirs.
    created = services.nominate(program=w.program, organ=w.organ, by=w.admin, nominees=[NomineeInput(
        person=w.secretaries[0], unavailable=[(datetime.date(2027, 3, 6), datetime.date(2027, 3, 20))])])
    assert UnavailablePeriod.objects.filter(nomination=created[0]).count() == 1


def test_confirming_beyond_the_capacity_waitlists_in_order_and_a_freed_seat_promotes(enrollment_world):
    w = enrollment_world  # capacity 3 + 2 = 5
    set_quota(w, 4)
    set_quota(w, 3, organ=w.other)
    ours = nominate(w, w.secretaries)
    theirs = nominate(w, w.others, by=w.other_admin, organ=w.other)
    outcome = services.nominations_confirm(nominations=[*ours, *theirs], by=w.organizer)
    assert outcome == {"confirmed": 5, "waitlisted": 2}
    waitlisted = list(selectors.waitlist(program=w.program))
    assert [n.person for n in waitlisted] == w.others[1:]
    assert [n.waitlist_position for n in waitlisted] == [1, 2]
    participant = Nomination.unscoped.get(person=w.secretaries[0]).person.user
    assert participant.has_role("participant") and not participant.has_usable_password()
    # A confirmed nominee withdraws: the first of the waitlist takes the seat.
    promoted = services.nomination_withdraw(nomination=ours[0], by=w.admin, reason="工作调动")
    assert [n.person for n in promoted] == [w.others[1]]
    assert Nomination.unscoped.get(pk=promoted[0].pk).status == "confirmed"
    assert selectors.enrollment_summary(program=w.program).confirmed == 5
    # The organizer takes the last one off the waitlist.
    services.nominations_reject(nominations=[Nomination.unscoped.get(person=w.others[2])], by=w.organizer,
                                reason="名额已满")
    assert not selectors.waitlist(program=w.program).exists()
    with pytest.raises(ActionRefused):
        services.nominations_confirm(nominations=[Nomination.unscoped.get(person=w.others[2])], by=w.organizer)


def test_raising_a_capacity_and_promoting_fills_the_seats_from_the_waitlist(enrollment_world):
    w = enrollment_world
    set_quota(w, 4)
    services.nominations_confirm(nominations=nominate(w, w.secretaries), by=w.organizer)
    w.phase2.capacity = 1
    w.phase2.save()
    assert selectors.enrollment_summary(program=w.program).confirmed == 4  # nobody loses a seat
    w.phase2.capacity = 3
    w.phase2.save()
    assert services.waitlist_promote(program=w.program, by=w.organizer) == []
    assert selectors.enrollment_summary(program=w.program).seats_left == 2


def test_substitution_keeps_the_seat_until_the_class_starts(enrollment_world):
    w = enrollment_world
    set_quota(w, 3)
    first, _second = nominate(w, w.secretaries[:2])
    services.nominations_confirm(nominations=[first], by=w.organizer)
    with pytest.raises(ValidationError, match="reason"):
        services.nomination_substitute(nomination=first, person=w.secretaries[3], by=w.admin, reason=" ")
    refused_without_writing(lambda: services.nomination_substitute(
        nomination=first, person=w.others[0], by=w.admin, reason="换人"), "another organ")
    substitute = services.nomination_substitute(nomination=first, person=w.secretaries[3], by=w.admin,
                                                reason="原人选住院")
    first.refresh_from_db()
    assert (first.status, first.reason, substitute.status, substitute.replaces) == (
        "substituted", "原人选住院", "confirmed", first)
    assert substitute.person.user.has_role("participant")
    # The day before the class starts a substitution is still possible; on its first day no longer.
    with time_machine.travel(datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC), tick=False):
        services.nomination_substitute(nomination=substitute, person=w.secretaries[2], by=w.admin, reason="出差")
    last = Nomination.unscoped.get(person=w.secretaries[2])
    with time_machine.travel(datetime.datetime(2027, 3, 1, 1, tzinfo=datetime.UTC), tick=False), \
            pytest.raises(ActionRefused, match="class has started"):
        services.nomination_withdraw(nomination=last, by=w.admin, reason="出差")


def test_activation_link_works_once_and_expires(enrollment_world, settings):
    w = enrollment_world
    set_quota(w, 1)
    nomination = nominate(w, w.secretaries[:1])[0]
    with pytest.raises(ActionRefused, match="confirmed"):
        services.activation_issue(nomination=nomination, by=w.admin)
    services.nominations_confirm(nominations=[nomination], by=w.organizer)
    nomination.refresh_from_db()
    token = services.activation_issue(nomination=nomination, by=w.admin)
    assert ActivationLink.objects.get().digest != token  # only the digest is kept
    user = services.activation_use(token=token, password="a-good-password-1")
    assert user.check_password("a-good-password-1")
    with pytest.raises(ValidationError, match="not valid"):
        services.activation_use(token=token, password="another-password-2")
    stale = services.activation_issue(nomination=nomination, by=w.organizer)
    fresh = services.activation_issue(nomination=nomination, by=w.organizer)  # the earlier one stops working
    assert services.activation_find(stale) is None and services.activation_find(fresh) is not None
    expiry = TODAY + datetime.timedelta(days=settings.ENROLLMENT_ACTIVATION_DAYS)
    with time_machine.travel(expiry - datetime.timedelta(seconds=1), tick=False):
        assert services.activation_find(fresh) is not None
    with time_machine.travel(expiry, tick=False):
        assert services.activation_find(fresh) is None


def test_participant_sees_only_their_own_nominations(enrollment_world):
    w = enrollment_world
    set_quota(w, 2)
    mine, theirs = nominate(w, w.secretaries[:2])
    services.nominations_confirm(nominations=[mine, theirs], by=w.organizer)
    user = mine.person.user
    assert list(Nomination.objects.visible_to(user)) == [mine]
    assert list(selectors.my_nominations(user=user)) == [mine]


def test_organs_not_nominated(enrollment_world):
    w = enrollment_world
    set_quota(w, 2)
    set_quota(w, 2, organ=w.other)
    assert set(selectors.organs_not_nominated(program=w.program)) == {w.organ, w.other}
    nominate(w, w.secretaries[:1])
    assert list(selectors.organs_not_nominated(program=w.program)) == [w.other]


def test_nominee_choices_leave_out_those_without_a_current_post(enrollment_world):
    w = enrollment_world
    Post.unscoped.filter(person=w.secretaries[0]).update(ended_on=datetime.date(2027, 1, 1))
    choices = set(selectors.nominee_choices(user=w.admin, program=w.program, organ=w.organ))
    assert choices == set(w.secretaries[1:])
    assert not selectors.nominee_choices(user=w.other_admin, program=w.program, organ=w.organ).exists()


def test_the_class_picks_from_the_confirmed_participants_once_there_are_any(enrollment_world):
    from dangjian.training.selectors import class_nominee_choices

    w = enrollment_world
    assert class_nominee_choices(user=w.organizer, phase=w.phase1).count() > 2  # the registry, before
    set_quota(w, 2)
    first, _not_confirmed = nominate(w, w.secretaries[:2])
    services.nominations_confirm(nominations=[first], by=w.organizer)
    assert list(class_nominee_choices(user=w.organizer, phase=w.phase1)) == [first.person]


def test_a_person_credited_in_the_ledger_is_flagged_when_nominated_for_another_induction_class(enrollment_world):
    from dangjian.ledger.services import record_credit_phase
    from tests.factories import PhaseFactory, ProgramFactory

    w = enrollment_world
    earlier = PhaseFactory(program=ProgramFactory(year=2026, requirement="induction"), number=1,
                           starts_on=datetime.date(2026, 10, 12), ends_on=datetime.date(2026, 10, 16))
    record_credit_phase(phase=earlier, people=[w.secretaries[0]], hours=37.5, by=w.organizer)
    set_quota(w, 2)
    flagged, plain = nominate(w, w.secretaries[:2], by=w.organizer)
    assert (flagged.already_credited, plain.already_credited) == (True, False)
