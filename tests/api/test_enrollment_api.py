"""The enrollment API: the nomination flow end to end, and its refusals (422 naming the field, 409 for a state
that forbids the action), with nothing written."""

import datetime

import pytest
import time_machine

from dangjian.enrollment.models import Nomination
from tests.api.helpers import field_errors
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 1, 15, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_the_flow_through_the_api(api_as, enrollment_world):
    w = enrollment_world
    organizer, admin = api_as(w.organizer), api_as(w.admin)
    quotas = organizer.get(f"enrollment/programs/{w.program.pk}/quotas").json()
    suggested = {row["organ_id"]: row["suggested"] for row in quotas}
    assert suggested == {w.organ.pk: 3, w.other.pk: 2}
    response = organizer.django.put(f"/api/v1/enrollment/programs/{w.program.pk}/quotas", {"quotas": [
        {"organ_id": organ, "seats": seats} for organ, seats in suggested.items()]}, content_type="application/json")
    assert response.status_code == 200
    due = admin.get(f"enrollment/programs/{w.program.pk}/due", {"organ": w.organ.pk}).json()
    assert len(due) == 4
    before = db_state()
    response = admin.post(f"enrollment/programs/{w.program.pk}/nominations", {
        "organ_id": w.organ.pk, "people": [{"person_id": row["id"]} for row in due]})
    assert response.status_code == 422 and "超出" in field_errors(response)["people"]  # beyond the quota
    assert state_diff(before, db_state()) == {}
    response = admin.post(f"enrollment/programs/{w.program.pk}/nominations", {
        "organ_id": w.organ.pk, "people": [{"person_id": row["id"], "unavailable": [
            {"starts_on": "2027-02-01", "ends_on": "2027-02-02"}]} for row in due[:3]]})
    assert response.status_code == 201, response.content
    ids = [row["id"] for row in response.json()]
    assert response.json()[0]["unavailable"] == [{"starts_on": "2027-02-01", "ends_on": "2027-02-02"}]
    response = organizer.post(f"enrollment/programs/{w.program.pk}/decisions",
                              {"decision": "confirm", "nominations": ids})
    assert response.json() == {"confirmed": 3, "waitlisted": 0, "rejected": 0}
    response = organizer.post(f"enrollment/programs/{w.program.pk}/decisions",
                              {"decision": "confirm", "nominations": ids[:1]})
    assert response.status_code == 409
    link = admin.post(f"enrollment/nominations/{ids[0]}/activation", {}).json()
    assert "/activate/" in link["link"]
    participant = Nomination.unscoped.get(pk=ids[0]).person.user
    mine = api_as(participant).get("me/enrollments").json()
    assert [row["id"] for row in mine] == [ids[0]] and mine[0]["phases"][0]["number"] == 1


def test_a_person_of_another_organ_is_refused_by_name(api_as, enrollment_world):
    w = enrollment_world
    api_as(w.organizer).django.put(f"/api/v1/enrollment/programs/{w.program.pk}/quotas", {"quotas": [
        {"organ_id": w.organ.pk, "seats": 3}]}, content_type="application/json")
    response = api_as(w.organizer).post(f"enrollment/programs/{w.program.pk}/nominations", {
        "organ_id": w.organ.pk, "people": [{"person_id": w.others[0].pk}]})
    assert response.status_code == 422
    assert w.others[0].name in field_errors(response)["people"]
    # The unit administrator does not see the other organ's people at all.
    response = api_as(w.admin).post(f"enrollment/programs/{w.program.pk}/nominations", {
        "organ_id": w.organ.pk, "people": [{"person_id": w.others[0].pk}]})
    assert response.status_code == 422 and "没有编号为" in field_errors(response)["people"]  # no such person
    assert not Nomination.unscoped.exists()


def test_admission_notes_and_notices_through_the_api(api_as, enrollment_world):
    """What the admission notices say about arrival is an enrollment setting; a confirmed participant's notice is a
    PDF for the organizer; preparing the notices answers 202 with the job, which wrote the drafts."""
    from dangjian.enrollment import services
    from dangjian.enrollment.services import NomineeInput
    from dangjian.organizations.models import Person
    from dangjian.outbox.models import Message

    w = enrollment_world
    organizer = api_as(w.organizer)
    response = organizer.patch(f"enrollment/programs/{w.program.pk}", {"admission_notes": "请携带身份证。"})
    assert response.status_code == 200 and response.json()["admission_notes"] == "请携带身份证。"
    response = organizer.patch(f"enrollment/programs/{w.program.pk}", {"note": "说明"})
    assert response.json()["admission_notes"] == "请携带身份证。"  # left alone when not given
    services.quotas_set(program=w.program, by=w.organizer, seats={w.organ.pk: 3})
    Person.unscoped.filter(pk=w.secretaries[0].pk).update(mobile="13800138005")
    nomination = services.nominate(program=w.program, organ=w.organ, by=w.organizer,
                                   nominees=[NomineeInput(person=w.secretaries[0], preferred_phase=w.phase1)])[0]
    services.nominations_confirm(nominations=[nomination], by=w.organizer)
    response = organizer.get(f"enrollment/nominations/{nomination.pk}/admission-notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    response = organizer.post(f"enrollment/programs/{w.program.pk}/admission-notices", {"phase_id": w.phase2.pk})
    assert response.status_code == 202 and response.json()["status"] == "done"
    assert not Message.unscoped.filter(kind="admission_notice").exists()  # nobody preferred phase 2
    response = organizer.post(f"enrollment/programs/{w.program.pk}/admission-notices", {})
    assert response.status_code == 202 and response["Location"] == response.json()["url"]
    assert Message.unscoped.get(kind="admission_notice").person_id == w.secretaries[0].pk
