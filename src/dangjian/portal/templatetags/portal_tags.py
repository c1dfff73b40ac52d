from urllib.parse import urlencode

from django import template
from wagtail.models import Site

from dangjian.portal.models import ChannelPage

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_nav(context):
    """The site's home page and its top-level channels (those shown in menus), once per request."""
    request = context.get("request")
    cached = getattr(request, "_portal_nav", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request) if request is not None else None
    home = site.root_page if site else None
    channels = list(ChannelPage.objects.child_of(home).live().public().in_menu()) if home else []
    nav = {"home": home, "channels": channels}
    if request is not None:
        request._portal_nav = nav
    return nav


@register.simple_tag
def breadcrumb_pages(page):
    """The page's ancestors below the home page (the channels), top down."""
    return list(page.get_ancestors().filter(depth__gt=2).live().specific())


@register.simple_tag(takes_context=True)
def share_links(context, page):
    """Share-to links built on the server (no third-party script): Weibo, QQ, and the address to copy."""
    request = context.get("request")
    # The address the reader is on (its host), not the Site record's hostname.
    url = request.build_absolute_uri(page.get_url(request)) if request is not None else page.get_full_url()
    title = page.title
    return {
        "url": url,
        "weibo": "https://service.weibo.com/share/share.php?" + urlencode({"url": url, "title": title}),
        "qq": "https://connect.qq.com/widget/shareqq/index.html?" + urlencode({"url": url, "title": title}),
    }
