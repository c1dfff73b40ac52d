from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dangjian.api.urls import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # The news portal: Wagtail's editor, its documents (notice attachments) and the public pages.
    # The prefix /cms/ is also settings.CMS_URL_PREFIX (its Content-Security-Policy).
    path("cms/", include(wagtailadmin_urls)),
    path("cms-documents/", include(wagtaildocs_urls)),
    path("portal/", include(wagtail_urls)),
    path("", include("dangjian.web.urls")),
]
