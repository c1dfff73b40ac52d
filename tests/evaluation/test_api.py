"""API v1 for evaluation: the permission matrix (every role × every operation, refused requests change nothing),
an answer's response carries no answer and no person, 409 for a refusal of state and 422 for an incomplete
answer, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.evaluation import services
from dangjian.evaluation.models import EvaluationAnswer, EvaluationReceipt
from tests.api.conftest import api_as  # noqa: F401 (the fixture)
from tests.evaluation.conftest import FULL_CARD, ONSITE, make_world
from tests.factories import UserFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ROLES = ["organizer", "head_teacher", "college_staff", "stranger_staff", "unit_admin", "participant", "outsider",
         "anonymous", "approver", "instructor", "editor", "reviewer"]


def users(w) -> dict:
    return {"organizer": w.organizer, "head_teacher": w.head_teacher, "college_staff": w.colleague,
            "stranger_staff": w.stranger, "unit_admin": w.admin, "participant": w.participant,
            "outsider": w.outsider, "anonymous": None,
            **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}


OPERATIONS = {
    "forms": ("get", lambda w: f"evaluation/programs/{w.program.pk}/forms", None),
    "rates": ("get", lambda w: f"evaluation/programs/{w.program.pk}/response-rates", None),
    "pending": ("get", lambda w: "evaluation/my/pending", None),
    "card": ("post", lambda w: f"evaluation/my/sessions/{w.lecture.pk}/answer", {"scores": FULL_CARD}),
    "questionnaire": ("post", lambda w: f"evaluation/my/programs/{w.program.pk}/answer", {"scores": {}}),
}


def expected(role, operation):
    if role == "anonymous":
        return 401
    if operation in ("forms", "rates"):
        return {"organizer": 200, "head_teacher": 200, "college_staff": 200, "stranger_staff": 404}.get(role, 403)
    if operation == "pending":
        return 200 if role in ("participant", "outsider") else 403
    if operation == "card":
        return {"participant": 201, "outsider": 404}.get(role, 403)
    # The questionnaire opens on the last day of the phase (in two days): 409 for the participant.
    return {"participant": 409, "outsider": 409}.get(role, 403)


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(api_as, world  # noqa: F811
                           , role, operation):
    w = world
    client = api_as(users(w)[role])
    method, path, body = OPERATIONS[operation]
    before = db_state()
    response = client.get(path(w)) if method == "get" else client.post(path(w), body)
    assert response.status_code == expected(role, operation), response.content.decode()[:400]
    changed = state_diff(before, db_state())
    if response.status_code == 201:
        assert set(changed) == {"evaluation.EvaluationAnswer", "evaluation.EvaluationReceipt"}
        data = response.json()
        assert set(data) == {"form_id", "answered_on"}
    else:
        assert changed == {}


def test_answers_over_the_api(api_as, world):  # noqa: F811
    w = world
    client = api_as(w.participant, token=True)
    pending = client.get("evaluation/my/pending").json()
    assert [(item["kind"], item["session_id"]) for item in pending] == [("session_card", w.onsite.pk),
                                                                        ("session_card", w.lecture.pk)]
    assert all(set(item) == {"kind", "program_id", "session_id", "title", "ends_at"} for item in pending)
    response = client.post(f"evaluation/my/sessions/{w.onsite.pk}/answer", {"scores": FULL_CARD})
    assert response.status_code == 422
    assert len(response.json()["errors"]) == 3  # the three on-site dimensions, each named
    response = client.post(f"evaluation/my/sessions/{w.lecture.pk}/answer",
                           {"scores": FULL_CARD, "texts": {"improvement": "案例再多一些"}})
    assert response.status_code == 201
    again = client.post(f"evaluation/my/sessions/{w.lecture.pk}/answer", {"scores": FULL_CARD})
    assert again.status_code == 409
    response = client.post(f"evaluation/my/sessions/{w.tomorrow.pk}/answer", {"scores": FULL_CARD})
    assert response.status_code == 409
    assert EvaluationAnswer.objects.count() == EvaluationReceipt.objects.count() == 1
    # The staff's reads carry counts, never a person or an answer's words.
    staff = api_as(w.organizer)
    rates = staff.get(f"evaluation/programs/{w.program.pk}/response-rates").json()
    row = next(row for row in rates["sessions"] if row["session_id"] == w.lecture.pk)
    assert (row["answered"], row["roster"]) == (1, 2)
    text = str(rates) + str(staff.get(f"evaluation/programs/{w.program.pk}/forms").json())
    assert w.me.person.name not in text and "案例再多一些" not in text


def test_query_counts(api_as, db):  # noqa: F811
    counts = []
    for participants, answered in ((2, False), (10, True)):
        w = make_world(participants=participants)
        if answered:
            services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD)
            services.card_answer(session=w.onsite, by=w.participant, scores=FULL_CARD | ONSITE)
        run = []
        for user, path in ((w.organizer, f"evaluation/programs/{w.program.pk}/forms"),
                           (w.organizer, f"evaluation/programs/{w.program.pk}/response-rates"),
                           (w.participant, "evaluation/my/pending")):
            client = api_as(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            run.append(len(queries))
        counts.append(run)
    assert counts[0] == counts[1]
