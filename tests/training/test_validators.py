"""One validator per input rule: the approval document's rule is the model's, and the staff form and the
API give the same answer as the service for the same file."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.training.validators import validate_approval_document
from dangjian.web.forms_training import ApproveForm

GOOD = [("批复.pdf", b"%PDF-1.7 ..."), ("批复.ofd", b"PK\x03\x04ofd"), ("扫描.PNG", b"\x89PNG\r\n\x1a\nxx"),
        ("扫描.jpg", b"\xff\xd8\xff\xe0xx")]
BAD = [("批复.pdf", b"\x89PNG\r\n\x1a\n"), ("批复.docx", b"PK\x03\x04"), ("批复.exe", b"MZ"), ("批复", b"%PDF")]


@pytest.mark.parametrize(("name", "content"), GOOD)
def test_good_documents_pass_everywhere(name, content):
    validate_approval_document(SimpleUploadedFile(name, content))
    form = ApproveForm(data={}, files={"approve-document": SimpleUploadedFile(name, content)}, prefix="approve")
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(("name", "content"), BAD)
def test_bad_documents_fail_everywhere(name, content):
    with pytest.raises(ValidationError):
        validate_approval_document(SimpleUploadedFile(name, content))
    form = ApproveForm(data={}, files={"approve-document": SimpleUploadedFile(name, content)}, prefix="approve")
    assert not form.is_valid() and "document" in form.errors


def test_the_model_field_carries_the_rule():
    from dangjian.training.models import ProgramReview

    assert validate_approval_document in ProgramReview._meta.get_field("document").validators


def test_too_large(settings):
    big = SimpleUploadedFile("批复.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="20 MB"):
        validate_approval_document(big)
