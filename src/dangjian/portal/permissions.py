"""What the role groups may do in the Wagtail editor. Used by the data migration (historical models) and by
the demo (after a flush the migration's rows are gone), so it takes an app registry."""

from django.apps import apps as global_apps

ADMIN_ROLES = ("organizer", "editor", "reviewer")

# Page permissions on the portal's home page (and so on every channel below it). Editors write and submit
# for review; reviewers and organizers may also publish. The three-step review workflow (初审, 复审, 终审)
# is assigned on top of this.
PAGE_PERMISSIONS = {
    "editor": ("add_page", "change_page"),
    "reviewer": ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
    "organizer": ("add_page", "change_page", "publish_page", "lock_page", "unlock_page", "bulk_delete_page"),
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


def grant_portal_permissions(*, home_page_id: int | None, apps=global_apps) -> None:
    """Give the organizer, editor and reviewer groups access to the Wagtail admin and their page, image
    and document permissions. Idempotent."""
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin")
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
