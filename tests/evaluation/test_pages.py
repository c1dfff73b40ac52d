"""The evaluation pages: the participant's list of cards and the card itself (fieldset and legend per dimension,
on-site dimensions, a refused card names the question and writes nothing); the questionnaire; the staff page of a
program's forms and response rates, the copy and the editor; the non-respondents for the head teacher only, during
the class. Every page for every role (a refused request changes nothing), in a constant number of queries. No page
joins an answer to a person."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dangjian.evaluation import services
from dangjian.evaluation.enums import FormKind
from dangjian.evaluation.models import EvaluationAnswer, EvaluationForm
from tests.evaluation.conftest import FULL_CARD, ONSITE, make_world
from tests.factories import UserFactory
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def card_post(scores: dict, texts: dict | None = None) -> dict:
    return {**{f"score-{key}": value for key, value in scores.items()},
            **{f"text-{key}": value for key, value in (texts or {}).items()}}


def test_the_participant_answers_a_card(client, world):
    w = world
    client.force_login(w.participant)
    home = client.get(reverse("my_home")).content.decode()
    assert reverse("my_evaluation") in home
    page = client.get(reverse("my_evaluation")).content.decode()
    assert w.lecture.title in page and w.onsite.title in page
    assert w.tomorrow.title not in page and w.old.title not in page and w.their_group.title not in page
    card = client.get(reverse("my_session_card", args=[w.onsite.pk])).content.decode()
    assert card.count("<fieldset") == 8 and card.count("<legend>") == 8
    assert "Quality of guiding / explanation" in card and card.count('type="radio"') == 32
    assert 'name="text-main_gain"' in card
    # Incomplete: refused naming the question, nothing written, the chosen levels kept.
    before = db_state()
    response = client.post(reverse("my_session_card", args=[w.onsite.pk]), card_post(FULL_CARD))
    assert response.status_code == 400 and state_diff(before, db_state()) == {}
    assert "“Time management”: choose a level" in response.content.decode()
    assert 'name="score-relevance" value="4" required checked' in response.content.decode()
    response = client.post(reverse("my_session_card", args=[w.onsite.pk]),
                           card_post(FULL_CARD | ONSITE, {"main_gain": "讲解生动"}))
    assert response.status_code == 302 and response.url == reverse("my_evaluation")
    assert EvaluationAnswer.objects.get().texts == {"main_gain": "讲解生动"}
    assert w.onsite.title not in client.get(reverse("my_evaluation")).content.decode()
    again = client.get(reverse("my_session_card", args=[w.onsite.pk])).content.decode()
    assert "already evaluated" in again and "<fieldset" not in again
    # Another group's session, another phase's: not found.
    assert client.get(reverse("my_session_card", args=[w.their_group.pk])).status_code == 404
    client.force_login(w.outsider)
    assert client.get(reverse("my_session_card", args=[w.lecture.pk])).status_code == 404


def test_the_participant_answers_the_questionnaire_on_the_last_day(client, world):
    w = world
    w.phase.ends_on = timezone.localdate()
    w.phase.save()
    client.force_login(w.participant)
    assert reverse("my_program_questionnaire", args=[w.program.pk]) in client.get(
        reverse("my_evaluation")).content.decode()
    url = reverse("my_program_questionnaire", args=[w.program.pk])
    page = client.get(url).content.decode()
    assert "Overall satisfaction" in page and f'value="{w.lecture.pk}"' in page
    scores = {row["id"]: 4 for row in EvaluationForm.objects.get(program=None, kind=FormKind.PROGRAMME)
              .definition["dimensions"]}
    data = {**card_post(scores, {"other_suggestions": "多安排现场教学"}), "choice-most_satisfied": [w.lecture.pk],
            "choice-topics_wanted": ["onsite", "regulations"]}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = EvaluationAnswer.objects.get()
    assert answer.choices == {"most_satisfied": [str(w.lecture.pk)], "topics_wanted": ["onsite", "regulations"]}
    assert "already answered" in client.get(url).content.decode()


def test_the_staff_page_shows_rates_never_who_answered(client, world):
    w = world
    services.card_answer(session=w.lecture, by=w.participant, scores=FULL_CARD, texts={"main_gain": "收获很大"})
    client.force_login(w.organizer)
    page = client.get(reverse("program_evaluation", args=[w.program.pk])).content.decode()
    assert re.search(r"<td class=\"num\">1</td><td class=\"num\">2</td>\s*<td class=\"num\">50%</td>", page)
    assert w.me.person.name not in page and "收获很大" not in page
    # Organizers see the rates, not the names of those who have not answered.
    assert reverse("evaluation_non_respondents", args=[w.lecture.pk]) not in page
    assert client.get(reverse("evaluation_non_respondents", args=[w.lecture.pk])).status_code == 403
    client.force_login(w.head_teacher)
    page = client.get(reverse("program_evaluation", args=[w.program.pk])).content.decode()
    assert reverse("evaluation_non_respondents", args=[w.lecture.pk]) in page
    names = client.get(reverse("evaluation_non_respondents", args=[w.lecture.pk])).content.decode()
    assert w.others[0].person.name in names and w.me.person.name not in names
    # Another college staff of the venue is not the head teacher; after the class, nobody.
    client.force_login(w.colleague)
    assert client.get(reverse("evaluation_non_respondents", args=[w.lecture.pk])).status_code == 403
    w.program.status = "closed"
    w.program.save()
    client.force_login(w.head_teacher)
    response = client.get(reverse("evaluation_non_respondents", args=[w.lecture.pk]))
    assert response.status_code == 302


def test_the_organizer_copies_and_edits_a_form(client, world):
    w = world
    client.force_login(w.organizer)
    response = client.post(reverse("evaluation_form_copy", args=[w.program.pk]), {"kind": "session_card"})
    form = EvaluationForm.objects.get(program=w.program)
    assert response.url == reverse("evaluation_form_edit", args=[form.pk])
    page = client.get(response.url).content.decode()
    assert 'name="dim-0-id" value="relevance"' in page and 'name="dim-5-id" value=""' in page
    data = {"title_zh": "本班评估卡", "title_en": "Our card"}
    for number, row in enumerate(form.definition["dimensions"]):
        data |= {f"dim-{number}-id": row["id"], f"dim-{number}-zh": row["zh"], f"dim-{number}-en": row["en"]}
    data |= {"dim-1-delete": "on", "dim-5-id": "party_spirit", "dim-5-zh": "党性教育效果", "dim-5-en": "",
             "dim-6-id": "", "dim-6-zh": "", "dim-6-en": ""}
    for number, row in enumerate(form.definition["open_questions"]):
        data |= {f"open-{number}-id": row["id"], f"open-{number}-zh": row["zh"], f"open-{number}-en": row["en"]}
    bad = data | {"dim-5-id": "Party Spirit"}
    response = client.post(reverse("evaluation_form_edit", args=[form.pk]), bad)
    assert response.status_code == 400 and "dimensions, row 5: the id must be" in response.content.decode()
    response = client.post(reverse("evaluation_form_edit", args=[form.pk]), data)
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.title_zh == "本班评估卡"
    assert [row["id"] for row in form.definition["dimensions"]] == [
        "relevance", "information", "delivery", "teaching_manner", "party_spirit"]
    assert form.definition["onsite_dimensions"] == []  # the on-site rows were not posted: none kept
    card = EvaluationForm.objects.get(program=None, kind="session_card")
    assert len(card.definition["dimensions"]) == 5


# --- Every role, every page ------------------------------------------------------------------------------

def _users(w) -> dict:
    return {"organizer": w.organizer, "head_teacher": w.head_teacher, "college_staff": w.colleague,
            "stranger_staff": w.stranger, "unit_admin": w.admin, "participant": w.participant,
            "outsider": w.outsider, "anonymous": None,
            **{role: UserFactory(roles=[role]) for role in ("approver", "instructor", "editor", "reviewer")}}


PAGES = {
    # name: (url, {role: status}) — every other role 403 (anonymous: redirect to sign in)
    "my_evaluation": (lambda w: reverse("my_evaluation"), {"participant": 200, "outsider": 200}),
    "my_session_card": (lambda w: reverse("my_session_card", args=[w.lecture.pk]),
                        {"participant": 200, "outsider": 404}),
    "my_program_questionnaire": (lambda w: reverse("my_program_questionnaire", args=[w.program.pk]),
                                 {"participant": 200, "outsider": 200}),
    "program_evaluation": (lambda w: reverse("program_evaluation", args=[w.program.pk]),
                           {"organizer": 200, "head_teacher": 200, "college_staff": 200, "stranger_staff": 404}),
    "non_respondents": (lambda w: reverse("evaluation_non_respondents", args=[w.lecture.pk]),
                        {"head_teacher": 200, "stranger_staff": 404}),
}
ROLES = ["organizer", "head_teacher", "college_staff", "stranger_staff", "unit_admin", "participant", "outsider",
         "anonymous", "approver", "instructor", "editor", "reviewer"]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_role_gets_each_page_or_is_refused(client, world, page):
    w = world
    users = _users(w)
    url_of, allowed = PAGES[page]
    for role in ROLES:
        user = users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        before = db_state()
        response = client.get(url_of(w))
        expected = allowed.get(role, 302 if user is None else 403)
        assert response.status_code == expected, (role, response.status_code)
        assert state_diff(before, db_state()) == {}


@pytest.mark.parametrize("role", ["organizer", "head_teacher", "college_staff", "unit_admin", "participant",
                                  "anonymous", "instructor"])
def test_posts_for_every_role(client, world, role):
    """Copy, edit and answer: only the organizer copies and edits, only the participant answers; refused
    requests change nothing."""
    w = world
    user = _users(w)[role]
    if user is not None:
        client.force_login(user)
    form = services.form_copy(program=w.program, kind=FormKind.PROGRAMME, by=w.organizer)
    requests = {
        "copy": (reverse("evaluation_form_copy", args=[w.program.pk]), {"kind": "session_card"}, "organizer"),
        "edit": (reverse("evaluation_form_edit", args=[form.pk]), {"title_zh": "改"}, "organizer"),
        "card": (reverse("my_session_card", args=[w.lecture.pk]), card_post(FULL_CARD), "participant"),
    }
    for name, (url, data, who) in requests.items():
        before = db_state()
        response = client.post(url, data)
        if role == who:
            assert response.status_code in (302, 400), (name, response.status_code)
            if response.status_code == 302:
                assert state_diff(before, db_state()) != {}
        else:
            assert response.status_code in (302, 403, 404), (name, response.status_code)
            if user is not None:
                assert response.status_code in (403, 404), (name, response.status_code)
            assert state_diff(before, db_state()) == {}, name


# --- Query counts -------------------------------------------------------------------------------------------

def _counts(client, w) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, user, url in (
        ("my_evaluation", w.participant, reverse("my_evaluation")),
        ("card", w.participant, reverse("my_session_card", args=[w.onsite.pk])),
        ("questionnaire", w.participant, reverse("my_program_questionnaire", args=[w.program.pk])),
        ("program", w.organizer, reverse("program_evaluation", args=[w.program.pk])),
        ("program_head_teacher", w.head_teacher, reverse("program_evaluation", args=[w.program.pk])),
        ("non_respondents", w.head_teacher, reverse("evaluation_non_respondents", args=[w.lecture.pk])),
    ):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_participants_and_answers(client, db):
    small = make_world(participants=2)
    counts_small = _counts(client, small)
    large = make_world(participants=12)
    for extra in range(4):  # more sessions, some answered
        session = large.lecture.__class__.unscoped.create(
            phase=large.phase, starts_at=large.lecture.starts_at - datetime.timedelta(days=extra + 1),
            ends_at=large.lecture.ends_at - datetime.timedelta(days=extra + 1), form="lecture", title=f"加课{extra}",
            hours=3)
        services.card_answer(session=session, by=large.participant, scores=FULL_CARD)
    assert _counts(client, large) == counts_small
