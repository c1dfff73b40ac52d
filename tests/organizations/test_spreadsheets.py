"""Excel templates, import and export of the registry (organizations.spreadsheets).

Workbooks are built in code with openpyxl; the helpers here are shared with the web, API and CLI tests.
"""

import datetime
import io
import itertools
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from dangjian.core.models import AuditEntry
from dangjian.organizations.models import Organ, PartyOrganization, Person, Post
from dangjian.organizations.spreadsheets import registry_export, registry_import, registry_template
from dangjian.organizations.spreadsheets.importing import cycle_members, overlaps
from dangjian.organizations.spreadsheets.layout import ORGAN_SHEET, PARTY_ORG_SHEET, PEOPLE_SHEET, POST_SHEET
from dangjian.organizations.spreadsheets.reading import CellError, parse_date
from tests.factories import (
    OrganFactory,
    PartyOrganizationFactory,
    PersonFactory,
    PostFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


# Workbook helpers ----------------------------------------------------------------------------------

def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook with the given sheets, each a list of rows (the first row is the header)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(sheet, records: list[dict]) -> list[list]:
    """Header row of `sheet` plus one row per record ({header: value}; missing headers stay empty)."""
    return [sheet.headers, *([record.get(header) for header in sheet.headers] for record in records)]


def people_book(people: list[dict] = (), posts: list[dict] = ()) -> bytes:
    return xlsx({PEOPLE_SHEET.name: table(PEOPLE_SHEET, people), POST_SHEET.name: table(POST_SHEET, posts)})


def organs_book(organs: list[dict]) -> bytes:
    return xlsx({ORGAN_SHEET.name: table(ORGAN_SHEET, organs)})


def party_orgs_book(orgs: list[dict]) -> bytes:
    return xlsx({PARTY_ORG_SHEET.name: table(PARTY_ORG_SHEET, orgs)})


def person_row(organ, **values) -> dict:
    return {"姓名": f"张{next(_names)}", "身份证号": make_id_number(), "所在单位代码": organ.code, **values}


def post_row(id_number: str, party_org, **values) -> dict:
    return {"身份证号": id_number, "单位代码": party_org.organ.code, "党组织名称": party_org.name, "职务": "委员",
            "任职开始": datetime.date(2023, 1, 1), **values}


def where(result) -> list[tuple]:
    """The errors of an import as (sheet, row, column)."""
    return [(error.sheet, error.row, error.column) for error in result.errors]


def registry_counts() -> tuple[int, int, int, int]:
    return (Organ.unscoped.count(), PartyOrganization.unscoped.count(), Person.unscoped.count(), Post.unscoped.count())


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are checked by their English text (msgids), whatever translations are compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def party_org(organ):
    return PartyOrganizationFactory(organ=organ, name="第一党支部")


def state() -> tuple:
    """Counts of registry records and audit entries: a failed import changes neither."""
    return (*registry_counts(), AuditEntry.objects.count())


def run_import(*, kind: str, file, by, **kwargs):
    """registry_import, checking that a result with errors wrote nothing (no records, no audit entry)."""
    before = state()
    result = registry_import(kind=kind, file=file, by=by, **kwargs)
    if not result.ok:
        assert state() == before, "a failed import wrote something"
    return result


def import_people(user, people=(), posts=(), **kwargs):
    return run_import(kind="people", file=people_book(people, posts), by=user, **kwargs)


# Templates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, sheets", [
    ("organs", ["单位", "说明"]),
    ("party-organizations", ["党组织", "说明"]),
    ("people", ["人员", "任职", "说明"]),
])
def test_template_has_the_sheets_headers_and_instructions(kind, sheets):
    workbook = openpyxl.load_workbook(io.BytesIO(registry_template(kind=kind)))
    assert workbook.sheetnames == sheets
    first = workbook[sheets[0]]
    assert first.freeze_panes == "A2"
    assert first.column_dimensions["A"].width > 8
    instructions = [str(cell.value) for row in workbook["说明"].iter_rows() for cell in row if cell.value]
    for sheet in sheets[:-1]:
        headers = [cell.value for cell in workbook[sheet][1]]
        assert headers and all(headers)
        for header in headers:  # every column is explained
            assert header in instructions


def test_template_offers_drop_downs_with_chinese_labels():
    workbook = openpyxl.load_workbook(io.BytesIO(registry_template(kind="people")))
    formulas = {dv.formula1 for dv in workbook["任职"].data_validations.dataValidation}
    assert '"书记,副书记,委员"' in formulas
    assert '"选举,任命"' in formulas
    people_headers = [cell.value for cell in workbook["人员"][1]]
    assert people_headers[:3] == ["姓名", "性别", "身份证号"]


def test_the_empty_template_imports_as_an_empty_file_error(organizer):
    result = run_import(kind="people", file=registry_template(kind="people"), by=organizer)
    assert where(result) == [("", None, "")]
    assert "no data rows" in result.errors[0].message


