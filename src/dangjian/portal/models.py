"""The news portal's page types (Wagtail). The page tree is the channel tree:

    HomePage (the network's front page)
      └ ChannelPage (党建动态 › 党建资讯 › 市县动态, 通知公告, … channels nest)
          └ ArticlePage (news report) · NoticePage (notice with attachments)

Articles and notices share PortalItemPage (concrete, not creatable): its publish time orders every channel
list in one query across both types.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Orderable, Page
from wagtail.search import index

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九: the numbering of an article's sections (一、二、…)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CHINESE_DIGITS[ones]
    return ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")


ENGLISH_NUMERALS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                    "twenty")


def english_numeral(number: int) -> str:
    """1 → one, … 20 → twenty, then digits: the numbering of an English body's sections."""
    return ENGLISH_NUMERALS[number - 1] if 0 < number <= len(ENGLISH_NUMERALS) else str(number)


def _english_active() -> bool:
    return (translation.get_language() or "").startswith("en")


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "portal/blocks/image_with_caption.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quotation"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=100)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "portal/blocks/quote.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"])
    # Numbered automatically in order of appearance: 一、二、… (ArticlePage.numbered_body).
    section = blocks.CharBlock(label=_("Numbered section heading"), max_length=120, icon="title", required=False,
                               help_text=_("The number (一、二、…) is added automatically."))
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()


