"""What the role groups may do in the Wagtail editor. Used by the data migration (historical models) and by
the demo (after a flush the migration's rows are gone), so it takes an app registry."""

from django.apps import apps as global_apps

ADMIN_ROLES = ("organizer", "editor", "reviewer")

# Page permissions on the portal's home page (and so on every channel below it). Nobody holds `publish_page`:
# editors write and submit to the three-step review workflow (初审, 复审, 终审, workflow.py), reviewers approve
# in it, and its final approval publishes. An editor limited to some channels gets these permissions on those
# channels instead of the home page (grant_channel_editor).
PAGE_PERMISSIONS = {
    "editor": ("add_page", "change_page"),
    "reviewer": ("add_page", "change_page", "lock_page", "unlock_page"),
    "organizer": ("add_page", "change_page", "lock_page", "unlock_page", "bulk_delete_page"),
}
CHANNEL_EDITOR_PERMISSIONS = ("add_page", "change_page")
# Model permissions (not tied to a page): organizers configure the workflow's tasks and their groups in
# /cms/workflows/ and set up channel-limited editor groups in /cms/groups/.
MODEL_PERMISSIONS = {
    "organizer": [
        ("wagtailcore", "workflow", ("add_workflow", "change_workflow")),
        ("wagtailcore", "task", ("add_task", "change_task")),
        ("auth", "group", ("add_group", "change_group", "view_group")),
    ],
}
# Images (covers, photos in articles) and documents (notice attachments) in the root collection.
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ("add_image", "change_image", "choose_image")),
    ("wagtaildocs", "document", ("add_document", "change_document", "choose_document")),
]


def _permission(apps, app_label: str, model: str, codename: str):
    content_type, _created = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model)
    permission, _created = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ")})
    return permission


def grant_model_permissions(*, apps=global_apps) -> None:
    """MODEL_PERMISSIONS to their role groups. Idempotent."""
    Group = apps.get_model("auth", "Group")
    for role, entries in MODEL_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        for app_label, model, codenames in entries:
            group.permissions.add(*(_permission(apps, app_label, model, codename) for codename in codenames))


def grant_portal_permissions(*, home_page_id: int | None, apps=global_apps) -> None:
    """Give the organizer, editor and reviewer groups access to the Wagtail admin and their page, image
    and document permissions. Idempotent."""
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin")
    grant_model_permissions(apps=apps)
    root_collection = Collection.objects.filter(depth=1).first()
    for role in ADMIN_ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(access_admin)
        if home_page_id is not None:
            for codename in PAGE_PERMISSIONS[role]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=home_page_id,
                    permission=_permission(apps, "wagtailcore", "page", codename))
        if root_collection is not None:
            for app_label, model, codenames in COLLECTION_PERMISSIONS:
                for codename in codenames:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection,
                        permission=_permission(apps, app_label, model, codename))
    if apps is global_apps and home_page_id is not None:
        # Not in the data migration (historical models): there post_migrate sets the workflow up afterwards.
        from dangjian.portal.workflow import ensure_review_workflow

        ensure_review_workflow()


def grant_channel_editor(group, channel) -> None:
    """Let `group` write and submit pages in `channel` and its sub-channels only (a GroupPagePermission on the
    channel). Its members must not also be in the `editor` role group, which may edit the whole portal."""
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    for permission in Permission.objects.filter(content_type__app_label="wagtailcore",
                                                codename__in=CHANNEL_EDITOR_PERMISSIONS):
        GroupPagePermission.objects.get_or_create(group=group, page=channel, permission=permission)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    collection = Collection.objects.filter(depth=1).first()
    if collection is not None:  # covers and photos, notice attachments
        for app_label, _model, codenames in COLLECTION_PERMISSIONS:
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames):
                GroupCollectionPermission.objects.get_or_create(group=group, collection=collection,
                                                                permission=permission)


def revoke_channel_editor(group, channel) -> None:
    """Undo grant_channel_editor for one channel."""
    from wagtail.models import GroupPagePermission

    GroupPagePermission.objects.filter(group=group, page=channel,
                                       permission__codename__in=CHANNEL_EDITOR_PERMISSIONS).delete()
