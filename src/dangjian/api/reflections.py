"""REST API v1 for reflections (心得体会) and the assessment import (docs/completion.md, "Reflections").

Staff (those who run the class, completion/rules.py): a program's reflections (paged, by grade), one reflection
with its earlier versions, grading (excellent, pass, revise — revise needs a comment and asks the author for a
revision), allowing a participant without one to submit late, a portal draft of an excellent reflection whose
author agreed (organizers), the file. The participant: submitting with a file (multipart), consent to publish.
Assessments: the template and the import of a filled-in template (all or nothing, 422 naming row and column).

A role-level question first (403 before any lookup), the record through a scoped lookup (404 outside the scope),
then the permission on the record (403 for the wrong role or scope, 409 for the wrong state).
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from dangjian.api.inputs import Input
from dangjian.api.pagination import PageQuery, page_schema
from dangjian.api.registry import ERRORS, Id
from dangjian.api.training_library import WRITE_ERRORS, call
from dangjian.completion import selectors, services
from dangjian.completion.assessment_import import assessment_import, template_workbook
from dangjian.completion.models import ReflectionRevision
from dangjian.completion.validators import content_type_of
from dangjian.core.audit import audit_record
from dangjian.core.pagination import page_rows
from dangjian.core.services import require_perm
from dangjian.enrollment.models import Nomination
from dangjian.training.selectors import program_get
from dangjian.web.views.documents import _download

router = Router(tags=["reflections"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class VersionOut(Schema):
    version: int
    title: str
    text: str
    file_name: str
    submitted_at: datetime.datetime | None
    grade: str
    comment: str
    graded_at: datetime.datetime | None


class ReflectionOut(Schema):
    id: int
    nomination_id: int
    person_name: str
    organ_name: str
    title: str
    text: str
    file_name: str
    file_url: str | None
    submitted_at: datetime.datetime | None
    version: int
    grade: str = Field(..., description="\"\" (not graded yet), excellent, pass or revise")
    comment: str
    graded_at: datetime.datetime | None
    consent_publish: bool
    consent_name: bool
    portal_page_id: int | None


class ReflectionDetailOut(ReflectionOut):
    earlier_versions: list[VersionOut]
    previous_id: int | None = Field(None, description="In the list's order (head teachers only)")
    next_id: int | None = Field(None, description="In the list's order (head teachers only)")


class ReflectionFilters(Schema):
    grade: str = Field("", description="ungraded, excellent, pass or revise; empty: all submitted")


class GradeIn(Input):
    grade: str = Field(..., description="excellent, pass or revise (revise asks the author for a revision)")
    comment: str = Field("", max_length=2000, description="Required with revise.")


class LateIn(Input):
    comment: str = Field("", max_length=2000)


class ConsentIn(Input):
    publish: bool
    with_name: bool = False


class DraftOut(Schema):
    page_id: int
    title: str
    edit_url: str


class ImportOut(Schema):
    written: int


def _file_url(reflection) -> str | None:
    from django.urls import reverse

    return reverse("api-v1:reflection_file", args=[reflection.pk]) if reflection.attachment else None


def _out(reflection) -> dict:
    nomination = reflection.nomination
    return {"id": reflection.pk, "nomination_id": nomination.pk, "person_name": nomination.person.name,
            "organ_name": nomination.organ.name_zh, "title": reflection.title, "text": reflection.text,
            "file_name": reflection.attachment_name, "file_url": _file_url(reflection),
            "submitted_at": reflection.submitted_at, "version": reflection.version, "grade": reflection.grade,
            "comment": reflection.grade_comment, "graded_at": reflection.graded_at,
            "consent_publish": reflection.consent_publish, "consent_name": reflection.consent_name,
            "portal_page_id": reflection.portal_page_id}


def _detail(reflection, grade: str = "", *, user=None) -> dict:
    previous_id = next_id = None
    if user is None or user.has_perm("completion.view_reflections", reflection.nomination.program):
        previous_id, next_id, _position, _count = selectors.reflection_neighbours(reflection, grade=grade)
    return {**_out(reflection), "previous_id": previous_id, "next_id": next_id, "earlier_versions": [
        {"version": r.version, "title": r.title, "text": r.text, "file_name": r.attachment_name,
         "submitted_at": r.submitted_at, "grade": r.grade, "comment": r.grade_comment, "graded_at": r.graded_at}
        for r in selectors.reflection_revisions(reflection)]}


def _program(request, program_id, perm):
    require_perm(request.user, perm)
    program = program_get(user=request.user, pk=program_id)
    require_perm(request.user, perm, program)
    return program


def _reflection(request, reflection_id, perm="completion.view_reflection"):
    require_perm(request.user, perm)
    return selectors.reflection_get(user=request.user, pk=reflection_id)


@router.get("/completion/programs/{program_id}/reflections", response={200: page_schema(ReflectionOut), **ERRORS},
            summary="A program's submitted reflections, by phase, group and name (those who run the class)")
def reflections_list(request, program_id: Id, filters: Query[ReflectionFilters], page: Query[PageQuery]):
    program = _program(request, program_id, "completion.view_reflections")
    found = selectors.reflection_list(program, grade=filters.grade)
    offset = (page.page - 1) * page.page_size
    return {"count": found.count(), "page": page.page, "page_size": page.page_size,
            "items": [_out(r) for r in page_rows(found, offset, page.page_size)]}


@router.get("/completion/reflections/{reflection_id}", response={200: ReflectionDetailOut, **ERRORS},
            summary="One reflection with its earlier versions (the head teachers of its class; its author)")
def reflection_detail(request, reflection_id: Id, filters: Query[ReflectionFilters]):
    return _detail(_reflection(request, reflection_id), filters.grade, user=request.user)


@router.post("/completion/reflections/{reflection_id}/grade", response={200: ReflectionDetailOut, **WRITE_ERRORS},
             summary="Grade a submitted reflection: excellent, pass, or revise (with a comment: asks the author for a "
                     "revision)")
def reflection_grade(request, reflection_id: Id, payload: GradeIn):
    reflection = _reflection(request, reflection_id, "completion.grade_reflection")
    require_perm(request.user, "completion.grade_reflection", reflection)
    call(services.reflection_grade, reflection=reflection, grade=payload.grade, comment=payload.comment,
         by=request.user)
    return _detail(selectors.reflection_get(user=request.user, pk=reflection.pk), user=request.user)


@router.post("/completion/programs/{program_id}/reflections/allow-late/{nomination_id}",
             response={200: ReflectionOut, **WRITE_ERRORS},
             summary="Let a participant without a reflection submit one after the deadline")
def reflection_allow_late(request, program_id: Id, nomination_id: Id, payload: LateIn):
    require_perm(request.user, "completion.allow_late_reflection")
    program = _program(request, program_id, "training.run_class")
    nomination = Nomination.unscoped.filter(pk=nomination_id, program=program).select_related(
        "person", "organ", "program").first()
    if nomination is None:
        raise Http404
    require_perm(request.user, "completion.allow_late_reflection", nomination)
    return _out(call(services.reflection_allow_late, nomination=nomination, comment=payload.comment,
                     by=request.user))


@router.post("/completion/reflections/{reflection_id}/portal-draft", response={200: DraftOut, **WRITE_ERRORS},
             summary="A draft portal article from an excellent reflection whose author agreed (once; organizers)")
def reflection_portal_draft(request, reflection_id: Id):
    from django.urls import reverse

    reflection = _reflection(request, reflection_id, "completion.draft_reflection_article")
    require_perm(request.user, "completion.draft_reflection_article", reflection)
    page = services.reflection_article_draft(reflection=reflection, by=request.user)
    return {"page_id": page.pk, "title": page.title, "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk])}


@router.get("/completion/reflections/{reflection_id}/file", response=ERRORS, url_name="reflection_file",
            openapi_extra={"responses": {200: {"description": "The reflection's file (PDF, DOCX, ODT or TXT)"}}},
            summary="The reflection's file, or an earlier version's (?version=n); audited")
def reflection_file(request, reflection_id: Id, version: int | None = None):
    reflection = _reflection(request, reflection_id)
    source = reflection
    if version is not None and version != reflection.version:
        source = ReflectionRevision.objects.filter(reflection=reflection, version=version).first()
    if source is None or not source.attachment:
        raise Http404
    with source.attachment.open("rb") as handle:
        content = handle.read()
    audit_record(actor=request.user, action="export", instance=reflection,
                 changes={"file": source.attachment_name, "version": source.version})
    response = _download(content, content_type=content_type_of(source.attachment_name),
                         filename=source.attachment_name or "reflection")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The participant ------------------------------------------------------------------------------------------

def _my_nomination(request, program_id):
    require_perm(request.user, "enrollment.view_own_enrollment")
    return selectors.my_nomination(user=request.user, program_pk=program_id)


@router.post("/completion/programs/{program_id}/reflection/submit", response={200: ReflectionOut, **WRITE_ERRORS},
             summary="Submit the participant's own reflection with an optional file (multipart): before the deadline "
                     "while not graded, or after a request for revision")
def reflection_submit(request, program_id: Id, text: Form[str] = "", title: Form[str] = "",
                      remove_file: Form[bool] = False, file: File[UploadedFile] = None):
    nomination = _my_nomination(request, program_id)
    require_perm(request.user, "completion.submit_reflection", nomination)
    reflection = call(services.reflection_submit, nomination=nomination, text=text, title=title, file=file,
                      remove_file=remove_file, by=request.user)
    return _out(selectors.reflection_get(user=request.user, pk=reflection.pk))


@router.put("/completion/programs/{program_id}/reflection/consent", response={200: ReflectionOut, **WRITE_ERRORS},
            summary="The author's consent to publish their reflection in the portal, and to be named")
def reflection_consent(request, program_id: Id, payload: ConsentIn):
    nomination = _my_nomination(request, program_id)
    require_perm(request.user, "completion.consent_reflection", nomination)
    reflection = selectors.my_reflection(nomination)
    if reflection is None:
        raise Http404
    call(services.reflection_consent, reflection=reflection, publish=payload.publish, with_name=payload.with_name,
         by=request.user)
    return _out(selectors.reflection_get(user=request.user, pk=reflection.pk))


# Assessments from Excel -----------------------------------------------------------------------------------

@router.get("/completion/programs/{program_id}/assessments/template", response=ERRORS,
            openapi_extra={"responses": {200: {"description": "The import template", "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}}},
            summary="The assessment import template: the participants with empty 成绩 and 备注")
def assessments_template(request, program_id: Id) -> HttpResponse:
    program = _program(request, program_id, "training.run_class")
    content = template_workbook(program)
    audit_record(actor=request.user, action="export", instance=program, changes={"file": "assessment template"})
    response = _download(content, content_type=XLSX, filename=f"{program.title}-结业考核.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/completion/programs/{program_id}/assessments/import", response={200: ImportOut, **WRITE_ERRORS},
             summary="Import assessment scores from the filled-in template: all or nothing, each problem named by "
                     "row and column (synchronous: a class at a time)")
def assessments_import(request, program_id: Id, file: File[UploadedFile]):
    program = _program(request, program_id, "training.run_class")
    require_perm(request.user, "completion.record_assessment", program)
    try:
        written = assessment_import(program=program, file=file, by=request.user, file_name=file.name or "")
    except ValidationError as error:
        if type(error).__name__ == "ActionRefused":
            raise
        raise ValidationError({"file": error.messages}) from error
    return {"written": written}

