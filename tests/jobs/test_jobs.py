"""Background jobs (dangjian.jobs): who sees a job, and its life in the worker — queued, running, done or
failed, with its progress, its result, the requester's language and audit origin, and its upload deleted."""

import datetime
import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.audit import current_origin
from dangjian.core.scoping import ScopeError
from dangjian.jobs.models import BackgroundJob
from dangjian.jobs.selectors import recent_jobs
from dangjian.jobs.services import job_create, job_enqueue, job_run
from dangjian.organizations.models import Person
from dangjian.organizations.tasks import registry_import_start
from tests.conftest import ROLES
from tests.factories import UserFactory
from tests.organizations.test_spreadsheets import people_book, person_row

pytestmark = pytest.mark.django_db

KIND = BackgroundJob.Kind.REGISTRY_IMPORT


def a_job(user, **fields) -> BackgroundJob:
    return BackgroundJob.unscoped.create(kind=KIND, requested_by=user, params={"kind": "people"}, **fields)


# Who sees a job -----------------------------------------------------------------------------------

def test_a_job_is_seen_by_who_started_it_and_by_organizers(users_by_role):
    jobs = {role: a_job(users_by_role[role]) for role in ("organizer", "unit_admin")}
    for role in [*ROLES, "anonymous"]:
        user = users_by_role[role]
        visible = set(BackgroundJob.objects.visible_to(user))
        expected = {"organizer": set(jobs.values()), "unit_admin": {jobs["unit_admin"]}}.get(role, set())
        assert visible == expected, role
        for owner, job in jobs.items():
            allowed = role == "organizer" or role == owner
            assert bool(user and user.has_perm("jobs.view_job", job)) == allowed, (role, owner)


def test_jobs_are_read_through_a_scope():
    with pytest.raises(ScopeError):
        list(BackgroundJob.objects.all())


def test_recent_jobs_are_the_users_own_newest_first(organizer, unit_admin):
    mine = [a_job(organizer, filename=f"{n}.xlsx") for n in range(7)]
    a_job(unit_admin)
    assert recent_jobs(user=organizer, kind=KIND) == mine[::-1][:5]


# The life of a job ----------------------------------------------------------------------------------

def test_job_create_keeps_the_language_and_origin_and_stores_the_upload_under_a_name_of_its_own(organizer):
    token = current_origin.set("10.0.0.7")
    try:
        with translation.override("en"):
            job = job_create(kind=KIND, by=organizer, params={"kind": "people"},
                             upload=ContentFile(b"data", name="../../etc/人员.XLSX"), filename="../../etc/人员.XLSX")
    finally:
        current_origin.reset(token)
    assert (job.status, job.language, job.origin, job.filename) == ("queued", "en", "10.0.0.7", "../../etc/人员.XLSX")
    assert job.upload.name.startswith(job.created_at.strftime("%Y/%m/")) and job.upload.name.endswith(".xlsx")
    assert ".." not in job.upload.name and "人员" not in job.upload.name
    assert job.upload.read() == b"data"


def test_job_run_records_progress_stage_and_result_and_deletes_the_upload(organizer):
    job = job_create(kind=KIND, by=organizer, params={}, upload=ContentFile(b"x", name="a.xlsx"))
    path = job.upload.path
    seen = {}

    def work(run):
        run.progress(5, 10)
        run.stage(BackgroundJob.Stage.WRITING)
        running = BackgroundJob.unscoped.get(pk=job.pk)
        seen.update(status=running.status, started=running.started_at, done=running.progress_done,
                    percent=running.percent, stage=running.stage, language=translation.get_language(),
                    origin=current_origin.get())
        return True, {"counts": {"people": 1}}

    job.language, job.origin = "en", "10.0.0.7"
    job.save()
    job_run(job.pk, work)
    assert seen == {"status": "running", "started": seen["started"], "done": 5, "percent": 50, "stage": "writing",
                    "language": "en", "origin": "10.0.0.7"}
    assert seen["started"] is not None
    job.refresh_from_db()
    assert (job.status, job.result, job.finished) == ("done", {"counts": {"people": 1}}, True)
    assert job.finished_at >= job.started_at
    assert not job.upload
    import os

    assert not os.path.exists(path)


def test_work_that_says_it_failed_ends_the_job_failed(organizer):
    job = a_job(organizer)
    job_run(job.pk, lambda run: (False, {"errors": ["x"]}))
    job.refresh_from_db()
    assert (job.status, job.result) == ("failed", {"errors": ["x"]})


