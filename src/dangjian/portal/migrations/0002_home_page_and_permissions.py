"""The portal's home page replaces Wagtail's welcome page and becomes the default site's root; the role
groups organizer, editor and reviewer get access to the Wagtail admin and page permissions on it."""

from django.db import migrations

from dangjian.portal.permissions import grant_portal_permissions

HOME_TITLE = "南阳市直机关党建网"


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("portal", "HomePage")

    home = HomePage.objects.first()
    root = Page.objects.filter(depth=1).first()
    if home is None and root is not None:
        # Wagtail's welcome page ("Welcome to your new Wagtail site!") is a plain Page at depth 2.
        page_type = ContentType.objects.get_for_model(Page)
        Page.objects.filter(content_type=page_type, depth=2, slug="home").delete()
        siblings = list(Page.objects.filter(depth=2).order_by("path").values_list("path", flat=True))
        step = int(siblings[-1][-4:], 36) + 1 if siblings else 1
        suffix = ""
        while step:
            step, digit = divmod(step, 36)
            suffix = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + suffix
        home = HomePage.objects.create(
            title=HOME_TITLE, draft_title=HOME_TITLE, slug="portal-home", path=root.path + suffix.rjust(4, "0"),
            depth=2, numchild=0, url_path="/portal-home/", live=True,
            content_type=ContentType.objects.get_for_model(HomePage), locale=Locale.objects.order_by("pk").first(),
        )
        Page.objects.filter(pk=root.pk).update(numchild=len(siblings) + 1)
        Site.objects.filter(is_default_site=True).delete()
        Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True,
                            site_name=HOME_TITLE)
    grant_portal_permissions(home_page_id=home.pk if home else None, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]
    operations = [migrations.RunPython(create_home_page, migrations.RunPython.noop)]
