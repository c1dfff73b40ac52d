"""Reflections (心得体会): grading and revision with the versions kept, the deadline's boundary, allowing a late one,
the file's bounds, the completion rule (a reflection sent back does not count; optionally only graded ones count),
consent and the portal draft; and the assessment import from Excel (a good file, every bad row named, nothing
written)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.completion import selectors, services
from dangjian.completion.assessment_import import assessment_import, read_scores, template_workbook
from dangjian.completion.models import Assessment, CompletionRules, Reflection, ReflectionRevision
from dangjian.core.models import AuditEntry
from dangjian.core.rules import ActionRefused
from tests.completion.conftest import world  # noqa: F401 (the fixture)
from tests.completion.reflection_world import (  # noqa: F401 (fixtures)
    DOCX,
    PDF,
    _private_files,
    author_of,
    reflection_channel,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def submit(nomination, text="大别山精神，终身受益。", **kwargs):
    return services.reflection_submit(nomination=nomination, text=text, by=author_of(nomination), **kwargs)


def test_grading_revision_and_resubmission_keep_the_earlier_version(world):  # noqa: F811
    w = world
    reflection = submit(w.ours[0], title="初稿")
    with pytest.raises(ValidationError) as refused:
        services.reflection_grade(reflection=reflection, grade="revise", comment="", by=w.head_teacher)
    assert refused.value.message_dict == {"comment": ["Say what the author should revise."]}
    with pytest.raises(PermissionDenied):  # college staff of another venue
        services.reflection_grade(reflection=reflection, grade="pass", by=w.stranger)
    services.reflection_grade(reflection=reflection, grade="revise", comment="请补充训后打算。", by=w.head_teacher)
    author = author_of(w.ours[0])
    again = services.reflection_submit(nomination=w.ours[0], text="修改后的心得。", title="二稿", by=author)
    assert (again.version, again.grade, again.grade_comment, again.title) == (2, "", "", "二稿")
    [earlier] = selectors.reflection_revisions(again)
    assert (earlier.version, earlier.text, earlier.grade, earlier.grade_comment, earlier.title) == (
        1, "大别山精神，终身受益。", "revise", "请补充训后打算。", "初稿")
    services.reflection_grade(reflection=again, grade="pass", by=w.head_teacher)
    again.refresh_from_db()
    assert again.grade == "pass" and again.graded_by == w.head_teacher
    with pytest.raises(ActionRefused, match="graded"):  # graded: the author can no longer change it
        services.reflection_submit(nomination=w.ours[0], text="再改", by=author)
    actions = list(AuditEntry.objects.filter(model="completion.reflection").values_list("action", flat=True))
    assert actions.count("update") >= 3 and "create" in actions


def test_the_deadline_is_the_last_day_and_a_revision_or_a_late_permission_passes_it(world, monkeypatch):  # noqa: F811
    w = world
    today = timezone.localdate()
    CompletionRules.objects.create(program=w.program, reflection_due_on=today)
    submit(w.ours[0])  # on the last day: accepted
    CompletionRules.objects.filter(program=w.program).update(reflection_due_on=today - datetime.timedelta(days=1))
    w.ours[1].refresh_from_db()
    with pytest.raises(ActionRefused) as refused:
        submit(w.ours[1])
    assert str(today - datetime.timedelta(days=1)) in refused.value.messages[0]
    assert "late" in refused.value.messages[0]
    assert not Reflection.unscoped.filter(nomination=w.ours[1]).exists()
    # the head teacher allows a late one: the participant may submit after the deadline
    services.reflection_allow_late(nomination=w.ours[1], comment="请于周五前补交。", by=w.head_teacher)
    late = submit(Reflection.unscoped.get(nomination=w.ours[1]).nomination)
    assert late.submitted_at is not None and late.grade == "" and late.version == 1
    # a reflection sent back for revision may be resubmitted after the deadline
    first = Reflection.unscoped.get(nomination=w.ours[0])
    services.reflection_grade(reflection=first, grade="revise", comment="请充实。", by=w.head_teacher)
    nomination = Reflection.unscoped.get(pk=first.pk).nomination
    assert submit(nomination, text="充实后").version == 2
    with pytest.raises(ValidationError, match="has submitted"):
        services.reflection_allow_late(nomination=w.ours[0], by=w.head_teacher)


def test_the_file_is_checked_by_name_content_and_size(world, settings):  # noqa: F811
    w = world
    reflection = submit(w.ours[0], text="", file=upload("心得.pdf", PDF))
    assert reflection.attachment_name == "心得.pdf" and reflection.attachment.name.endswith(".pdf")
    assert "心得" not in reflection.attachment.name  # stored under an unguessable name
    assert reflection.attachment.open("rb").read() == PDF
    for name, content, words in [("a.exe", b"MZ", "Attach a PDF"), ("fake.pdf", b"MZ\x90\x00", "not a PDF"),
                                 ("a.docx", b"plain", "not a DOCX"), ("empty.txt", b"", "empty"),
                                 ("bin.txt", b"\x00\x01", "not a TXT")]:
        with pytest.raises(ValidationError) as refused:
            submit(w.ours[1], file=upload(name, content))
        assert words in refused.value.message_dict["file"][0], name
    settings.REFLECTION_FILE_MAX_MB = 1
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        submit(w.ours[1], file=upload("big.txt", b"a" * (1024 * 1024 + 1)))
    assert submit(w.ours[1], text="", file=upload("ok.txt", "心得".encode("gb18030"))).attachment_name == "ok.txt"
    assert submit(w.ours[2 - 2 + 1], file=upload("w.docx", DOCX)).attachment_name == "w.docx"
    with pytest.raises(ValidationError, match="Write your reflection or attach a file"):
        submit(w.theirs[0], text="  ")


def test_the_completion_rule_counts_a_revised_reflection_as_not_done(world):  # noqa: F811
    w = world
    rules = CompletionRules.objects.create(program=w.program, require_reflection=True)
    submit(w.ours[0])
    submit(w.ours[1])
    services.reflection_grade(reflection=Reflection.unscoped.get(nomination=w.ours[1]), grade="revise",
                              comment="请修改。", by=w.head_teacher)

    def reasons():
        return {r.nomination.pk: [t for t in r.reason_texts] for r in selectors.program_results(
            type(w.program).unscoped.get(pk=w.program.pk)) if r.nomination.pk in (w.ours[0].pk, w.ours[1].pk)}

    assert reasons() == {w.ours[0].pk: [], w.ours[1].pk: [
        "The reflection was sent back for revision and has not been resubmitted."]}
    rules.reflection_must_pass = True
    rules.save()
    assert reasons()[w.ours[0].pk] == ["The reflection has not been graded pass or excellent yet."]
    services.reflection_grade(reflection=Reflection.unscoped.get(nomination=w.ours[0]), grade="excellent",
                              by=w.head_teacher)
    assert reasons()[w.ours[0].pk] == []
    assert "graded pass or excellent" in " ".join(selectors.rules_in_words(w.program))


def test_a_portal_draft_needs_an_excellent_grade_and_consent_and_is_made_once(world, reflection_channel):  # noqa: F811
    w = world
    reflection = submit(w.ours[0], text="第一段。\n\n第二段。", title="")
    with pytest.raises(PermissionDenied):  # college staff run the class but do not draft portal items
        services.reflection_article_draft(reflection=reflection, by=w.head_teacher)
    with pytest.raises(ActionRefused, match="graded excellent"):
        services.reflection_article_draft(reflection=reflection, by=w.organizer)
    services.reflection_grade(reflection=reflection, grade="excellent", by=w.head_teacher)
    reflection.refresh_from_db()
    with pytest.raises(ActionRefused, match="not agreed"):
        services.reflection_article_draft(reflection=reflection, by=w.organizer)
    services.reflection_consent(reflection=reflection, publish=True, with_name=False, by=author_of(w.ours[0]))
    reflection.refresh_from_db()
    page = services.reflection_article_draft(reflection=reflection, by=w.organizer)
    assert page.title == "学员心得｜第一段" and page.author == "参训学员" and not page.live
    assert page.source == w.program.organizer.name_zh
    assert [block.value.source for block in page.body] == ["<p>第一段。</p>", "<p>第二段。</p>"]
    assert page.get_parent().specific == reflection_channel
    reflection.refresh_from_db()
    again = services.reflection_article_draft(reflection=reflection, by=w.organizer)
    assert again.pk == page.pk and type(page).objects.count() == 1
    # with the author's consent to be named
    other = submit(w.ours[1], title="传承大别山精神")
    services.reflection_grade(reflection=other, grade="excellent", by=w.head_teacher)
    services.reflection_consent(reflection=other, publish=True, with_name=True, by=author_of(w.ours[1]))
    other.refresh_from_db()
    named = services.reflection_article_draft(reflection=other, by=w.organizer)
    assert (named.title, named.author) == ("学员心得｜传承大别山精神", w.ours[1].person.name)


def test_consent_needs_a_submitted_reflection_and_the_name_needs_the_publishing(world):  # noqa: F811
    w = world
    reflection = submit(w.ours[0])
    services.reflection_consent(reflection=reflection, publish=False, with_name=True, by=author_of(w.ours[0]))
    reflection.refresh_from_db()
    assert (reflection.consent_publish, reflection.consent_name, reflection.consent_at) == (False, False, None)
    with pytest.raises(PermissionDenied):
        services.reflection_consent(reflection=reflection, publish=True, by=author_of(w.ours[1]))


def _rows(w, *rows):
    return xlsx(rows)


def test_assessment_import_of_a_good_file_with_full_width_digits(world):  # noqa: F811
    w = world
    people = {n.person.name: n for n in (*w.ours, *w.theirs, w.elsewhere)}
    content = template_workbook(w.program)
    assert content[:2] == b"PK"
    file = xlsx([(1, "甲 一", "", "", "８５．５", "良好"), (2, "乙二", "", "", 90, ""), (3, "丙三", "", "", "", "")])
    written = assessment_import(program=w.program, file=file, by=w.head_teacher, file_name="scores.xlsx")
    assert written == 2
    assert Assessment.unscoped.get(nomination=people["甲一"]).score == Decimal("85.5")
    assert Assessment.unscoped.get(nomination=people["乙二"]).score == Decimal("90")
    assert not Assessment.unscoped.filter(nomination=people["丙三"]).exists()
    assert AuditEntry.objects.filter(action="import", model="training.program").get().changes["rows"] == 2


def test_assessment_import_names_every_bad_row_and_writes_nothing(world):  # noqa: F811
    w = world
    file = xlsx([(1, "甲一", "", "", "85", ""), (2, "无名氏", "", "", "70", ""), (3, "乙二", "", "", "101", ""),
                 (4, "甲一", "", "", "60", ""), (5, "丙三", "", "", "", "缺考"), (6, "丁四", "", "", "8.25", "")])
    with pytest.raises(ValidationError) as refused:
        assessment_import(program=w.program, file=file, by=w.head_teacher)
    assert refused.value.messages == [
        "Row 3, column “姓名”: “无名氏” is not a participant of this program.",
        "Row 4, column “成绩”: “101” is not a score from 0 to 100 (tenths at most).",
        "Row 5, column “姓名”: 甲一 is also on row 2.",
        "Row 6, column “成绩”: A note needs a score.",
        "Row 7, column “成绩”: “8.25” is not a score from 0 to 100 (tenths at most).",
    ]
    assert not Assessment.unscoped.exists()
    _unused, errors = read_scores(w.program, xlsx([(1, "甲一", "", "", 80, "")], header=("姓名", "成绩")))
    assert "has no column" in errors[0].message
    with pytest.raises(PermissionDenied):
        assessment_import(program=w.program, file=xlsx([(1, "甲一", "", "", 80, "")]), by=w.stranger)


def test_two_participants_of_the_same_name_are_told_apart_by_organ_or_id_tail(world):  # noqa: F811
    from tests.factories import place

    w = world
    twin = place(w.program, w.other, w.phase, name="甲一")
    ambiguous = xlsx([(1, "甲一", "", "", 80, "")])
    _unused, errors = read_scores(w.program, ambiguous)
    assert "Several participants" in errors[0].message
    rows, errors = read_scores(w.program, xlsx([(1, "甲一", w.other.name_zh, "", 80, "")]))
    assert errors == [] and rows[0].nomination_id == twin.pk
    rows, errors = read_scores(w.program, xlsx([(1, "甲一", "", w.ours[0].person.id_number[-4:], 80, "")]))
    assert errors == [] and rows[0].nomination_id == w.ours[0].pk


def test_the_list_and_its_counts_take_constant_queries(world, django_assert_max_num_queries):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import place

    w = world

    def queries():
        with CaptureQueriesContext(connection) as context:
            list(selectors.reflection_list(w.program))
            selectors.reflection_counts(w.program)
            list(selectors.reflections_missing(w.program))
        return len(context)

    submit(w.ours[0])
    few = queries()
    for index in range(12):
        submit(place(w.program, w.other, w.phase, name=f"学员{index}"))
    assert queries() == few
    assert ReflectionRevision.objects.count() == 0


def test_the_list_and_reading_pages_take_as_many_queries_for_a_bigger_class(world, client):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.factories import place

    w = world
    first = submit(w.ours[0])
    client.force_login(w.head_teacher)

    def queries(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    urls = [reverse("completion_reflections", args=[w.program.pk]), reverse("completion_reflection", args=[first.pk])]
    few = [queries(url) for url in urls]
    for index in range(12):
        submit(place(w.program, w.other, w.phase, name=f"学员{index}"))
    assert [queries(url) for url in urls] == few


def test_grading_after_the_closing_pack_makes_the_pack_out_of_date(world):  # noqa: F811
    """A grade can change who completed (the reflection rule may ask for a pass), so the roster of a pack made
    before it may be wrong: the pack must be made again."""
    from dangjian.completion.closing import current_pack
    from dangjian.completion.models import ClosingPack

    w = world
    reflection = submit(w.ours[0])
    pack = ClosingPack.unscoped.create(program=w.program, made_at=timezone.now(), page_count=1)  # after every record
    assert current_pack(w.program) == pack
    services.reflection_grade(reflection=reflection, grade="pass", by=w.head_teacher)
    assert current_pack(w.program) is None
