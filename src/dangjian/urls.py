from django.contrib import admin
from django.urls import include, path

from dangjian.api.urls import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("dangjian.web.urls")),
]
