"""The permission matrix of the reflection pages and the assessment import (web/views/reflections.py) × every role
(and anonymous); every POST's outcome read back from the database (done: written; refused: nothing changed).

anonymous                                   -> 302 to the login page
organizer                                   -> list, read and grade, allow late, file, portal draft, template, import
college staff (of the venue: head teacher)  -> the same but the portal draft (organizers draft portal items)
participant                                 -> the file of their own reflection; consent on their page; 403 elsewhere
approver, unit administrator, instructor, editor, reviewer -> 403
"""


import pytest
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.completion.models import Assessment, Reflection
from dangjian.core.models import AuditEntry
from tests.completion.class_world import running_class
from tests.completion.reflection_world import (  # noqa: F401 (_private_files: the fixture)
    _private_files,
    make_reflection_channel,
    workbook,
)
from tests.conftest import ROLES
from tests.denials import assert_matrix_answer
from tests.shared_world import world_per_module
from tests.state import db_state, state_diff

pytestmark = pytest.mark.django_db

ALL_ROLES = [*ROLES, "anonymous"]


def _build(users_by_role, organ):
    world = running_class(users_by_role, organ)
    world.reflection = Reflection.unscoped.create(
        nomination=world.nomination, text="第一段。\n\n第二段。", submitted_at=timezone.now(), grade="excellent",
        consent_publish=True, attachment="", attachment_name="")
    make_reflection_channel()
    return world


_built_once, users_by_role, records = world_per_module(_build)


def _with_file(records):
    """Give the reflection a stored file (in this test's folder)."""
    from dangjian.completion.storage import reflection_file_storage

    name = reflection_file_storage().save("2022/abc.txt", SimpleUploadedFile("x.txt", "心得全文".encode()))
    Reflection.unscoped.filter(pk=records.reflection.pk).update(attachment=name, attachment_name="心得.txt")


def _import_file(records):
    return {"file": SimpleUploadedFile("scores.xlsx", workbook([(1, records.nomination.person.name, "", "", 88, "")]))}


PROGRAM = lambda r: [r.program.pk]  # noqa: E731
REFLECTION = lambda r: [r.reflection.pk]  # noqa: E731
STAFF = {"organizer", "college_staff"}

# (url name, args, method, post data, who may: status)
PAGES = [
    ("completion_reflections", PROGRAM, "get", None, {"organizer": 200, "college_staff": 200}),
    ("completion_reflection", REFLECTION, "get", None, {"organizer": 200, "college_staff": 200}),
    ("completion_reflection", REFLECTION, "post", lambda r: {"grade": "pass", "comment": ""},
     {"organizer": 302, "college_staff": 302}),
    ("completion_reflection_file", REFLECTION, "get", None, {"organizer": 200, "college_staff": 200,
                                                             "participant": 200}),
    ("completion_reflection_portal_draft", REFLECTION, "post", lambda r: {}, {"organizer": 302}),
    ("completion_reflection_allow_late", lambda r: [r.program.pk, r.other.pk], "post", lambda r: {"comment": "补交"},
     {"organizer": 302, "college_staff": 302}),
    ("completion_assessments_template", PROGRAM, "get", None, {"organizer": 200, "college_staff": 200}),
    ("completion_assessments_import", PROGRAM, "post", _import_file, {"organizer": 302, "college_staff": 302}),
    ("my_reflection", PROGRAM, "post", lambda r: {"action": "consent", "publish": "on", "with_name": "on"},
     {"participant": 302}),
]

EFFECTS = {
    "completion_reflection": lambda r: Reflection.unscoped.get(pk=r.reflection.pk).grade == "pass",
    "completion_reflection_portal_draft": lambda r: Reflection.unscoped.get(pk=r.reflection.pk).portal_page_id,
    "completion_reflection_allow_late": lambda r: Reflection.unscoped.get(nomination=r.other).grade == "revise",
    "completion_assessments_import": lambda r: Assessment.unscoped.get(nomination=r.nomination).score == 88,
    "my_reflection": lambda r: Reflection.unscoped.get(pk=r.reflection.pk).consent_name,
}


def _cases():
    for name, args, method, data, allowed in PAGES:
        for role in ALL_ROLES:
            status = 302 if role == "anonymous" else allowed.get(role, 403)
            yield pytest.param(role, name, args, method, data, status,
                               id=f"{method.upper()} {name} as {role} -> {status}")


@pytest.mark.parametrize("role, name, args, method, data, status", list(_cases()))
def test_reflection_page_permission_matrix(client, users_by_role, records, role, name, args, method, data, status,
                                           caplog):
    user = users_by_role[role]
    if user is not None:
        client.force_login(user)
    _with_file(records)
    url = reverse(name, args=args(records))
    if method == "get":
        response = client.get(url)
    else:
        state_before = db_state()
        response = client.post(url, data(records))
    assert_matrix_answer(response, status=status, role=role, caplog=caplog)
    if method == "get":
        if name == "completion_reflection_file" and status == 200:
            assert b"".join(response) == "心得全文".encode()
            assert "no-store" in response["Cache-Control"]
            assert AuditEntry.objects.filter(action="export", model="completion.reflection").exists()
        return
    if status == 302 and role != "anonymous":
        errors = [m.message for m in response.wsgi_request._messages if m.level == message_levels.ERROR]
        assert errors == []
        assert EFFECTS[name](records)
    else:
        assert state_diff(state_before, db_state()) == {}
