"""RSS 2.0 and Atom feeds per channel: /portal/feeds/<channel id>/rss.xml and atom.xml.

A channel's feed holds the newest items of the channel and of its sub-channels (as its list page does),
by publish time. Links are absolute, on the host the reader asked.
"""

from html import unescape

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from dangjian.portal.models import ArticlePage, ChannelPage, PortalItemPage

FEED_ITEMS = 20
DESCRIPTION_LENGTH = 120  # characters


class ChannelRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, channel_id):
        self.request = request
        channel = ChannelPage.objects.live().public().filter(pk=channel_id).first()
        if channel is None:
            raise Http404(_("No such channel."))
        return channel

    def title(self, channel):
        return f"{channel.display_title} · {_(settings.WAGTAIL_SITE_NAME)}"

    def link(self, channel):
        return channel.get_url(request=self.request)

    def description(self, channel):
        default = _("The newest articles and notices of %(channel)s.") % {"channel": channel.display_title}
        return channel.intro or default

    def feed_url(self, channel):
        return self.request.path

    def items(self, channel):
        # .specific(): one query per page type (articles, notices), not one per item.
        return list(PortalItemPage.objects.live().public().descendant_of(channel)
                    .order_by("-published_at", "-id").specific()[:FEED_ITEMS])

    def item_title(self, item):
        return getattr(item, "display_title", item.title)

    def item_link(self, item):
        return item.get_url(request=self.request)

    def item_guid(self, item):
        return self.request.build_absolute_uri(item.get_url(request=self.request))

    item_guid_is_permalink = True

    def item_description(self, item):
        if isinstance(item, ArticlePage):
            if item.summary:
                return item.summary
            html = " ".join(block.value.source for block in item.body if block.block_type == "paragraph")
        else:
            html = item.body
        return Truncator(" ".join(unescape(strip_tags(html)).split())).chars(DESCRIPTION_LENGTH)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.published_at

    def item_author_name(self, item):
        return getattr(item, "author", "") or item.source or None

    def item_categories(self, item):
        return [str(item.get_verbose_name())]


class ChannelAtomFeed(ChannelRssFeed):
    feed_type = Atom1Feed
    subtitle = ChannelRssFeed.description
