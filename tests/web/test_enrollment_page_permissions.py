"""The permission matrix of the enrollment pages: every URL of web/urls_enrollment.py × every role (and
anonymous), with the expected status; every POST's outcome read back from the database (done: it changed what
EFFECTS names; refused: no row of the platform changed at all).

anonymous                         -> 302 to the login page (the activation page is public: a bad link is a 404)
organizer                         -> everything
unit administrator                -> the overview and their own organ's nominations; the organizers' pages 403;
                                     another organ's nomination or nomination page 404
participant                       -> their own page; every staff page 403
approver, college staff, instructor, editor, reviewer -> 403
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.messages import constants as message_levels
from django.urls import reverse

from dangjian.enrollment import services
from dangjian.enrollment.models import ActivationLink, CalendarFeed, Nomination, Quota, UnavailablePeriod
from dangjian.enrollment.services import NomineeInput
from dangjian.jobs.models import BackgroundJob
from dangjian.organizations.models import Person
from dangjian.outbox.models import Message
from tests.conftest import ROLES
from tests.denials import assert_denial_page, assert_no_traceback_logged
from tests.enrollment.conftest import make_secretaries
from tests.factories import OrganFactory, PhaseFactory, ProgramFactory, UserFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
NOW = datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def _build(users_by_role, organ):
    """A program open for enrollment: of the unit administrator's organ one nomination awaiting a decision, one
    confirmed and one on the waitlist (a seat freed since: the phase grew); of another organ one awaiting."""
    with time_machine.travel(NOW, tick=False):
        organizer = users_by_role["organizer"]
        other = OrganFactory()
        program = ProgramFactory(status="enrollment_open", year=2027)
        phase = PhaseFactory(program=program, number=1, starts_on=datetime.date(2027, 3, 1),
                             ends_on=datetime.date(2027, 3, 5), capacity=1)
        services.quotas_set(program=program, by=organizer, seats={organ.pk: 4, other.pk: 3})
        ours = make_secretaries(organ, 5)
        confirmed, waitlisted, nominated = services.nominate(
            program=program, organ=organ, by=organizer, nominees=[NomineeInput(person=p) for p in ours[:3]])
        services.nominations_confirm(nominations=[confirmed, waitlisted], by=organizer)
        phase.capacity = 3
        phase.save()
        theirs = services.nominate(program=program, organ=other, by=organizer,
                                   nominees=[NomineeInput(person=make_secretaries(other, 1)[0])])[0]
        for record in (confirmed, waitlisted, nominated):
            record.refresh_from_db()
        # Reachable: the confirmed participant by SMS, the unit administrator by e-mail (messages are composed).
        Person.unscoped.filter(pk=confirmed.person_id).update(mobile="13800138001")
        users_by_role["unit_admin"].email = "danwei@example.org"
        users_by_role["unit_admin"].save(update_fields=["email"])
        silent = OrganFactory()  # has seats, has nominated nobody: the deadline reminder's organ
        services.quotas_set(program=program, by=organizer, seats={silent.pk: 2})
        UserFactory(roles=["unit_admin"], organs=[silent], email="silent@example.org")
        services.calendar_feed_rotate(by=users_by_role["participant"])  # revoked or replaced by the matrix
        return SimpleNamespace(program=program, organ=organ, other=other, nominated=nominated,
                               confirmed=confirmed, waitlisted=waitlisted, theirs=theirs, spare=ours[3],
                               spare2=ours[4])


_built_once, users_by_role, records = world_per_module(_build)

# (url name, method, args from the records, who: "organizer" | "staff" | "own" | "other" | "participant" |
#  "public", post data)
PAGES = [
    ("enrollment_overview", "get", ["program"], "staff", None),
    ("enrollment_settings", "get", ["program"], "organizer", None),
    ("enrollment_settings", "post", ["program"], "organizer", {"nomination_deadline": "2027-02-01",
                                                              "seats-{organ}": "5"}),
    ("nominate_page", "get", ["program", "organ"], "own", None),
    ("nominate_page", "get", ["program", "other"], "other", None),
    ("nominate_page", "post", ["program", "organ"], "own", {"person": "{spare}"}),
    ("nominee_picker", "get", ["program", "organ"], "own", None),
    ("nominee_picker", "get", ["program", "other"], "other", None),
    ("nominations_decide", "post", ["program"], "organizer", {"nomination": "{nominated}", "decision": "confirm"}),
    ("waitlist_promote", "post", ["program"], "organizer", {}),
    ("nomination_withdraw", "get", ["nominated"], "own", None),
    ("nomination_withdraw", "post", ["nominated"], "own", {"reason": "工作调动"}),
    ("nomination_withdraw", "post", ["theirs"], "other", {"reason": "工作调动"}),
    ("nomination_substitute", "get", ["nominated"], "own", None),
    ("nomination_substitute", "post", ["nominated"], "own", {"person": "{spare2}", "reason": "换人"}),
    ("nomination_unavailable", "get", ["nominated"], "own", None),
    ("nomination_unavailable", "post", ["nominated"], "own", {"unavailable_from_1": "2027-02-01",
                                                             "unavailable_to_1": "2027-02-02"}),
    ("activation_issue", "post", ["confirmed"], "own", {}),
    ("nomination_opened_compose", "post", ["program"], "organizer", {}),
    ("deadline_reminder_compose", "post", ["program"], "organizer", {}),
    ("admission_notices_prepare", "post", ["program"], "organizer", {}),
    ("admission_notice_pdf", "get", ["confirmed"], "own", None),
    ("my_home", "get", [], "participant", None),
    ("my_enrollment", "get", [], "participant", None),
    ("my_calendar_rotate", "post", [], "participant", {}),
    ("my_calendar_revoke", "post", [], "participant", {}),
    ("my_calendar_feed", "get", ["token"], "public", None),
    ("participant_activate", "get", ["token"], "public", None),
]


def _effect(name):
    return {
        "enrollment_settings": lambda: sorted(Quota.unscoped.values_list("organ_id", "seats")),
        "nominate_page": lambda: Nomination.unscoped.count(),
        "nominations_decide": lambda: sorted(Nomination.unscoped.values_list("pk", "status")),
        "waitlist_promote": lambda: sorted(Nomination.unscoped.values_list("pk", "status")),
        "nomination_withdraw": lambda: sorted(Nomination.unscoped.values_list("pk", "status")),
        "nomination_substitute": lambda: Nomination.unscoped.count(),
        "nomination_unavailable": lambda: UnavailablePeriod.objects.count(),
        "activation_issue": lambda: ActivationLink.objects.count(),
        "my_calendar_rotate": lambda: sorted(CalendarFeed.objects.values_list("digest", flat=True)),
        "my_calendar_revoke": lambda: sorted(CalendarFeed.objects.values_list("digest", flat=True)),
        "nomination_opened_compose": lambda: Message.unscoped.filter(kind="nomination_opened").count(),
        "deadline_reminder_compose": lambda: Message.unscoped.filter(kind="deadline_reminder").count(),
        "admission_notices_prepare": lambda: BackgroundJob.unscoped.count(),
    }[name]


# POSTs that answer with a page (the activation link is shown once, not after a redirect).
POST_RENDERS = {"activation_issue", "my_calendar_rotate"}


def expected_status(role, method, who, name=""):
    if who == "public":
        return 404  # a token that does not exist, for everyone
    if role == "anonymous":
        return 302
    if who == "participant":
        if role != "participant":
            return 403
        return 302 if method == "post" and name not in POST_RENDERS else 200
    if name == "admission_notice_pdf" and role == "participant":
        return 404  # a participant may read their own notice only: another's is not found
    if role not in {"organizer", "unit_admin"}:
        return 403
    done = 302 if method == "post" and name not in POST_RENDERS else 200
    if role == "organizer":
        return done
    return {"staff": done, "own": done, "organizer": 403, "other": 404}[who]


def _cases():
    for name, method, args, who, data in PAGES:
        for role in ALL_ROLES:
            status = expected_status(role, method, who, name)
            yield pytest.param(role, name, method, args, who, data, status,
                               id=f"{method.upper()} {name}({','.join(args)}) as {role} -> {status}")


def _fill(value, records):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return getattr(records, value[1:-1]).pk
    return value


@pytest.mark.parametrize("role, name, method, args, who, data, status", list(_cases()))
def test_enrollment_page_permission_matrix(client, users_by_role, records, role, name, method, args, who, data,
                                           status, caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=["no-such-token" if a == "token" else getattr(records, a).pk for a in args])
    if method == "get":
        response = client.get(url)
    else:
        payload = {key.format(organ=records.organ.pk): _fill(value, records) for key, value in data.items()}
        effect = _effect(name)
        before, state_before = effect(), db_state()
        response = client.post(url, payload)
    assert response.status_code == status, response.content.decode()[:2000]
    assert_denial_page(response)
    assert_no_traceback_logged(caplog)
    if role == "anonymous" and who != "public":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if method == "get":
        return
    done = role != "anonymous" and status in (200, 302) and not (status == 302 and role == "anonymous")
    if done:
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert effect() != before, f"{name} as {role}: {status}, but nothing changed"
    else:
        assert state_diff(state_before, db_state()) == {}


def test_every_url_of_the_enrollment_pages_is_in_this_matrix():
    from dangjian.web.urls_enrollment import urlpatterns

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES}