def test_an_unexpected_error_fails_the_job_with_a_message_and_logs_it(organizer, caplog):
    job = a_job(organizer, language="en")

    def work(run):
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="dangjian.jobs.services"):
        job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == "failed" and "unexpected error" in job.result["error"]
    assert "disk on fire" in caplog.text and "disk on fire" not in job.result["error"]


def test_a_stopped_worker_fails_the_job_and_stops(organizer):
    job = a_job(organizer)

    def work(run):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        job_run(job.pk, work)
    job.refresh_from_db()
    assert job.status == "failed" and job.result["error"]


def test_a_job_runs_once(organizer):
    job = a_job(organizer, status=BackgroundJob.Status.DONE, result={"counts": {}})
    calls = []
    job_run(job.pk, lambda run: calls.append(run) or (True, {}))
    job.refresh_from_db()
    assert calls == [] and job.result == {"counts": {}}


def test_an_import_job_whose_requester_lost_the_right_reports_it(organizer, organ):
    job = job_create(kind=KIND, by=organizer, params={"kind": "people"},
                     upload=ContentFile(people_book([person_row(organ)]), name="人员.xlsx"))
    organizer.groups.clear()
    organizer.__dict__.pop("roles", None)
    from dangjian.organizations.tasks import registry_import_task

    job_enqueue(job, registry_import_task)
    job.refresh_from_db()
    assert job.status == "failed" and job.result["errors"][0]["row"] is None
    assert not Person.unscoped.exists()


# With the database backend and its worker, as in production ----------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_the_job_and_the_worker_runs_it(settings, organ):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    organizer = UserFactory(roles=["organizer"])
    job = registry_import_start(kind="people", by=organizer, filename="人员.xlsx",
                                file=ContentFile(people_book([person_row(organ)]), name="人员.xlsx"))
    job.refresh_from_db()
    assert job.status == "queued" and job.task_id and job.upload  # waiting for a worker
    assert not Person.unscoped.exists()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and job.result["counts"] == {"people": 1, "posts": 0}
    assert Person.unscoped.count() == 1 and not job.upload


def test_a_running_job_whose_worker_died_ends_failed_when_read_and_by_the_command(organizer, settings, client):
    now = timezone.now()
    silent = now - settings.JOB_ABANDONED_AFTER - datetime.timedelta(seconds=1)
    abandoned = a_job(organizer, status=BackgroundJob.Status.RUNNING, heartbeat_at=silent)
    abandoned.upload.save("people.xlsx", ContentFile(b"x"), save=True)
    upload = abandoned.upload.name
    alive = a_job(organizer, status=BackgroundJob.Status.RUNNING, heartbeat_at=now - datetime.timedelta(minutes=1))
    other = a_job(organizer, status=BackgroundJob.Status.RUNNING, heartbeat_at=silent)
    client.force_login(organizer)
    page = client.get(reverse("job_status", args=[abandoned.pk])).content.decode()
    assert "未完成即已停止" in page  # the page speaks Chinese
    abandoned.refresh_from_db()
    assert abandoned.status == BackgroundJob.Status.FAILED and abandoned.finished_at is not None
    assert not abandoned.upload and not BackgroundJob.upload.field.storage.exists(upload)
    assert client.get(f"/api/v1/jobs/{alive.pk}").json()["status"] == "running"  # still reporting: left alone
    other.refresh_from_db()
    assert other.status == BackgroundJob.Status.RUNNING  # reading one job ends that one only
    out = io.StringIO()
    call_command("fail_abandoned_jobs", stdout=out)
    assert out.getvalue().startswith("1 ")
    other.refresh_from_db()
    alive.refresh_from_db()
    assert (other.status, alive.status) == (BackgroundJob.Status.FAILED, BackgroundJob.Status.RUNNING)


def test_progress_and_stage_are_signs_of_life(organizer):
    job = a_job(organizer)

    def work(run):
        before = BackgroundJob.unscoped.get(pk=job.pk).heartbeat_at
        assert before is not None  # set when the job starts
        run.progress(1, 10)
        assert BackgroundJob.unscoped.get(pk=job.pk).heartbeat_at >= before
        return True, {}

    job_run(job.pk, work)
    assert BackgroundJob.unscoped.get(pk=job.pk).status == BackgroundJob.Status.DONE
