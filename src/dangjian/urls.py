from django.contrib import admin
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.documents import urls as wagtaildocs_urls

from dangjian.api.urls import api
from dangjian.portal import cache as portal_cache
from dangjian.portal.feeds import ChannelAtomFeed, ChannelRssFeed

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # The news portal: Wagtail's editor, its documents (notice attachments) and the public pages.
    # The prefix /cms/ is also settings.CMS_URL_PREFIX (its Content-Security-Policy).
    path("cms/", include(wagtailadmin_urls)),
    path("cms-documents/", include(wagtaildocs_urls)),
    path("portal/search/", include("dangjian.search.urls")),
    path("portal/feeds/<int:channel_id>/rss.xml", ChannelRssFeed(), name="portal-feed-rss"),
    path("portal/feeds/<int:channel_id>/atom.xml", ChannelAtomFeed(), name="portal-feed-atom"),
    path("sitemap.xml", wagtail_sitemap, name="sitemap"),
    # Wagtail's serve view behind the public pages' cache (dangjian.portal.cache).
    path("portal/", include(portal_cache.portal_urls())),
    path("", include("dangjian.web.urls")),
]
