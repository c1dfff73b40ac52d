"""The registry exports as Excel: dates are days (no time part), and the header stays in row 1 as in the
import template, so that an export imports again; a title row someone adds above the header is fine too.
(The timetable workbook, a document to read, has its title rows: tests/training/test_documents.py.)"""

import datetime
import io

import openpyxl
import pytest

from dangjian.organizations.models import Person, Post
from dangjian.organizations.spreadsheets import registry_export, registry_import
from tests.factories import OrganFactory, PartyOrganizationFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    organ = OrganFactory(code="bureau")
    branch = PartyOrganizationFactory(organ=organ, name="第一支部", founded_on=datetime.date(2001, 7, 1),
                                      term_started_on=datetime.date(2022, 6, 1))
    person = PersonFactory(organ=organ, party_joined_on=datetime.date(2001, 7, 1))
    PostFactory(person=person, party_organization=branch, role="secretary", started_on=datetime.date(2022, 6, 1),
                ended_on=datetime.date(2025, 5, 31))
    return organ


def _date_cells(sheet):
    return [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.is_date]


@pytest.mark.parametrize("kind, sheets", [("people", {"人员": 2, "任职": 2}), ("party-organizations", {"党组织": 2})])
def test_export_dates_are_days_without_a_time(organizer, registry, kind, sheets):
    workbook = openpyxl.load_workbook(io.BytesIO(registry_export(kind=kind, by=organizer)))
    for name, count in sheets.items():
        cells = _date_cells(workbook[name])
        assert len(cells) == count, name
        assert all(cell.number_format == "yyyy-mm-dd" for cell in cells)
        assert all(cell.value.time() == datetime.time(0) for cell in cells)


def test_export_keeps_its_header_in_row_1_and_imports_again_with_a_title_row_added(organizer, registry):
    content = registry_export(kind="people", by=organizer, reveal=True)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook["人员"].cell(row=1, column=1).value == "姓名"
    for name in ("人员", "任职"):  # as a user might: a title above the header
        workbook[name].insert_rows(1)
        workbook[name].cell(row=1, column=1).value = "南阳市教育局 人员名册（2022年）"
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = sorted(Person.unscoped.values_list("id_number", "party_joined_on"))
    Post.unscoped.all().delete()
    Person.unscoped.all().delete()
    result = registry_import(kind="people", file=buffer.getvalue(), by=organizer)
    assert result.ok, result.errors
    assert sorted(Person.unscoped.values_list("id_number", "party_joined_on")) == before
    assert Post.unscoped.get().ended_on == datetime.date(2025, 5, 31)
