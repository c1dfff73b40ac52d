"""The import page and the API with a file of many bad rows: a bounded report that says how many more there are."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.organizations.spreadsheets import XLSX_CONTENT_TYPE
from tests.organizations.test_spreadsheets import people_book, person_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_book(organ) -> bytes:
    return people_book([person_row(organ, 身份证号="1") for _ in range(30)])


@pytest.fixture(autouse=True)
def _few_reported(settings):
    settings.IMPORT_MAX_REPORTED_ERRORS = 10


def in_english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_page_lists_the_first_problems_and_counts_the_rest(client, organizer, bad_book):
    client.force_login(organizer)
    response = in_english(client).post(
        reverse("spreadsheet_import", args=["people"]),
        {"file": SimpleUploadedFile("人员.xlsx", bad_book, content_type=XLSX_CONTENT_TYPE)}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr><td>人员</td>") == 10
    assert "has 30 problems" in html
    assert "and 20 more problems, not listed here" in html


def test_page_in_chinese(client, organizer, bad_book):
    client.force_login(organizer)
    response = client.post(reverse("spreadsheet_import", args=["people"]),
                           {"file": SimpleUploadedFile("人员.xlsx", bad_book, content_type=XLSX_CONTENT_TYPE)},
                           headers={"HX-Request": "true"})
    assert "另有 20 处问题未列出" in response.content.decode()


def test_api_lists_the_first_problems_and_counts_the_rest(client, organizer, bad_book):
    client.force_login(organizer)
    response = in_english(client).post(
        "/api/v1/spreadsheets/people/import",
        {"file": SimpleUploadedFile("book.xlsx", bad_book, content_type=XLSX_CONTENT_TYPE)})
    assert response.status_code == 202
    job = client.get(response["Location"]).json()
    assert job["status"] == "failed"
    result = job["result"]
    assert [error["row"] for error in result["errors"]] == list(range(2, 12))
    assert (result["error_count"], result["omitted"]) == (30, 20)
