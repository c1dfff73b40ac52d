"""The closing pack (its contents read back from the PDF's text, its ZIP of parts), closing a class (refused without
a current pack; the results fixed and exactly the participants who completed credited with their hours; compliance
follows at once) and reopening it (the credit taken back, audited with the reason; closing again credits once)."""

import io
import zipfile
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.attendance.services import write_marks
from dangjian.completion.closing import closing_pack_start, current_pack, records_changed_at
from dangjian.completion.models import ClosingPack, CompletionResult
from dangjian.core.models import AuditEntry
from dangjian.jobs.models import BackgroundJob
from dangjian.ledger.enums import RecordSource
from dangjian.ledger.models import TrainingRecord
from dangjian.ledger.selectors import has_induction_credit
from dangjian.training import services as training
from tests.attendance.conftest import world  # noqa: F401 (the fixture)
from tests.completion.closing_world import add_class_records, make_current_pack

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def w(world):  # noqa: F811
    return add_class_records(world)


def make_pack(w, language="en") -> ClosingPack:
    with translation.override(language):
        job = closing_pack_start(program=w.program, by=w.head_teacher)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.result
    return ClosingPack.unscoped.get(pk=job.result["closing_pack"]["pack"])


def test_the_pack_holds_every_part_from_the_records(w):
    pack = make_pack(w)
    assert pack.made_by == w.head_teacher and pack.pdf and pack.archive
    content = pack.pdf.read()
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == pack.page_count > 6
    text = pdf_text(content)
    for heading in ("Closingpack", "Contents", "1.Trainingplanandopeningagenda", "OpeningagendaPhase",
                    "2.Finaltimetable", "3.Sign-insheetswiththemarks", "4.Rosterwithresultsandhours",
                    "5.Leaverecords", "6.Evaluationsummary", "Theevaluationsummarywillbefilledin"):
        assert heading in text, heading
    second = w.ours[1]
    # A sign-in sheet with a participant's mark, how it was taken and its note.
    assert f"{''.join(second.person.name.split())}" in text and "LateRollcall堵车晚到" in text
    assert "OnleaveApprovedleave" in text
    # The roster: hours credited and, for the participant on leave past the limit, the reason in words.
    assert "Completed7.5" in text
    assert "Onleavefor6.0of6.5hours,overthelimitof0.9hours." in text
    # The leave record: sessions, reason, decision.
    assert "家中老人住院" in text and "Approved" in text and "同意" in text
    with zipfile.ZipFile(pack.archive.open("rb")) as archive:
        names = archive.namelist()
        assert names == ["01-Training plan and opening agenda.pdf", "02-Final timetable.pdf",
                         "03-Sign-in sheets with the marks.pdf", "04-Roster with results and hours.pdf",
                         "05-Leave records.pdf", "06-Evaluation summary.pdf"]
        pages = sum(len(pypdf.PdfReader(io.BytesIO(archive.read(name))).pages) for name in names)
        assert pages == pack.page_count - 1  # all but the cover
        assert "家中老人住院" in pdf_text(archive.read("05-Leave records.pdf"))


def test_the_pack_in_chinese(w):
    content = make_pack(w, "zh-hans").pdf.read()
    text = pdf_text(content)
    for words in ("结业材料", "一、培训方案和开班议程", "三、签到表", "迟到", "堵车晚到", "四、学员名册",
                  "五、请假记录"):
        assert words in text, words


def test_closing_is_refused_without_a_current_pack(w):
    with pytest.raises(ValidationError, match="Make the closing pack first"):
        training.program_close(program=w.program, by=w.organizer)
    make_pack(w)
    # A mark changed after the pack: the pack is out of date.
    write_marks(session=w.session, by=w.head_teacher, source="roll_call", marks=[(w.ours[1], "present", "", None)])
    assert current_pack(w.program) is None
    with pytest.raises(ValidationError, match="older than the last change of the class"):
        training.program_close(program=w.program, by=w.organizer)
    w.program.refresh_from_db()
    assert w.program.status == "in_progress"
    assert not CompletionResult.unscoped.exists() and not TrainingRecord.unscoped.exists()
    pack = make_pack(w)
    assert current_pack(w.program) == pack and pack.made_at >= records_changed_at(w.program)
    training.program_close(program=w.program, by=w.organizer)
    assert w.program.status == "closed"


def test_closing_credits_exactly_those_who_completed_and_reopening_takes_it_back(w):
    first, second = w.ours
    (third,) = w.theirs
    people = [n.person.pk for n in (first, second, third, w.elsewhere)]
    assert has_induction_credit(people) == set()
    make_current_pack(w.program)
    training.program_close(program=w.program, by=w.organizer)
    results = {r.nomination_id: r for r in CompletionResult.unscoped.all()}
    assert set(results) == {first.pk, second.pk, third.pk, w.elsewhere.pk}
    assert [results[n.pk].completed for n in (first, second, third)] == [True, True, False]
    assert results[third.pk].reasons[0]["code"] == "leave" and results[third.pk].ledger_record is None
    assert results[first.pk].attended_hours == Decimal("6.5") and results[first.pk].days_attended == 1
    records = {r.person_id: r for r in TrainingRecord.unscoped.all()}
    # Phase 2 had no session: completed with no hours, so nothing is credited.
    assert set(records) == {first.person_id, second.person_id}
    assert records[first.person_id].hours == Decimal("7.5") and records[first.person_id].source == RecordSource.PLATFORM
    assert records[first.person_id].phase == w.phase and results[first.pk].ledger_record == records[first.person_id]
    # Compliance reads the ledger: the induction duty is met at once.
    assert has_induction_credit(people) == {first.person_id, second.person_id}

    with pytest.raises(ValidationError, match="must be reopened"):
        training.program_reopen_class(program=w.program, by=w.organizer, reason=" ")
    training.program_reopen_class(program=w.program, by=w.organizer, reason="补录纸质签到表")
    assert w.program.status == "in_progress"
    assert not TrainingRecord.unscoped.exists() and not CompletionResult.unscoped.exists()
    assert has_induction_credit(people) == set()
    deleted = AuditEntry.objects.filter(model="ledger.trainingrecord", action="delete")
    assert deleted.count() == 2 and {entry.changes["comments"] for entry in deleted} == {"补录纸质签到表"}
    assert all(entry.actor == w.organizer for entry in deleted)
    assert AuditEntry.objects.filter(model="training.program", changes__comments="补录纸质签到表").exists()

    make_current_pack(w.program)
    training.program_close(program=w.program, by=w.organizer)
    assert TrainingRecord.unscoped.count() == 2 and CompletionResult.unscoped.count() == 4


def test_only_organizers_reopen_a_closed_class(w):
    make_current_pack(w.program)
    training.program_close(program=w.program, by=w.organizer)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        training.program_reopen_class(program=w.program, by=w.head_teacher, reason="更正")
    assert TrainingRecord.unscoped.count() == 2