# Successful imports ---------------------------------------------------------------------------------

def test_people_and_posts_are_imported_with_one_audit_entry(organizer, organ, party_org):
    alice = person_row(organ, 性别="女", 身份证号=make_id_number(gender="female"), 手机号="13812345678",
                       学历="大学本科", 职级="乡科级正职", 入党时间="2005-07-01", 民族="回族", 职务="科长")
    bob = person_row(organ, 学历="master", 职级="staff")  # English codes are accepted too
    result = import_people(organizer, [alice, bob], [
        post_row(alice["身份证号"], party_org, 职务="书记", 任职开始="2021/3/1", 产生方式="选举",
                 批准文号="工委〔2021〕3号"),
        post_row(bob["身份证号"], party_org, 职务="委员", 分工="组织委员", 任职开始=datetime.date(2021, 3, 1),
                 任职结束="2023年2月28日", 产生方式="任命"),
    ])
    assert result.ok, result.errors
    assert result.counts == {"people": 2, "posts": 2}
    person = Person.unscoped.get(id_number=alice["身份证号"])
    assert (person.gender, person.education, person.rank_level, person.mobile, person.ethnicity) == (
        "female", "bachelor", "section_chief", "13812345678", "回族")
    assert person.birth_date == datetime.date(1980, 5, 17)  # taken from the ID number
    assert person.party_joined_on == datetime.date(2005, 7, 1)
    secretary = Post.unscoped.get(role="secretary")
    assert (secretary.person, secretary.started_on, secretary.method, secretary.approval_reference) == (
        person, datetime.date(2021, 3, 1), "elected", "工委〔2021〕3号")
    assert person.first_secretary_on == datetime.date(2021, 3, 1)  # bulk_create skips Post.save: refreshed
    assert person.name_sort.startswith("zhang1.")  # 张…: the sort key, computed by bulk_create (pre_save)
    assert Person.unscoped.get(id_number=bob["身份证号"]).first_secretary_on is None
    member = Post.unscoped.get(role="committee_member")
    assert (member.portfolio, member.ended_on, member.method) == ("organization", datetime.date(2023, 2, 28),
                                                                   "appointed")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.model) == ("import", organizer, "organizations.person")
    assert entry.changes["counts"] == {"people": 2, "posts": 2}


def test_posts_may_refer_to_people_already_registered(organizer, organ, party_org):
    registered = PersonFactory(organ=organ)
    result = import_people(organizer, [], [post_row(registered.id_number, party_org, 姓名=registered.name)])
    assert result.ok, result.errors
    assert registered.posts.count() == 1


def test_progress_is_reported_every_n_rows(organizer, organ, settings):
    settings.IMPORT_PROGRESS_EVERY = 2
    calls = []
    result = import_people(organizer, [person_row(organ) for _ in range(5)],
                           progress=lambda done, total: calls.append((done, total)))
    assert result.ok
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_excel(organizer, organ):
    rows = table(PEOPLE_SHEET, [person_row(organ)])
    rows += [[None] * len(PEOPLE_SHEET.headers), [], list(table(PEOPLE_SHEET, [person_row(organ, 身份证号="bad")])[1])]
    book = xlsx({"人员": rows, "任职": [POST_SHEET.headers]})
    result = run_import(kind="people", file=book, by=organizer)
    assert where(result) == [("人员", 5, "身份证号")]


def test_import_query_count_does_not_grow_with_rows(organizer, organ, party_org, django_assert_max_num_queries):
    def run(count):
        people = [person_row(organ) for _ in range(count)]
        posts = [post_row(p["身份证号"], party_org) for p in people]
        return people_book(people, posts)

    small, large = run(2), run(60)
    with django_assert_max_num_queries(25) as small_queries:
        assert run_import(kind="people", file=small, by=organizer).ok
    with django_assert_max_num_queries(25) as large_queries:
        assert run_import(kind="people", file=large, by=organizer).ok
    # bulk inserts may split into a batch or two, never a query per row
    assert len(large_queries.captured_queries) <= len(small_queries.captured_queries) + 2


def test_organs_import_with_parents_in_any_order(organizer):
    OrganFactory(code="city")
    result = run_import(kind="organs", by=organizer, file=organs_book([
        {"单位代码": "child", "单位名称": "下属单位", "单位类别": "事业单位", "上级单位代码": "parent"},
        {"单位代码": "parent", "单位名称": "上级单位", "英文名称": "Parent Bureau", "单位类别": "government",
         "上级单位代码": "city"},
    ]))
    assert result.ok, result.errors
    assert result.counts == {"organs": 2}
    child = Organ.unscoped.get(code="child")
    assert (child.parent.code, child.parent.parent.code, child.sector) == ("parent", "city", "public_institution")


