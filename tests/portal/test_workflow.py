"""The three-step review (三审): created by post_migrate on the home page; nobody publishes directly; the final
approval publishes (also on a schedule); revisions compare; editors limited to their channels."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowState

from dangjian.portal.models import ArticlePage, ChannelPage
from dangjian.portal.permissions import grant_channel_editor
from dangjian.portal.workflow import REVIEW_TASK_NAMES, ensure_review_workflow, find_review_workflow
from tests.factories import UserFactory
from tests.portal.conftest import make_article, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="wf-editor", roles=["editor"])


@pytest.fixture
def reviewer():
    return UserFactory(username="wf-reviewer", roles=["reviewer"])


def draft_article(channel, *, user, title="待审文章", **fields):
    """An article written by `user` and saved as a draft revision, as the editor's "Save draft" does."""
    page = ArticlePage(title=title, slug=f"draft-{ArticlePage.objects.count() + 1}", live=False,
                       published_at=timezone.now(),
                       body=json.dumps([{"type": "paragraph", "value": "<p>待审正文</p>"}]), **fields)
    channel.add_child(instance=page)
    page.save_revision(user=user)
    return page


def submit(page, *, user):
    """What "Submit to Three-step review" does in the editor."""
    return page.get_workflow().start(page, user)


def approve(client, page, user):
    """The current task's "Approve" button of Wagtail's workflow UI, pressed by `user`."""
    state = WorkflowState.objects.get(base_content_type=page.get_base_content_type(), object_id=str(page.pk),
                                      status=WorkflowState.STATUS_IN_PROGRESS)
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state_id])
    response = client.post(url)
    assert response.status_code in (200, 302), response.content[:500]
    page.refresh_from_db()
    return page


def test_the_workflow_is_on_the_home_page_with_three_reviewer_tasks(home):
    workflow = find_review_workflow()
    assert workflow is not None and workflow.active
    assert WorkflowPage.objects.get(page=home).workflow == workflow
    tasks = [task.specific for task in workflow.tasks]
    assert len(tasks) == len(REVIEW_TASK_NAMES) == 3
    reviewers = Group.objects.get(name="reviewer")
    assert all(list(task.groups.all()) == [reviewers] for task in tasks)
    channel = make_channel(home, "通知公告")
    assert channel.get_workflow() == workflow  # every channel and item inherits it


def test_wagtails_default_workflow_and_direct_publishing_are_gone():
    assert not Workflow.objects.filter(active=True).exclude(pk=find_review_workflow().pk).exists()
    assert not GroupPagePermission.objects.filter(permission__codename="publish_page").exists()


def test_ensure_is_idempotent_and_keeps_an_organizers_changes(home):
    workflow = find_review_workflow()
    final = workflow.tasks.last().specific
    committee = Group.objects.create(name="终审小组")
    final.groups.set([committee])
    assert ensure_review_workflow() == workflow
    assert Workflow.objects.count() == 2  # ours and Wagtail's (inactive) default
    assert list(GroupApprovalTask.objects.get(pk=final.pk).groups.all()) == [committee]

    other = Workflow.objects.create(name="两审")
    WorkflowPage.objects.filter(page=home).update(workflow=other)
    workflow.name = "renamed"
    workflow.save()
    assert ensure_review_workflow() is None  # the organizer's own workflow stays
    assert WorkflowPage.objects.get(page=home).workflow == other


@pytest.mark.parametrize(("role", "allowed"), [("organizer", True), ("editor", False), ("reviewer", False)])
def test_only_organizers_configure_the_workflow(client, role, allowed):
    user = UserFactory(roles=[role])
    for codename in ("add_workflow", "change_workflow", "add_task", "change_task"):
        assert user.has_perm(f"wagtailcore.{codename}") is allowed
    client.force_login(user)
    workflow = find_review_workflow()
    response = client.get(reverse("wagtailadmin_workflows:edit", args=[workflow.pk]))
    assert (response.status_code == 200) is allowed
    response = client.get(reverse("wagtailadmin_workflows:edit_task", args=[workflow.tasks.first().pk]))
    assert (response.status_code == 200) is allowed


