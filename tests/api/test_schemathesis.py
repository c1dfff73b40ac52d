"""Property-based contract test of the whole REST API (schemathesis): every operation of the OpenAPI
document, as an organizer, on a database with a few records of each kind. No answer may be a server error,
or disagree with the document (status code, content type, body schema, documented headers), and no request
the document calls invalid may be accepted.

Generated ids rarely exist, so about half of the generated path ids and foreign keys in bodies are swapped
for the ids of the records made here: the operations then also answer 200, 201, 204 and 409.

Bounded: MAX_EXAMPLES generated requests per operation (valid and invalid ones), plus the schema's examples;
about a minute of CPU for the 97 operations. The coverage phase (every boundary value, every invalid type
of every field) is left to occasional runs (`SCHEMATHESIS_COVERAGE=1`), as it takes four times as long.
"""

import datetime
import os

import hypothesis
import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dangjian.accounts.models import ApiToken
from dangjian.ledger.models import Requirement
from dangjian.organizations.models import PartyOrganization, Post
from dangjian.training.models import ClassCommitteeMember, Program, ProgramReview, TravelTime
from dangjian.wsgi import application
from tests.factories import (
    ClassroomFactory,
    CourseFactory,
    ExemptionFactory,
    GroupFactory,
    InstructorFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PhaseFactory,
    PostFactory,
    ProgramFactory,
    SessionFactory,
    SiteFactory,
    TrainingRecordFactory,
    UserFactory,
)

MAX_EXAMPLES = 10

CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# A fixed token, so that the schema (loaded once, when the tests are collected) can carry the header.
TOKEN = "dj_schemathesis-organizer"

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.update(headers={"Authorization": f"Bearer {TOKEN}"})
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none", deterministic=True)
schema.config.phases.update(phases=["examples", "fuzzing", *(["coverage"] if os.environ.get("SCHEMATHESIS_COVERAGE")
                                                            else [])])

# The ids of the records of the running test, by the name of the path parameter or body field.
KNOWN: dict[str, int] = {}


@pytest.fixture
def records(db, settings, tmp_path):
    """An organizer holding TOKEN, and records of each kind the API serves."""
    settings.MEDIA_ROOT = tmp_path
    organizer = UserFactory(username="st-organizer", roles=["organizer"])
    ApiToken.objects.create(user=organizer, name="schemathesis", digest=ApiToken.digest_of(TOKEN), prefix=TOKEN[:8])
    person = PersonFactory()
    party_organization = PartyOrganizationFactory(organ=person.organ)
    post = PostFactory(person=person, party_organization=party_organization)
    classroom = ClassroomFactory()
    site = SiteFactory()
    instructor = InstructorFactory()
    course = CourseFactory()
    course.sites.set([site])
    travel = TravelTime.objects.create(from_venue=classroom.venue, to_site=site, minutes=90)
    draft = ProgramFactory(organizer=person.organ, venue=classroom.venue, status=Program.Status.DRAFT)
    approved = ProgramFactory(organizer=person.organ, venue=classroom.venue, status=Program.Status.APPROVED)
    # An approval kept after the plan was reopened (approved -> draft).
    review = ProgramReview.objects.create(program=draft, decision=ProgramReview.Decision.APPROVED,
                                          decided_by=organizer, decided_by_name=str(organizer),
                                          document=ContentFile(b"%PDF-1.4\n%%EOF\n", name="approval.pdf"))
    phase = PhaseFactory(program=draft, classroom=classroom, head_teacher=organizer)
    group = GroupFactory(phase=phase, leader=person)
    session = SessionFactory(phase=phase, course=course, venue=classroom.venue, group=group)
    session.instructors.set([instructor])
    member = ClassCommitteeMember.objects.create(phase=phase, person=person, role=ClassCommitteeMember.Role.MONITOR,
                                                 started_on=phase.starts_on, ended_on=phase.ends_on)
    branch = PartyOrganizationFactory(organ=person.organ, org_type=PartyOrganization.Type.TEMPORARY_BRANCH,
                                      parent=party_organization, name="临时党支部")
    phase.temporary_branch = branch
    phase.save(update_fields=["temporary_branch"])
    Post.unscoped.create(person=person, party_organization=branch, role=Post.Role.SECRETARY,
                        started_on=phase.starts_on, ended_on=phase.ends_on)
    PhaseFactory(program=approved, starts_on=datetime.date(2022, 11, 7), ends_on=datetime.date(2022, 11, 11))
    record = TrainingRecordFactory(person=person)
    exemption = ExemptionFactory(person=person)
    requirement = Requirement.objects.create(code="st-rule", kind="hours", title_zh="测试规则", min_hours=8,
                                             source="测试", effective_from=datetime.date(2099, 1, 1))
    KNOWN.clear()
    KNOWN.update({
        "organ_id": person.organ_id, "party_organization_id": party_organization.pk, "person_id": person.pk,
        "post_id": post.pk, "program_id": draft.pk, "review_id": review.pk, "phase_id": phase.pk,
        "group_id": group.pk, "member_id": member.pk, "session_id": session.pk, "venue_id": classroom.venue_id,
        "classroom_id": classroom.pk, "site_id": site.pk, "travel_time_id": travel.pk,
        "instructor_id": instructor.pk, "course_id": course.pk, "user_id": organizer.pk,
        "head_teacher_id": organizer.pk, "leader_id": person.pk, "deputy_leader_id": person.pk,
        "target_phase": phase.pk, "to_site_id": site.pk, "from_venue_id": classroom.venue_id,
        "instructors": [instructor.pk], "sites": [site.pk], "staff": [],
        "record_id": record.pk, "exemption_id": exemption.pk, "requirement_id": requirement.pk,
    })
    # As Django's test client does: the handler must not close the connection that holds the test's
    # transaction (it would on PostgreSQL, where a connection in a transaction counts as unusable).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    KNOWN.clear()


def _valid_id(value) -> bool:
    """Whether `value` is an id, or a list of ids, that the schema allows: so that swapping it keeps a valid
    case valid, and an invalid one invalid."""
    if isinstance(value, list):
        return all(_valid_id(item) for item in value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63


def _with_known_ids(values: dict | None):
    """`values`, or (as likely) `values` with every id KNOWN has a record for replaced by that record's id."""
    if not isinstance(values, dict):
        return st.just(values)
    known = {name: KNOWN[name] for name, value in values.items() if name in KNOWN and _valid_id(value)}
    return st.sampled_from([values, {**values, **known}]) if known else st.just(values)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known_ids(path_parameters)


@schema.hook
def flatmap_body(context, body):
    return _with_known_ids(body)


@schema.parametrize()
# The records are read, and changed, by every example of an operation: that is the point.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture,
                                            hypothesis.HealthCheck.filter_too_much, hypothesis.HealthCheck.too_slow])
def test_api_contract(case, records):
    case.call_and_validate(checks=CHECKS)

