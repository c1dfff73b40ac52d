"""The portal part of the Nanyang demo: the home page as the default site's root, the seed's channels, the seed
article (../shared/seed/nanyang-training-article.txt, in Chinese as published) and a few demo items.

Idempotent and fast: pages are looked up by slug under their parent and created (and published through a
revision) only when missing; existing pages are left as the editors left them.
"""

import datetime
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from dangjian.portal.models import ArticlePage, ChannelPage, HomePage, NoticePage, RelatedLink
from dangjian.portal.permissions import grant_portal_permissions

HOME_TITLE = "南阳市直机关党建网"
SEED_SOURCE = "中共南阳市委市直机关工委"

# (slug, title, parent slug or None for a top-level channel)
CHANNELS = [
    ("dangjian-dongtai", "党建动态", None),
    ("dangjian-zixun", "党建资讯", "dangjian-dongtai"),
    ("shixian-dongtai", "市县动态", "dangjian-zixun"),
    ("tongzhi-gonggao", "通知公告", None),
    ("lilun-xuexi", "理论学习", None),
]

SEED_SLUG = "xinren-shuji-peixunban-2022"
SEED_TITLE = "南阳市直机关新任党组织书记培训班在大别山干部学院举办"
SEED_BODY = [
    ("paragraph", "<p>为全面提升南阳市直机关党员干部党性观念，提高机关新任党组织书记聚焦基层党建的综合能力和素质，"
                  "以机关党建助力省域副中心城市建设，近日，南阳市直机关党员干部党性教育培训班在大别山干部学院举办，"
                  "市直机关110余名新任党组织书记参加培训。</p>"),
    ("section", ""),
    ("paragraph", "<p>此次培训由南阳市委市直机关工委报经市委同意，按照《中国共产党党和国家机关基层组织工作条例》"
                  "关于新任机关党组织负责人培训的要求组织开展。培训分两期进行，每期5天，在学习机关党建基本理论和"
                  "业务知识的基础上，重点依托大别山干部学院红色教育资源开展党性教育，引导党务干部进一步增强“四个意识”、"
                  "坚定“四个自信”、做到“两个维护”。通过理论教学、参观学习、现场教学、交流研讨等形式，"
                  "全面提升新任机关党务干部的综合素质。</p>"),
    ("section", ""),
    ("paragraph", "<p>参训学员纷纷表示，此次培训政治性强、内容丰富、形式灵活，5天的培训收获满满，为做好机关党建工作"
                  "提供了政治、理论和业务支撑，也增强了做好工作的使命感、荣誉感和责任感。下一步，将把培训成果落实到"
                  "机关党建日常工作中，以优异成绩迎接党的二十大胜利召开。</p>"),
]

