"""Helpers of the reflection tests: files of each kind, the portal channel reflections are drafted into, a
participant user for a nomination, and an assessment workbook."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dangjian.portal.drafts import REFLECTION_CHANNEL_SLUG
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 100


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def author_of(nomination):
    """The participant's user (made once per person)."""
    from dangjian.accounts.models import User

    return User.objects.filter(person=nomination.person).first() or UserFactory(roles=["participant"],
                                                                                 person=nomination.person)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REFLECTION_FILE_ROOT = tmp_path / "reflection-files"


def make_reflection_channel():
    """The portal channel reflections are drafted into (理论学习), published."""
    from dangjian.portal.models import ChannelPage, HomePage

    home = HomePage.objects.get()
    channel = ChannelPage(title="理论学习", slug=REFLECTION_CHANNEL_SLUG, live=False)
    home.add_child(instance=channel)
    channel.save_revision().publish()
    return channel


@pytest.fixture
def reflection_channel(db):
    return make_reflection_channel()


def workbook(rows, header=("序号", "姓名", "单位", "身份证号后四位", "成绩", "备注"), sheet="结业考核") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(rows, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile("scores.xlsx", workbook(rows, **kwargs))