def test_party_organizations_import_with_parents(organizer, organ):
    result = run_import(kind="party-organizations", by=organizer, file=party_orgs_book([
        {"单位代码": organ.code, "党组织名称": "第二支部", "类型": "党支部", "上级党组织": "机关总支"},
        {"单位代码": organ.code, "党组织名称": "机关党委", "类型": "机关党委", "成立日期": "1999-10-01",
         "本届任期开始": "2023-05-04", "任期年限": 5, "党员人数": 120},
        {"单位代码": organ.code, "党组织名称": "机关总支", "类型": "党总支", "上级党组织": "机关党委"},
    ]))
    assert result.ok, result.errors
    branch = PartyOrganization.unscoped.get(name="第二支部")
    assert branch.parent.name == "机关总支" and branch.parent.parent.name == "机关党委"
    committee = branch.parent.parent
    assert (committee.founded_on, committee.term_years, committee.member_count) == (
        datetime.date(1999, 10, 1), 5, 120)


# Import errors: each names the sheet, row and column, and nothing is written ----------------------

def test_id_number_checksum(organizer, organ):
    good = make_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = import_people(organizer, [person_row(organ), person_row(organ, 身份证号=bad)])
    assert where(result) == [("人员", 3, "身份证号")]
    assert "GB 11643" in result.errors[0].message


def test_id_number_stored_as_a_number(organizer, organ):
    result = import_people(organizer, [person_row(organ, 身份证号=4.11302198005171e17)])
    assert where(result) == [("人员", 2, "身份证号")]
    assert "lost digits" in result.errors[0].message


def test_bad_mobile(organizer, organ):
    result = import_people(organizer, [person_row(organ, 手机号="1234")])
    assert where(result) == [("人员", 2, "手机号")]


@pytest.mark.parametrize("value", ["2023-02-30", "next week", "2023-13-01", "31/12/2020"])
def test_bad_date(organizer, organ, party_org, value):
    someone = person_row(organ)
    result = import_people(organizer, [someone, person_row(organ, 入党时间=value)],
                           [post_row(someone["身份证号"], party_org, 任职开始=value)])
    assert where(result) == [("人员", 3, "入党时间"), ("任职", 2, "任职开始")]


def test_unknown_organ(organizer, organ):
    result = import_people(organizer, [person_row(organ), person_row(organ, 所在单位代码="nowhere")])
    assert where(result) == [("人员", 3, "所在单位代码")]
    assert "nowhere" in result.errors[0].message


def test_unknown_party_organization(organizer, organ, party_org):
    someone = person_row(organ)
    result = import_people(organizer, [someone], [
        post_row(someone["身份证号"], party_org, 党组织名称="不存在的支部"),
    ])
    assert where(result) == [("任职", 2, "党组织名称")]


def test_post_for_an_unknown_person(organizer, organ, party_org):
    result = import_people(organizer, [person_row(organ)], [post_row(make_id_number(), party_org)])
    assert where(result) == [("任职", 2, "身份证号")]


def test_post_name_must_match_the_person(organizer, organ, party_org):
    someone = person_row(organ, 姓名="李雷")
    result = import_people(organizer, [someone], [post_row(someone["身份证号"], party_org, 姓名="韩梅梅")])
    assert where(result) == [("任职", 2, "姓名")]
    assert "李雷" in result.errors[0].message


def test_duplicate_id_number_in_the_file(organizer, organ):
    twin = person_row(organ)
    result = import_people(organizer, [twin, person_row(organ), dict(twin, 姓名="另一人")])
    assert where(result) == [("人员", 4, "身份证号")]
    assert "row 2" in result.errors[0].message


def test_duplicate_id_number_in_the_database(organizer, organ, other_organ):
    registered = PersonFactory(organ=other_organ)
    result = import_people(organizer, [person_row(organ, 身份证号=registered.id_number.lower())])
    assert where(result) == [("人员", 2, "身份证号")]
    assert "already registered" in result.errors[0].message


def test_overlapping_secretaries_in_the_file(organizer, organ, party_org):
    first, second = person_row(organ), person_row(organ)
    result = import_people(organizer, [first, second], [
        post_row(first["身份证号"], party_org, 职务="书记", 任职开始="2020-01-01", 任职结束="2022-12-31"),
        post_row(second["身份证号"], party_org, 职务="书记", 任职开始="2022-06-01"),
    ])
    assert where(result) == [("任职", 3, "任职开始")]
    assert "row 2" in result.errors[0].message


def test_consecutive_secretaries_are_fine(organizer, organ, party_org):
    first, second = person_row(organ), person_row(organ)
    result = import_people(organizer, [first, second], [
        post_row(first["身份证号"], party_org, 职务="书记", 任职开始="2020-01-01", 任职结束="2022-12-31"),
        post_row(second["身份证号"], party_org, 职务="书记", 任职开始="2023-01-01"),
    ])
    assert result.ok, result.errors