# Demo items, not from the seed: short texts so that channels, lists and the front page have something in them.
# (channel slug, slug, kind, title, date, source, paragraphs, closing date for notices)
DEMO_ITEMS = [
    ("tongzhi-gonggao", "xinren-shuji-peixunban-tongzhi-2022", "notice",
     "关于举办市直机关新任党组织书记培训班的通知", datetime.date(2022, 9, 20), SEED_SOURCE,
     ["市直各单位党组（党委）、机关党委（党总支、党支部）：",
      "经市委同意，市委市直机关工委定于2022年10月在大别山干部学院举办市直机关新任党组织书记培训班，"
      "分两期进行，每期5天。请各单位按分配名额推荐参训人员，于9月30日前报送推荐人选名单。"],
     datetime.date(2022, 9, 30)),
    ("tongzhi-gonggao", "dangwu-ganbu-lunxun-tongzhi-2022", "notice",
     "关于开展2022年度机关党务干部轮训工作的通知", datetime.date(2022, 6, 8), SEED_SOURCE,
     ["为进一步提高机关党务干部业务能力，工委决定于下半年开展机关党务干部轮训，具体安排另行通知。"],
     datetime.date(2022, 6, 30)),
    ("tongzhi-gonggao", "youxiu-dangzuzhi-tuijian-2022", "notice",
     "关于推荐市直机关先进基层党组织的通知", datetime.date(2022, 5, 16), SEED_SOURCE,
     ["请各单位按照评选条件认真组织推荐，推荐材料经本单位党组（党委）审核后报工委组织部。"],
     datetime.date(2022, 6, 10)),
    ("shixian-dongtai", "jiaoyuju-zhutidangri-2022", "article",
     "市教育局机关党委开展“喜迎二十大”主题党日活动", datetime.date(2022, 9, 28), "南阳市教育局机关党委",
     ["近日，市教育局机关党委组织各支部党员开展主题党日活动，重温入党誓词，交流学习体会。"], None),
    ("shixian-dongtai", "kejiju-dangjian-yewu-ronghe-2022", "article",
     "市科技局推动机关党建与业务工作深度融合", datetime.date(2022, 9, 15), "南阳市科学技术局",
     ["市科技局坚持党建引领，围绕科技创新重点任务设立党员先锋岗，推动党建与业务同频共振。"], None),
    ("dangjian-zixun", "mofan-jiguan-chuangjian-2022", "article",
     "市直机关深入推进模范机关创建工作", datetime.date(2022, 8, 30), SEED_SOURCE,
     ["市直机关各级党组织以创建模范机关为抓手，持续加强机关党的政治建设、思想建设和组织建设。"], None),
    ("dangjian-zixun", "jiceng-dangzuzhi-huanjie-2022", "article",
     "市直机关基层党组织按期换届工作有序推进", datetime.date(2022, 7, 12), SEED_SOURCE,
     ["工委加强对基层党组织换届工作的指导，督促到期党组织按期换届，做到应换尽换。"], None),
    ("lilun-xuexi", "tiaoli-xuexi-fudao-2022", "article",
     "认真学习《中国共产党党和国家机关基层组织工作条例》", datetime.date(2022, 6, 20), SEED_SOURCE,
     ["《条例》是新时代加强和改进党和国家机关基层党组织建设的基本遵循。"], None),
]


def _aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _home() -> HomePage:
    """The portal's home page, the default site's root (after a test flush the tree may be empty)."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale, live=True))
    welcome = Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore",
                                  content_type__model="page")
    welcome.delete()
    root.refresh_from_db()
    home = HomePage(title=HOME_TITLE, slug="portal-home", live=False)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=HOME_TITLE)
    return home


def _child(parent: Page, model, slug: str, **fields):
    """The child page of this type and slug, created and published through a revision when missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, live=False, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


@transaction.atomic
def load_portal() -> dict:
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    home = _home()
    grant_portal_permissions(home_page_id=home.pk)
    channels: dict[str, ChannelPage] = {}
    created = 0
    for slug, title, parent_slug in CHANNELS:
        parent = channels[parent_slug] if parent_slug else home
        channels[slug], was_created = _child(parent, ChannelPage, slug, title=title, show_in_menus=parent_slug is None)
        created += was_created
    items = {}
    for channel_slug, slug, kind, title, day, source, paragraphs, closing in DEMO_ITEMS:
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        if kind == "notice":
            fields = {"body": body, "closing_date": closing}
            model = NoticePage
        else:
            fields = {"body": json.dumps([{"type": "paragraph", "value": body}]), "summary": paragraphs[0][:120]}
            model = ArticlePage
        items[slug], was_created = _child(channels[channel_slug], model, slug, title=title,
                                          published_at=_aware(day), source=source, **fields)
        created += was_created
    # The enrollment notice announced the training that the seed article reports (a demo related link).
    notice = items["xinren-shuji-peixunban-tongzhi-2022"]
    seed, was_created = _child(
        channels["shixian-dongtai"], ArticlePage, SEED_SLUG, title=SEED_TITLE,
        published_at=_aware(datetime.date(2022, 10, 12)), source=SEED_SOURCE,
        summary="市直机关110余名新任党组织书记在大别山干部学院参加党性教育培训。",
        body=json.dumps([{"type": kind, "value": value} for kind, value in SEED_BODY]),
        related_links=[RelatedLink(sort_order=0, title=notice.title, link_page=notice)])
    created += was_created
    if home.featured_article_id is None:
        home.featured_article = seed
        home.save_revision().publish()
    return {"channels": len(channels), "items": len(items) + 1, "created": created, "seed": seed}
