"""The page of a background job: while it runs, a fragment that htmx polls every second (no inline script),
with its progress; when it has ended, the import's report or the failure's message."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.jobs.models import BackgroundJob

pytestmark = pytest.mark.django_db


def a_job(user, **fields) -> BackgroundJob:
    return BackgroundJob.unscoped.create(kind=BackgroundJob.Kind.REGISTRY_IMPORT, params={"kind": "people"},
                                         requested_by=user, filename="人员.xlsx", **fields)


def test_a_running_job_polls_its_fragment_and_shows_the_progress(client, organizer):
    job = a_job(organizer, status="running", stage="checking", progress_done=2500, progress_total=10000,
                started_at=timezone.now())
    client.force_login(organizer)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    status_url = reverse("job_status", args=[job.pk])
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="load delay:1s"' in html
    assert '<progress class="job-progress" max="100" value="25">' in html
    assert "2500" in html and "10000" in html and "检查每一行" in html
    assert "<script>" not in html and "<style" not in html
    fragment = client.get(status_url)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert f'hx-get="{status_url}"' in fragment.content.decode()
    assert "no-store" in fragment["Cache-Control"]


def test_a_queued_job_shows_an_indeterminate_progress_bar(client, organizer):
    job = a_job(organizer)
    client.force_login(organizer)
    html = client.get(reverse("job_status", args=[job.pk])).content.decode()
    assert '<progress class="job-progress"></progress>' in html and "hx-get" in html


def test_a_finished_job_shows_the_report_and_stops_polling(client, organizer):
    job = a_job(organizer, status="done", finished_at=timezone.now(),
                result={"kind": "people", "counts": {"people": 3, "posts": 1}, "errors": [], "error_count": 0,
                        "omitted": 0})
    client.force_login(organizer)
    html = client.get(reverse("job_status", args=[job.pk])).content.decode()
    assert "hx-get" not in html
    assert "人员.xlsx" in html and "<strong>3</strong>" in html


def test_a_job_stopped_by_an_unexpected_error_says_so(client, organizer):
    job = a_job(organizer, status="failed", result={"error": "出了意外。"})
    client.force_login(organizer)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "出了意外。" in html and "hx-get" not in html


def test_the_job_page_in_english(client, organizer, settings):
    job = a_job(organizer, status="running", stage="writing")
    client.force_login(organizer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Import: People" in html and "Saving the records" in html and "Running" in html
