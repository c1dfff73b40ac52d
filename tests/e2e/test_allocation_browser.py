"""The organizer places a program's confirmed participants with the solver in the browser: from the program page to
the allocation page, runs the solver, watches a run's figures update while it solves (htmx polls; the page
reloads when it ends), reviews the proposal (who moves where, the groups' composition) and applies it.
Screenshots: tests/e2e/screenshots/allocation-*.png (Chinese), allocation-run-en.png (English)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.enrollment.models import AllocationRun, Nomination, Placement
from dangjian.enrollment.tasks import allocation_run_start
from dangjian.jobs.models import BackgroundJob
from tests.e2e.conftest import DESKTOP, BrowserSession, assert_accessible, log_in, make_user
from tests.factories import GroupFactory, OrganFactory, PersonFactory, PhaseFactory, ProgramFactory

pytestmark = pytest.mark.e2e

ORGANS = ["南阳市教育局", "南阳市财政局", "南阳市卫生健康委员会", "南阳市民政局", "南阳市司法局", "南阳市审计局"]
NAMES = ["潘志强", "林晓燕", "赵建国", "王芳", "刘洋", "陈静", "杨帆", "黄磊", "周敏", "吴刚", "徐丽", "孙涛",
         "马骏", "朱婷", "胡斌", "郭瑞", "何欣", "高峰"]


@pytest.fixture
def class_to_place(transactional_db):
    organizer = make_user("organizer", ["organizer"], full_name="李明")
    program = ProgramFactory(title="新任党组织书记培训班", status="enrollment_open", year=2027)
    first = datetime.date.today() + datetime.timedelta(days=60)
    for number in (1, 2):
        phase = PhaseFactory(program=program, number=number, starts_on=first + datetime.timedelta(days=14 * number),
                             ends_on=first + datetime.timedelta(days=14 * number + 4), capacity=10)
        for group in (1, 2, 3):
            GroupFactory(phase=phase, number=group, name=f"第{'一二三'[group - 1]}组")
    organs = [OrganFactory(name_zh=name) for name in ORGANS]
    for index, name in enumerate(NAMES):
        organ = organs[index % len(organs)]
        birth = datetime.date(1970 + index, 5, 1)
        person = PersonFactory(organ=organ, name=name, gender="female" if index % 3 == 1 else "male", birth_date=birth)
        Nomination.unscoped.create(program=program, person=person, organ=organ, status="confirmed")
    return {"program": program, "organizer": organizer}


def test_the_organizer_runs_watches_reviews_and_applies(session, browser, live_server, class_to_place):
    program, organizer = class_to_place["program"], class_to_place["organizer"]
    page = session.page
    log_in(page)
    page.goto(program.get_absolute_url())
    page.get_by_role("link", name="分期分组").click()
    expect(page.get_by_role("heading", name="当前各小组")).to_be_visible()
    session.screenshot("allocation-page")
    assert_accessible(session.page, "allocation-page")

    page.fill("#id_time_limit", "5")
    page.click("#allocation-run")  # tests run jobs at once: the run has ended when the page opens
    expect(page.get_by_text("最优", exact=False).first).to_be_visible()
    expect(page.locator("#allocation-apply")).to_be_visible()
    assert page.locator(".allocation-diff tbody tr").count() == len(NAMES)
    session.screenshot("allocation-proposal")
    assert_accessible(session.page, "allocation-proposal")
    english = BrowserSession(browser, live_server.url, DESKTOP)
    english.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in(english.page)
    english.page.goto(page.url)
    expect(english.page.get_by_role("button", name="Apply the proposal")).to_be_visible()
    english.screenshot("allocation-run-en")
    assert_accessible(english.page, "allocation-run-en")
    english.close()
    page.click("#allocation-apply")
    expect(page.get_by_text("方案已采用", exact=False)).to_be_visible()
    assert Placement.unscoped.count() == len(NAMES)
    session.screenshot("allocation-applied")
    assert_accessible(session.page, "allocation-applied")

    # By hand: lock one participant where the solver put them (a re-run keeps them there).
    page.locator(".allocation-people a", has_text="更改").first.click()
    page.check("#id_locked")
    session.screenshot("allocation-placement-form")
    assert_accessible(session.page, "allocation-placement-form")
    page.click("form.form button[type=submit]")
    expect(page.get_by_text("已为", exact=False).first).to_be_visible()
    assert Placement.unscoped.filter(locked=True).count() == 1

    # Drag and drop: a participant of phase 1 dragged onto another group of the phase moves there, locked.
    phase = program.phases.get(number=1)
    page.goto(f"/enrollment/programs/{program.pk}/allocation/phases/{phase.pk}/board/")
    chip = page.locator(".board-chip[data-nomination]").first
    nomination_id = int(chip.get_attribute("data-nomination"))
    placement = Placement.unscoped.get(nomination_id=nomination_id)
    target = phase.groups.exclude(pk=placement.group_id).order_by("number").first()
    session.screenshot("allocation-board")
    assert_accessible(session.page, "allocation-board")
    chip.drag_to(page.locator(f'.board-group[data-group="{target.pk}"]'))
    expect(page.locator(f'.board-group[data-group="{target.pk}"] .board-chip[data-nomination="{nomination_id}"]')
           ).to_be_visible()
    placement.refresh_from_db()
    assert (placement.group_id, placement.locked) == (target.pk, True)
    session.screenshot("allocation-board-moved")

    # A run that is still solving: its figures update by themselves, and the page reloads when it ends.
    finished = allocation_run_start(program=program, by=organizer, time_limit=5)
    AllocationRun.objects.filter(pk=finished.pk).update(state="solving", solver_status="", solutions=2, objective=14,
                                                        bound=9, gap=0.36)
    BackgroundJob.unscoped.filter(pk=finished.job_id).update(status="running", heartbeat_at=timezone.now())
    page.goto(f"/enrollment/allocation/{finished.pk}/")
    expect(page.locator("#run-solutions")).to_have_text("2")
    session.screenshot("allocation-solving")
    assert_accessible(session.page, "allocation-solving")
    AllocationRun.objects.filter(pk=finished.pk).update(solutions=5)
    expect(page.locator("#run-solutions")).to_have_text("5", timeout=5_000)
    AllocationRun.objects.filter(pk=finished.pk).update(state="proposed", solver_status="optimal", objective=9,
                                                        bound=9, gap=0.0)
    expect(page.get_by_text("无人变动", exact=False)).to_be_visible(timeout=5_000)  # reloaded: the same placement
    assert not session.console_errors