class HomePage(Page):  # 网站首页
    intro = models.CharField(_("introduction"), max_length=250, blank=True)
    featured_article = models.ForeignKey(
        "portal.ArticlePage", verbose_name=_("highlighted story"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Shown at the top of the front page; without it, the newest article."))

    content_panels = [*Page.content_panels, FieldPanel("intro"), PageChooserPanel("featured_article")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.ChannelPage"]
    max_count = 1
    template = "portal/home_page.html"

    class Meta:
        verbose_name = _("portal home page")
        verbose_name_plural = _("portal home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = PortalItemPage.objects.live().public().descendant_of(self)
        latest = items.order_by("-published_at", "-id")
        featured = self.featured_article if self.featured_article_id else None
        if featured is None or not featured.live:
            featured = ArticlePage.objects.live().public().descendant_of(self).order_by("-published_at", "-id").first()
        channels = list(ChannelPage.objects.child_of(self).live().public().in_menu())
        # One query per channel block (a handful of channels), never per item.
        blocks_ = [(channel, list(latest.descendant_of(channel)[: settings.PORTAL_HOME_ITEMS])) for channel in channels]
        notices = list(NoticePage.objects.live().public().descendant_of(self)
                       .order_by("-published_at", "-id")[: settings.PORTAL_HOME_ITEMS])
        # The channel of notices (通知公告) would repeat the notices block item for item: it is that block
        # (its "More" link), not a second one.
        notice_pks = [notice.pk for notice in notices]
        notices_channel = next((channel for channel, entries in blocks_
                                if notice_pks and [entry.pk for entry in entries] == notice_pks), None)
        context.update(
            featured=featured,
            channel_blocks=[(channel, entries) for channel, entries in blocks_
                            if entries and channel != notices_channel],
            notices=notices,
            notices_channel=notices_channel,
            latest=list(latest[: settings.PORTAL_HOME_ITEMS]),
        )
        return context


class ChannelPage(Page):  # 栏目
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("intro")]
    parent_page_types = ["portal.HomePage", "portal.ChannelPage"]
    subpage_types = ["portal.ChannelPage", "portal.ArticlePage", "portal.NoticePage"]
    template = "portal/channel_page.html"

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    @property
    def display_title(self) -> str:
        """The channel's name in the interface language (the English name when English is active)."""
        return self.title_en if self.title_en and _english_active() else self.title

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The items of this channel and of its sub-channels, newest first by publish time.
        items = PortalItemPage.objects.live().public().descendant_of(self).order_by("-published_at", "-id")
        paginator = Paginator(items, settings.PORTAL_PAGE_SIZE)
        context.update(
            page_obj=paginator.get_page(request.GET.get("page")),
            subchannels=list(ChannelPage.objects.child_of(self).live().public()),
            crumb_current=True,  # the channel's own name ends its breadcrumbs
        )
        return context


class PortalItemPage(Page):
    """What articles and notices have in common; channel lists are queries on this table."""

    published_at = models.DateTimeField(_("publish time"), default=timezone.now, db_index=True,
                                        help_text=_("Shown on the page and orders the channel lists."))
    source = models.CharField(_("source"), max_length=100, blank=True,
                              help_text=_("The organization the text comes from, e.g. 中共南阳市委市直机关工委."))
    # The English text, shown when the interface language is English (the portal's content language is Chinese;
    # pages are not Wagtail translation objects, see settings: no WAGTAIL_I18N).
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    source_en = models.CharField(_("source (English)"), max_length=200, blank=True)

    is_creatable = False
    parent_page_types = ["portal.ChannelPage"]
    subpage_types = []

    search_fields = [*Page.search_fields, index.SearchField("source")]

    class Meta:
        verbose_name = _("portal item")
        verbose_name_plural = _("portal items")

    @property
    def display_title(self) -> str:
        """The title in the interface language: the English title when English is active and there is one."""
        return self.title_en if self.title_en and _english_active() else self.title

    @property
    def display_source(self) -> str:
        return self.source_en if self.source_en and _english_active() else self.source


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey("portal.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(PortalItemPage):  # 文章
    author = models.CharField(_("author"), max_length=60, blank=True)
    cover_image = models.ForeignKey("wagtailimages.Image", verbose_name=_("cover image"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(_("summary"), max_length=300, blank=True,
                               help_text=_("For lists and the front page; without it, lists show the title only."))
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(ArticleBodyBlock(), verbose_name=_("body (English)"), blank=True,
                          help_text=_("Shown when the interface language is English; without it, the Chinese body."))
    tags = ClusterTaggableManager(through=ArticlePageTag, verbose_name=_("tags"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("published_at"), FieldPanel("source"), FieldPanel("author")],
                        heading=_("Time, source and author")),
        FieldPanel("cover_image"),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("related_links", label=_("Related links")),
        FieldPanel("tags"),
        MultiFieldPanel([FieldPanel("title_en"), FieldPanel("source_en"), FieldPanel("body_en")],
                        heading=_("English text"), classname="collapsed"),
    ]
    search_fields = [*PortalItemPage.search_fields, index.SearchField("body"), index.SearchField("author"),
                     index.SearchField("title_en"), index.SearchField("body_en")]
    parent_page_types = ["portal.ChannelPage"]
    subpage_types = []
    template = "portal/article_page.html"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def numbered_body(self) -> list[tuple[object, str]]:
        """The body's blocks, each with its section number (一, 二, …) when it is a section heading, else "".
        In English (when there is an English body): that body, numbered one, two, … as the seed's English text."""
        english = bool(self.body_en) and _english_active()
        numbered, count = [], 0
        for block in self.body_en if english else self.body:
            number = ""
            if block.block_type == "section":
                count += 1
                number = english_numeral(count) if english else chinese_numeral(count)
            numbered.append((block, number))
        return numbered


class RelatedLink(Orderable):  # 相关链接
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField(_("title"), max_length=200)
    link_page = models.ForeignKey("wagtailcore.Page", verbose_name=_("page"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    link_url = models.URLField(_("external URL"), blank=True)

    panels = [FieldPanel("title"), PageChooserPanel("link_page"), FieldPanel("link_url")]

    class Meta(Orderable.Meta):
        verbose_name = _("related link")
        verbose_name_plural = _("related links")

    def clean(self):
        from django.core.exceptions import ValidationError

        if bool(self.link_page_id) == bool(self.link_url):
            raise ValidationError(_("Choose either a page or an external URL."))

    @property
    def url(self) -> str:
        return self.link_page.url if self.link_page_id else self.link_url


class NoticePage(PortalItemPage):  # 通知公告
    body = RichTextField(_("body"), blank=True)
    closing_date = models.DateField(_("closing date"), null=True, blank=True,
                                    help_text=_("Replies, nominations or registrations are due by this date."))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("published_at"), FieldPanel("source"), FieldPanel("closing_date")],
                        heading=_("Time, source and closing date")),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [*PortalItemPage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.ChannelPage"]
    subpage_types = []
    template = "portal/notice_page.html"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    @property
    def is_closed(self) -> bool:
        return self.closing_date is not None and self.closing_date < timezone.localdate()


class NoticeAttachment(Orderable):  # 附件
    notice = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE,
                                 related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Without it, the document's title."))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    @property
    def label(self) -> str:
        return self.title or self.document.title


# The public pages' cache listens to publishing, unpublishing, moves and deletions (dangjian.portal.cache).
from dangjian.portal import cache as _cache  # noqa: E402, F401