def test_overlapping_secretary_in_the_database(organizer, organ, party_org):
    PostFactory(party_organization=party_org, person=PersonFactory(organ=organ, name="王书记"),
                started_on=datetime.date(2021, 1, 1))
    newcomer = person_row(organ)
    result = import_people(organizer, [newcomer], [
        post_row(newcomer["身份证号"], party_org, 职务="书记", 任职开始="2024-01-01"),
    ])
    assert where(result) == [("任职", 2, "任职开始")]
    assert "王书记" in result.errors[0].message


def test_overlapping_identical_posts_of_one_person(organizer, organ, party_org):
    someone = person_row(organ)
    result = import_people(organizer, [someone], [
        post_row(someone["身份证号"], party_org, 任职开始="2020-01-01", 任职结束="2021-12-31"),
        post_row(someone["身份证号"], party_org, 任职开始="2021-06-01"),
    ])
    assert where(result) == [("任职", 3, "任职开始")]


def test_overlapping_identical_post_in_the_database(organizer, organ, party_org):
    registered = PersonFactory(organ=organ)
    PostFactory(person=registered, party_organization=party_org, role="committee_member",
                started_on=datetime.date(2020, 1, 1))
    result = import_people(organizer, [], [post_row(registered.id_number, party_org, 任职开始="2023-01-01")])
    assert where(result) == [("任职", 2, "任职开始")]


def test_post_rules_of_the_model(organizer, organ, party_org):
    someone = person_row(organ)
    result = import_people(organizer, [someone], [
        post_row(someone["身份证号"], party_org, 职务="书记", 分工="宣传委员"),
        post_row(someone["身份证号"], party_org, 职务="副书记", 任职开始="2022-01-01", 任职结束="2021-01-01"),
    ])
    assert where(result) == [("任职", 2, "分工"), ("任职", 3, "任职结束")]


def test_birth_date_and_gender_must_match_the_id_number(organizer, organ):
    result = import_people(organizer, [
        person_row(organ, 出生日期="1990-01-01", 性别="女", 入党时间="1970-01-01"),
    ])
    assert where(result) == [("人员", 2, "性别"), ("人员", 2, "出生日期"), ("人员", 2, "入党时间")]


def test_missing_required_cells(organizer, organ, party_org):
    someone = person_row(organ)
    result = import_people(organizer, [someone, person_row(organ, 姓名=" ", 所在单位代码=None)], [
        post_row(someone["身份证号"], party_org, 职务=None, 任职开始=None),
    ])
    assert where(result) == [("人员", 3, "姓名"), ("人员", 3, "所在单位代码"), ("任职", 2, "职务"),
                             ("任职", 2, "任职开始")]
    assert all("required" in error.message for error in result.errors)


def test_unknown_choice_value(organizer, organ):
    result = import_people(organizer, [person_row(organ, 学历="幼儿园")])
    assert where(result) == [("人员", 2, "学历")]
    assert "大学本科" in result.errors[0].message  # lists the allowed values


def test_too_long_text(organizer, organ):
    result = import_people(organizer, [person_row(organ, 姓名="长" * 41)])
    assert where(result) == [("人员", 2, "姓名")]


def test_wrong_file_type(organizer):
    result = run_import(kind="people", file="姓名,身份证号\n张三,1\n".encode(), by=organizer)
    assert where(result) == [("", None, "")]
    assert ".xlsx" in result.errors[0].message


def test_old_xls_file(organizer):
    result = run_import(kind="people", file=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, by=organizer)
    assert ".xls" in result.errors[0].message


