"""The permission matrix of the evaluation pages (web/urls_evaluation.py) × every role (and anonymous), with the
expected status; every POST's outcome read back from the database (done: rows written; refused: no row of the
platform changed at all).

anonymous                         -> 302 to the login page
participant (placed in the class) -> their list, card and questionnaire; answers a card
organizer                         -> forms and rates; copies and edits forms; 403 on the non-respondents' names
college staff (head teacher)      -> forms, rates and the names of non-respondents; 403 on copying and editing
unit admin, approver, instructor, editor, reviewer -> 403
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.enrollment.models import Nomination, Placement
from dangjian.evaluation.models import EvaluationForm
from dangjian.evaluation.selectors import default_forms
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.factories import PersonFactory, PhaseFactory, ProgramFactory, SessionFactory
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]
CARD = {"score-relevance": 4, "score-theory": 3, "score-information": 4, "score-delivery": 3,
        "score-teaching_manner": 4}
EDIT = {"title_zh": "改过的问卷", "title_en": "", "dim-0-id": "overall", "dim-0-zh": "总体满意度", "dim-0-en": ""}


def _build(users_by_role, organ):
    """A program in progress at the college staff user's venue, who is the head teacher of its phase; the
    participant user placed in it with another participant; a lecture that ended yesterday; the program's own copy
    of the questionnaire."""
    today = timezone.localdate()
    program = ProgramFactory(status="in_progress")
    program.venue.staff.add(users_by_role["college_staff"])
    phase = PhaseFactory(program=program, number=1, starts_on=today - datetime.timedelta(days=3),
                         ends_on=today + datetime.timedelta(days=2), head_teacher=users_by_role["college_staff"])
    for index in range(2):
        person = PersonFactory(organ=organ)
        nomination = Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
        Placement.unscoped.create(nomination=nomination, phase=phase)
        if index == 0:
            users_by_role["participant"].person = person
            users_by_role["participant"].save()
    yesterday = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=1),
                                                              datetime.time(8)))
    session = SessionFactory(phase=phase, starts_at=yesterday, ends_at=yesterday + datetime.timedelta(hours=3))
    source = default_forms()["programme"]
    form = EvaluationForm.objects.create(kind="programme", program=program, title_zh="本班问卷", title_en="",
                                         definition=source.definition, copied_from=source)
    return SimpleNamespace(program=program, session=session, form=form)


_built_once, users_by_role, records = world_per_module(_build)

# (url name, method, args from the records, post data, {role: status}); every other signed-in role 403
PAGES = [
    ("my_evaluation", "get", [], None, {"participant": 200}),
    ("my_session_card", "get", ["session"], None, {"participant": 200}),
    ("my_session_card", "post", ["session"], CARD, {"participant": 302}),
    ("my_program_questionnaire", "get", ["program"], None, {"participant": 200}),
    ("program_evaluation", "get", ["program"], None, {"organizer": 200, "college_staff": 200}),
    ("evaluation_form_copy", "post", ["program"], {"kind": "session_card"}, {"organizer": 302}),
    ("evaluation_form_edit", "get", ["form"], None, {"organizer": 200}),
    ("evaluation_form_edit", "post", ["form"], EDIT, {"organizer": 302}),
    ("evaluation_non_respondents", "get", ["session"], None, {"college_staff": 200}),
]


def _cases():
    for name, method, args, data, allowed in PAGES:
        for role in ALL_ROLES:
            status = 302 if role == "anonymous" else allowed.get(role, 403)
            yield pytest.param(role, name, method, args, data, status,
                               id=f"{method.upper()} {name}({','.join(args)}) as {role} -> {status}")


@pytest.mark.parametrize("role, name, method, args, data, status", list(_cases()))
def test_evaluation_page_permission_matrix(client, users_by_role, records, role, name, method, args, data, status,
                                           caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[getattr(records, a).pk for a in args])
    state_before = db_state()
    response = client.get(url) if method == "get" else client.post(url, data)
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    changed = state_diff(state_before, db_state())
    if method == "post" and status == 302 and role != "anonymous":
        assert changed != {}
    else:
        # A GET writes nothing (the default forms exist); a refused POST changes nothing.
        assert changed == {}


def test_every_url_of_the_evaluation_pages_is_in_this_matrix():
    from dangjian.web.urls_evaluation import urlpatterns
    from tests.evaluation.test_analysis_matrix import COVERED_URL_NAMES as analysis_pages

    assert {p.name for p in urlpatterns} <= {name for name, *_rest in PAGES} | analysis_pages