def test_an_article_is_live_only_after_the_third_approval(client, channel, editor, reviewer):
    page = draft_article(channel, user=editor)
    submit(page, user=editor)
    assert not page.live
    approve(client, page, reviewer)
    assert not page.live  # 初审
    approve(client, page, reviewer)
    assert not page.live  # 复审
    approve(client, page, reviewer)
    assert page.live  # 终审 publishes
    assert page.live_revision == page.latest_revision
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_APPROVED
    response = client.get(page.url)
    assert response.status_code == 200 and "待审正文" in response.content.decode()


def test_an_approver_outside_the_task_groups_cannot_approve(client, channel, editor, reviewer):
    page = draft_article(channel, user=editor)
    state = submit(page, user=editor)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state_id])
    client.post(url)
    state.refresh_from_db()
    assert state.current_task_state.task.specific.name == str(REVIEW_TASK_NAMES[0])
    page.refresh_from_db()
    assert not page.live


@pytest.mark.parametrize("role", ["editor", "reviewer", "organizer"])
def test_nobody_publishes_directly(client, channel, role):
    user = UserFactory(roles=[role])
    page = draft_article(channel, user=user, title="直接发布")
    assert not page.permissions_for_user(user).can_publish()
    with pytest.raises(PublishPagePermissionError):
        page.save_revision(user=user).publish(user=user)

    # The editor's "Publish" button: without the permission, Wagtail saves a draft and publishes nothing.
    subchannel = make_channel(channel, "待发布栏目")
    subchannel.save_revision(user=user)
    client.force_login(user)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[subchannel.pk]),
                           {"title": "改名后直接发布", "slug": subchannel.slug, "intro": "",
                            "action-publish": "action-publish", "comments-TOTAL_FORMS": "0",
                            "comments-INITIAL_FORMS": "0", "comments-MIN_NUM_FORMS": "0",
                            "comments-MAX_NUM_FORMS": "1000"})
    assert response.status_code in (200, 302)
    subchannel.refresh_from_db()
    assert subchannel.title == "待发布栏目"  # the live title did not change
    page.refresh_from_db()
    assert not page.live


def test_revisions_can_be_compared_by_a_reviewer(client, channel, editor, reviewer):
    page = draft_article(channel, user=editor)
    first = page.latest_revision
    page.title = "待审文章（修改）"
    second = page.save_revision(user=editor)
    client.force_login(reviewer)
    response = client.get(reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first.pk, second.pk]))
    assert response.status_code == 200
    assert "修改" in response.content.decode()
    response = client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert response.status_code == 200


def test_a_scheduled_article_goes_live_when_publish_scheduled_runs(client, channel, editor, reviewer):
    start = timezone.now().replace(microsecond=0)
    go_live = start + datetime.timedelta(hours=2)
    page = draft_article(channel, user=editor, go_live_at=go_live)
    submit(page, user=editor)
    for _step in REVIEW_TASK_NAMES:
        approve(client, page, reviewer)
    assert not page.live
    assert page.latest_revision.approved_go_live_at == go_live
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not yet
    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live


def test_an_editor_limited_to_channel_a_cannot_edit_channel_b(client, home):
    channel_a = make_channel(home, "市县动态")
    channel_b = make_channel(home, "通知公告")
    in_a = make_article(channel_a, "甲栏目文章")
    in_b = make_article(channel_b, "乙栏目文章")
    group = Group.objects.create(name="市县动态编辑")
    grant_channel_editor(group, channel_a)
    user = UserFactory()
    user.groups.add(group)
    client.force_login(user)

    assert client.get(reverse("wagtailadmin_pages:edit", args=[in_a.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:add", args=["portal", "articlepage", channel_a.pk])
                      ).status_code == 200
    response = client.get(reverse("wagtailadmin_pages:edit", args=[in_b.pk]))
    assert response.status_code in (302, 403)
    response = client.get(reverse("wagtailadmin_pages:add", args=["portal", "articlepage", channel_b.pk]))
    assert response.status_code in (302, 403)
    assert in_a.permissions_for_user(user).can_edit()
    assert not in_b.permissions_for_user(user).can_edit()
    assert not in_a.permissions_for_user(user).can_publish()
    assert ChannelPage.objects.get(pk=channel_a.pk).get_workflow() == find_review_workflow()