def test_corrupt_file(organizer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    for content in (buffer.getvalue(), people_book([])[:300]):
        result = run_import(kind="people", file=content, by=organizer)
        assert where(result) == [("", None, "")]
        assert "damaged" in result.errors[0].message


def test_empty_file(organizer):
    result = run_import(kind="people", file=b"", by=organizer)
    assert where(result) == [("", None, "")]
    assert "empty" in result.errors[0].message


def test_too_large_file(organizer, organ, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 0
    result = run_import(kind="people", file=people_book([person_row(organ)]), by=organizer)
    assert where(result) == [("", None, "")]
    assert "larger" in result.errors[0].message


def test_missing_sheet(organizer, organ):
    book = xlsx({"人员": table(PEOPLE_SHEET, [person_row(organ)]), "Sheet2": []})
    result = run_import(kind="people", file=book, by=organizer)
    assert where(result) == [("任职", None, "")]


def test_missing_header_column(organizer, organ):
    rows = table(PEOPLE_SHEET, [person_row(organ)])
    position = rows[0].index("身份证号")
    rows = [row[:position] + row[position + 1:] for row in rows]
    book = xlsx({"人员": rows, "任职": [POST_SHEET.headers]})
    result = run_import(kind="people", file=book, by=organizer)
    assert where(result) == [("人员", 1, "身份证号")]


def test_a_wrong_used_range_in_the_file_loses_no_cells(organizer, organ):
    """Some programs declare the used range as A1:A1; the import reads every cell all the same."""
    content = people_book([person_row(organ), person_row(organ)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
            target.writestr(item, data)
    result = run_import(kind="people", file=buffer.getvalue(), by=organizer)
    assert result.ok, result.errors
    assert result.counts == {"people": 2, "posts": 0}


def test_columns_may_be_reordered_and_extra_columns_are_ignored(organizer, organ):
    record = person_row(organ)
    headers = ["备注", *reversed(PEOPLE_SHEET.headers)]
    book = xlsx({"人员": [headers, ["x", *(record.get(h) for h in reversed(PEOPLE_SHEET.headers))]],
                 "任职": [POST_SHEET.headers]})
    assert run_import(kind="people", file=book, by=organizer).ok


def test_every_error_is_reported_at_once(organizer, organ):
    result = import_people(organizer, [person_row(organ, 身份证号="1") for _ in range(30)])
    assert len(result.errors) == 30
    assert [error.row for error in result.errors] == list(range(2, 32))


def test_organ_errors(organizer):
    OrganFactory(code="taken", name_zh="已有单位")
    result = run_import(kind="organs", by=organizer, file=organs_book([
        {"单位代码": "taken", "单位名称": "新单位一", "单位类别": "政府部门"},
        {"单位代码": "new-1", "单位名称": "已有单位", "单位类别": "政府部门"},
        {"单位代码": "bad code", "单位名称": "新单位二", "单位类别": "政府部门"},
        {"单位代码": "a", "单位名称": "甲", "单位类别": "政府部门", "上级单位代码": "b"},
        {"单位代码": "b", "单位名称": "乙", "单位类别": "政府部门", "上级单位代码": "a"},
        {"单位代码": "c", "单位名称": "丙", "单位类别": "外星机关", "上级单位代码": "missing"},
    ]))
    assert where(result) == [
        ("单位", 2, "单位代码"), ("单位", 3, "单位名称"), ("单位", 4, "单位代码"), ("单位", 5, "上级单位代码"),
        ("单位", 6, "上级单位代码"), ("单位", 7, "单位类别"), ("单位", 7, "上级单位代码"),
    ]


def test_party_organization_errors(organizer, organ, party_org):
    result = run_import(kind="party-organizations", by=organizer, file=party_orgs_book([
        {"单位代码": organ.code, "党组织名称": party_org.name, "类型": "党支部"},
        {"单位代码": organ.code, "党组织名称": "总支", "类型": "党总支", "上级党组织": party_org.name},
        {"单位代码": organ.code, "党组织名称": "甲支部", "类型": "临时党支部", "上级党组织": "乙支部"},
        {"单位代码": organ.code, "党组织名称": "乙支部", "类型": "临时党支部", "上级党组织": "甲支部"},
        {"单位代码": organ.code, "党组织名称": "丙支部", "类型": "党支部", "任期年限": 0, "党员人数": "many"},
        {"单位代码": organ.code, "党组织名称": "丙支部", "类型": "党支部"},
    ]))
    assert where(result) == [
        ("党组织", 2, "党组织名称"), ("党组织", 3, "上级党组织"),
        ("党组织", 4, "上级党组织"), ("党组织", 4, "上级党组织"),  # wrong type of parent, and a circle
        ("党组织", 5, "上级党组织"), ("党组织", 5, "上级党组织"),
        ("党组织", 6, "任期年限"), ("党组织", 6, "党员人数"), ("党组织", 7, "党组织名称"),
    ]
    assert "circle" in result.errors[3].message


def test_a_record_registered_meanwhile_makes_the_whole_import_fail(organizer, organ, monkeypatch):
    """Between the check and the write another user registers the same ID number: nothing is written."""
    from dangjian.organizations.spreadsheets import importing

    racer = person_row(organ)
    original = importing.PeopleImporter.write

    def write_after_someone_else(self, plan):
        PersonFactory(organ=organ, id_number=racer["身份证号"])
        return original(self, plan)

    monkeypatch.setattr(importing.PeopleImporter, "write", write_after_someone_else)
    result = run_import(kind="people", file=people_book([person_row(organ), racer]), by=organizer)
    assert where(result) == [("", None, "")]
    assert "changed" in result.errors[0].message


# Permissions and scoping ----------------------------------------------------------------------------

def test_unit_admin_imports_people_of_their_own_organ(unit_admin, organ, party_org):
    someone = person_row(organ)
    result = import_people(unit_admin, [someone], [post_row(someone["身份证号"], party_org)])
    assert result.ok, result.errors
    assert AuditEntry.objects.get().actor == unit_admin


def test_unit_admin_rows_for_another_organ_are_refused(unit_admin, organ, other_organ):
    other_org = PartyOrganizationFactory(organ=other_organ)
    mine = person_row(organ)
    result = import_people(unit_admin, [mine, person_row(other_organ)], [post_row(mine["身份证号"], other_org)])
    assert where(result) == [("人员", 3, "所在单位代码"), ("任职", 2, "单位代码")]
    assert "your own organs" in result.errors[0].message


def test_unit_admin_cannot_attach_posts_to_people_of_other_organs(unit_admin, organ, other_organ, party_org):
    stranger = PersonFactory(organ=other_organ)
    result = import_people(unit_admin, [], [post_row(stranger.id_number, party_org)])
    assert where(result) == [("任职", 2, "身份证号")]


def test_unit_admin_party_organizations_of_another_organ_are_refused(unit_admin, organ, other_organ):
    result = run_import(kind="party-organizations", by=unit_admin, file=party_orgs_book([
        {"单位代码": organ.code, "党组织名称": "我的支部", "类型": "党支部"},
        {"单位代码": other_organ.code, "党组织名称": "别人的支部", "类型": "党支部"},
    ]))
    assert where(result) == [("党组织", 3, "单位代码")]


def test_unit_admin_may_not_import_organs(unit_admin):
    before = state()
    with pytest.raises(PermissionDenied):
        run_import(kind="organs", by=unit_admin,
                   file=organs_book([{"单位代码": "x", "单位名称": "某单位", "单位类别": "政府部门"}]))
    assert state() == before


@pytest.mark.parametrize("role", ["approver", "participant", "instructor", "editor"])
def test_other_roles_may_not_import_or_export(role, organ):
    user = UserFactory(roles=[role])
    before = state()
    with pytest.raises(PermissionDenied):
        import_people(user, [person_row(organ)])
    with pytest.raises(PermissionDenied):
        registry_export(kind="people", by=user)
    assert state() == before


# Export ---------------------------------------------------------------------------------------------

def sheet_rows(content: bytes, sheet: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    workbook.close()
    return rows


def test_export_masks_personal_data_by_default(organizer, organ, party_org):
    person = PersonFactory(organ=organ, mobile="13812345678")
    PostFactory(person=person, party_organization=party_org)
    content = registry_export(kind="people", by=organizer)
    header, row = sheet_rows(content, "人员")
    values = dict(zip(header, row, strict=True))
    assert values["身份证号"] == person.id_number[:6] + "********" + person.id_number[-4:]
    assert values["手机号"] == "138****5678"
    post_header, post = sheet_rows(content, "任职")
    assert dict(zip(post_header, post, strict=True))["身份证号"] == values["身份证号"]
    assert person.id_number not in str(sheet_rows(content, "任职"))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.changes["reveal"], entry.changes["counts"]) == (
        "export", False, {"people": 1, "posts": 1})


def test_revealed_export_is_audited(organizer, organ):
    person = PersonFactory(organ=organ, mobile="13812345678")
    content = registry_export(kind="people", by=organizer, reveal=True)
    header, row = sheet_rows(content, "人员")
    values = dict(zip(header, row, strict=True))
    assert (values["身份证号"], values["手机号"]) == (person.id_number, "13812345678")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.changes["reveal"]) == ("export", organizer, True)


def test_export_is_scoped_to_the_users_organs(unit_admin, organ, other_organ):
    mine = PersonFactory(organ=organ)
    PersonFactory(organ=other_organ)
    PartyOrganizationFactory(organ=other_organ)
    rows = sheet_rows(registry_export(kind="people", by=unit_admin, reveal=True), "人员")
    assert [row[2] for row in rows[1:]] == [mine.id_number]
    assert sheet_rows(registry_export(kind="party-organizations", by=unit_admin), "党组织")[1:] == []
    assert [row[0] for row in sheet_rows(registry_export(kind="organs", by=unit_admin), "单位")[1:]] == [organ.code]


def test_export_has_the_template_layout(organizer):
    for kind in ("organs", "party-organizations", "people"):
        exported = openpyxl.load_workbook(io.BytesIO(registry_export(kind=kind, by=organizer)))
        template = openpyxl.load_workbook(io.BytesIO(registry_template(kind=kind)))
        assert exported.sheetnames == template.sheetnames
        for name in template.sheetnames[:-1]:
            assert [c.value for c in exported[name][1]] == [c.value for c in template[name][1]]


# Round trips: export (revealed) -> empty registry -> import gives the same records ---------------------

def _wipe():
    Post.unscoped.all().delete()
    Person.unscoped.all().delete()
    while PartyOrganization.unscoped.exists():
        PartyOrganization.unscoped.filter(children__isnull=True).delete()
    while Organ.unscoped.exists():
        Organ.unscoped.filter(children__isnull=True, party_organizations__isnull=True, people__isnull=True).delete()


def _snapshot():
    organs = sorted(Organ.unscoped.values_list("code", "name_zh", "name_en", "sector", "parent__code"))
    orgs = sorted(PartyOrganization.unscoped.values_list(
        "organ__code", "name", "org_type", "parent__name", "parent__organ__code", "founded_on", "term_started_on",
        "term_years", "member_count"))
    people = sorted(Person.unscoped.values_list(
        "name", "gender", "id_number", "birth_date", "ethnicity", "party_joined_on", "mobile", "education",
        "position", "rank_level", "organ__code"))
    posts = sorted(Post.unscoped.values_list(
        "person__id_number", "party_organization__organ__code", "party_organization__name", "role", "portfolio",
        "started_on", "ended_on", "method", "approval_reference"), key=str)
    return organs, orgs, people, posts


def test_round_trip_of_the_whole_registry(organizer):
    city = OrganFactory(code="city", name_en="", sector="party")
    bureau = OrganFactory(code="bureau", parent=city, sector="government")
    committee = PartyOrganizationFactory(organ=bureau, name="机关党委", org_type="committee", term_years=5)
    general = PartyOrganizationFactory(organ=bureau, name="机关总支", org_type="general_branch", parent=committee,
                                       founded_on=None, term_started_on=None, member_count=0)
    branch = PartyOrganizationFactory(organ=bureau, name="第一支部", org_type="branch", parent=general)
    PartyOrganizationFactory(organ=city, name="临时支部", org_type="temporary_branch", parent=branch)
    alice = PersonFactory(organ=bureau, gender="female", id_number=make_id_number(gender="female"),
                          mobile="13912345678", education="master", party_joined_on=datetime.date(2001, 7, 1),
                          ethnicity="", position="", rank_level="")
    bob = PersonFactory(organ=city, birth_date=datetime.date(1980, 5, 17), ethnicity="满族")
    PostFactory(person=alice, party_organization=branch, role="secretary", started_on=datetime.date(2020, 1, 1),
                ended_on=datetime.date(2022, 12, 31), approval_reference="工委〔2020〕1号")
    PostFactory(person=bob, party_organization=branch, role="secretary", started_on=datetime.date(2023, 1, 1),
                method="appointed")
    PostFactory(person=alice, party_organization=committee, role="committee_member", portfolio="discipline",
                started_on=datetime.date(2021, 5, 1))
    before = _snapshot()
    files = {kind: registry_export(kind=kind, by=organizer, reveal=True)
             for kind in ("organs", "party-organizations", "people")}
    _wipe()
    for kind, content in files.items():
        result = run_import(kind=kind, file=content, by=organizer)
        assert result.ok, (kind, result.errors)
    assert _snapshot() == before


def test_masked_export_does_not_import(organizer, organ):
    PersonFactory(organ=organ)
    content = registry_export(kind="people", by=organizer)
    Person.unscoped.all().delete()
    result = run_import(kind="people", file=content, by=organizer)
    assert where(result) == [("人员", 2, "身份证号")]


# Small pieces ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2024-03-01", datetime.date(2024, 3, 1)),
    ("2024/3/1", datetime.date(2024, 3, 1)),
    ("2024.03.01", datetime.date(2024, 3, 1)),
    ("20240301", datetime.date(2024, 3, 1)),
    (20240301, datetime.date(2024, 3, 1)),
    ("2024年3月1日", datetime.date(2024, 3, 1)),
    ("2024-03-01 00:00:00", datetime.date(2024, 3, 1)),
    (datetime.datetime(2024, 3, 1, 0, 0), datetime.date(2024, 3, 1)),
    (45352, datetime.date(2024, 3, 1)),  # an Excel date serial in a number cell
    (None, None),
    ("  ", None),
])
def test_date_formats(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024-02-30", "3/1/2024", "soon", "2024-03"])
def test_bad_date_formats(value):
    with pytest.raises(CellError):
        parse_date(value)


def test_overlaps_and_cycles():
    d = datetime.date
    assert overlaps(d(2020, 1, 1), None, d(2030, 1, 1), None)
    assert overlaps(d(2020, 1, 1), d(2020, 12, 31), d(2020, 12, 31), None)
    assert not overlaps(d(2020, 1, 1), d(2020, 12, 30), d(2020, 12, 31), d(2021, 1, 1))
    assert cycle_members({"a": "b", "b": "a", "c": "a", "d": "d"}) == {"a", "b", "d"}


# Management commands: dangjian import / dangjian export --------------------------------------------

def _call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_import_prints_counts_and_audits_as_cli(organizer, organ, tmp_path, settings):
    settings.IMPORT_PROGRESS_EVERY = 2
    party_org = PartyOrganizationFactory(organ=organ)
    people = [person_row(organ) for _ in range(3)]
    path = tmp_path / "people.xlsx"
    path.write_bytes(people_book(people, [post_row(people[0]["身份证号"], party_org)]))
    out, _err = _call("import", "people", str(path))
    progress = [line for line in out.splitlines() if re.search(r"\b[24]\D+4\b", line)]
    assert len(progress) == 2  # after rows 2 and 4 of 4
    assert Person.unscoped.count() == 3
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.origin) == ("import", organizer, "cli")
    assert re.search(r"3\D+1", out.splitlines()[-1])  # 3 people, 1 post


def test_cli_import_errors_list_every_row_and_exit_non_zero(organizer, organ, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(people_book([person_row(organ), person_row(organ, 身份证号="1"),
                                  person_row(organ, 所在单位代码="nowhere")]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "people", str(path), stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("人员") and "3" in lines[0] and "身份证号" in lines[0]
    assert "4" in lines[1] and "所在单位代码" in lines[1]
    assert not Person.unscoped.exists() and not AuditEntry.objects.exists()


def test_cli_acts_as_the_named_user(unit_admin, organizer, tmp_path):
    path = tmp_path / "organs.xlsx"
    path.write_bytes(organs_book([{"单位代码": "x", "单位名称": "某单位", "单位类别": "政府部门"}]))
    with pytest.raises(CommandError):
        _call("import", "organs", str(path), "--as", unit_admin.username)
    with pytest.raises(CommandError):
        _call("import", "organs", str(path), "--as", "nobody")
    _call("import", "organs", str(path), "--as", organizer.username)
    assert Organ.unscoped.filter(code="x").exists()


def test_cli_needs_an_organizer_or_as(organ, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(people_book([person_row(organ)]))
    with pytest.raises(CommandError, match="--as"):
        _call("import", "people", str(path))
    with pytest.raises(CommandError):
        _call("import", "people", str(tmp_path / "missing.xlsx"))


def test_cli_export_round_trip(organizer, organ, tmp_path):
    person = PersonFactory(organ=organ, mobile="13812345678")
    masked, revealed = tmp_path / "masked.xlsx", tmp_path / "revealed.xlsx"
    out, _err = _call("export", "people", str(masked))
    assert str(masked) in out
    assert person.id_number not in str(sheet_rows(masked.read_bytes(), "人员"))
    _call("export", "people", str(revealed), "--reveal")
    assert sheet_rows(revealed.read_bytes(), "人员")[1][2] == person.id_number
    assert list(AuditEntry.objects.order_by("pk").values_list("changes__reveal", "origin")) == [
        (False, "cli"), (True, "cli")]
    Person.unscoped.all().delete()
    _call("import", "people", str(revealed))
    assert Person.unscoped.get().id_number == person.id_number


def test_cli_import_in_the_background_queues_a_job(organizer, organ, tmp_path):
    from dangjian.jobs.models import BackgroundJob

    path = tmp_path / "people.xlsx"
    path.write_bytes(people_book([person_row(organ)]))
    out, _err = _call("import", "people", str(path), "--background")
    job = BackgroundJob.unscoped.get()
    assert f"/jobs/{job.pk}/" in out
    # The tests run a job at once; a worker would run it later.
    assert (job.requested_by, job.filename, job.origin, job.status) == (organizer, "people.xlsx", "cli", "done")
    assert Person.unscoped.count() == 1 and AuditEntry.objects.get().origin == "cli"


# Large files: rows are checked and written a chunk at a time -------------------------------------------

def test_rows_are_checked_across_chunks_and_written_chunk_by_chunk(organizer, organ, party_org, monkeypatch):
    """With chunks of two rows, what later rows are checked against lives across chunks: a duplicate ID
    number, a post of a person from an earlier chunk, a second secretary at the same time."""
    from dangjian.organizations.spreadsheets import importing

    monkeypatch.setattr(importing, "CHUNK", 2)
    people = [person_row(organ) for _ in range(5)]
    posts = [post_row(people[0]["身份证号"], party_org, 职务="书记"),
             *(post_row(person["身份证号"], party_org) for person in people[1:])]
    result = import_people(organizer, people, posts)
    assert result.ok, result.errors
    assert result.counts == {"people": 5, "posts": 5}
    assert Post.unscoped.filter(role=Post.Role.SECRETARY).get().person.id_number == people[0]["身份证号"]

    again = [person_row(organ) for _ in range(3)]
    result = import_people(organizer, [*again, {**person_row(organ), "身份证号": again[0]["身份证号"]}], [
        post_row(again[0]["身份证号"], party_org, 职务="书记", 任职开始=datetime.date(2023, 6, 1)),
        post_row(again[1]["身份证号"], party_org), post_row(again[2]["身份证号"], party_org),
        post_row(again[2]["身份证号"], party_org),
    ])
    assert where(result) == [("人员", 5, "身份证号"), ("任职", 2, "任职开始"), ("任职", 5, "任职开始")]
    assert "row 2" in result.errors[0].message
    assert "already has a secretary" in result.errors[1].message
    assert "row 4" in result.errors[2].message
