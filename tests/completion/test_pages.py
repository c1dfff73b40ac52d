"""Completion pages: the rules form (organizers) and the rules in words on the program page; the results page
(provisional from the records, after closing the stored rows; paged by 50, searchable by name; unit administrators
their own organs' people) and its Excel export; the assessment grid (all or nothing, errors naming the row); the
reflections; the participant's reflection on the phone. Query counts at small and larger sizes."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.completion.models import Assessment, CompletionResult, CompletionRules, Reflection
from dangjian.core.models import AuditEntry
from tests.completion.conftest import mark
from tests.factories import UserFactory, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    client.cookies.load({"django_language": "en"})


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_the_program_page_shows_the_rules_in_words_with_the_crediting(client, world):
    w = world
    response = get(client, w.organizer, w.program.get_absolute_url())
    text = response.content.decode()
    assert "Hours credited: days attended × 7.5 hours per day" in text
    assert reverse("completion_rules", args=[w.program.pk]) in text
    assert reverse("completion_results", args=[w.program.pk]) in text
    CompletionRules.objects.create(program=w.program, crediting="per_session", require_reflection=True)
    text = client.get(w.program.get_absolute_url()).content.decode()
    assert "Hours credited: the sum of the hours of the sessions attended." in text
    assert "Submit a reflection" in text
    # The head teacher sees the results link, not the rules form.
    text = get(client, w.head_teacher, w.program.get_absolute_url()).content.decode()
    assert reverse("completion_results", args=[w.program.pk]) in text
    assert reverse("completion_rules", args=[w.program.pk]) not in text


def test_the_organizer_sets_the_rules_in_the_form(client, world):
    w = world
    url = reverse("completion_rules", args=[w.program.pk])
    client.force_login(w.organizer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"min_attendance_share": "0.9", "leave_within_limit": "on",
                                 "max_leave_ratio": "0.14286", "assessment_pass_mark": "60",
                                 "crediting": "per_session"})
    assert response.status_code == 302, response.content.decode()[:3000]
    rules = CompletionRules.objects.get(program=w.program)
    assert (rules.min_attendance_share, rules.crediting, rules.require_reflection) == (Decimal("0.9"),
                                                                                     "per_session", False)
    response = client.post(url, {"min_attendance_share": "2", "max_leave_ratio": "0.14286",
                                 "assessment_pass_mark": "60", "crediting": "per_day"})
    assert response.status_code == 400
    w.program.status = "closed"
    w.program.save()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == w.program.get_absolute_url()


def test_the_results_page_is_provisional_with_reasons_and_searchable(client, world):
    w = world
    CompletionRules.objects.create(program=w.program, require_assessment=True)
    for nomination in (*w.ours, *w.theirs):
        mark(nomination, w.sessions)
    Assessment.objects.create(nomination=w.ours[0], score=90)
    url = reverse("completion_results", args=[w.program.pk])
    response = get(client, w.organizer, url)
    text = response.content.decode()
    assert response.status_code == 200 and "provisional" in text
    assert "甲一" in text and "乙二" in text and "丙三" in text and "丁四" in text
    assert "No assessment score is recorded (pass mark 60.0)." in text
    assert [row.person.name for row in response.context["rows"] if row.completed] == ["甲一"]
    assert [row.person.name for row in get(client, w.organizer, url, q="丙").context["rows"]] == ["丙三"]
    # Unit administrators: their own organ's people only.
    assert {row.person.name for row in get(client, w.admin, url).context["rows"]} == {"甲一", "乙二", "丁四"}


def test_after_closing_the_page_reads_the_stored_results(client, world):
    w = world
    CompletionResult.unscoped.create(nomination=w.ours[0], program=w.program, completed=True,
                                     class_hours=35, attended_hours=35, days_attended=5, credited_hours=Decimal("37.5"))
    CompletionResult.unscoped.create(nomination=w.theirs[0], program=w.program, completed=False,
                                     reasons=[{"code": "reflection"}], class_hours=35, attended_hours=30)
    w.program.status = "closed"
    w.program.save()
    url = reverse("completion_results", args=[w.program.pk])
    response = get(client, w.head_teacher, url)
    text = response.content.decode()
    assert "as fixed when the class closed" in text and response.context["provisional"] is False
    rows = response.context["rows"]
    assert [(row.person.name, row.completed, row.credited_hours) for row in rows] == [
        ("丙三", False, 0), ("甲一", True, Decimal("37.5"))]  # group 1, by the pinyin of the name
    assert "No reflection was submitted." in text and "Phase 1" in text
    assert [row.person.name for row in get(client, w.admin, url).context["rows"]] == ["甲一"]


def test_the_results_are_paged_by_fifty_in_a_constant_number_of_queries(client, world, django_assert_num_queries):
    w = world
    url = reverse("completion_results", args=[w.program.pk])
    client.force_login(w.organizer)
    client.get(url)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200
        return len(context), response

    few, _response = count()
    for index in range(60):
        mark(place(w.program, w.other, w.phase, w.group1 if index % 2 else w.group2), w.sessions[:3])
    many, response = count()
    assert many == few
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 64
    assert len(client.get(url, {"page": 2}).context["rows"]) == 14


def test_the_results_export_is_an_excel_workbook_audited(client, world):
    w = world
    for nomination in (*w.ours, *w.theirs):
        mark(nomination, w.sessions)
    response = get(client, w.admin, reverse("completion_results_xlsx", args=[w.program.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert "provisional" in rows[0][0]
    assert rows[1][0] == "Name"
    assert {row[0] for row in rows[2:]} == {"甲一", "乙二", "丁四"}
    assert AuditEntry.objects.filter(action="export", model="training.program").count() == 1


def test_the_assessment_grid_saves_all_or_nothing(client, world):
    w = world
    url = reverse("completion_assessments", args=[w.program.pk])
    first, second, third = [*w.ours, *w.theirs]
    client.force_login(w.head_teacher)
    assert client.get(url).status_code == 200
    response = client.post(url, {f"score-{first.pk}": "88", f"note-{first.pk}": "优秀", f"score-{second.pk}": "",
                                 f"score-{third.pk}": "59.5"})
    assert response.status_code == 302
    assert dict(Assessment.unscoped.values_list("nomination_id", "score")) == {first.pk: 88, third.pk: Decimal("59.5")}
    response = client.post(url, {f"score-{first.pk}": "77", f"score-{second.pk}": "一百", f"score-{third.pk}": "59.5"})
    assert response.status_code == 400
    assert "“一百”" in response.content.decode()
    assert dict(Assessment.unscoped.values_list("nomination_id", "score")) == {first.pk: 88, third.pk: Decimal("59.5")}
    # The refused form keeps the input.
    assert 'value="77"' in response.content.decode()
    client.force_login(w.admin)
    assert client.get(url).status_code == 403


def test_those_who_run_the_class_read_the_submitted_reflections(client, world):
    w = world
    Reflection.objects.create(nomination=w.ours[0], text="大别山精神，终身受益。", submitted_at=timezone.now())
    Reflection.objects.create(nomination=w.ours[1], text="草稿，未提交")
    url = reverse("completion_reflections", args=[w.program.pk])
    text = get(client, w.head_teacher, url).content.decode()
    assert "大别山精神，终身受益。" in text and "草稿，未提交" not in text
    assert get(client, w.admin, url).status_code == 403


def test_the_participant_writes_and_submits_their_reflection(client, world):
    w = world
    me = UserFactory(roles=["participant"], person=w.ours[0].person)
    url = reverse("my_reflection", args=[w.program.pk])
    home = get(client, me, reverse("my_home")).content.decode()
    assert url in home
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "  "}).status_code == 400
    response = client.post(url, {"text": "重走志仁小道，坚定理想信念。"})
    assert response.status_code == 302
    assert Reflection.unscoped.get(nomination=w.ours[0]).text == "重走志仁小道，坚定理想信念。"
    # Another program (not theirs): 404; another participant: 404.
    assert client.get(reverse("my_reflection", args=[w.program.pk + 999])).status_code == 404
    assert get(client, w.participant, url).status_code == 404
    w.program.status = "closed"
    w.program.save()
    client.force_login(me)
    assert "重走志仁小道" in client.get(url).content.decode()
    response = client.post(url, {"text": "改"})
    assert response.status_code == 302
    assert Reflection.unscoped.get(nomination=w.ours[0]).text == "重走志仁小道，坚定理想信念。"
    assert url not in client.get(reverse("my_home")).content.decode()


@pytest.mark.parametrize("name", ["completion_assessments", "completion_reflections", "completion_results_xlsx"])
def test_the_staff_pages_take_as_many_queries_for_sixty_as_for_four(client, world, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    url = reverse(name, args=[w.program.pk])
    client.force_login(w.head_teacher)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    for nomination in (*w.ours, *w.theirs):
        Assessment.objects.create(nomination=nomination, score=80)
        Reflection.objects.create(nomination=nomination, text="体会", submitted_at=timezone.now())
    client.get(url)
    few = count()
    for _ in range(56):
        nomination = place(w.program, w.other, w.phase, w.group1)
        Assessment.objects.create(nomination=nomination, score=70)
        Reflection.objects.create(nomination=nomination, text="体会", submitted_at=timezone.now())
    assert count() == few


def test_the_participants_page_takes_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    w = world
    me = UserFactory(roles=["participant"], person=w.ours[0].person)
    client.force_login(me)
    url = reverse("my_reflection", args=[w.program.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
