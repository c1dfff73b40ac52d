"""The portal's editorial workflow: three-step review (三审 — 初审, 复审, 终审) on the portal home page.

No article or notice reaches the public site without passing it: no role group holds Wagtail's `publish`
page permission (permissions.PAGE_PERMISSIONS), so the only way to publish is to finish the workflow, whose
final approval publishes the revision (publish_workflow_state, set as WAGTAIL_FINISH_WORKFLOW_ACTION).
Superusers (system administrators) are the only exception, as everywhere in Wagtail.

The workflow is data, not code: ensure_review_workflow() creates it once (post_migrate, and after the demo
creates the home page) and never touches it again, so an organizer may change the groups of its tasks, rename
it or replace it in /cms/workflows/.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

REVIEW_WORKFLOW_NAME = _("Three-step review")  # 三审
# 初审, 复审, 终审: each a GroupApprovalTask, approved by the reviewer role group unless an organizer changes it.
REVIEW_TASK_NAMES = (_("First review"), _("Second review"), _("Final review"))
REVIEWER_GROUP = "reviewer"
# Groups whose direct publishing would bypass the review: the project's role groups and Wagtail's defaults.
GROUPS_WITHOUT_PUBLISH = ("organizer", "editor", "reviewer", "Moderators", "Editors")


def publish_workflow_state(workflow_state, user=None):
    """Publish the latest revision when the last task of a workflow is approved (WAGTAIL_FINISH_WORKFLOW_ACTION).

    Wagtail's own action publishes with the approving user's permissions, so a reviewer without `publish`
    (everyone here) would get PublishPagePermissionError at the final approval. Passing every task of the
    workflow is the authorization to publish, so the permission check is skipped; the log still names the user.
    A revision with a future go-live time is scheduled, and `publish_scheduled` makes it live on time.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)


def _translations(message) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(message))
    return names


def find_review_workflow():
    """The three-step review workflow as created by ensure_review_workflow (by its name in any language)."""
    from wagtail.models import Workflow

    return Workflow.objects.filter(name__in=_translations(REVIEW_WORKFLOW_NAME)).order_by("pk").first()


def _retire_default_workflows(home) -> None:
    """Wagtail's default "Moderators approval" workflow sits on the tree's root: deactivate the workflows
    assigned above the portal, and take `publish` away from the groups that could otherwise skip the review."""
    from wagtail.models import GroupPagePermission, Page, Workflow, WorkflowPage

    root_ids = Page.objects.filter(depth=1).values_list("pk", flat=True)
    for workflow in Workflow.objects.filter(active=True, workflow_pages__page_id__in=root_ids).distinct():
        workflow.deactivate()
    WorkflowPage.objects.filter(page_id__in=root_ids).delete()
    GroupPagePermission.objects.filter(group__name__in=GROUPS_WITHOUT_PUBLISH, permission__codename="publish_page",
                                       permission__content_type__app_label="wagtailcore").delete()


@transaction.atomic
def ensure_review_workflow():
    """Create the three-step review workflow when it is missing and assign it to the portal home page (so every
    channel and item below inherits it). Idempotent; returns the workflow (None when the home page already has
    another workflow, i.e. an organizer replaced it)."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from dangjian.portal.models import HomePage
    from dangjian.portal.permissions import grant_model_permissions

    home = HomePage.objects.order_by("pk").first()
    assigned = WorkflowPage.objects.filter(page=home).select_related("workflow").first() if home else None
    workflow = find_review_workflow()
    if workflow is None:
        if assigned is not None:
            return None  # the organizer's own workflow
        reviewers, _created = Group.objects.get_or_create(name=REVIEWER_GROUP)
        with translation.override(settings.LANGUAGE_CODE):
            workflow = Workflow.objects.create(name=str(REVIEW_WORKFLOW_NAME), active=True)
            for order, name in enumerate(REVIEW_TASK_NAMES):
                task = GroupApprovalTask.objects.create(name=str(name), active=True)
                task.groups.set([reviewers])
                WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
        _retire_default_workflows(home)
        grant_model_permissions()  # databases migrated before the organizers' workflow permissions existed
    if home is not None and assigned is None:
        WorkflowPage.objects.create(workflow=workflow, page=home)
    return workflow


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate handler (PortalConfig.ready): set the workflow up after `migrate` (and after `flush`), once
    every app's own handlers (permissions, content types) have run, i.e. on the signal of the last app."""
    from django.apps import apps
    from django.db import connections

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if using != "default" or sender is not with_models[-1]:
        return
    tables = set(connections[using].introspection.table_names())
    if not {"wagtailcore_workflow", "wagtailcore_groupapprovaltask", "portal_homepage"} <= tables:
        return  # migrated only part of the way
    ensure_review_workflow()
